package briefing

import "time"

// Story is one event told by one or more articles, usually from different
// sources. The first article is the lead: the one whose headline and text
// represent the story.
type Story struct {
	// ID is stable for as long as the lead article stays the lead: it is the
	// lead's [Article.Key].
	ID string
	// Articles are the members, lead first, never empty.
	Articles []Article
}

// Lead returns the story's representative article.
func (s Story) Lead() Article {
	if len(s.Articles) == 0 {
		return Article{}
	}
	return s.Articles[0]
}

// Sources returns one link per distinct publisher in the story, lead first.
// Articles without a Source name are identified by their URL's host.
func (s Story) Sources() []Link {
	seen := make(map[string]bool, len(s.Articles))
	out := make([]Link, 0, len(s.Articles))
	for _, a := range s.Articles {
		name := a.Source
		if name == "" {
			name = hostOf(a.URL)
		}
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, Link{Name: name, URL: a.URL})
	}
	return out
}

// Latest returns the most recent publication time among the story's
// articles (zero if none is known).
func (s Story) Latest() time.Time {
	var t time.Time
	for _, a := range s.Articles {
		if a.Published.After(t) {
			t = a.Published
		}
	}
	return t
}

// Link is a named link to one source's version of a story.
type Link struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

// Briefing is the rendered-to-be result of a query or a scheduled digest:
// ranked stories cut to a budget. It is the model every renderer (terminal,
// Markdown, Slack Block Kit, Discord embeds) draws from.
type Briefing struct {
	// Title names the briefing ("g20", "Morning digest: climate").
	Title string `json:"title"`
	// Query is the query the stories were selected with, if any.
	Query string `json:"query,omitempty"`
	// Generated is when the briefing was made.
	Generated time.Time `json:"generated"`
	// Items are the stories, best first.
	Items []Item `json:"items"`
	// More counts matching stories left out by the budget ("+N more stories").
	More int `json:"more,omitempty"`
}

// Empty reports whether the briefing has no stories at all.
func (b Briefing) Empty() bool { return len(b.Items) == 0 && b.More == 0 }

// Item is one story in a briefing.
type Item struct {
	// StoryID is the [Story.ID] the item was made from.
	StoryID string `json:"story_id"`
	// Headline is the lead article's title.
	Headline string `json:"headline"`
	// URL links the lead article.
	URL string `json:"url,omitempty"`
	// Summary holds 1-3 complete sentences taken from the lead article's
	// text, in article order.
	Summary []string `json:"summary"`
	// Sources lists every distinct publisher telling the story, lead first.
	Sources []Link `json:"sources"`
	// Published is the newest publication time among the story's articles.
	Published time.Time `json:"published,omitzero"`
	// Score is the ranking score the item was ordered by (higher is better).
	Score float64 `json:"score"`
}

// MoreSources is the number of sources beyond the lead ("+N sources").
func (it Item) MoreSources() int {
	if len(it.Sources) <= 1 {
		return 0
	}
	return len(it.Sources) - 1
}

// Budget bounds a briefing's size.
type Budget struct {
	// Stories is the most stories a briefing shows; the rest are counted in
	// [Briefing.More]. Zero means DefaultBudget's.
	Stories int
	// Sentences is the most summary sentences per story (1-3). Zero means
	// DefaultBudget's.
	Sentences int
	// Chars is the most characters of summary per story. Whole sentences
	// are dropped to fit; a lone first sentence longer than this is kept
	// whole. Zero means DefaultBudget's.
	Chars int
}

// DefaultBudget returns the budget used for zero fields of a [Budget]:
// 5 stories of at most 2 sentences and 600 characters each.
func DefaultBudget() Budget { return Budget{Stories: 5, Sentences: 2, Chars: 600} }

// withDefaults fills zero fields from DefaultBudget and clamps Sentences to 1-3.
func (b Budget) withDefaults() Budget {
	d := DefaultBudget()
	if b.Stories <= 0 {
		b.Stories = d.Stories
	}
	if b.Sentences <= 0 {
		b.Sentences = d.Sentences
	}
	if b.Sentences > 3 {
		b.Sentences = 3
	}
	if b.Chars <= 0 {
		b.Chars = d.Chars
	}
	return b
}

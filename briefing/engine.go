package briefing

import (
	"time"
)

// Config tunes an [Engine]. The zero Config is valid and means the defaults.
type Config struct {
	// HalfLife is how fast a story's recency weight halves (default 24h).
	HalfLife time.Duration
	// Grouping tunes story grouping; the zero value means the defaults.
	Grouping GroupOptions
}

// Engine groups, ranks and summarizes articles into briefings. It is safe
// for concurrent use. Its only state is a bounded cache of word stems,
// which makes repeated briefings cheaper; reuse one Engine.
type Engine struct {
	halfLife time.Duration
	group    GroupOptions
	stems    *stemCache
}

// New returns an Engine configured by cfg.
func New(cfg Config) *Engine {
	e := &Engine{halfLife: cfg.HalfLife, group: cfg.Grouping.withDefaults(), stems: newStemCache()}
	if e.halfLife <= 0 {
		e.halfLife = 24 * time.Hour
	}
	return e
}

// Brief answers q from articles: it keeps the articles that match q,
// groups them into stories, ranks the stories by relevance, recency
// (relative to now) and number of sources, and
// summarizes the best b.Stories of them. Stories that match but do not fit
// the budget are counted in Briefing.More, so nothing is dropped silently.
// The zero Query matches nothing.
func (e *Engine) Brief(now time.Time, title string, q Query, articles []Article, b Budget) Briefing {
	b = b.withDefaults()
	out := Briefing{Title: title, Query: q.String(), Generated: now}
	if q.IsZero() {
		return out
	}
	m := newQueryMatcher(q, e.stems)
	var matched []Article
	var rel []float64
	for _, a := range articles {
		if s, ok := m.match(a); ok {
			matched = append(matched, a)
			rel = append(rel, s)
		}
	}
	ranked := e.rank(now, matched, rel, q.stems())
	if len(ranked) > b.Stories {
		out.More = len(ranked) - b.Stories
		ranked = ranked[:b.Stories]
	}
	out.Items = make([]Item, 0, len(ranked))
	for _, r := range ranked {
		out.Items = append(out.Items, e.item(r, b))
	}
	return out
}

// item renders one ranked story. The headline and link are the lead's; the
// summary is the lead's too, or the first member's that yields one when the
// lead has no usable text (a feed that carries headlines only).
func (e *Engine) item(r rankedStory, b Budget) Item {
	lead := r.Story.Lead()
	it := Item{
		StoryID:   r.Story.ID,
		Headline:  lead.Title,
		URL:       lead.URL,
		Sources:   r.Story.Sources(),
		Published: storyTime(r.Story),
		Score:     r.Score,
	}
	for _, a := range r.Story.Articles {
		if it.Summary = e.Summarize(a, b); len(it.Summary) > 0 {
			break
		}
	}
	if it.Summary == nil {
		it.Summary = []string{}
	}
	return it
}

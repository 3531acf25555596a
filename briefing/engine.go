package briefing

import (
	"math"
	"sort"
	"time"
)

// Config tunes an [Engine]. The zero Config is valid and means the defaults.
type Config struct {
	// HalfLife is how fast a story's recency weight halves (default 24h).
	HalfLife time.Duration
	// Grouping tunes story grouping; the zero value means the defaults.
	Grouping GroupOptions
}

// Engine groups, ranks and summarizes articles into briefings. It holds no
// mutable state and is safe for concurrent use.
type Engine struct {
	halfLife time.Duration
	group    GroupOptions
}

// New returns an Engine configured by cfg.
func New(cfg Config) *Engine {
	e := &Engine{halfLife: cfg.HalfLife, group: cfg.Grouping.withDefaults()}
	if e.halfLife <= 0 {
		e.halfLife = 24 * time.Hour
	}
	return e
}

// Brief selects the stories among articles that match q, ranks them by
// relevance, recency (relative to now) and number of sources, cuts them to
// the budget and summarizes each. Stories that match but do not fit are
// counted in Briefing.More.
func (e *Engine) Brief(now time.Time, title string, q Query, articles []Article, b Budget) Briefing {
	b = b.withDefaults()
	type scored struct {
		story Story
		rel   float64
		score float64
	}
	var matched []Article
	rel := map[string]float64{}
	for _, a := range articles {
		s, ok := q.Match(NewDoc(a))
		if !ok {
			continue
		}
		matched = append(matched, a)
		rel[a.Key()] = s
	}
	var ranked []scored
	for _, st := range e.Group(matched) {
		best := 0.0
		for _, a := range st.Articles {
			best = math.Max(best, rel[a.Key()])
		}
		ranked = append(ranked, scored{story: st, rel: best, score: e.score(now, st, best)})
	}
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].score > ranked[j].score })
	out := Briefing{Title: title, Query: q.String(), Generated: now}
	for i, r := range ranked {
		if i >= b.Stories {
			out.More = len(ranked) - b.Stories
			break
		}
		lead := r.story.Lead()
		out.Items = append(out.Items, Item{
			StoryID:   r.story.ID,
			Headline:  lead.Title,
			URL:       lead.URL,
			Summary:   e.Summarize(lead, b),
			Sources:   r.story.Sources(),
			Published: r.story.Latest(),
			Score:     r.score,
		})
	}
	return out
}

// score combines relevance, recency and the number of sources.
func (e *Engine) score(now time.Time, st Story, rel float64) float64 {
	recency := 0.5
	if t := st.Latest(); !t.IsZero() {
		age := now.Sub(t)
		if age < 0 {
			age = 0
		}
		recency = math.Exp2(-float64(age) / float64(e.halfLife))
	}
	sources := math.Log2(1 + float64(len(st.Sources())))
	return rel * (0.5 + recency) * (1 + sources)
}

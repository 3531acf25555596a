package briefing

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// rankedStory is a story with the parts of its ranking score.
type rankedStory struct {
	Story Story
	// Score is Relevance × (1 + log2 Sources) × (0.25 + Recency).
	Score float64
	// Relevance is the best query relevance among the story's articles.
	Relevance float64
	// Recency halves every Config.HalfLife of the story's age (1 when
	// new, 0.5 when its time is unknown).
	Recency float64
	// Sources is the number of distinct publishers telling the story.
	Sources int
	first   int // input position of the story's first article, for ties
}

// rank groups articles into stories and orders them best first. rel[i] is
// the query relevance of articles[i]. More sources multiply the score
// (logarithmically: the fifth outlet adds less than the second), and age
// discounts it without ever zeroing it, so a big story from yesterday can
// still beat a small one from this morning. Ties go to the newer story,
// then to the one that came first in the input.
func (e *Engine) rank(now time.Time, articles []Article, rel []float64, ignore map[string]bool) []rankedStory {
	groups := groupIndices(articles, e.group, e.stems, ignore)
	out := make([]rankedStory, 0, len(groups))
	for _, g := range groups {
		st := Story{ID: articles[g[0]].Key(), Articles: make([]Article, len(g))}
		r := rankedStory{first: len(articles)}
		for x, i := range g {
			st.Articles[x] = articles[i]
			r.Relevance = math.Max(r.Relevance, rel[i])
			r.first = min(r.first, i)
		}
		r.Story = st
		r.Sources = max(1, len(st.Sources()))
		r.Recency = e.recency(now, storyTime(st))
		r.Score = r.Relevance * (1 + math.Log2(float64(r.Sources))) * (0.25 + r.Recency)
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b rankedStory) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := storyTime(b.Story).Compare(storyTime(a.Story)); c != 0 {
			return c
		}
		return a.first - b.first
	})
	return out
}

// recency is 1 for a story from now (or the future), halving every half
// life, and 0.5 for an unknown time.
func (e *Engine) recency(now, t time.Time) float64 {
	if t.IsZero() {
		return 0.5
	}
	age := now.Sub(t)
	if age < 0 {
		age = 0
	}
	return math.Exp2(-float64(age) / float64(e.halfLife))
}

// storyTime is when the story last moved: the newest publication time of
// its articles, or, when no article says, the newest time one was fetched.
func storyTime(s Story) time.Time {
	if t := s.Latest(); !t.IsZero() {
		return t
	}
	var t time.Time
	for _, a := range s.Articles {
		if a.Fetched.After(t) {
			t = a.Fetched
		}
	}
	return t
}

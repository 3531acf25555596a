package eval

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/newsbot/newsbot/briefing"
)

// Item is one article of an evaluation set with its reference summary.
type Item struct {
	ID     string `json:"id"`
	Source string `json:"source"`
	Title  string `json:"title"`
	Text   string `json:"text"`
	// Summary is the reference. Its sentences are on separate lines
	// (CNN/DailyMail highlights) or run together (BBC); see
	// [ReferenceSentences].
	Summary string `json:"summary"`
}

// Group names the part of an evaluation set an item belongs to, from its
// source: "bbc" (bbc-news-summary), "cnndm" (cnndm-cnn, cnndm-dailymail),
// "xsum", or the source itself.
func (it Item) Group() string {
	switch {
	case it.Source == "bbc-news-summary":
		return "bbc"
	case strings.HasPrefix(it.Source, "cnndm"):
		return "cnndm"
	case it.Source == "":
		return "unknown"
	}
	return it.Source
}

// ReferenceSentences returns the reference summary's sentences: each line,
// split by [briefing.Sentences].
func (it Item) ReferenceSentences() []string {
	var out []string
	for _, line := range strings.Split(it.Summary, "\n") {
		out = append(out, briefing.Sentences(line)...)
	}
	return out
}

// System is a summarizer under evaluation.
type System struct {
	// Name labels the system in reports ("newsbot", "lead-3").
	Name string
	// Summarize returns at most n sentences for it. Only the oracle may
	// read it.Summary.
	Summarize func(it Item, n int) []string
}

// Baselines returns the reference systems newsbot is compared with, for
// n-sentence summaries: Lead-n, the TF-IDF centroid and TextRank. With
// oracle, it adds the greedy ROUGE-2 oracle (an upper bound that reads the
// reference).
func Baselines(n int, oracle bool) []System {
	out := []System{
		{Name: fmt.Sprintf("lead-%d", n), Summarize: func(it Item, n int) []string { return Lead(it.Text, n) }},
		{Name: "tfidf-centroid", Summarize: func(it Item, n int) []string { return Centroid(it.Text, n) }},
		{Name: "textrank", Summarize: func(it Item, n int) []string { return TextRank(it.Text, n) }},
	}
	if oracle {
		var s Scorer // Evaluate runs systems on one goroutine
		out = append(out, System{Name: "oracle", Summarize: func(it Item, n int) []string {
			return Oracle(&s, it.Text, it.ReferenceSentences(), n)
		}})
	}
	return out
}

// Mean is the average of per-item ROUGE scores of one system on one group.
type Mean struct {
	System string `json:"system"`
	Scores Scores `json:"scores"`
	// Sentences is the average number of sentences per summary.
	Sentences float64 `json:"sentences"`
}

// GroupReport holds every system's mean scores on one group of items.
type GroupReport struct {
	Group string `json:"group"`
	Items int    `json:"items"`
	Means []Mean `json:"means"`
}

// Report is the result of [Evaluate]: one GroupReport per group, in order
// of first appearance, then "all" when there is more than one group.
type Report struct {
	Sentences int           `json:"sentences"`
	Groups    []GroupReport `json:"groups"`
}

// ErrNoItems is returned by Evaluate when there is nothing to evaluate.
var ErrNoItems = errors.New("no items to evaluate")

// Evaluate summarizes every item with every system (n sentences each) and
// averages the ROUGE scores of the summaries against the references, per
// group and over all items. progress, if not nil, is called after each
// item with the number done and the total. It returns ctx's error if ctx
// is cancelled, and [ErrNoItems] for an empty set.
func Evaluate(ctx context.Context, items []Item, systems []System, n int, progress func(done, total int)) (Report, error) {
	if len(items) == 0 {
		return Report{}, ErrNoItems
	}
	type acc struct {
		items int
		sum   []Scores
		sents []int
	}
	var order []string
	groups := map[string]*acc{}
	get := func(g string) *acc {
		a, ok := groups[g]
		if !ok {
			a = &acc{sum: make([]Scores, len(systems)), sents: make([]int, len(systems))}
			groups[g] = a
			order = append(order, g)
		}
		return a
	}
	var scorer Scorer
	for k, it := range items {
		if err := ctx.Err(); err != nil {
			return Report{}, err
		}
		ref := it.ReferenceSentences()
		a := get(it.Group())
		a.items++
		for i, sys := range systems {
			cand := sys.Summarize(it, n)
			s := scorer.Score(ref, cand)
			a.sum[i] = add(a.sum[i], s)
			a.sents[i] += len(cand)
		}
		if progress != nil {
			progress(k+1, len(items))
		}
	}
	if len(order) > 1 {
		all := &acc{sum: make([]Scores, len(systems)), sents: make([]int, len(systems))}
		for _, g := range order {
			a := groups[g]
			all.items += a.items
			for i := range systems {
				all.sum[i] = add(all.sum[i], a.sum[i])
				all.sents[i] += a.sents[i]
			}
		}
		groups["all"] = all
		order = append(order, "all")
	}
	r := Report{Sentences: n}
	for _, g := range order {
		a := groups[g]
		gr := GroupReport{Group: g, Items: a.items}
		for i, sys := range systems {
			gr.Means = append(gr.Means, Mean{
				System:    sys.Name,
				Scores:    scale(a.sum[i], 1/float64(a.items)),
				Sentences: float64(a.sents[i]) / float64(a.items),
			})
		}
		r.Groups = append(r.Groups, gr)
	}
	return r, nil
}

func add(a, b Scores) Scores {
	return Scores{addScore(a.Rouge1, b.Rouge1), addScore(a.Rouge2, b.Rouge2), addScore(a.RougeLsum, b.RougeLsum)}
}

func addScore(a, b Score) Score {
	return Score{a.Precision + b.Precision, a.Recall + b.Recall, a.F1 + b.F1}
}

func scale(a Scores, k float64) Scores {
	f := func(s Score) Score { return Score{s.Precision * k, s.Recall * k, s.F1 * k} }
	return Scores{f(a.Rouge1), f(a.Rouge2), f(a.RougeLsum)}
}

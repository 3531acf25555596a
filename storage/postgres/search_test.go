package postgres

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/internal/newsgen"
)

// TestSearchAcrossRanges checks the two-step search (a walk over the
// newest articles, then id ranges through the indexes) against the
// engine's matcher on a generated corpus whose arrival rate changes (a
// sparse month, then a dense burst, and batches that share one fetch time),
// with the walk cut to a few rows so that nearly every query needs ranges.
func TestSearchAcrossRanges(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	s.walkRows = 16
	ctx := context.Background()
	g := newsgen.New(newsgen.Config{Seed: 7, Vocabulary: 3000, Sources: 5, PhraseRate: 0.05})
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	var arts []briefing.Article
	for i := range 2400 {
		a := g.Next()
		switch {
		case i < 600: // one every hour
			a.Fetched = start.Add(time.Duration(i) * time.Hour)
		case i < 1800: // a burst, one every 100 ms
			a.Fetched = start.Add(600*time.Hour + time.Duration(i-600)*100*time.Millisecond)
		default: // batches of 50 fetched at once, an hour apart
			a.Fetched = start.Add(700*time.Hour + time.Duration((i-1800)/50)*time.Hour)
		}
		arts = append(arts, a)
	}
	for i := 0; i < len(arts); i += 200 {
		if _, err := s.AddArticles(ctx, arts[i:i+200], time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	docs := make([]briefing.Doc, len(arts))
	for i, a := range arts {
		docs[i] = briefing.NewDoc(a)
	}
	// want: the matches, newest first, cut to the limit. arts is in fetch
	// order, and within a batch fetched at once a later article gets a
	// higher id, so walking it backwards is the store's order.
	want := func(q briefing.Query, opts bot.SearchOptions) []string {
		var out []string
		for i := len(arts) - 1; i >= 0; i-- {
			a := arts[i]
			if !opts.Since.IsZero() && !a.Fetched.After(opts.Since) {
				continue
			}
			if len(opts.Sources) > 0 && !slices.Contains(opts.Sources, a.Source) {
				continue
			}
			if _, ok := q.Match(docs[i]); ok {
				out = append(out, a.GUID)
			}
		}
		limit := opts.Limit
		if limit <= 0 {
			limit = DefaultLimit
		}
		return out[:min(len(out), limit)]
	}
	check := func(t *testing.T) {
		checkSearchAcrossRanges(t, s, g, start, arts, want)
	}
	// Before the table is analyzed (reltuples unknown), the ranges are
	// sized from the walk alone; afterwards from the table's average rate.
	t.Run("unanalyzed", check)
	if _, err := s.db.ExecContext(ctx, "ANALYZE articles"); err != nil {
		t.Fatal(err)
	}
	t.Run("analyzed", check)
}

func checkSearchAcrossRanges(t *testing.T, s *Store, g *newsgen.Generator, start time.Time, arts []briefing.Article, want func(briefing.Query, bot.SearchOptions) []string) {
	ctx := context.Background()
	queries := []string{"the", "government", "economy", "climate", "ukraine", `"climate summit"`, "g20", "volcano",
		"qqqzzz", "economy -the", "g20 OR election", "ukraine -sport", `"the government"`}
	sinces := []time.Time{{}, start.Add(300 * time.Hour), start.Add(600*time.Hour + 30*time.Second), start.Add(710 * time.Hour)}
	limits := []int{0, 1, 60, 5000}
	for _, query := range queries {
		q, err := briefing.ParseQuery(query)
		if err != nil {
			t.Fatal(err)
		}
		for _, since := range sinces {
			for _, limit := range limits {
				for _, sources := range [][]string{nil, g.Sources()[:2]} {
					opts := bot.SearchOptions{Since: since, Limit: limit, Sources: sources}
					name := fmt.Sprintf("%s since=%s limit=%d sources=%d", query, since.Format(time.DateTime), limit, len(sources))
					got, err := s.SearchArticles(ctx, q, opts)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					var ids []string
					for _, a := range got {
						ids = append(ids, a.GUID)
					}
					if w := want(q, opts); !slices.Equal(ids, w) {
						t.Errorf("%s: got %d articles, want %d (first difference at %d)", name, len(ids), len(w), firstDiff(ids, w))
					}
				}
			}
		}
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

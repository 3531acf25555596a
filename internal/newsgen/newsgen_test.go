package newsgen

import (
	"slices"
	"testing"

	"github.com/newsbot/newsbot/briefing"
)

func TestDeterministic(t *testing.T) {
	t.Parallel()
	a, b := New(Config{Seed: 7}).Batch(50), New(Config{Seed: 7}).Batch(50)
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different articles")
	}
	c := New(Config{Seed: 8}).Batch(50)
	if a[0].Text == c[0].Text {
		t.Error("different seeds gave the same article")
	}
	for i := 1; i < len(a); i++ {
		if !a[i].Fetched.After(a[i-1].Fetched) {
			t.Fatalf("article %d is not newer than article %d", i, i-1)
		}
	}
}

// TestDistribution checks the shape the benchmarks rely on: the known
// words' document frequencies and the article sizes.
func TestDistribution(t *testing.T) {
	t.Parallel()
	g := New(Config{})
	const n = 3000
	df := map[string]int{}
	words, sources := 0, map[string]bool{}
	for range n {
		a := g.Next()
		toks := briefing.Tokens(a.Title + " " + a.Text)
		words += len(toks)
		sources[a.Source] = true
		seen := map[string]bool{}
		for _, tk := range toks {
			if !seen[tk] {
				seen[tk] = true
				df[tk]++
			}
		}
	}
	share := func(w string) float64 { return float64(df[w]) / n }
	tests := []struct {
		word     string
		min, max float64
	}{
		{"the", 0.97, 1},
		{"government", 0.5, 0.95},
		{"economy", 0.15, 0.6},
		{"ukraine", 0.03, 0.3},
		{"g20", 0, 0.02},
		{"volcano", 0, 0.005},
	}
	for _, tc := range tests {
		if s := share(tc.word); s < tc.min || s > tc.max {
			t.Errorf("%q is in %.1f%% of articles, want %.1f%%-%.1f%%", tc.word, 100*s, 100*tc.min, 100*tc.max)
		}
		t.Logf("%-10s in %5.1f%% of articles", tc.word, 100*share(tc.word))
	}
	if avg := words / n; avg < 150 || avg > 350 {
		t.Errorf("articles average %d words, want 150-350", avg)
	}
	if len(sources) < 50 {
		t.Errorf("only %d distinct sources", len(sources))
	}
	t.Logf("average %d words, %d sources", words/n, len(sources))
}

package eval

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
)

func TestItemGroup(t *testing.T) {
	t.Parallel()
	for source, want := range map[string]string{
		"bbc-news-summary": "bbc", "cnndm-cnn": "cnndm", "cnndm-dailymail": "cnndm", "xsum": "xsum",
		"other": "other", "": "unknown",
	} {
		if got := (Item{Source: source}).Group(); got != want {
			t.Errorf("Group of source %q = %q, want %q", source, got, want)
		}
	}
}

func TestReferenceSentences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		summary string
		want    []string
	}{
		{"lines", "Gary Locke will be confirmed.\nThe club went unbeaten", []string{"Gary Locke will be confirmed.", "The club went unbeaten"}},
		{"run together", "Profits rose 2.5%. Mr. Smith said so.", []string{"Profits rose 2.5%.", "Mr. Smith said so."}},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := (Item{Summary: tc.summary}).ReferenceSentences(); !slices.Equal(got, tc.want) {
				t.Errorf("ReferenceSentences = %q, want %q", got, tc.want)
			}
		})
	}
}

// echo is a system that returns the reference itself, and blank one that
// returns nothing: their scores are known exactly.
var (
	echo  = System{Name: "echo", Summarize: func(it Item, _ int) []string { return it.ReferenceSentences() }}
	blank = System{Name: "blank", Summarize: func(Item, int) []string { return nil }}
)

func TestEvaluate(t *testing.T) {
	t.Parallel()
	items := []Item{
		{ID: "1", Source: "bbc-news-summary", Text: "A b c. D e f.", Summary: "The cat sat on the mat."},
		{ID: "2", Source: "cnndm-cnn", Text: "A b c.", Summary: "Dogs bark at night.\nCats do not."},
		{ID: "3", Source: "bbc-news-summary", Text: "A b c.", Summary: "Birds sing in the morning."},
	}
	var calls []int
	rep, err := Evaluate(context.Background(), items, []System{echo, blank}, 2, func(done, total int) {
		if total != len(items) {
			t.Errorf("progress total %d, want %d", total, len(items))
		}
		calls = append(calls, done)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(calls, []int{1, 2, 3}) {
		t.Errorf("progress calls %v, want [1 2 3]", calls)
	}
	var groups []string
	var counts []int
	for _, g := range rep.Groups {
		groups = append(groups, g.Group)
		counts = append(counts, g.Items)
		if len(g.Means) != 2 || g.Means[0].System != "echo" || g.Means[1].System != "blank" {
			t.Fatalf("group %s means %+v, want echo then blank", g.Group, g.Means)
		}
		if m := g.Means[0].Scores; m.Rouge1.F1 != 1 || m.Rouge2.F1 != 1 || m.RougeLsum.F1 != 1 {
			t.Errorf("group %s: echo scores %+v, want all 1", g.Group, m)
		}
		if m := g.Means[1].Scores; m != (Scores{}) {
			t.Errorf("group %s: blank scores %+v, want all 0", g.Group, m)
		}
		if g.Means[1].Sentences != 0 {
			t.Errorf("group %s: blank has %v sentences", g.Group, g.Means[1].Sentences)
		}
	}
	if !slices.Equal(groups, []string{"bbc", "cnndm", "all"}) || !slices.Equal(counts, []int{2, 1, 3}) {
		t.Errorf("groups %v with %v items, want [bbc cnndm all] with [2 1 3]", groups, counts)
	}
	if all := rep.Groups[2].Means[0].Sentences; math.Abs(all-4.0/3) > 1e-9 {
		t.Errorf("echo averages %v sentences over all, want 4/3", all)
	}
}

func TestEvaluateErrors(t *testing.T) {
	t.Parallel()
	if _, err := Evaluate(context.Background(), nil, []System{echo}, 3, nil); !errors.Is(err, ErrNoItems) {
		t.Errorf("Evaluate(no items) error = %v, want ErrNoItems", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	items := []Item{{Source: "xsum", Text: "A b c.", Summary: "A b c."}}
	if _, err := Evaluate(ctx, items, []System{echo}, 3, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Evaluate(cancelled) error = %v, want context.Canceled", err)
	}
}

package eval

import (
	"math"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/briefing"
)

func closeTo(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestScorePairs(t *testing.T) {
	t.Parallel()
	gold := []string{"a", "a", "a", "b", "b", "c"}
	tests := []struct {
		name             string
		pred             []string
		p, r, f          float64
		whole, exact     float64
		predicted, right float64
	}{
		{name: "perfect", pred: []string{"x", "x", "x", "y", "y", "z"}, p: 1, r: 1, f: 1, whole: 1, exact: 1, predicted: 4, right: 4},
		{name: "labels renamed", pred: []string{"1", "1", "1", "0", "0", "2"}, p: 1, r: 1, f: 1, whole: 1, exact: 1, predicted: 4, right: 4},
		{name: "all apart", pred: []string{"1", "2", "3", "4", "5", "6"}, p: 1, r: 0, f: 0, predicted: 0, right: 0},
		// one group: 15 pairs predicted, 4 right.
		{name: "all together", pred: []string{"x", "x", "x", "x", "x", "x"}, p: 4.0 / 15, r: 1, f: 2 * (4.0 / 15) / (4.0/15 + 1), whole: 1, predicted: 15, right: 4},
		// a split off (1 of its 3 pairs kept), b merged with c (1 wrong pair).
		{name: "split and merge", pred: []string{"x", "x", "w", "y", "y", "y"}, p: 2.0 / 4, r: 2.0 / 4, f: 0.5, whole: 0.5, predicted: 4, right: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := ScorePairs(gold, tc.pred)
			if err != nil {
				t.Fatal(err)
			}
			if !closeTo(s.Precision, tc.p) || !closeTo(s.Recall, tc.r) || !closeTo(s.F1, tc.f) {
				t.Errorf("P/R/F1 = %v/%v/%v, want %v/%v/%v", s.Precision, s.Recall, s.F1, tc.p, tc.r, tc.f)
			}
			if !closeTo(s.Whole, tc.whole) || !closeTo(s.Exact, tc.exact) {
				t.Errorf("whole/exact = %v/%v, want %v/%v", s.Whole, s.Exact, tc.whole, tc.exact)
			}
			if s.TruePairs != 4 || s.PredictedPairs != tc.predicted || s.CorrectPairs != tc.right {
				t.Errorf("pairs true/predicted/correct = %v/%v/%v, want 4/%v/%v", s.TruePairs, s.PredictedPairs, s.CorrectPairs, tc.predicted, tc.right)
			}
			if s.Stories != 2 {
				t.Errorf("Stories = %d, want 2 (c has one item)", s.Stories)
			}
		})
	}
}

func TestScorePairsLengthMismatch(t *testing.T) {
	t.Parallel()
	if _, err := ScorePairs([]string{"a"}, nil); err == nil {
		t.Fatal("no error for labels of different lengths")
	}
}

// The two halves of a split add up to the whole: every predicted pair is
// counted once (pairs across the halves half in each).
func TestScorePairsInHalvesAddUp(t *testing.T) {
	t.Parallel()
	gold := []string{"a", "a", "b", "b", "c", "c", "d"}
	pred := []string{"x", "x", "x", "y", "y", "z", "z"}
	half := map[string]int{"a": 0, "b": 1, "c": 0, "d": 1}
	all, err := ScorePairs(gold, pred)
	if err != nil {
		t.Fatal(err)
	}
	var predicted, correct, truePairs float64
	for h := range 2 {
		s, err := ScorePairsIn(gold, pred, func(i int) bool { return half[gold[i]] == h })
		if err != nil {
			t.Fatal(err)
		}
		predicted += s.PredictedPairs
		correct += s.CorrectPairs
		truePairs += s.TruePairs
	}
	if predicted != all.PredictedPairs || correct != all.CorrectPairs || truePairs != all.TruePairs {
		t.Errorf("halves add up to %v/%v/%v pairs, whole has %v/%v/%v", predicted, correct, truePairs, all.PredictedPairs, all.CorrectPairs, all.TruePairs)
	}
}

func TestBaseline(t *testing.T) {
	t.Parallel()
	arts := []briefing.Article{
		{Title: "Volcano erupts on remote island", Text: "A volcano erupted on the remote island, sending ash over fishing villages."},
		{Title: "Remote island volcano erupts", Text: "Ash fell on fishing villages after the volcano on the remote island erupted."},
		{Title: "Chess champion keeps title", Text: "The chess champion kept her title after a tense final game in the capital."},
	}
	var calls int
	b := NewBaseline(arts, func(done int) { calls = done })
	if calls != len(arts) {
		t.Errorf("progress reached %d, want %d", calls, len(arts))
	}
	tests := []struct {
		threshold float64
		together  [][2]int
		apart     [][2]int
	}{
		{threshold: 0.3, together: [][2]int{{0, 1}}, apart: [][2]int{{0, 2}, {1, 2}}},
		{threshold: 1.01, apart: [][2]int{{0, 1}, {0, 2}}},
		{threshold: 0, together: [][2]int{{0, 1}}},
	}
	for _, tc := range tests {
		labels := b.Group(tc.threshold)
		for _, p := range tc.together {
			if labels[p[0]] != labels[p[1]] {
				t.Errorf("threshold %v: %d and %d apart", tc.threshold, p[0], p[1])
			}
		}
		for _, p := range tc.apart {
			if labels[p[0]] == labels[p[1]] {
				t.Errorf("threshold %v: %d and %d together", tc.threshold, p[0], p[1])
			}
		}
	}
}

func TestBestThreshold(t *testing.T) {
	t.Parallel()
	gold := []string{"a", "a", "b", "b"}
	// Low thresholds merge everything, high ones split everything, the
	// middle is right.
	group := func(th float64) []string {
		switch {
		case th < 0.3:
			return []string{"x", "x", "x", "x"}
		case th < 0.6:
			return []string{"x", "x", "y", "y"}
		}
		return []string{"1", "2", "3", "4"}
	}
	th, s, err := BestThreshold(gold, nil, 0.9, 0, 1, 0.1, group)
	if err != nil {
		t.Fatal(err)
	}
	if th < 0.3-1e-9 || th >= 0.6 || s.F1 != 1 {
		t.Errorf("best threshold %v with F1 %v, want in [0.3, 0.6) with F1 1", th, s.F1)
	}
}

func TestReadStoryItems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		n       int
		wantErr string
	}{
		{name: "two items and a blank line", in: `{"id":"1","story":"s","title":"T","text":"x"}` + "\n\n" + `{"id":"2","story":"s","title":"U"}`, n: 2},
		{name: "missing story", in: `{"id":"1","title":"T"}`, wantErr: "line 1: no story"},
		{name: "bad json", in: `{"id":"1","story":"s"}` + "\n{", wantErr: "line 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			items, err := ReadStoryItems(strings.NewReader(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(items) != tc.n {
				t.Fatalf("got %d items, err %v; want %d", len(items), err, tc.n)
			}
		})
	}
}

func TestHalfIsStable(t *testing.T) {
	t.Parallel()
	counts := [2]int{}
	for _, s := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"} {
		h := Half(s)
		if h != Half(s) || h < 0 || h > 1 {
			t.Fatalf("Half(%q) unstable or out of range", s)
		}
		counts[h]++
	}
	if counts[0] == 0 || counts[1] == 0 {
		t.Errorf("ten stories all fell in one half: %v", counts)
	}
}

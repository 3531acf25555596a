package eval

import (
	"slices"
	"testing"
)

// bridge has an off-topic lead and two sentences about the bridge that
// share words: central baselines prefer them, Lead-1 does not.
const bridge = "It was a sunny day. The council approved the new bridge over the river. " +
	"The bridge over the river opens in May. Shops stayed open late."

func TestBaselines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"lead-2", Lead(bridge, 2), []string{"It was a sunny day.", "The council approved the new bridge over the river."}},
		{"lead longer than the text", Lead("One. Two.", 5), []string{"One.", "Two."}},
		{"lead of nothing", Lead("", 3), []string{}},
		{"centroid picks the shared topic", Centroid(bridge, 2), []string{
			"The council approved the new bridge over the river.", "The bridge over the river opens in May."}},
		{"textrank picks the shared topic", TextRank(bridge, 2), []string{
			"The council approved the new bridge over the river.", "The bridge over the river opens in May."}},
		{"textrank of nothing", TextRank("", 3), []string{}},
		{"centroid keeps text order", Centroid("Rain fell. Bridge news: the bridge opened. The bridge is long.", 3), []string{
			"Rain fell.", "Bridge news: the bridge opened.", "The bridge is long."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if len(tc.got) != len(tc.want) || !slices.Equal(tc.got, tc.want) && len(tc.want) > 0 {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

func TestOracle(t *testing.T) {
	t.Parallel()
	var s Scorer
	ref := []string{"The bridge over the river opens in May."}
	got := Oracle(&s, bridge, ref, 3)
	// Adding any other sentence would lower ROUGE-2 F1, so the greedy
	// search stops at one.
	if want := []string{"The bridge over the river opens in May."}; !slices.Equal(got, want) {
		t.Errorf("Oracle = %q, want %q", got, want)
	}
	if got := Oracle(&s, bridge, []string{"Nothing in common here."}, 3); len(got) != 0 {
		t.Errorf("Oracle with no overlap = %q, want nothing", got)
	}
}

func TestPageRank(t *testing.T) {
	t.Parallel()
	// A star: the hub collects the most rank; the scores sum to 1.
	w := [][]float64{{0, 1, 1, 1}, {1, 0, 0, 0}, {1, 0, 0, 0}, {1, 0, 0, 0}}
	pr := pageRank(w, 0.85)
	sum := 0.0
	for _, x := range pr {
		sum += x
	}
	if sum < 0.999 || sum > 1.001 {
		t.Errorf("PageRank sums to %v, want 1", sum)
	}
	if !(pr[0] > pr[1] && pr[1] == pr[2] && pr[2] == pr[3]) {
		t.Errorf("PageRank of a star = %v, want the hub highest and the leaves equal", pr)
	}
	if got := pageRank(nil, 0.85); got != nil {
		t.Errorf("PageRank of no graph = %v, want nil", got)
	}
}

package eval

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/newsbot/newsbot/briefing"
)

// PairScores are pairwise clustering scores. Every unordered pair of items
// is a true pair when both share a gold story, and a predicted pair when
// both share a predicted group.
type PairScores struct {
	// Precision is the share of predicted pairs that are true pairs (1 when
	// nothing was paired).
	Precision float64
	// Recall is the share of true pairs that were predicted (1 when there is
	// no true pair).
	Recall float64
	// F1 is the harmonic mean of Precision and Recall.
	F1 float64
	// TruePairs, PredictedPairs and CorrectPairs are the counts behind the
	// ratios. PredictedPairs may end in .5 for a subset (see ScorePairsIn).
	TruePairs, PredictedPairs, CorrectPairs float64
	// Stories is the number of gold stories with at least two items.
	Stories int
	// Whole is the share of those stories whose items all ended up in one
	// group (which may hold other items too).
	Whole float64
	// Exact is the share of those stories that ended up as a group of their
	// own: all their items and nothing else.
	Exact float64
}

// String formats the scores on one line, ratios as percentages.
func (s PairScores) String() string {
	return fmt.Sprintf("P %5.1f  R %5.1f  F1 %5.1f  whole %5.1f  exact %5.1f",
		100*s.Precision, 100*s.Recall, 100*s.F1, 100*s.Whole, 100*s.Exact)
}

// ScorePairs compares a predicted grouping with the gold one. gold[i] and
// pred[i] are the story and the group of item i; the two sides' labels need
// not match. It returns an error when the slices differ in length.
func ScorePairs(gold, pred []string) (PairScores, error) {
	return ScorePairsIn(gold, pred, nil)
}

// ScorePairsIn scores the part of a grouping that concerns the items for
// which in returns true (all items when in is nil), where in selects whole
// gold stories (as [Half] does). Recall counts the true pairs inside the
// subset. Precision counts the predicted pairs inside the subset and half
// of those that join an item inside with one outside, so that the
// precisions of two complementary subsets average to that of the whole.
func ScorePairsIn(gold, pred []string, in func(i int) bool) (PairScores, error) {
	if len(gold) != len(pred) {
		return PairScores{}, fmt.Errorf("score pairs: %d gold labels but %d predicted", len(gold), len(pred))
	}
	inside := func(i int) bool { return in == nil || in(i) }
	type cell struct{ gold, pred string }
	goldN := map[string]int{}   // items per gold story (inside)
	predIn := map[string]int{}  // inside items per predicted group
	predOut := map[string]int{} // outside items per predicted group
	cells := map[cell]int{}     // inside items per (story, group)
	predAll := map[string]int{} // all items per predicted group
	for i := range gold {
		predAll[pred[i]]++
		if !inside(i) {
			predOut[pred[i]]++
			continue
		}
		goldN[gold[i]]++
		predIn[pred[i]]++
		cells[cell{gold[i], pred[i]}]++
	}
	pairs := func(n int) float64 { return float64(n) * float64(n-1) / 2 }
	var s PairScores
	for _, n := range goldN {
		s.TruePairs += pairs(n)
		if n >= 2 {
			s.Stories++
		}
	}
	for g, n := range predIn {
		s.PredictedPairs += pairs(n) + 0.5*float64(n)*float64(predOut[g])
	}
	var whole, exact int
	for c, n := range cells {
		s.CorrectPairs += pairs(n)
		if gn := goldN[c.gold]; gn >= 2 && n == gn {
			whole++
			if predAll[c.pred] == gn {
				exact++
			}
		}
	}
	s.Precision, s.Recall = 1, 1
	if s.PredictedPairs > 0 {
		s.Precision = s.CorrectPairs / s.PredictedPairs
	}
	if s.TruePairs > 0 {
		s.Recall = s.CorrectPairs / s.TruePairs
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	if s.Stories > 0 {
		s.Whole = float64(whole) / float64(s.Stories)
		s.Exact = float64(exact) / float64(s.Stories)
	}
	return s, nil
}

// GroupLabels returns, for each of n items, the ID of the story that holds
// it. index maps an article of a story back to its item position; articles
// it maps outside 0..n-1 are ignored, and items no story holds get "".
func GroupLabels(n int, stories []briefing.Story, index func(briefing.Article) int) []string {
	out := make([]string, n)
	for _, st := range stories {
		for _, a := range st.Articles {
			if i := index(a); i >= 0 && i < n {
				out[i] = st.ID
			}
		}
	}
	return out
}

// Baseline is the TF-IDF single-link story grouper that newsbot's grouping
// is measured against: each article is a TF-IDF vector over the stemmed
// content words of its title and text (idf from the articles themselves),
// and any two articles whose cosine similarity reaches a threshold are
// joined, transitively.
type Baseline struct {
	n     int
	pairs []scoredPair // every pair with a similarity > 0, best first
}

type scoredPair struct {
	i, j int32
	sim  float32
}

// NewBaseline computes the pairwise similarities of articles, calling
// progress (if not nil) after each article with the number done.
// It takes time and memory quadratic in len(articles).
func NewBaseline(articles []briefing.Article, progress func(done int)) *Baseline {
	n := len(articles)
	vocab := map[string]int32{}
	type tw struct {
		id int32
		w  float64
	}
	vecs := make([][]tw, n)
	var df []int
	for i, a := range articles {
		tf := map[int32]float64{}
		for _, t := range briefing.Terms(a.Title + "\n\n" + a.Text) {
			id, ok := vocab[t]
			if !ok {
				id = int32(len(vocab))
				vocab[t] = id
				df = append(df, 0)
			}
			tf[id]++
		}
		for id, c := range tf {
			vecs[i] = append(vecs[i], tw{id, c})
			df[id]++
		}
	}
	for _, v := range vecs {
		var norm float64
		for k, t := range v {
			v[k].w = t.w * math.Log(float64(n+1)/float64(df[t.id]))
			norm += v[k].w * v[k].w
		}
		norm = math.Sqrt(norm)
		for k := range v {
			if norm > 0 {
				v[k].w /= norm
			}
		}
		slices.SortFunc(v, func(a, b tw) int { return int(a.id) - int(b.id) })
	}
	b := &Baseline{n: n}
	for i := range vecs {
		for j := i + 1; j < n; j++ {
			var s float64
			x, y := vecs[i], vecs[j]
			for len(x) > 0 && len(y) > 0 {
				switch {
				case x[0].id < y[0].id:
					x = x[1:]
				case x[0].id > y[0].id:
					y = y[1:]
				default:
					s += x[0].w * y[0].w
					x, y = x[1:], y[1:]
				}
			}
			if s > 0 {
				b.pairs = append(b.pairs, scoredPair{int32(i), int32(j), float32(s)})
			}
		}
		if progress != nil {
			progress(i + 1)
		}
	}
	slices.SortFunc(b.pairs, func(p, q scoredPair) int {
		switch {
		case p.sim > q.sim:
			return -1
		case p.sim < q.sim:
			return 1
		}
		return 0
	})
	return b
}

// Group returns a group label per article: articles are joined when a chain
// of pairs with similarity at least threshold links them.
func (b *Baseline) Group(threshold float64) []string {
	parent := make([]int32, b.n)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, p := range b.pairs {
		if float64(p.sim) < threshold {
			break
		}
		if ri, rj := find(p.i), find(p.j); ri != rj {
			parent[max(ri, rj)] = min(ri, rj)
		}
	}
	out := make([]string, b.n)
	for i := range out {
		out[i] = "g" + strconv.Itoa(int(find(int32(i))))
	}
	return out
}

// BestThreshold tries thresholds from lo to hi in steps of step and returns
// the one whose grouping has the highest pairwise F1 against gold among
// those with a precision of at least minPrecision (the lowest such threshold
// on a tie), with its scores. When none reaches minPrecision it returns the
// most precise. group turns a threshold into labels; in selects the items
// scored (see [ScorePairsIn]).
func BestThreshold(gold []string, in func(int) bool, minPrecision, lo, hi, step float64, group func(threshold float64) []string) (float64, PairScores, error) {
	var bestT float64
	var best PairScores
	found := false
	for k := 0; lo+float64(k)*step <= hi+1e-9; k++ {
		t := lo + float64(k)*step
		s, err := ScorePairsIn(gold, group(t), in)
		if err != nil {
			return 0, PairScores{}, err
		}
		ok := s.Precision >= minPrecision
		switch {
		case ok && (!found || s.F1 > best.F1):
			bestT, best, found = t, s, true
		case !ok && !found && (k == 0 || s.Precision > best.Precision):
			bestT, best = t, s
		}
	}
	return bestT, best, nil
}

package eval

import (
	"math"
	"slices"
	"sort"

	"github.com/newsbot/newsbot/briefing"
)

// Lead returns the first n sentences of text (the Lead-N baseline).
func Lead(text string, n int) []string {
	s := briefing.Sentences(text)
	return s[:min(n, len(s))]
}

// Centroid returns the n sentences of text most similar (cosine) to the
// text's TF-IDF centroid, in text order: the centroid baseline of Radev et
// al. (2004) on one document, where a term's IDF counts the sentences that
// contain it.
func Centroid(text string, n int) []string {
	sents := briefing.Sentences(text)
	terms := sentenceTerms(sents)
	df := map[string]int{}
	for _, ts := range terms {
		for t := range ts {
			df[t]++
		}
	}
	vecs := make([]map[string]float64, len(sents))
	centroid := map[string]float64{}
	for i, ts := range terms {
		v := make(map[string]float64, len(ts))
		for _, t := range sortedKeys(ts) {
			c := ts[t]
			w := float64(c) * math.Log(float64(len(sents)+1)/float64(df[t]))
			v[t] = w
			centroid[t] += w
		}
		vecs[i] = v
	}
	scores := make([]float64, len(sents))
	for i, v := range vecs {
		scores[i] = cosine(v, centroid)
	}
	return pickTop(sents, scores, n)
}

// TextRank returns the n most central sentences of text in text order, by
// PageRank (damping 0.85) over the graph whose edges weigh the content
// words two sentences share, normalised by their lengths as in Mihalcea and
// Tarau (2004): |Si ∩ Sj| / (log |Si| + log |Sj|).
func TextRank(text string, n int) []string {
	sents := briefing.Sentences(text)
	terms := sentenceTerms(sents)
	k := len(sents)
	w := make([][]float64, k)
	for i := range w {
		w[i] = make([]float64, k)
	}
	for i := range k {
		for j := i + 1; j < k; j++ {
			li, lj := len(terms[i]), len(terms[j])
			if li < 2 || lj < 2 {
				continue
			}
			common := 0
			for t := range terms[i] {
				if terms[j][t] > 0 {
					common++
				}
			}
			sim := float64(common) / (math.Log(float64(li)) + math.Log(float64(lj)))
			w[i][j], w[j][i] = sim, sim
		}
	}
	return pickTop(sents, pageRank(w, 0.85), n)
}

// pageRank returns the stationary scores of the weighted graph w.
func pageRank(w [][]float64, damping float64) []float64 {
	k := len(w)
	if k == 0 {
		return nil
	}
	out := make([]float64, k)
	for i := range w {
		for _, x := range w[i] {
			out[i] += x
		}
	}
	pr := make([]float64, k)
	for i := range pr {
		pr[i] = 1 / float64(k)
	}
	next := make([]float64, k)
	for range 50 {
		for i := range next {
			next[i] = (1 - damping) / float64(k)
		}
		for j := range k {
			if out[j] == 0 {
				continue
			}
			for i, x := range w[j] {
				if x != 0 {
					next[i] += damping * x / out[j] * pr[j]
				}
			}
		}
		pr, next = next, pr
	}
	return pr
}

// Oracle returns the n sentences of text that a greedy search finds to
// maximise ROUGE-2 F1 against reference (adding, at each step, the sentence
// that raises it most, and stopping when none does), in text order. It
// reads the reference, so it is an upper bound, not a summarizer.
func Oracle(s *Scorer, text string, reference []string, n int) []string {
	sents := briefing.Sentences(text)
	var ref []string
	for _, r := range reference {
		ref = append(ref, s.Tokenize(r)...)
	}
	toks := make([][]string, len(sents))
	for i, x := range sents {
		toks[i] = s.Tokenize(x)
	}
	var chosen []int
	best := 0.0
	for len(chosen) < n {
		pick := -1
		for i := range sents {
			if slices.Contains(chosen, i) {
				continue
			}
			var cand []string
			for _, c := range append(slices.Clone(chosen), i) {
				cand = append(cand, toks[c]...)
			}
			if f := RougeN(ref, cand, 2).F1; f > best {
				best, pick = f, i
			}
		}
		if pick < 0 {
			break
		}
		chosen = append(chosen, pick)
	}
	sort.Ints(chosen)
	out := make([]string, len(chosen))
	for k, i := range chosen {
		out[k] = sents[i]
	}
	return out
}

// sentenceTerms returns the stemmed content-word counts of each sentence.
func sentenceTerms(sents []string) []map[string]int {
	out := make([]map[string]int, len(sents))
	for i, s := range sents {
		m := map[string]int{}
		for _, t := range briefing.Terms(s) {
			m[t]++
		}
		out[i] = m
	}
	return out
}

// cosine returns the cosine similarity of two term-weight vectors. It
// sums in term order, so that equal inputs give bit-identical results.
func cosine(a, b map[string]float64) float64 {
	dot, na, nb := 0.0, 0.0, 0.0
	for _, t := range sortedKeys(a) {
		x := a[t]
		dot += x * b[t]
		na += x * x
	}
	for _, t := range sortedKeys(b) {
		nb += b[t] * b[t]
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// pickTop returns the n sentences with the highest scores, in text order;
// ties go to the earlier sentence.
func pickTop(sents []string, scores []float64, n int) []string {
	idx := make([]int, len(sents))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	idx = idx[:min(n, len(idx))]
	sort.Ints(idx)
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = sents[i]
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

package briefing

import (
	"container/heap"
	"math"
	"slices"
)

// GroupOptions tunes story grouping. Zero fields take the values of
// [DefaultGroupOptions], which were tuned on news from many outlets (see
// docs/quality.md, "Story grouping").
//
// Two articles are compared by the cosine similarity of their TF-IDF
// vectors (stemmed words of the headline and the opening of the text, names
// and numbers weighted up), blended with the similarity of the headlines
// alone. Groups then merge by average link: two groups merge while their
// mean pairwise similarity, minus the mean density of their members, is at
// least Threshold. An article's density is how similar it is to its nearest
// neighbours in general; subtracting it is a local scaling (as CSLS does for
// word embeddings): in a crowded topic, where every article resembles the
// others, two articles must be more alike to count as one story.
type GroupOptions struct {
	// Threshold is the least score for two groups to merge. Higher means
	// fewer, surer merges. It may be negative; zero means the default.
	Threshold float64
	// Neighbors is how many neighbours define an article's density.
	Neighbors int
	// SkipNeighbors is how many nearest neighbours are left out of the
	// density: an article's closest match is often its own story, which
	// says nothing about how crowded the topic is. Negative means none.
	SkipNeighbors int
	// DensityCap bounds an article's density, so that a story told by many
	// outlets (whose members are each other's nearest neighbours) is not
	// taken for a crowded topic and split up.
	DensityCap float64
	// TitleBoost multiplies the weight of headline words.
	TitleBoost float64
	// TitleBlend is the weight of the headline-only similarity next to the
	// whole-article similarity (which has weight 1). Negative means 0.
	TitleBlend float64
	// NameBoost multiplies the weight of proper nouns and numbers in the
	// text.
	NameBoost float64
	// BodyWords is how many words of the text are read (news puts the event
	// first); the headline is always read.
	BodyWords int
}

// DefaultGroupOptions returns the options used for zero fields.
func DefaultGroupOptions() GroupOptions {
	return GroupOptions{
		Threshold:     0.015,
		Neighbors:     3,
		SkipNeighbors: 1,
		DensityCap:    0.4,
		TitleBoost:    3,
		TitleBlend:    0.25,
		NameBoost:     1.5,
		BodyWords:     150,
	}
}

func (o GroupOptions) withDefaults() GroupOptions {
	d := DefaultGroupOptions()
	if o.Threshold == 0 {
		o.Threshold = d.Threshold
	}
	if o.Neighbors <= 0 {
		o.Neighbors = d.Neighbors
	}
	if o.SkipNeighbors == 0 {
		o.SkipNeighbors = d.SkipNeighbors
	} else if o.SkipNeighbors < 0 {
		o.SkipNeighbors = 0
	}
	if o.DensityCap <= 0 {
		o.DensityCap = d.DensityCap
	}
	if o.TitleBoost <= 0 {
		o.TitleBoost = d.TitleBoost
	}
	if o.TitleBlend == 0 {
		o.TitleBlend = d.TitleBlend
	} else if o.TitleBlend < 0 {
		o.TitleBlend = 0
	}
	if o.NameBoost <= 0 {
		o.NameBoost = d.NameBoost
	}
	if o.BodyWords <= 0 {
		o.BodyWords = d.BodyWords
	}
	return o
}

// Group groups articles that tell the same event into stories (see
// [GroupOptions] for how). Every input article ends up in exactly one story.
// Stories come out in the order of their first article in the input; within
// a story the lead (the article most similar to the other members) comes
// first, then the others in input order. The story ID is the lead's
// [Article.Key]. Group is deterministic: the same input gives the same
// stories.
func (e *Engine) Group(articles []Article) []Story {
	groups := groupIndices(articles, e.group, e.stems, nil)
	stories := make([]Story, len(groups))
	for k, g := range groups {
		arts := make([]Article, len(g))
		for x, i := range g {
			arts[x] = articles[i]
		}
		stories[k] = Story{ID: arts[0].Key(), Articles: arts}
	}
	return stories
}

// groupIndices groups articles into stories given as article indices: the
// lead first, then the other members in input order; stories in the order
// of their first article.
//
// Stems in ignore carry no evidence: Brief passes the query's words, which
// every article it groups shares by construction (without this, "G20
// summit menu revealed" joins "Trump and Putin meet at G20 summit" in the
// answer to /news g20).
func groupIndices(articles []Article, opt GroupOptions, stems *stemCache, ignore map[string]bool) [][]int {
	if len(articles) == 0 {
		return nil
	}
	opt = opt.withDefaults()
	m := newSimModel(articles, opt, stems, ignore)
	edges := m.similarPairs(minEdge)
	dens := density(len(articles), edges, opt.SkipNeighbors, opt.Neighbors, opt.DensityCap)
	labels := averageLink(len(articles), edges, dens, opt.Threshold)
	return leadFirst(labels, edges)
}

// minIDFArticles is the least number of articles idf is computed over: a
// smaller batch counts as if the missing articles contained none of its
// words. A small batch (the articles matching a narrow query) is often
// mostly one story; with a plain idf the words that story shares would
// count for nothing, and it would fall apart.
const minIDFArticles = 20

// missingNeighbourDensity stands in for the neighbours a batch of fewer
// than SkipNeighbors+Neighbors+1 articles does not have, so that two
// articles alone must share more than a word or two to make one story.
const missingNeighbourDensity = 0.15

// densityFloor is the least density: however lonely two articles are in
// their batch, they must be this similar (plus the threshold) to make one
// story. It matters in small batches, where the few neighbours may all be
// unrelated.
const densityFloor = 0.1

// minEdge is the least similarity kept in the article graph; below it two
// articles count as unrelated.
const minEdge = 0.03

// term is one weighted dimension of an article vector.
type term struct {
	id int32
	w  float32
}

// simModel holds the article vectors of one Group call.
type simModel struct {
	full  [][]term // headline and text, unit length, sorted by id
	title [][]term // headline only, unit length, sorted by id
	df    []int32
	blend float32
}

// newSimModel builds the TF-IDF vectors of articles.
func newSimModel(articles []Article, opt GroupOptions, stems *stemCache, ignore map[string]bool) *simModel {
	n := len(articles)
	fx := featureExtractor{
		opt:    opt,
		stems:  stems,
		ignore: ignore,
		vocab:  make(map[string]int32, 4096),
		ids:    make(map[string]int32, 4096),
	}
	type counts struct{ full, title []term }
	raw := make([]counts, n)
	for i, a := range articles {
		f, t := fx.extract(a)
		raw[i] = counts{f, t}
	}
	df := make([]int32, len(fx.vocab))
	for _, c := range raw {
		for _, t := range c.full {
			df[t.id]++
		}
	}
	idf := make([]float32, len(df))
	for id, d := range df {
		idf[id] = float32(math.Log(float64(max(n, minIDFArticles)+1) / float64(d)))
	}
	weigh := func(v []term) []term {
		var norm float64
		for k, t := range v {
			w := t.w
			if w > 1 {
				w = 1 + float32(math.Log(float64(w)))
			}
			w *= idf[t.id]
			v[k].w = w
			norm += float64(w) * float64(w)
		}
		if norm > 0 {
			inv := float32(1 / math.Sqrt(norm))
			for k := range v {
				v[k].w *= inv
			}
		}
		return v
	}
	m := &simModel{full: make([][]term, n), title: make([][]term, n), df: df, blend: float32(opt.TitleBlend)}
	for i, c := range raw {
		m.full[i] = weigh(c.full)
		m.title[i] = weigh(c.title)
	}
	return m
}

// sim is the blended similarity of articles i and j.
func (m *simModel) sim(i, j int) float32 {
	s := dot(m.full[i], m.full[j])
	if m.blend > 0 {
		s = (s + m.blend*dot(m.title[i], m.title[j])) / (1 + m.blend)
	}
	return s
}

// featureExtractor turns articles into weighted term counts, sharing one
// vocabulary and a cache of stems.
type featureExtractor struct {
	opt    GroupOptions
	stems  *stemCache
	ignore map[string]bool  // stems that are no evidence (the query's)
	vocab  map[string]int32 // stem -> id
	ids    map[string]int32 // lowercase word -> id of its stem, or -1 for a stop word
	acc    []float32        // scratch: id -> count
	seen   []int32          // scratch: ids touched in acc
	words  wordScanner
}

// id returns the vocabulary id of the stem of word, or -1 for a stop word.
func (fx *featureExtractor) id(word []byte) int32 {
	if id, ok := fx.ids[string(word)]; ok {
		return id
	}
	w := string(word)
	id := int32(-1)
	if st := fx.stems.stem(w); !IsStopWord(w) && !fx.ignore[st] {
		var ok bool
		if id, ok = fx.vocab[st]; !ok {
			id = int32(len(fx.vocab))
			fx.vocab[st] = id
		}
	}
	fx.ids[w] = id
	return id
}

func (fx *featureExtractor) add(id int32, w float32) {
	for int(id) >= len(fx.acc) {
		fx.acc = append(fx.acc, 0)
	}
	if fx.acc[id] == 0 {
		fx.seen = append(fx.seen, id)
	}
	fx.acc[id] += w
}

// flush returns the accumulated counts as a vector sorted by id and resets
// the accumulator.
func (fx *featureExtractor) flush() []term {
	slices.Sort(fx.seen)
	v := make([]term, len(fx.seen))
	for k, id := range fx.seen {
		v[k] = term{id: id, w: fx.acc[id]}
		fx.acc[id] = 0
	}
	fx.seen = fx.seen[:0]
	return v
}

// extract returns the raw counts of a's headline and text together, and of
// the headline alone.
func (fx *featureExtractor) extract(a Article) (full, title []term) {
	titleW := float32(fx.opt.TitleBoost)
	nameW := float32(fx.opt.NameBoost)
	var titleIDs []int32
	fx.words.scan(a.Title, 0, func(w []byte, digit, _ bool) {
		id := fx.id(w)
		if id < 0 {
			return
		}
		titleIDs = append(titleIDs, id)
		f := titleW
		if digit {
			f *= nameW
		}
		fx.add(id, f)
	})
	fx.words.scan(a.Text, fx.opt.BodyWords, func(w []byte, digit, name bool) {
		id := fx.id(w)
		if id < 0 {
			return
		}
		f := float32(1)
		if digit || name {
			f = nameW
		}
		fx.add(id, f)
	})
	full = fx.flush()
	for _, id := range titleIDs {
		fx.add(id, 1)
	}
	title = fx.flush()
	return full, title
}

// edge is the similarity of two articles, i < j.
type edge struct {
	i, j int32
	sim  float32
}

// maxPostings bounds how many articles a term may appear in and still be
// used to find candidate pairs; commoner terms are too weak to make two
// articles one story on their own, and indexing them would make the search
// quadratic. They still count in the similarity of candidate pairs.
func maxPostings(n int) int32 {
	return int32(max(64, n/100))
}

// minOverlap is the least similarity two articles must reach on indexed
// (rarer) terms alone to be scored in full: a pair that shares no telling
// word is not one story, whatever common words it shares.
const minOverlap = 0.05

// similarPairs returns the pairs of articles whose similarity is at least
// min among those that share rarer terms (see maxPostings) worth at least
// minOverlap of similarity. Candidates come from an inverted index, so the
// cost grows with the number of articles sharing telling words, not with
// the square of the number of articles.
func (m *simModel) similarPairs(min float32) []edge {
	n := len(m.full)
	limit := maxPostings(n)
	type posting struct {
		doc int32
		w   float32
	}
	postings := make([][]posting, len(m.df))
	// common[i] holds the terms of article i too common to be indexed.
	common := make([][]term, n)
	acc := make([]float32, n)
	var touched []int32
	var out []edge
	for i, v := range m.full {
		touched = touched[:0]
		for _, t := range v {
			if m.df[t.id] > limit {
				common[i] = append(common[i], t)
				continue
			}
			for _, p := range postings[t.id] {
				if acc[p.doc] == 0 {
					touched = append(touched, p.doc)
				}
				acc[p.doc] += t.w * p.w
			}
		}
		for _, j := range touched {
			rare := acc[j]
			acc[j] = 0
			if rare < minOverlap {
				continue
			}
			s := rare + dot(common[i], common[j])
			if m.blend > 0 {
				s = (s + m.blend*dot(m.title[i], m.title[j])) / (1 + m.blend)
			}
			if s >= min {
				out = append(out, edge{i: j, j: int32(i), sim: s})
			}
		}
		for _, t := range v {
			if m.df[t.id] <= limit {
				postings[t.id] = append(postings[t.id], posting{doc: int32(i), w: t.w})
			}
		}
	}
	return out
}

func dot(a, b []term) float32 {
	var s float32
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i].id < b[j].id:
			i++
		case a[i].id > b[j].id:
			j++
		default:
			s += a[i].w * b[j].w
			i++
			j++
		}
	}
	return s
}

// density returns, for each of n items, the mean similarity to its
// neighbours ranked skip+1 to skip+k, between densityFloor and max.
// Neighbours below the similarity floor count as 0, and neighbours a small
// batch cannot have as missingNeighbourDensity.
func density(n int, edges []edge, skip, k int, max float64) []float64 {
	keep := skip + k
	top := make([]float32, n*keep) // per item, the best keep similarities, descending
	push := func(i int32, s float32) {
		t := top[int(i)*keep : int(i+1)*keep]
		if s <= t[keep-1] {
			return
		}
		t[keep-1] = s
		for x := keep - 1; x > 0 && t[x] > t[x-1]; x-- {
			t[x], t[x-1] = t[x-1], t[x]
		}
	}
	for _, e := range edges {
		push(e.i, e.sim)
		push(e.j, e.sim)
	}
	out := make([]float64, n)
	for i := range out {
		var sum float64
		for _, s := range top[i*keep+skip : (i+1)*keep] {
			sum += float64(s)
		}
		if missing := keep - (n - 1); missing > 0 {
			sum += missingNeighbourDensity * float64(min(missing, k))
		}
		out[i] = math.Max(densityFloor, math.Min(sum/float64(k), max))
	}
	return out
}

// averageLink clusters n items by average-link agglomeration over the sparse
// similarity graph. The two groups A and B with the highest score
//
//	sum of similarities over A×B / (|A|·|B|)   (pairs without an edge count as 0)
//	- sum of densities over A∪B / (|A|+|B|)
//
// merge while that score is at least threshold. It returns a group label
// per item: the smallest index in its group.
func averageLink(n int, edges []edge, density []float64, threshold float64) []int32 {
	links := make([]map[int32]float64, n) // group -> neighbour group -> summed similarity
	size := make([]float64, n)
	dsum := make([]float64, n)
	version := make([]int32, n)
	members := make([][]int32, n)
	for i := range n {
		size[i] = 1
		dsum[i] = density[i]
		members[i] = []int32{int32(i)}
	}
	score := func(a, b int32, sum float64) float64 {
		return sum/(size[a]*size[b]) - (dsum[a]+dsum[b])/(size[a]+size[b])
	}
	h := &mergeHeap{}
	for _, e := range edges {
		if links[e.i] == nil {
			links[e.i] = map[int32]float64{}
		}
		if links[e.j] == nil {
			links[e.j] = map[int32]float64{}
		}
		links[e.i][e.j] += float64(e.sim)
		links[e.j][e.i] += float64(e.sim)
		if s := score(e.i, e.j, float64(e.sim)); s >= threshold {
			h.items = append(h.items, mergeCand{a: e.i, b: e.j, score: s})
		}
	}
	heap.Init(h)
	for h.Len() > 0 {
		c := heap.Pop(h).(mergeCand)
		if members[c.a] == nil || members[c.b] == nil || version[c.a] != c.va || version[c.b] != c.vb {
			continue // stale: a side has merged since
		}
		a, b := c.a, c.b // a < b: b merges into a
		la := links[a]
		delete(la, b)
		for nb, s := range links[b] {
			if nb != a {
				la[nb] += s
			}
		}
		links[b] = nil
		for nb, s := range la {
			delete(links[nb], b)
			links[nb][a] = s
		}
		size[a] += size[b]
		dsum[a] += dsum[b]
		members[a] = append(members[a], members[b]...)
		members[b] = nil
		version[a]++
		version[b]++
		for nb, sum := range links[a] {
			if s := score(a, nb, sum); s >= threshold {
				x, y := a, nb
				if x > y {
					x, y = y, x
				}
				heap.Push(h, mergeCand{a: x, b: y, score: s, va: version[x], vb: version[y]})
			}
		}
	}
	label := make([]int32, n)
	for g, m := range members {
		for _, i := range m {
			label[i] = int32(g)
		}
	}
	return label
}

type mergeCand struct {
	a, b   int32
	score  float64
	va, vb int32
}

// mergeHeap orders merge candidates best first, ties by index so that the
// result does not depend on map order.
type mergeHeap struct{ items []mergeCand }

func (h *mergeHeap) Len() int { return len(h.items) }
func (h *mergeHeap) Less(i, j int) bool {
	x, y := h.items[i], h.items[j]
	if x.score != y.score {
		return x.score > y.score
	}
	if x.a != y.a {
		return x.a < y.a
	}
	return x.b < y.b
}
func (h *mergeHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *mergeHeap) Push(x any)    { h.items = append(h.items, x.(mergeCand)) }
func (h *mergeHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// leadFirst turns labels into groups of indices in input order, each led
// by its most central member (the highest summed similarity to the other
// members; the earliest in the input on a tie).
func leadFirst(labels []int32, edges []edge) [][]int {
	central := make([]float64, len(labels))
	for _, e := range edges {
		if labels[e.i] == labels[e.j] {
			central[e.i] += float64(e.sim)
			central[e.j] += float64(e.sim)
		}
	}
	order := make(map[int32]int, len(labels))
	var groups [][]int
	for i, l := range labels {
		k, ok := order[l]
		if !ok {
			k = len(groups)
			order[l] = k
			groups = append(groups, nil)
		}
		groups[k] = append(groups[k], i)
	}
	for _, g := range groups {
		lead := 0
		for x := range g {
			if central[g[x]] > central[g[lead]] {
				lead = x
			}
		}
		// Move the lead to the front, keeping the others in input order.
		l := g[lead]
		copy(g[1:lead+1], g[:lead])
		g[0] = l
	}
	return groups
}

package briefing

import (
	"container/heap"
	"math"
	"slices"
	"unicode"
	"unicode/utf8"
)

// GroupOptions tunes story grouping. Zero fields take the values of
// [DefaultGroupOptions], which were tuned on news from many outlets (see
// docs/quality-stories.md).
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
		BodyWords:     250,
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
	return groupArticles(articles, e.group)
}

func groupArticles(articles []Article, opt GroupOptions) []Story {
	if len(articles) == 0 {
		return nil
	}
	opt = opt.withDefaults()
	m := newSimModel(articles, opt)
	edges := m.similarPairs(minEdge)
	dens := density(len(articles), edges, opt.SkipNeighbors, opt.Neighbors, opt.DensityCap)
	labels := averageLink(len(articles), edges, dens, opt.Threshold)
	return buildStories(articles, labels, edges)
}

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
func newSimModel(articles []Article, opt GroupOptions) *simModel {
	n := len(articles)
	fx := featureExtractor{
		opt:   opt,
		vocab: make(map[string]int32, 4096),
		words: make(map[string]int32, 4096),
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
		idf[id] = float32(math.Log(float64(n+1) / float64(d)))
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
// vocabulary and a cache of stems. It tokenizes as [Tokens] does, but in
// one pass without allocating per word, because grouping reads every word
// of thousands of articles.
type featureExtractor struct {
	opt   GroupOptions
	vocab map[string]int32 // stem -> id
	words map[string]int32 // lowercase word -> id of its stem, or -1 for a stop word
	acc   []float32        // scratch: id -> count
	seen  []int32          // scratch: ids touched in acc
	buf   []byte           // scratch: the current word, lowercased
}

// id returns the vocabulary id of the word in fx.buf, or -1 for a stop word.
func (fx *featureExtractor) id() int32 {
	if id, ok := fx.words[string(fx.buf)]; ok {
		return id
	}
	w := string(fx.buf)
	id := int32(-1)
	if !IsStopWord(w) {
		st := Stem(w)
		var ok bool
		if id, ok = fx.vocab[st]; !ok {
			id = int32(len(fx.vocab))
			fx.vocab[st] = id
		}
	}
	fx.words[w] = id
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
	fx.scan(a.Title, 0, func(digit, _ bool) {
		id := fx.id()
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
	fx.scan(a.Text, fx.opt.BodyWords, func(digit, name bool) {
		id := fx.id()
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

// scan calls fn for each of the first max words of text (all when max is
// 0), with the word lowercased in fx.buf. digit says the word holds a digit;
// name says it is capitalised but does not open a sentence, so it is most
// likely a name. Words are runs of letters and digits joined by inner
// apostrophes, hyphens between letters or digits, and dots or commas between
// digits; a possessive 's is dropped, as [Tokens] does.
func (fx *featureExtractor) scan(text string, max int, fn func(digit, name bool)) {
	words := 0
	sentenceStart := true
	prev := rune(0) // the rune before i
	for i := 0; i < len(text); {
		r, size := decodeRune(text, i)
		if !isWordRune(r) {
			switch r {
			case '.', '!', '?', ':', '\n':
				sentenceStart = true
			}
			prev = r
			i += size
			continue
		}
		if max > 0 && words == max {
			return
		}
		// A word starts at i.
		capital := unicode.IsUpper(r)
		digit := false
		fx.buf = fx.buf[:0]
		j := i
		for j < len(text) {
			r, size = decodeRune(text, j)
			if isWordRune(r) {
				if r >= '0' && r <= '9' {
					digit = true
				}
				fx.buf = appendLower(fx.buf, r)
				prev = r
				j += size
				continue
			}
			next, _ := decodeRune(text, j+size)
			if j+size < len(text) && joiner(prev, r, next) {
				fx.buf = appendLower(fx.buf, r)
				prev = r
				j += size
				continue
			}
			break
		}
		if n := len(fx.buf); n >= 2 && fx.buf[n-1] == 's' && fx.buf[n-2] == '\'' {
			fx.buf = fx.buf[:n-2]
		} else if n >= 4 && fx.buf[n-1] == 's' && string(fx.buf[n-4:n-1]) == "’" {
			fx.buf = fx.buf[:n-4]
		}
		words++
		if len(fx.buf) > 0 {
			fn(digit, capital && !sentenceStart)
		}
		sentenceStart = false
		i = j
	}
}

func decodeRune(s string, i int) (rune, int) {
	if i >= len(s) {
		return 0, 0
	}
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func appendLower(b []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(b, byte(r))
	}
	return utf8.AppendRune(b, unicode.ToLower(r))
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
// neighbours ranked skip+1 to skip+k (missing neighbours count as 0),
// capped at max.
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
		out[i] = math.Min(sum/float64(k), max)
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

// buildStories turns labels into stories in input order, each led by its
// most central article (the highest summed similarity to the other
// members; the earliest in the input on a tie).
func buildStories(articles []Article, labels []int32, edges []edge) []Story {
	central := make([]float64, len(articles))
	for _, e := range edges {
		if labels[e.i] == labels[e.j] {
			central[e.i] += float64(e.sim)
			central[e.j] += float64(e.sim)
		}
	}
	order := make(map[int32]int, len(articles))
	var members [][]int
	for i, l := range labels {
		k, ok := order[l]
		if !ok {
			k = len(members)
			order[l] = k
			members = append(members, nil)
		}
		members[k] = append(members[k], i)
	}
	stories := make([]Story, len(members))
	for k, m := range members {
		lead := m[0]
		for _, i := range m[1:] {
			if central[i] > central[lead] {
				lead = i
			}
		}
		arts := make([]Article, 0, len(m))
		arts = append(arts, articles[lead])
		for _, i := range m {
			if i != lead {
				arts = append(arts, articles[i])
			}
		}
		stories[k] = Story{ID: articles[lead].Key(), Articles: arts}
	}
	return stories
}

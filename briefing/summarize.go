package briefing

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Summarize picks up to b.Sentences sentences of a's text that carry the
// story, within b.Chars characters: sentences that do not fit are passed
// over, and if none fits the best one is kept alone rather than leaving
// the summary empty. See [Engine.SummarizeN] for how sentences are chosen.
func (e *Engine) Summarize(a Article, b Budget) []string {
	b = b.withDefaults()
	return summarize(a.Title, a.Text, b.Sentences, b.Chars)
}

// SummarizeN picks up to n sentences of a's text with no character budget
// (used for measuring against reference summaries). It returns nil for n
// below 1 or for a text without a usable sentence.
//
// The summary is extractive and grounded: every sentence is a sentence of
// the text, verbatim but for white space, and they come in article order.
// Sentences that are not complete statements are never used: headline-like
// lines without final punctuation, repeats of the title, bylines, captions,
// "Read more" lines, lead-ins ending in a colon and anything under five
// words. A sentence that repeats one already chosen (cosine similarity of
// their content words above 0.6) is skipped, and the summary does not open
// with a dangling reference ("He said...", "But...", "They...") unless no
// other choice exists.
//
// Which sentences are best depends on how the text is laid out, which
// says how it was written:
//
//   - Developed prose (several paragraphs, some of three or more
//     sentences) is read as a whole. Each sentence gets the probability
//     that it belongs to the article's central core (its 40% most central
//     sentences), estimated from its place in the graph of sentence
//     similarities (cosine of their content words): its PageRank, as in
//     TextRank, its mean similarity to the other sentences, and its rank.
//     The summary is then grown greedily to maximise its expected F1
//     overlap with the core, which favours sentences both probably central
//     and long. A summary of one or two sentences (a briefing's) first
//     takes the text's lead, its first usable sentence, when the lead is
//     central (core probability at least 0.5) or says what the title
//     says (holds a third of its content words, two at least): the
//     writer's own statement of the story's point, which readers of a
//     short summary need and which the core misses when the body moves
//     on to details in other words. Three sentences are the core alone,
//     which is what the reference summaries the summarizer is measured
//     against reward.
//   - News copy (short paragraphs of one or two sentences, as the web
//     writes news, or one unbroken block, as feed descriptions and
//     flattened pages come) is read as an inverted pyramid: the first
//     usable sentences are taken, in order. There the lead carries the
//     story, and word statistics are noisy (captions and bylines run into
//     the prose).
//
// docs/quality.md has the measurements behind these choices.
func (e *Engine) SummarizeN(a Article, n int) []string {
	if n < 1 {
		return nil
	}
	return summarize(a.Title, a.Text, n, math.MaxInt)
}

// normSentence reduces s to its lowercase tokens, for comparing sentences
// and titles regardless of case and punctuation.
func normSentence(s string) string { return strings.Join(Tokens(s), " ") }

// The core model: a logistic regression estimating whether a sentence is
// among the 40% most central sentences of its article (the core). It was
// fitted on half of the bbc-dev evaluation set (its even lines; the odd
// lines confirm it) on four features of the graph of sentence
// similarities, each but the rank taken relative to the last sentence of
// the core by the same measure:
//
//   - the sentence's PageRank over the cosine similarity of content words,
//     in units of the mean PageRank;
//   - its PageRank when plurals are folded ("talks" meets "talk");
//   - its mean similarity to the other sentences;
//   - its rank by the first PageRank, as a fraction of the sentences (0
//     for the most central).
//
// The first and third features overlap, hence their opposite signs.
const (
	coreShare  = 0.4
	coreBias   = 1.626
	corePR     = -1.639
	coreFolded = 3.905
	coreDegree = 43.429
	coreRank   = -3.789
)

const (
	// minSentenceWords is the fewest words a summary sentence may have.
	minSentenceWords = 5
	// redundancyLimit is the cosine similarity above which a sentence
	// repeats one already chosen.
	redundancyLimit = 0.6
	// damping and pageRankRounds parameterise PageRank.
	damping        = 0.85
	pageRankRounds = 30
	// leadBudget is the largest summary, in sentences, that opens with the
	// text's lead when the lead is central (a briefing's one or two
	// sentences); leadCentral is the core probability from which the lead
	// counts as central.
	leadBudget  = 2
	leadCentral = 0.5
	// maxCandidates bounds the sentences considered for a summary (the
	// first ones of the text), which keeps the similarity graph small on
	// very long input. News articles have far fewer.
	maxCandidates = 200
)

// candidate is one sentence with the features the summarizer uses.
type candidate struct {
	sentence
	index    int
	length   int    // word tokens
	words    vector // content words
	folded   vector // content words, plurals folded
	unusable bool   // not a complete statement: never chosen
	dangling bool   // opens with a reference to what came before
	prob     float64
}

// vector is a sparse term-count vector sorted by term id.
type vector struct {
	ids    []int32
	counts []int32
	norm   float64
}

// cosine returns the cosine similarity of two vectors (0 if either is
// empty).
func cosine(a, b vector) float64 {
	if a.norm == 0 || b.norm == 0 {
		return 0
	}
	dot := 0
	for i, j := 0, 0; i < len(a.ids) && j < len(b.ids); {
		switch {
		case a.ids[i] < b.ids[j]:
			i++
		case a.ids[i] > b.ids[j]:
			j++
		default:
			dot += int(a.counts[i]) * int(b.counts[j])
			i++
			j++
		}
	}
	return float64(dot) / (a.norm * b.norm)
}

// document is an article prepared for summarizing.
type document struct {
	cands      []candidate
	paragraphs int
}

// prose reports whether the text is laid out as developed prose: at least
// two paragraphs with a usable sentence (a headline or byline paragraph
// does not count), and a paragraph of three or more sentences. One
// unbroken block is not, nor are short paragraphs of one or two sentences,
// the way web news and lists are written.
func (d *document) prose() bool {
	paragraphs, long := 0, false
	last := -1
	for _, c := range d.cands {
		if !c.unusable && c.para != last {
			paragraphs++
			last = c.para
		}
		long = long || c.inPara >= 2
	}
	return paragraphs >= 2 && long
}

// analyzer holds the per-article state of analyze: term ids and scratch
// space shared by all sentences.
type analyzer struct {
	words   map[string]int32 // content word -> word id
	folds   map[string]int32 // folded word -> folded id
	foldOf  []int32          // word id -> folded id
	scratch []byte
	ids     []int32 // word ids of the current sentence
	fids    []int32 // folded ids of the current sentence
}

// newVector turns ids (which it sorts) into a vector.
func newVector(ids []int32) vector {
	slices.Sort(ids)
	n := 0
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			n++
		}
	}
	v := vector{ids: make([]int32, 0, n), counts: make([]int32, 0, n)}
	for i, id := range ids {
		if i > 0 && id == ids[i-1] {
			v.counts[len(v.counts)-1]++
			continue
		}
		v.ids = append(v.ids, id)
		v.counts = append(v.counts, 1)
	}
	sq := 0
	for _, c := range v.counts {
		sq += int(c) * int(c)
	}
	v.norm = math.Sqrt(float64(sq))
	return v
}

// add records content word w (a fresh string) and returns its id.
func (a *analyzer) add(w string) int32 {
	id := int32(len(a.foldOf))
	a.words[w] = id
	f := foldPlural(w)
	fid, ok := a.folds[f]
	if !ok {
		fid = int32(len(a.folds))
		a.folds[f] = fid
	}
	a.foldOf = append(a.foldOf, fid)
	return id
}

// analyze splits text into candidate sentences and computes their
// features.
func analyze(title, text string) document {
	var d document
	a := analyzer{words: make(map[string]int32, 256), folds: make(map[string]int32, 256)}
	titleToks := Tokens(title)
	titleWords := make(map[string]bool, len(titleToks))
	for _, t := range titleToks {
		titleWords[t] = true
	}
	splitSentences(text, func(s sentence) {
		c := candidate{sentence: s, index: len(d.cands)}
		a.ids, a.fids = a.ids[:0], a.fids[:0]
		shared, sameAsTitle := 0, len(titleToks) > 0
		forEachSpan(s.text, func(raw string) {
			a.scratch = appendToken(a.scratch[:0], raw)
			w := a.scratch
			if c.length == 0 {
				r, _ := utf8.DecodeRuneInString(raw)
				_, opener := danglingOpeners[string(w)]
				c.dangling = opener || unicode.IsLower(r)
			}
			if titleWords[string(w)] {
				shared++
			}
			if sameAsTitle && (c.length >= len(titleToks) || titleToks[c.length] != string(w)) {
				sameAsTitle = false
			}
			c.length++
			if _, ok := functionWords[string(w)]; ok {
				return
			}
			id, ok := a.words[string(w)]
			if !ok {
				id = a.add(string(w))
			}
			a.ids = append(a.ids, id)
			a.fids = append(a.fids, a.foldOf[id])
		})
		c.words, c.folded = newVector(a.ids), newVector(a.fids)
		// A sentence repeats the title when it has the same words, or is
		// made mostly of the title's words and holds most of them.
		repeatsTitle := sameAsTitle && c.length == len(titleToks) ||
			len(titleWords) > 0 && shared*5 >= c.length*4 && shared*5 >= len(titleWords)*4
		c.unusable = c.words.norm == 0 || repeatsTitle || isFragment(s.text, c.length)
		d.cands = append(d.cands, c)
		d.paragraphs = s.para + 1
	})
	return d
}

// summarize is the implementation behind Summarize and SummarizeN.
func summarize(title, text string, maxSentences, maxChars int) []string {
	d := analyze(title, text)
	var pool []int // usable candidates
	for i, c := range d.cands {
		if !c.unusable && len(pool) < maxCandidates {
			pool = append(pool, i)
		}
	}
	if len(pool) == 0 {
		return nil
	}
	// The text's own first sentence has nothing before it to refer to.
	d.cands[pool[0]].dangling = false
	structured := d.prose() && len(pool) > 1
	if structured {
		coreProbabilities(d.cands, pool)
	}
	// A briefing's one or two sentences open with the lead when it carries
	// the story's point: it is central, or it says what the title says.
	var seed []int
	if lead := &d.cands[pool[0]]; structured && maxSentences <= leadBudget &&
		utf8.RuneCountInString(lead.text) <= maxChars &&
		(lead.prob >= leadCentral || statesHeadline(title, lead.text)) {
		seed = pool[:1]
	}
	chosen := choose(d.cands, pool, seed, maxSentences, maxChars, structured)
	slices.Sort(chosen)
	out := make([]string, len(chosen))
	for k, i := range chosen {
		out[k] = d.cands[i].text
	}
	return out
}

// coreProbabilities sets prob on the pool's candidates: the estimated
// probability that each belongs to the article's central core.
func coreProbabilities(cands []candidate, pool []int) {
	k := len(pool)
	sim := similarities(cands, pool, func(c *candidate) vector { return c.words })
	degree := make([]float64, k)
	for a := range sim {
		for _, x := range sim[a] {
			degree[a] += x / float64(k)
		}
	}
	pr := pageRank(sim)
	folded := pageRank(similarities(cands, pool, func(c *candidate) vector { return c.folded }))
	cutPR, cutFolded, cutDegree := coreCut(pr), coreCut(folded), coreCut(degree)
	for a, i := range pool {
		higher := 0
		for _, x := range pr {
			if x > pr[a] {
				higher++
			}
		}
		z := coreBias + corePR*(pr[a]-cutPR)*float64(k) + coreFolded*(folded[a]-cutFolded)*float64(k) +
			coreDegree*(degree[a]-cutDegree) + coreRank*float64(higher)/float64(k)
		cands[i].prob = 1 / (1 + math.Exp(-z))
	}
}

// similarities returns the matrix of cosine similarities between the
// pool's sentences, represented by vec (0 on the diagonal).
func similarities(cands []candidate, pool []int, vec func(*candidate) vector) [][]float64 {
	k := len(pool)
	w := make([][]float64, k)
	cells := make([]float64, k*k)
	for a := range w {
		w[a] = cells[a*k : (a+1)*k]
	}
	for a := range k {
		va := vec(&cands[pool[a]])
		for b := a + 1; b < k; b++ {
			s := cosine(va, vec(&cands[pool[b]]))
			w[a][b], w[b][a] = s, s
		}
	}
	return w
}

// pageRank returns the PageRank of each node of the weighted graph w
// (damping 0.85; a node without edges spreads its rank evenly); the scores
// sum to 1.
func pageRank(w [][]float64) []float64 {
	k := len(w)
	out := make([]float64, k)
	for a := range w {
		for _, x := range w[a] {
			out[a] += x
		}
	}
	pr := make([]float64, k)
	next := make([]float64, k)
	for a := range pr {
		pr[a] = 1 / float64(k)
	}
	for range pageRankRounds {
		isolated := 0.0
		for a := range next {
			next[a] = 0
			if out[a] == 0 {
				isolated += pr[a]
			}
		}
		for b := range k {
			if out[b] == 0 {
				continue
			}
			share := damping * pr[b] / out[b]
			for a, x := range w[b] {
				next[a] += share * x
			}
		}
		base := (1-damping)/float64(k) + damping*isolated/float64(k)
		for a := range next {
			next[a] += base
		}
		pr, next = next, pr
	}
	return pr
}

// coreCut returns the value of the last sentence in the core: the
// ceil(40%)-th highest of c.
func coreCut(c []float64) float64 {
	vals := slices.Clone(c)
	slices.Sort(vals)
	slices.Reverse(vals)
	r := int(math.Ceil(coreShare * float64(len(vals))))
	return vals[min(max(r, 1), len(vals))-1]
}

// choose picks up to n candidates from pool, starting from seed (which
// must fit maxChars and repeat nothing): in a structured text, grown
// greedily by expected F1 against the central core; otherwise in text
// order. It passes over candidates that repeat a chosen one or break the
// character budget (if nothing fits, the best candidate is kept alone),
// and, when another choice exists, never lets a dangling opener start the
// summary.
func choose(cands []candidate, pool, seed []int, n, maxChars int, structured bool) []int {
	s := selector{cands: cands, pool: pool, maxChars: maxChars, structured: structured}
	for _, i := range pool {
		s.core += cands[i].prob * float64(cands[i].length)
	}
	chosen := s.greedy(seed, n, maxChars)
	if len(chosen) == 0 {
		chosen = s.greedy(nil, 1, math.MaxInt)
	}
	return s.fixOpening(chosen)
}

// selector holds what choose needs to compare candidate summaries.
type selector struct {
	cands      []candidate
	pool       []int
	maxChars   int
	structured bool
	core       float64 // expected size of the central core, in words
}

// value scores a set of candidates: its expected F1 against the central
// core in a structured text, earliness otherwise.
func (s *selector) value(set []int) float64 {
	if !s.structured {
		v := 0.0
		for _, i := range set {
			v -= float64(s.cands[i].index)
		}
		return v
	}
	hit, length := 0.0, 0.0
	for _, i := range set {
		c := &s.cands[i]
		hit += c.prob * float64(c.length)
		length += float64(c.length)
	}
	return hit / (length + s.core)
}

// greedy starts from seed and adds, until it holds n candidates, the
// candidate that raises the value most among those that fit within
// maxChars and repeat nothing chosen.
func (s *selector) greedy(seed []int, n, maxChars int) []int {
	chosen := slices.Clone(seed)
	chars := 0
	for _, i := range chosen {
		chars += utf8.RuneCountInString(s.cands[i].text)
	}
	for len(chosen) < n {
		best, bestVal := -1, math.Inf(-1)
		for _, i := range s.pool {
			c := &s.cands[i]
			if slices.Contains(chosen, i) || chars+utf8.RuneCountInString(c.text) > maxChars || repeats(s.cands, chosen, c) {
				continue
			}
			if v := s.value(append(chosen, i)); v > bestVal {
				best, bestVal = i, v
			}
		}
		if best < 0 {
			break
		}
		chosen = append(chosen, best)
		chars += utf8.RuneCountInString(s.cands[best].text)
	}
	return chosen
}

// fixOpening returns chosen, or, if its first sentence in text order opens
// with a dangling reference, the best valid set that differs from it by
// one sentence and does not (chosen unchanged if there is none).
func (s *selector) fixOpening(chosen []int) []int {
	if len(chosen) == 0 || !s.cands[slices.Min(chosen)].dangling {
		return chosen
	}
	var best []int
	bestVal := math.Inf(-1)
	trial := make([]int, len(chosen))
	for r := range chosen {
		for _, x := range s.pool {
			if slices.Contains(chosen, x) {
				continue
			}
			copy(trial, chosen)
			trial[r] = x
			if v := s.value(trial); v > bestVal && s.valid(trial) {
				best, bestVal = slices.Clone(trial), v
			}
		}
	}
	if best == nil {
		return chosen
	}
	return best
}

// valid reports whether set fits the character budget (a single sentence
// always does), repeats nothing and does not open with a dangling
// reference.
func (s *selector) valid(set []int) bool {
	if s.cands[slices.Min(set)].dangling {
		return false
	}
	chars := 0
	for k, i := range set {
		chars += utf8.RuneCountInString(s.cands[i].text)
		if repeats(s.cands, set[:k], &s.cands[i]) {
			return false
		}
	}
	return len(set) == 1 || chars <= s.maxChars
}

// repeats reports whether c says what a chosen candidate already says.
func repeats(cands []candidate, chosen []int, c *candidate) bool {
	for _, j := range chosen {
		if cosine(c.words, cands[j].words) > redundancyLimit {
			return true
		}
	}
	return false
}

// statesHeadline reports whether sentence s says what the title says: it
// holds at least a third of the title's content words (function words
// left out, plurals folded), and at least two of them unless the title
// has fewer than three.
func statesHeadline(title, s string) bool {
	want := map[string]bool{}
	forEachToken(title, func(w string) {
		if !isFunctionWord(w) {
			want[foldPlural(w)] = false
		}
	})
	hits := 0
	forEachToken(s, func(w string) {
		f := foldPlural(w)
		if seen, ok := want[f]; ok && !seen {
			want[f] = true
			hits++
		}
	})
	return len(want) > 0 && 3*hits >= len(want) && (hits >= 2 || len(want) < 3)
}

// isFragment reports whether s is not a complete sentence a summary could
// use: too short, without final punctuation (a headline, a caption, a
// lead-in ending in a colon), or web-page furniture (bylines, "Read more",
// photo credits, a caption run into the text).
func isFragment(s string, words int) bool {
	if words < minSentenceWords {
		return true
	}
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRightFunc(s, isCloser))
	if last != '.' && last != '!' && last != '?' && last != '…' {
		return true
	}
	for _, p := range furniturePrefixes {
		if hasPrefixFold(s, p) {
			return true
		}
	}
	if hasPrefixFold(s, "by ") && words <= 6 {
		return true // a byline
	}
	for _, p := range furnitureInside {
		if containsFold(s, p) {
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether s begins with the lowercase ASCII prefix,
// ignoring case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// containsFold reports whether s contains the lowercase ASCII sub,
// ignoring case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i]|0x20 == sub[0] && hasPrefixFold(s[i:], sub) {
			return true
		}
	}
	return false
}

// furniturePrefixes open lines of web-page furniture, not story.
// Read-only, as are the sets below.
var furniturePrefixes = []string{
	"read more", "scroll down", "click here", "follow us", "follow @", "share this", "sign up", "subscribe",
	"advertisement", "photo:", "photograph:", "image:", "picture:", "pictured:", "watch:", "video:", "listen:",
	"published:", "updated:", "last updated", "copyright", "all rights reserved", "(reporting by", "reporting by",
	"editing by", "additional reporting", "related:", "see also",
}

// furnitureInside marks a caption or a link merged into a sentence.
var furnitureInside = []string{"scroll down for video", "click here to", "read more:"}

// danglingOpeners are first words that refer back to something the summary
// may not have said: a sentence opening with one of them, or with a
// lower-case letter (the middle of a quotation), is a dangling opener.
var danglingOpeners = wordSet(`he she it they them his her its their theirs this these those that
but and or so yet however also meanwhile still instead then nevertheless nonetheless moreover furthermore
besides thus hence therefore otherwise such both neither either`)

// isFunctionWord reports whether w is an English function word, ignored
// when measuring how central a sentence is. This is the classic short list
// (articles, pronouns, auxiliaries, prepositions, conjunctions), smaller
// than the stop words of [IsStopWord]: reporting verbs and numbers stay,
// which measured better.
func isFunctionWord(w string) bool {
	_, ok := functionWords[w]
	return ok
}

var functionWords = func() map[string]struct{} {
	m := wordSet(`i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself
yourselves he him his himself she she's her hers herself it it's its itself they them their theirs themselves what
which who whom this that that'll these those am is are was were be been being have has had having do does did doing
a an the and but if or because as until while of at by for with about against between into through during before
after above below to from up down in out on off over under again further then once here there when where why how
all any both each few more most other some such no nor not only own same so than too very s t can will just don
don't should should've now d ll m o re ve y ain aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't
hasn hasn't haven haven't isn isn't ma mightn mightn't mustn mustn't needn needn't shan shan't shouldn shouldn't
wasn wasn't weren weren't won won't wouldn wouldn't`)
	var curly []string
	for w := range m {
		if strings.Contains(w, "'") {
			curly = append(curly, strings.ReplaceAll(w, "'", "’"))
		}
	}
	for _, w := range curly {
		m[w] = struct{}{}
	}
	return m
}()

// foldPlural reduces an English plural to its singular with Harman's
// S-stemmer (1991): "-ies" to "-y", "-es" to "-e", "-s" dropped, with the
// exceptions that keep "-aies", "-eies", "-aes", "-ees", "-oes", "-us" and
// "-ss". The summarizer links sentences through these folded words rather
// than Snowball stems: it measured the same, at a fraction of the cost.
func foldPlural(w string) string {
	n := len(w)
	switch {
	case n > 3 && strings.HasSuffix(w, "ies") && !strings.HasSuffix(w, "eies") && !strings.HasSuffix(w, "aies"):
		return w[:n-3] + "y"
	case n > 2 && strings.HasSuffix(w, "es") && !strings.HasSuffix(w, "aes") && !strings.HasSuffix(w, "ees") && !strings.HasSuffix(w, "oes"):
		return w[:n-1]
	case n > 1 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "ss"):
		return w[:n-1]
	}
	return w
}

package eval

// Score is one ROUGE measure of a candidate summary against a reference:
// precision, recall and their harmonic mean F1, each between 0 and 1.
type Score struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

func newScore(hits, candidate, reference int) Score {
	s := Score{
		Precision: float64(hits) / float64(max(candidate, 1)),
		Recall:    float64(hits) / float64(max(reference, 1)),
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s
}

// Scores holds the ROUGE measures newsbot reports for one summary.
type Scores struct {
	Rouge1    Score `json:"rouge1"`
	Rouge2    Score `json:"rouge2"`
	RougeLsum Score `json:"rougeLsum"`
}

// Tokenize splits text into ROUGE tokens as ROUGE-1.5.5 and rouge_score do:
// the text is lowercased, every character other than an ASCII letter or
// digit separates tokens, and, when stem is true, tokens longer than three
// characters are replaced by their [PorterStem].
func Tokenize(text string, stem bool) []string {
	return tokenize(text, func(w string) string {
		if stem && len(w) > 3 {
			return PorterStem(w)
		}
		return w
	})
}

func tokenize(text string, norm func(string) string) []string {
	var out []string
	buf := make([]byte, 0, 32)
	flush := func() {
		if len(buf) > 0 {
			out = append(out, norm(string(buf)))
			buf = buf[:0]
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			buf = append(buf, c)
		case 'A' <= c && c <= 'Z':
			buf = append(buf, c+'a'-'A')
		default:
			flush()
		}
	}
	flush()
	return out
}

// RougeN scores the N-grams of candidate against those of reference (both
// token lists): hits are the N-grams they share, each counted at most as
// often as it occurs in either. It returns a zero Score when either side
// has no N-gram; n must be at least 1.
func RougeN(reference, candidate []string, n int) Score {
	if n < 1 {
		return Score{}
	}
	ref := ngramCounts(reference, n)
	hits, total := 0, 0
	for g := range ngrams(candidate, n) {
		total++
		if ref[g] > 0 {
			ref[g]--
			hits++
		}
	}
	return newScore(hits, total, max(len(reference)-n+1, 0))
}

// ngrams yields the n-grams of tokens as strings joined by a space.
func ngrams(tokens []string, n int) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		buf := make([]byte, 0, 64)
		for i := 0; i+n <= len(tokens); i++ {
			buf = buf[:0]
			for j, t := range tokens[i : i+n] {
				if j > 0 {
					buf = append(buf, ' ')
				}
				buf = append(buf, t...)
			}
			if !yield(string(buf)) {
				return
			}
		}
	}
}

func ngramCounts(tokens []string, n int) map[string]int {
	m := make(map[string]int, max(len(tokens)-n+1, 0))
	for g := range ngrams(tokens, n) {
		m[g]++
	}
	return m
}

// RougeLsum is summary-level ROUGE-L: for each reference sentence, the
// union of its longest common subsequences with every candidate sentence
// counts as hits, each token at most as often as it occurs in the
// candidate and in the reference (ROUGE-1.5.5's clipping, which
// rouge_score reproduces). Sentences are token lists.
func RougeLsum(reference, candidate [][]string) Score {
	m, n := 0, 0
	refCount, candCount := map[string]int{}, map[string]int{}
	for _, s := range reference {
		m += len(s)
		for _, t := range s {
			refCount[t]++
		}
	}
	for _, s := range candidate {
		n += len(s)
		for _, t := range s {
			candCount[t]++
		}
	}
	if m == 0 || n == 0 {
		return Score{}
	}
	hits := 0
	var table []int
	for _, r := range reference {
		union := make([]bool, len(r))
		for _, c := range candidate {
			table = lcsUnion(r, c, table, union)
		}
		for i, in := range union {
			if !in {
				continue
			}
			if t := r[i]; candCount[t] > 0 && refCount[t] > 0 {
				hits++
				candCount[t]--
				refCount[t]--
			}
		}
	}
	return newScore(hits, n, m)
}

// lcsUnion marks in union the positions of ref that one longest common
// subsequence of ref and can uses, chosen by the same backtracking as
// rouge_score. table is scratch space, returned for reuse.
func lcsUnion(ref, can []string, table []int, union []bool) []int {
	rows, cols := len(ref)+1, len(can)+1
	if cap(table) < rows*cols {
		table = make([]int, rows*cols)
	}
	table = table[:rows*cols]
	for j := range cols {
		table[j] = 0
	}
	for i := 1; i < rows; i++ {
		table[i*cols] = 0
		for j := 1; j < cols; j++ {
			if ref[i-1] == can[j-1] {
				table[i*cols+j] = table[(i-1)*cols+j-1] + 1
			} else {
				table[i*cols+j] = max(table[(i-1)*cols+j], table[i*cols+j-1])
			}
		}
	}
	i, j := len(ref), len(can)
	for i > 0 && j > 0 {
		switch {
		case ref[i-1] == can[j-1]:
			union[i-1] = true
			i--
			j--
		case table[i*cols+j-1] > table[(i-1)*cols+j]:
			j--
		default:
			i--
		}
	}
	return table
}

// Scorer computes [Scores] with stemming, caching stems between calls. The
// zero Scorer is ready to use. A Scorer is not safe for concurrent use.
type Scorer struct {
	stems map[string]string
}

// Tokenize is the package [Tokenize] with stemming, through the cache.
func (s *Scorer) Tokenize(text string) []string {
	if s.stems == nil {
		s.stems = make(map[string]string)
	}
	return tokenize(text, func(w string) string {
		if len(w) <= 3 {
			return w
		}
		st, ok := s.stems[w]
		if !ok {
			st = PorterStem(w)
			s.stems[w] = st
		}
		return st
	})
}

// Score scores a candidate summary against a reference summary, each given
// as its sentences (ROUGE-Lsum needs the sentence boundaries; ROUGE-1 and
// ROUGE-2 read the sentences as one text, so their N-grams may cross
// sentence boundaries, as in ROUGE-1.5.5).
func (s *Scorer) Score(reference, candidate []string) Scores {
	refSents, refAll := s.sentences(reference)
	candSents, candAll := s.sentences(candidate)
	return Scores{
		Rouge1:    RougeN(refAll, candAll, 1),
		Rouge2:    RougeN(refAll, candAll, 2),
		RougeLsum: RougeLsum(refSents, candSents),
	}
}

func (s *Scorer) sentences(sents []string) (each [][]string, all []string) {
	for _, t := range sents {
		toks := s.Tokenize(t)
		if len(toks) > 0 {
			each = append(each, toks)
		}
		all = append(all, toks...)
	}
	return each, all
}

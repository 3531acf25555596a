package briefing

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Query selects stories. Its syntax, as users type it after /news:
//
//	g20                   articles mentioning g20
//	"climate summit"      the exact phrase (words in this order)
//	ukraine -sport        ukraine, but nothing that mentions sport
//	-"transfer window"    excludes a phrase
//	a OR b                either; OR binds adjacent terms, so
//	g20 summit OR talks   means g20 AND (summit OR talks)
//
// Matching is case-insensitive and on stemmed words, so "summits" finds
// "summit"; a phrase matches within the headline or within the text.
// Exclusions apply to the whole query. OR may be written in any case; to
// look for the word itself, quote it ("or"). The zero Query matches
// nothing.
type Query struct {
	// All holds the groups that must all match; each group matches when any
	// of its terms does.
	All [][]Term
	// None holds the terms that must not match.
	None []Term
	raw  string
}

// Term is one word or phrase of a query.
type Term struct {
	// Words are the lowercase tokens of the term, in order (one for a word).
	Words []string
	// Phrase is true when the term was quoted.
	Phrase bool
	stems  []string
}

// String renders the term in query syntax, so that parsing it gives the
// term back: quoted when it is a phrase, has several words ("U.S." gives
// the words u and s, which must follow each other), or is the word "or",
// which the parser would take for OR.
func (t Term) String() string {
	s := strings.Join(t.Words, " ")
	if t.Phrase || len(t.Words) > 1 || strings.EqualFold(s, "or") {
		return `"` + s + `"`
	}
	return s
}

// Stems returns the stemmed words of the term, in order.
func (t Term) Stems() []string { return t.stems }

// ErrEmptyQuery is returned by ParseQuery for a query with no positive term.
var ErrEmptyQuery = errors.New("query has no words to look for")

const (
	// maxQueryLen bounds a query's length in bytes; longer input is an error.
	maxQueryLen = 500
	// maxQueryTerms bounds the number of words and phrases in a query.
	maxQueryTerms = 32
)

// ParseQuery parses the query syntax described on [Query]. It returns
// [ErrEmptyQuery] (wrapped) when nothing positive is left to search for,
// and a descriptive error for unbalanced quotes, a dangling OR, an OR
// joining an excluded term, more than 32 terms or input over 500 bytes.
func ParseQuery(s string) (Query, error) {
	if len(s) > maxQueryLen {
		return Query{}, fmt.Errorf("query is %d characters long; the limit is %d", len(s), maxQueryLen)
	}
	if !utf8.ValidString(s) {
		return Query{}, errors.New("query is not valid UTF-8 text")
	}
	q := Query{raw: strings.TrimSpace(s)}
	toks, err := lexQuery(s)
	if err != nil {
		return Query{}, err
	}
	terms := 0
	pendingOr := false
	for i, tk := range toks {
		if tk.or {
			if i == 0 || pendingOr || toks[i-1].neg || i == len(toks)-1 {
				return Query{}, fmt.Errorf("OR needs a word on each side (in %q)", q.raw)
			}
			pendingOr = true
			continue
		}
		words := Tokens(tk.text)
		if len(words) == 0 {
			if pendingOr && tk.neg {
				return Query{}, fmt.Errorf("OR cannot join an excluded term (in %q)", q.raw)
			}
			pendingOr = false
			continue
		}
		if terms++; terms > maxQueryTerms {
			return Query{}, fmt.Errorf("query has more than %d words and phrases", maxQueryTerms)
		}
		t := Term{Words: words, Phrase: tk.quoted && len(words) > 1}
		t.stems = make([]string, len(words))
		for j, w := range words {
			t.stems[j] = Stem(w)
		}
		switch {
		case tk.neg:
			if pendingOr {
				return Query{}, fmt.Errorf("OR cannot join an excluded term (in %q)", q.raw)
			}
			q.None = append(q.None, t)
		case pendingOr && len(q.All) > 0:
			last := len(q.All) - 1
			q.All[last] = append(q.All[last], t)
		default:
			q.All = append(q.All, []Term{t})
		}
		pendingOr = false
	}
	if len(q.All) == 0 {
		return Query{}, fmt.Errorf("%q: %w", q.raw, ErrEmptyQuery)
	}
	return q, nil
}

// String returns the query as the user typed it (trimmed).
func (q Query) String() string { return q.raw }

// IsZero reports whether q is the zero Query.
func (q Query) IsZero() bool { return len(q.All) == 0 }

type queryToken struct {
	text   string
	quoted bool
	neg    bool
	or     bool
}

func lexQuery(s string) ([]queryToken, error) {
	var out []queryToken
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		if unicode.IsSpace(r) {
			i++
			continue
		}
		neg := false
		if r == '-' && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]) {
			neg = true
			i++
			r = rs[i]
		}
		if isQuote(r) {
			j := i + 1
			for j < len(rs) && !isQuote(rs[j]) {
				j++
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("unbalanced quote in %q", strings.TrimSpace(s))
			}
			out = append(out, queryToken{text: string(rs[i+1 : j]), quoted: true, neg: neg})
			i = j + 1
			continue
		}
		j := i
		for j < len(rs) && !unicode.IsSpace(rs[j]) && !isQuote(rs[j]) {
			j++
		}
		w := string(rs[i:j])
		if strings.EqualFold(w, "or") && !neg {
			out = append(out, queryToken{or: true})
		} else {
			out = append(out, queryToken{text: w, neg: neg})
		}
		i = j
	}
	return out, nil
}

func isQuote(r rune) bool { return r == '"' || r == '“' || r == '”' }

// Doc is an article prepared for matching: its title and text as stemmed
// token sequences. Build it once per article with [NewDoc] when an article is
// matched against many queries.
type Doc struct {
	title []string
	text  []string
}

// NewDoc prepares a for matching.
func NewDoc(a Article) Doc {
	return Doc{title: stemAll(Tokens(a.Title)), text: stemAll(Tokens(a.Text))}
}

func stemAll(toks []string) []string {
	for i, t := range toks {
		toks[i] = Stem(t)
	}
	return toks
}

// queryMatcher matches one query against many articles, with the same
// result as q.Match(NewDoc(a)) but several times faster: it reads the words
// without allocating, and stems only those that could stem to one of the
// query's stems. Stemming strips suffixes, so a word can only stem to s if
// it starts with s less its last two letters (TestStemKeepsPrefix guards
// this). Not safe for concurrent use.
type queryMatcher struct {
	q        Query
	stems    []string // the distinct stems of the query's terms
	prefixes []string // prefixes[i]: what words stemming to stems[i] start with
	all      [][][]int32
	none     [][]int32
	cache    *stemCache
	words    wordScanner
	title    []int32
	text     []int32
}

func newQueryMatcher(q Query, cache *stemCache) *queryMatcher {
	m := &queryMatcher{q: q, cache: cache}
	codes := func(t Term) []int32 {
		out := make([]int32, len(t.stems))
		for k, s := range t.stems {
			i := slices.Index(m.stems, s)
			if i < 0 {
				i = len(m.stems)
				m.stems = append(m.stems, s)
				m.prefixes = append(m.prefixes, stemPrefix(s))
			}
			out[k] = int32(i + 1)
		}
		return out
	}
	for _, g := range q.All {
		var terms [][]int32
		for _, t := range g {
			terms = append(terms, codes(t))
		}
		m.all = append(m.all, terms)
	}
	for _, t := range q.None {
		m.none = append(m.none, codes(t))
	}
	return m
}

// stemPrefix is what every word stemming to s starts with.
func stemPrefix(s string) string {
	_, size := utf8.DecodeRuneInString(s)
	return s[:max(size, len(s)-2)]
}

// codes turns text into one code per word: 1 + the index of its stem among
// the query's stems, or 0 when it stems to none of them.
func (m *queryMatcher) codes(dst []int32, text string) []int32 {
	dst = dst[:0]
	m.words.scan(text, 0, func(w []byte, _, _ bool) {
		code := int32(0)
		for _, p := range m.prefixes {
			if len(w) >= len(p) && string(w[:len(p)]) == p {
				if i := slices.Index(m.stems, m.cache.stemBytes(w)); i >= 0 {
					code = int32(i + 1)
				}
				break
			}
		}
		dst = append(dst, code)
	})
	return dst
}

// match is q.Match(NewDoc(a)).
func (m *queryMatcher) match(a Article) (score float64, ok bool) {
	if m.q.IsZero() {
		return 0, false
	}
	m.title = m.codes(m.title, a.Title)
	m.text = m.codes(m.text, a.Text)
	for _, t := range m.none {
		if count(m.title, t) > 0 || count(m.text, t) > 0 {
			return 0, false
		}
	}
	for _, group := range m.all {
		best := 0.0
		for _, t := range group {
			best = math.Max(best, termScore(count(m.title, t), count(m.text, t)))
		}
		if best == 0 {
			return 0, false
		}
		score += best
	}
	return score, true
}

// termScore is the relevance of a term found inTitle times in the headline
// and inText times in the text: saturating, as BM25's k1 does, with a
// headline mention counting three times.
func termScore(inTitle, inText int) float64 {
	tf := 3*float64(inTitle) + float64(inText)
	return tf / (tf + 1.5)
}

// Match reports whether the document satisfies q, and a relevance score:
// for each group of q.All the best of its terms' saturated,
// headline-weighted counts (a mention in the headline counts three times),
// summed over the groups.
func (q Query) Match(d Doc) (score float64, ok bool) {
	if q.IsZero() {
		return 0, false
	}
	for _, t := range q.None {
		if count(d.title, t.stems) > 0 || count(d.text, t.stems) > 0 {
			return 0, false
		}
	}
	for _, group := range q.All {
		best := 0.0
		for _, t := range group {
			best = math.Max(best, termScore(count(d.title, t.stems), count(d.text, t.stems)))
		}
		if best == 0 {
			return 0, false
		}
		score += best
	}
	return score, true
}

// count returns how many times the sequence seq occurs in toks.
func count[T comparable](toks, seq []T) int {
	if len(seq) == 0 || len(toks) < len(seq) {
		return 0
	}
	n := 0
outer:
	for i := 0; i+len(seq) <= len(toks); i++ {
		for j, s := range seq {
			if toks[i+j] != s {
				continue outer
			}
		}
		n++
	}
	return n
}

// stems returns the stems of the query's positive terms: words every
// article it selects shares by construction.
func (q Query) stems() map[string]bool {
	out := map[string]bool{}
	for _, g := range q.All {
		for _, t := range g {
			for _, st := range t.stems {
				out[st] = true
			}
		}
	}
	return out
}

package briefing

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
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
// "summit". Exclusions apply to the whole query. The zero Query matches
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

// String renders the term in query syntax.
func (t Term) String() string {
	s := strings.Join(t.Words, " ")
	if t.Phrase {
		return `"` + s + `"`
	}
	return s
}

// Stems returns the stemmed words of the term, in order.
func (t Term) Stems() []string { return t.stems }

// ErrEmptyQuery is returned by ParseQuery for a query with no positive term.
var ErrEmptyQuery = errors.New("query has no words to look for")

// maxQueryLen bounds a query's length in bytes; longer input is an error.
const maxQueryLen = 500

// ParseQuery parses the query syntax described on [Query]. It returns
// [ErrEmptyQuery] (wrapped) when nothing positive is left to search for, and
// a descriptive error for unbalanced quotes, a dangling OR or over-long input.
func ParseQuery(s string) (Query, error) {
	if len(s) > maxQueryLen {
		return Query{}, fmt.Errorf("query is %d characters long; the limit is %d", len(s), maxQueryLen)
	}
	q := Query{raw: strings.TrimSpace(s)}
	toks, err := lexQuery(s)
	if err != nil {
		return Query{}, err
	}
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
			pendingOr = false
			continue
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
		if w == "OR" && !neg {
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

// Match reports whether the document satisfies q, and a relevance score:
// the summed, title-weighted, length-damped frequency of the matched terms.
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
			tf := 3*float64(count(d.title, t.stems)) + float64(count(d.text, t.stems))
			if tf == 0 {
				continue
			}
			s := tf / (tf + 1.5) // saturating, as BM25's k1 does
			if s > best {
				best = s
			}
		}
		if best == 0 {
			return 0, false
		}
		score += best
	}
	return score, true
}

// count returns how many times the stem sequence occurs in toks.
func count(toks, seq []string) int {
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

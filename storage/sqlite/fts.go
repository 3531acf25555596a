package sqlite

import (
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/storage/internal/stems"
)

// The full-text index does not let SQLite tokenize or stem anything: it
// holds the engine's own stems (briefing.Tokens, then briefing.Stem), one
// FTS5 token per stem, so that an FTS5 phrase matches exactly when
// briefing.Query.Match finds the term. The index is created with FTS5's
// "ascii" tokenizer, which splits on ASCII characters other than letters
// and digits and keeps every non-ASCII character inside tokens. A stem can
// only contain four such ASCII separators (the joiners that Tokens keeps
// inside words: ' . , -); encodeStem maps them to private-use characters,
// which Tokens never emits, so every stem stays one token and the mapping
// is injective.
var stemEncoder = strings.NewReplacer(
	"'", "\ue000",
	".", "\ue001",
	",", "\ue002",
	"-", "\ue003",
)

// encodeStem returns the FTS5 token for one stem.
func encodeStem(stem string) string { return stemEncoder.Replace(stem) }

// indexText returns text as the index stores it: its stems, encoded, joined
// by spaces.
func indexText(c *stems.Cache, text string) string {
	toks := stems.Tokens(text)
	c.StemAll(toks)
	var b strings.Builder
	b.Grow(len(text))
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(encodeStem(t))
	}
	return b.String()
}

// sourceToken is the token the index's src column holds for a source name:
// a private-use prefix (no stem starts with one) and a hash, so any name,
// spaces and punctuation included, is one token. Collisions only widen a
// search; the SQL re-checks the source name exactly.
func sourceToken(name string) string {
	h := fnv.New64a()
	h.Write([]byte(name))
	return "\ue010" + strconv.FormatUint(h.Sum64(), 36)
}

// phrase renders tokens as one FTS5 string (a phrase when there are
// several). User text only ever reaches FTS5 inside such a string, with
// any double quote doubled, so it can never become an operator, a column
// filter, a prefix query or a syntax error.
func phrase(tokens []string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, t := range tokens {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.ReplaceAll(t, `"`, `""`))
	}
	b.WriteByte('"')
	return b.String()
}

// termPhrase renders a query term as an FTS5 phrase of its encoded stems;
// ok is false for a term with no stems (which the engine cannot match).
func termPhrase(t briefing.Term) (string, bool) {
	stems := t.Stems()
	if len(stems) == 0 {
		return "", false
	}
	toks := make([]string, len(stems))
	for i, s := range stems {
		toks[i] = encodeStem(s)
	}
	return phrase(toks), true
}

// matchExpr translates q, and an optional source restriction, into an FTS5
// MATCH expression over the index's columns. Every group of q.All must
// match in title or body, no term of q.None may, and when sources is not
// empty the article's source must be one of them. ok is false when q can
// match nothing.
func matchExpr(q briefing.Query, sources []string) (expr string, ok bool) {
	if q.IsZero() {
		return "", false
	}
	var groups []string
	for _, g := range q.All {
		var alts []string
		for _, t := range g {
			if p, ok := termPhrase(t); ok {
				alts = append(alts, p)
			}
		}
		if len(alts) == 0 {
			return "", false // a group nothing can satisfy
		}
		groups = append(groups, "("+strings.Join(alts, " OR ")+")")
	}
	expr = "{title body} : (" + strings.Join(groups, " AND ") + ")"
	var nots []string
	for _, t := range q.None {
		if p, ok := termPhrase(t); ok {
			nots = append(nots, p)
		}
	}
	if len(nots) > 0 {
		expr = "(" + expr + ") NOT ({title body} : (" + strings.Join(nots, " OR ") + "))"
	}
	if len(sources) > 0 {
		toks := make([]string, len(sources))
		for i, s := range sources {
			toks[i] = phrase([]string{sourceToken(s)})
		}
		expr = "(" + expr + ") AND (src : (" + strings.Join(toks, " OR ") + "))"
	}
	return expr, true
}

// URLs are looked up through their own full-text index, article_urls (see
// migrations/00002_article_urls.sql), whose tokenizer keeps every
// printable ASCII character but quotes and space inside tokens. urlText is
// the text indexed for a canonical URL: a never-empty first token ("u"
// and the URL up to its first separator), then the rest. urlMatch is the
// FTS5 phrase that finds it. FTS5 folds ASCII case, so a match is a
// candidate only: the query re-checks articles.canonical_url exactly.
func urlText(canon string) string { return "u" + canon }

// urlMatch returns the MATCH expression for a canonical URL: the whole
// of urlText as one FTS5 string, whose tokens form a phrase.
func urlMatch(canon string) string { return phrase([]string{urlText(canon)}) }

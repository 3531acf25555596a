package briefing

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// Tokens splits text into lowercase word tokens: runs of letters and digits,
// keeping inner apostrophes, dots and commas between digits ("2.5", "1,000")
// and hyphens between letters or digits as part of the word. A possessive
// "'s" is dropped ("Putin's" gives "putin"). Everything else (punctuation,
// symbols, spaces) separates tokens and is not returned.
func Tokens(text string) []string {
	var out []string
	forEachToken(text, func(tok string) { out = append(out, tok) })
	return out
}

// forEachToken calls fn with each token of text, as [Tokens] defines them.
// The string passed to fn may share memory with text when the token is
// already lowercase ASCII, so fn must not assume it owns a fresh copy.
func forEachToken(text string, fn func(tok string)) {
	forEachSpan(text, func(raw string) { emitToken(raw, fn) })
}

// forEachSpan calls fn with the raw text (original case, possessive
// included) of each token of text: a substring of text, never a copy.
func forEachSpan(text string, fn func(raw string)) {
	start := -1 // byte offset of the current token, -1 outside a token
	prev := rune(-1)
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			prev = r
			i += size
			continue
		}
		if start >= 0 && i+size < len(text) {
			next, _ := utf8.DecodeRuneInString(text[i+size:])
			if joiner(prev, r, next) {
				prev = r
				i += size
				continue
			}
		}
		if start >= 0 {
			fn(text[start:i])
			start = -1
		}
		prev = r
		i += size
	}
	if start >= 0 {
		fn(text[start:])
	}
}

// appendToken appends to dst the token form of raw (a span from
// forEachSpan): lowercased, without a possessive 's. It is what [Tokens]
// returns, built without allocating.
func appendToken(dst []byte, raw string) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(raw[i:])
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		i += size
	}
	switch {
	case len(dst) >= 2 && string(dst[len(dst)-2:]) == "'s":
		dst = dst[:len(dst)-2]
	case len(dst) >= len("’s") && string(dst[len(dst)-len("’s"):]) == "’s":
		dst = dst[:len(dst)-len("’s")]
	}
	return dst
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// emitToken lowercases w, drops a possessive 's and passes it to fn.
func emitToken(w string, fn func(string)) {
	w = lowerWord(w)
	switch {
	case strings.HasSuffix(w, "'s"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "’s"):
		w = w[:len(w)-len("’s")]
	}
	if w != "" {
		fn(w)
	}
}

// lowerWord lowercases w, without allocating when it already is lowercase
// ASCII.
func lowerWord(w string) string {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return strings.ToLower(w)
		}
	}
	return w
}

// joiner reports whether r, between prev and next, keeps a word together.
func joiner(prev, r, next rune) bool {
	switch r {
	case '\'', '’':
		return unicode.IsLetter(prev) && unicode.IsLetter(next)
	case '.', ',':
		return unicode.IsDigit(prev) && unicode.IsDigit(next)
	case '-':
		return isWordRune(prev) && isWordRune(next)
	}
	return false
}

// Stem reduces a lowercase word to its English (Porter2/Snowball) stem.
// Words with non-ASCII letters are returned unchanged.
func Stem(word string) string {
	if !isASCIIWord(word) {
		return word
	}
	return english.Stem(word, true)
}

func isASCIIWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Terms returns the stemmed content words of text: [Tokens] without stop
// words, each passed through [Stem].
func Terms(text string) []string {
	var out []string
	forEachToken(text, func(t string) {
		if !IsStopWord(t) {
			out = append(out, Stem(t))
		}
	})
	return out
}

// IsStopWord reports whether a lowercase token is an English function word
// (or a reporting verb such as "said") that carries no topic.
func IsStopWord(w string) bool {
	_, ok := stopWords[w]
	return ok
}

// stopWords is read-only after package initialisation.
var stopWords = func() map[string]struct{} {
	const list = `a about above after again against all also am an and any are aren't as at be because been before
being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself
his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor not of
off on once only or other ought our ours ourselves out over own same shan't she she'd she'll she's should shouldn't so some
such than that that's the their theirs them themselves then there there's these they they'd they'll they're they've this
those through to too under until up very was wasn't we we'd we'll we're we've were weren't what what's when when's where
where's which while who who's whom why why's with won't would wouldn't you you'd you'll you're you've your yours yourself
yourselves said says say will just like one two new also year years mr mrs ms dr`
	m := make(map[string]struct{}, 200)
	for _, w := range strings.Fields(list) {
		m[w] = struct{}{}
		if strings.Contains(w, "'") {
			m[strings.ReplaceAll(w, "'", "’")] = struct{}{}
		}
	}
	return m
}()

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

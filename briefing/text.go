package briefing

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/kljensen/snowball/english"
)

// Tokens splits text into lowercase word tokens: runs of letters and digits,
// keeping inner apostrophes, dots between digits ("2.5") and hyphens between
// letters as part of the word. Possessive "'s" is dropped.
func Tokens(text string) []string {
	var out []string
	rs := []rune(text)
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := strings.ToLower(string(rs[start:end]))
		w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
		if w != "" {
			out = append(out, w)
		}
		start = -1
	}
	for i, r := range rs {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i+1 < len(rs) && joiner(rs[i-1], r, rs[i+1]) {
			continue
		}
		flush(i)
	}
	flush(len(rs))
	return out
}

// joiner reports whether r, between prev and next, keeps a word together.
func joiner(prev, r, next rune) bool {
	switch r {
	case '\'', '’':
		return unicode.IsLetter(prev) && unicode.IsLetter(next)
	case '.', ',':
		return unicode.IsDigit(prev) && unicode.IsDigit(next)
	case '-':
		return (unicode.IsLetter(prev) || unicode.IsDigit(prev)) && (unicode.IsLetter(next) || unicode.IsDigit(next))
	}
	return false
}

// Stem reduces a lowercase word to its English (Porter2/Snowball) stem.
func Stem(word string) string {
	if !isASCIIWord(word) {
		return word
	}
	return english.Stem(word, true)
}

func isASCIIWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Terms returns the stemmed content words of text: [Tokens] without stop
// words, each passed through [Stem].
func Terms(text string) []string {
	toks := Tokens(text)
	out := toks[:0]
	for _, t := range toks {
		if IsStopWord(t) {
			continue
		}
		out = append(out, Stem(t))
	}
	return out
}

// IsStopWord reports whether a lowercase token is an English function word
// that carries no topic.
func IsStopWord(w string) bool {
	_, ok := stopWords[w]
	return ok
}

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

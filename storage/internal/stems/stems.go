// Package stems turns article text into the engine's stemmed tokens
// (briefing.Tokens, then briefing.Stem) quickly, for the stores' full-text
// indexes: a byte-based tokenizer for ASCII text that gives exactly what
// briefing.Tokens gives, and a stem cache.
package stems

import (
	"strings"
	"sync"

	"github.com/newsbot/newsbot/briefing"
)

// Tokens returns briefing.Tokens(text), faster for ASCII text, which is
// most news text: it works on bytes and allocates only the tokens. Text
// with any non-ASCII byte goes to briefing.Tokens itself. FuzzTokens
// checks that both agree.
func Tokens(text string) []string {
	for i := 0; i < len(text); i++ {
		if text[i] >= 0x80 {
			return briefing.Tokens(text)
		}
	}
	out := make([]string, 0, len(text)/6)
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := lowerASCII(text[start:end])
		w = strings.TrimSuffix(w, "'s")
		if w != "" {
			out = append(out, w)
		}
		start = -1
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if isAlnum(c) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i+1 < len(text) && joinerASCII(text[i-1], c, text[i+1]) {
			continue
		}
		flush(i)
	}
	flush(len(text))
	return out
}

func isAlnum(c byte) bool  { return isLetter(c) || isDigit(c) }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

// joinerASCII is briefing's joiner rule for ASCII: an apostrophe between
// letters, a dot or comma between digits, a hyphen between letters or
// digits keep a word together.
func joinerASCII(prev, c, next byte) bool {
	switch c {
	case '\'':
		return isLetter(prev) && isLetter(next)
	case '.', ',':
		return isDigit(prev) && isDigit(next)
	case '-':
		return isAlnum(prev) && isAlnum(next)
	}
	return false
}

// lowerASCII lowercases an ASCII word, without allocating when it is
// already lowercase (the word still shares text's memory then).
func lowerASCII(w string) string {
	for i := 0; i < len(w); i++ {
		if 'A' <= w[i] && w[i] <= 'Z' {
			b := []byte(w)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return w
}

// Cache memoizes briefing.Stem: news vocabulary is Zipf-distributed, so
// a small cache answers most lookups. When it holds max words it starts
// over. It is safe for concurrent use.
type Cache struct {
	max int
	mu  sync.RWMutex
	m   map[string]string
}

// NewCache returns an empty cache that holds at most max words.
func NewCache(max int) *Cache {
	return &Cache{max: max, m: make(map[string]string, 1024)}
}

// StemAll replaces each word of words by briefing.Stem(word), taking the
// read lock once for the whole slice.
func (c *Cache) StemAll(words []string) {
	var miss []int
	c.mu.RLock()
	for i, w := range words {
		if s, ok := c.m[w]; ok {
			words[i] = s
		} else {
			miss = append(miss, i)
		}
	}
	c.mu.RUnlock()
	if len(miss) == 0 {
		return
	}
	stems := make([]string, len(miss))
	for j, i := range miss {
		stems[j] = briefing.Stem(words[i])
	}
	c.mu.Lock()
	if len(c.m)+len(miss) > c.max {
		clear(c.m)
	}
	for j, i := range miss {
		c.m[strings.Clone(words[i])] = stems[j]
		words[i] = stems[j]
	}
	c.mu.Unlock()
}

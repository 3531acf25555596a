package briefing

import (
	"unicode"
	"unicode/utf8"
)

// wordScanner splits text into the words [Tokens] returns, without
// allocating per word: grouping and matching read every word of hundreds or
// thousands of articles. The words must stay the same as Tokens' (matching
// must agree with [Query.Match] on a [NewDoc]); FuzzWordScanner checks it.
type wordScanner struct {
	buf []byte // the current word, lowercased
}

// scan calls fn for each of the first max words of text (all when max is 0
// or less), with the word lowercased in w, which is only valid during the
// call. digit says the word holds an ASCII digit; name says it starts with
// a capital letter but does not open a sentence, so it is likely a name.
func (s *wordScanner) scan(text string, max int, fn func(w []byte, digit, name bool)) {
	words := 0
	sentenceStart := true
	prev := rune(-1) // the rune before the current position
	for i := 0; i < len(text); {
		r, size := runeAt(text, i)
		if !isTermRune(r) {
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
		// A word starts at i: find where it ends.
		capital := unicode.IsUpper(r)
		digit, ascii := false, true
		j := i
		for j < len(text) {
			if c := text[j]; c < utf8.RuneSelf {
				if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
					digit = digit || c <= '9'
					prev = rune(c)
					j++
					continue
				}
				r, size = rune(c), 1
			} else {
				r, size = utf8.DecodeRuneInString(text[j:])
				if isTermRune(r) {
					ascii = false
					prev = r
					j += size
					continue
				}
			}
			if j+size < len(text) {
				if next, _ := runeAt(text, j+size); joiner(prev, r, next) {
					ascii = ascii && r != '\'' && r < utf8.RuneSelf
					prev = r
					j += size
					continue
				}
			}
			break
		}
		words++
		name := capital && !sentenceStart
		if ascii {
			s.buf = s.buf[:0]
			for k := i; k < j; k++ {
				c := text[k]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				s.buf = append(s.buf, c)
			}
			fn(s.buf, digit, name)
		} else {
			// Apostrophes (possessives) and non-ASCII letters (case
			// folding) are rare: leave them to Tokens itself.
			for _, tok := range Tokens(text[i:j]) {
				s.buf = append(s.buf[:0], tok...)
				fn(s.buf, digit, name)
			}
		}
		sentenceStart = false
		i = j
	}
}

func runeAt(s string, i int) (rune, int) {
	if i >= len(s) {
		return utf8.RuneError, 0
	}
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

func isTermRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

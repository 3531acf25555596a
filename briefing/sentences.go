package briefing

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentences splits plain text into sentences, in order.
//
// Blank lines separate paragraphs, and a paragraph break always ends a
// sentence, so a headline-like paragraph without a final period is a
// sentence of its own. Single line breaks are paragraph breaks too, unless
// the text is hard-wrapped prose (every line short), where they are spaces;
// even then a short line that does not end like a sentence (a headline) is
// kept apart. Runs of white space inside a sentence become one space;
// nothing else is changed, dropped or added: the sentences joined together
// hold exactly the non-space characters of text.
//
// Within a paragraph a sentence ends at '.', '!', '?' or an ellipsis, with
// any closing quotes or brackets after it, when a space and the start of a
// new sentence (an upper-case letter, a digit, an opening quote or bracket)
// follow. A period does not end a sentence after a title ("Mr.", "Dr.",
// "St.", "Gen.") or an initial ("George W. Bush"); after other
// abbreviations ("U.S.", "a.m.", "Inc.") it does only when the next word
// usually starts a sentence ("The", "He", "But"). Decimals ("2.5") never
// split, having no space after the period.
func Sentences(text string) []string {
	var out []string
	splitSentences(text, func(s sentence) { out = append(out, s.text) })
	return out
}

// sentence is one sentence of a text with its place in the text's layout.
type sentence struct {
	text   string
	para   int // index of the paragraph it belongs to
	inPara int // index within its paragraph
}

// splitSentences calls fn with each sentence of text, in order.
func splitSentences(text string, fn func(sentence)) {
	para := 0
	forEachParagraph(text, func(p string) {
		k := 0
		splitParagraph(p, func(s string) {
			fn(sentence{text: s, para: para, inPara: k})
			k++
		})
		para++
	})
}

// Hard-wrapped prose has its longest line between minWrapWidth and
// maxWrapWidth characters. A text with longer lines puts one paragraph on a
// line; one whose lines are all shorter is a list of short items
// (headline, byline, dateline), one to a line.
const (
	minWrapWidth = 50
	maxWrapWidth = 100
)

// forEachParagraph calls fn with each paragraph of text, white space
// collapsed to single spaces and trimmed. See [Sentences] for what makes a
// paragraph.
func forEachParagraph(text string, fn func(string)) {
	var block []string // the lines of the current run of non-blank lines
	flush := func() {
		if len(block) == 0 {
			return
		}
		emitBlock(block, fn)
		block = block[:0]
	}
	for len(text) > 0 {
		line := text
		if i := strings.IndexAny(text, "\r\n"); i >= 0 {
			line = text[:i]
			n := 1
			if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
				n = 2
			}
			text = text[i+n:]
		} else {
			text = ""
		}
		if isBlank(line) {
			flush()
			continue
		}
		block = append(block, line)
	}
	flush()
}

// emitBlock passes the paragraphs of a run of non-blank lines to fn.
func emitBlock(lines []string, fn func(string)) {
	if len(lines) == 1 {
		fn(collapseSpace(lines[0]))
		return
	}
	longest := 0
	for _, l := range lines {
		longest = max(longest, utf8.RuneCountInString(strings.TrimSpace(l)))
	}
	if longest > maxWrapWidth || longest < minWrapWidth {
		// One line per paragraph.
		for _, l := range lines {
			fn(collapseSpace(l))
		}
		return
	}
	// Hard-wrapped prose: lines join with spaces, except after a short
	// line that does not end like a sentence (a headline, a dateline).
	start := 0
	for i := 0; i < len(lines)-1; i++ {
		l := strings.TrimSpace(lines[i])
		if utf8.RuneCountInString(l)*5 < longest*3 && !endsSentence(l) && startsSentence(strings.TrimSpace(lines[i+1])) {
			fn(collapseSpace(strings.Join(lines[start:i+1], " ")))
			start = i + 1
		}
	}
	fn(collapseSpace(strings.Join(lines[start:], " ")))
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// collapseSpace trims s and turns every run of white space into one space.
func collapseSpace(s string) string {
	s = strings.TrimSpace(s)
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == ' ' && i+1 < len(s) && s[i+1] == ' ' {
			clean = false
		}
	}
	if clean {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// endsSentence reports whether a line ends with sentence punctuation,
// possibly followed by closing quotes or brackets, or with a colon or comma
// that continues onto the next line.
func endsSentence(l string) bool {
	for len(l) > 0 {
		r, n := utf8.DecodeLastRuneInString(l)
		if isCloser(r) {
			l = l[:len(l)-n]
			continue
		}
		return r == '.' || r == '!' || r == '?' || r == '…' || r == ':' || r == ';' || r == ','
	}
	return false
}

// splitParagraph calls fn with each sentence of one paragraph, whose white
// space is already collapsed.
func splitParagraph(p string, fn func(string)) {
	start := 0
	emit := func(end int) {
		if s := strings.TrimSpace(p[start:end]); s != "" {
			fn(s)
		}
	}
	for i := 0; i < len(p); {
		c := p[i]
		var n int // length of the terminator at i
		switch {
		case c == '.' || c == '!' || c == '?':
			n = 1
		case c == 0xE2 && strings.HasPrefix(p[i:], "…"):
			n = len("…")
		default:
			i++
			continue
		}
		// Extend over the run of terminators and closing quotes/brackets.
		end, lone, closed := i+n, n == 1, false
		for end < len(p) {
			r, size := utf8.DecodeRuneInString(p[end:])
			switch {
			case r == '.' || r == '!' || r == '?' || r == '…':
				lone = false
			case isCloser(r):
				closed = true
			default:
				size = 0
			}
			if size == 0 {
				break
			}
			end += size
		}
		if end >= len(p) {
			break
		}
		period := c == '.' && lone && !closed
		switch {
		case p[end] == ' ':
			next := p[end+1:]
			if startsSentence(next) && !(period && abbreviationBefore(p[start:i], next)) {
				emit(end)
				start = end + 1
			}
		case period && gluedSentence(p[start:i], p[end:]):
			// "the plate.Next day": a missing space after a period.
			emit(end)
			start = end
		}
		i = end
	}
	emit(len(p))
}

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '’', '”', ')', ']', '»':
		return true
	}
	return false
}

func isOpener(r rune) bool {
	switch r {
	case '"', '\'', '‘', '“', '(', '[', '«':
		return true
	}
	return false
}

// startsSentence reports whether s begins like a sentence: an upper-case
// letter or a digit, possibly after opening quotes or brackets, or a
// currency amount.
func startsSentence(s string) bool {
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case unicode.IsUpper(r) || unicode.IsDigit(r):
			return true
		case isOpener(r) || r == '$' || r == '£' || r == '€':
			s = s[n:]
		default:
			return false
		}
	}
	return false
}

// gluedSentence reports whether a period between before and after ends a
// sentence although no space follows it: a word of two or more characters
// ending in a lower-case letter or a digit before it, a capitalised word
// after it ("the plate.Next", "until 2019.Short-format").
func gluedSentence(before, after string) bool {
	w := lastWord(before)
	if len(w) < 2 || strings.ContainsAny(w, ".@/") || isAbbreviation(strings.ToLower(w)) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(w)
	if !unicode.IsLower(last) && !unicode.IsDigit(last) {
		return false
	}
	r1, n := utf8.DecodeRuneInString(after)
	r2, _ := utf8.DecodeRuneInString(after[n:])
	return unicode.IsUpper(r1) && unicode.IsLower(r2)
}

// maxWordLen bounds how far back lastWord looks for the start of a word,
// so that a long run without spaces costs linear time to split.
const maxWordLen = 64

// lastWord returns the last space-separated word of s without leading
// opening quotes or brackets (at most its last maxWordLen bytes).
func lastWord(s string) string {
	if len(s) > maxWordLen {
		s = s[len(s)-maxWordLen:]
	}
	w := s[strings.LastIndexByte(s, ' ')+1:]
	for len(w) > 0 {
		r, n := utf8.DecodeRuneInString(w)
		if !isOpener(r) {
			break
		}
		w = w[n:]
	}
	return w
}

// abbreviationBefore reports whether the period that ends before (with next
// following after a space) belongs to an abbreviation or an initial and so
// does not end the sentence.
func abbreviationBefore(before, next string) bool {
	w := lastWord(before)
	if w == "" {
		return false
	}
	if r, n := utf8.DecodeRuneInString(w); n == len(w) && unicode.IsUpper(r) {
		return true // an initial: "George W. Bush"
	}
	lw := strings.ToLower(w)
	if _, ok := titles[lw]; ok {
		return true // "Mr. Smith", "St. Louis"
	}
	if !dottedAbbreviation(w) && !isAbbreviation(lw) {
		return false
	}
	// "U.S.", "a.m.", "Inc.", "No.": a sentence may end here; it does
	// when the next word is one that usually starts a sentence.
	nw := strings.ToLower(strings.TrimLeft(firstWord(next), "\"'‘“([«"))
	_, starter := sentenceStarters[nw]
	return !starter
}

// dottedAbbreviation reports whether w is letters with inner dots, each
// part short: "U.S", "a.m", "Ph.D", "B.B" (the final period is not in w).
func dottedAbbreviation(w string) bool {
	parts := strings.Split(w, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		n := 0
		for _, r := range p {
			if !unicode.IsLetter(r) {
				return false
			}
			n++
		}
		if n == 0 || n > 3 {
			return false
		}
	}
	return true
}

func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

func isAbbreviation(lw string) bool {
	_, ok := abbreviations[lw]
	return ok
}

func wordSet(list string) map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range strings.Fields(list) {
		m[w] = struct{}{}
	}
	return m
}

// titles precede a name, so a period after them never ends a sentence.
// Read-only after package initialisation, as are the sets below.
var titles = wordSet(`mr mrs ms messrs dr prof sr jr st mt ft gen col lt sgt cpl pte capt cmdr cdr adm maj brig
gov sen rep pres supt insp det rev fr hon rt cllr judge`)

// abbreviations may end a sentence or not, depending on what follows.
var abbreviations = wordSet(`no nos vol vols p pp fig figs art ch sec vs v etc inc ltd plc co corp bros llc dept
est approx min max jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
ave rd blvd hwy km kg cm mm lb lbs oz ft sq univ assn govt intl natl`)

// sentenceStarters are words that, capitalised after an abbreviation's
// period, show that the period also ended the sentence.
var sentenceStarters = wordSet(`the a an he she it they we i you his her its their our my your this that these those
there here but and or so yet in on at after before when while if as for however meanwhile then also some many most
one two three last earlier later now yesterday today tomorrow officials police mr mrs ms dr what why how who where
since although though despite during under with without according both each every no not nor such`)

package briefing

import (
	"strings"
	"unicode"
)

// Sentences splits plain text into sentences. Paragraph breaks (blank lines)
// always end a sentence. Within a paragraph a sentence ends at '.', '!' or
// '?' (with any closing quotes or brackets) followed by space and an
// upper-case letter, digit or opening quote, unless the word before the
// period is a known abbreviation or a single initial.
func Sentences(text string) []string {
	var out []string
	for _, para := range paragraphs(text) {
		out = append(out, splitParagraph(para)...)
	}
	return out
}

func paragraphs(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var out []string
	for _, p := range strings.Split(text, "\n\n") {
		p = strings.Join(strings.Fields(p), " ")
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func splitParagraph(p string) []string {
	rs := []rune(p)
	var out []string
	start := 0
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r != '.' && r != '!' && r != '?' && r != '…' {
			continue
		}
		end := i + 1
		for end < len(rs) && (rs[end] == '.' || rs[end] == '!' || rs[end] == '?' || isCloser(rs[end])) {
			end++
		}
		if end >= len(rs) || rs[end] != ' ' {
			i = end - 1
			continue
		}
		next := end + 1
		if next >= len(rs) || !startsSentence(rs[next]) {
			i = end - 1
			continue
		}
		if r == '.' && end == i+1 && isAbbrev(rs[start:i]) {
			continue
		}
		if s := strings.TrimSpace(string(rs[start:end])); s != "" {
			out = append(out, s)
		}
		start = next
		i = end - 1
	}
	if s := strings.TrimSpace(string(rs[start:])); s != "" {
		out = append(out, s)
	}
	return out
}

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '’', '”', ')', ']', '»':
		return true
	}
	return false
}

func startsSentence(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune("\"'‘“(«[", r)
}

// isAbbrev reports whether the text before a period ends in an abbreviation
// or an initial, so the period does not end the sentence.
func isAbbrev(before []rune) bool {
	j := len(before)
	i := j
	for i > 0 && !unicode.IsSpace(before[i-1]) && before[i-1] != '(' && before[i-1] != '"' {
		i--
	}
	w := string(before[i:j])
	if w == "" {
		return false
	}
	if len([]rune(w)) == 1 && unicode.IsUpper([]rune(w)[0]) {
		return true // an initial: "George W. Bush"
	}
	if strings.Contains(w, ".") {
		return true // "U.S", "a.m", "e.g"
	}
	_, ok := abbreviations[strings.ToLower(w)]
	return ok
}

var abbreviations = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range strings.Fields(`mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov sen rep pres
rev hon insp supt det no nos vol vs etc inc ltd corp co jan feb mar apr jun jul aug sep sept oct nov dec approx est dept`) {
		m[w] = struct{}{}
	}
	return m
}()

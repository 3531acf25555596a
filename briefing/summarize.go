package briefing

import "strings"

// Summarize picks up to b.Sentences sentences of a's text that carry the
// story, within b.Chars characters. Sentences are returned whole, in article
// order, without duplicates; the headline is not repeated.
func (e *Engine) Summarize(a Article, b Budget) []string {
	b = b.withDefaults()
	return e.summarize(a, b.Sentences, b.Chars)
}

func (e *Engine) summarize(a Article, maxSentences, maxChars int) []string {
	title := normSentence(a.Title)
	var out []string
	seen := map[string]bool{title: true}
	chars := 0
	for _, s := range Sentences(a.Text) {
		if len(out) >= maxSentences {
			break
		}
		n := normSentence(s)
		if seen[n] || len(Tokens(s)) < 4 {
			continue
		}
		if len(out) > 0 && chars+len(s) > maxChars {
			break
		}
		seen[n] = true
		out = append(out, s)
		chars += len(s)
	}
	return out
}

func normSentence(s string) string { return strings.Join(Tokens(s), " ") }

// SummarizeN picks up to n sentences with no character budget (used for
// measuring against reference summaries).
func (e *Engine) SummarizeN(a Article, n int) []string {
	if n < 1 {
		return nil
	}
	return e.summarize(a, n, 1<<30)
}

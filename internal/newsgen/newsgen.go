// Package newsgen generates synthetic news articles for benchmarks: a
// deterministic stream (the same seed gives the same articles) with a
// Zipf-distributed vocabulary, realistic sizes (mostly feed teasers, some
// full texts) and a few known words at known ranks, so that a benchmark
// can query a word found in nearly every article, a mid-frequency word, a
// rare word and a phrase.
package newsgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/newsbot/newsbot/briefing"
)

// Config shapes a generated corpus. The zero Config is valid.
type Config struct {
	// Seed selects the stream (default 1).
	Seed uint64
	// Vocabulary is the number of distinct words (default 50,000).
	Vocabulary int
	// Sources is the number of distinct source names (default 200).
	Sources int
	// Start is the Fetched time of the first article (default 2026-10-01
	// UTC) and Step the time between two articles (default 2.592 s, so a
	// million articles span 30 days).
	Start time.Time
	Step  time.Duration
	// PhraseRate is the share of articles that contain the phrase
	// "climate summit" on purpose (default 0.01).
	PhraseRate float64
}

// Known words and the Zipf rank (1 = most frequent) the generator gives
// them. Everything else is made-up syllable words. With the default
// vocabulary, "the" is in practically every article, "government" in most
// (~75%), "economy" in about a third, "ukraine" in about 10% and "g20" in
// well under 1%.
var known = map[int]string{
	1: "the", 2: "to", 3: "of", 4: "and", 5: "a", 6: "in", 7: "said", 8: "government", 9: "on", 10: "for",
	11: "people", 12: "year", 13: "is", 14: "with", 15: "minister",
	40: "economy", 80: "climate", 120: "summit", 200: "ukraine", 300: "sport", 400: "talks",
	1000: "election", 5000: "g20", 20000: "volcano",
}

// Generator produces articles. It is not safe for concurrent use.
type Generator struct {
	cfg     Config
	rng     *rand.Rand
	zipf    *rand.Zipf
	srcZipf *rand.Zipf
	words   []string
	sources []string
	n       int
}

// New returns a generator for cfg.
func New(cfg Config) *Generator {
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Vocabulary <= 0 {
		cfg.Vocabulary = 50000
	}
	if cfg.Sources <= 0 {
		cfg.Sources = 200
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	}
	if cfg.Step <= 0 {
		cfg.Step = 2592 * time.Millisecond
	}
	if cfg.PhraseRate == 0 {
		cfg.PhraseRate = 0.01
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6e657773))
	g := &Generator{cfg: cfg, rng: rng, zipf: rand.NewZipf(rng, 1.1, 1, uint64(cfg.Vocabulary-1)),
		// Publishers are less skewed than words: a few big ones, a long tail.
		srcZipf: rand.NewZipf(rng, 1.2, 5, uint64(cfg.Sources-1))}
	g.words = make([]string, cfg.Vocabulary)
	for i := range g.words {
		if w, ok := known[i+1]; ok {
			g.words[i] = w
			continue
		}
		g.words[i] = syllables(i)
	}
	g.sources = make([]string, cfg.Sources)
	for i := range g.sources {
		g.sources[i] = fmt.Sprintf("Source %d News", i+1)
	}
	return g
}

var syl = []string{"ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "zu", "bri", "den", "fal", "gor", "hun", "jex", "quo"}

// syllables makes a pronounceable, unique, non-English word for a rank.
func syllables(n int) string {
	var b strings.Builder
	for {
		b.WriteString(syl[n%len(syl)])
		n /= len(syl)
		if n == 0 {
			break
		}
	}
	b.WriteString("x") // no made-up word equals a known one
	return b.String()
}

// Next returns the next article. Its Fetched time is Start + n*Step for
// the n-th article (from 0), so the stream is oldest first.
func (g *Generator) Next() briefing.Article {
	n := g.n
	g.n++
	fetched := g.cfg.Start.Add(time.Duration(n) * g.cfg.Step)
	// Sizes: 80% feed teasers of 30-150 words, 20% full texts of
	// 300-1,200 words.
	words := 30 + g.rng.IntN(121)
	if g.rng.IntN(5) == 0 {
		words = 300 + g.rng.IntN(901)
	}
	body := g.text(words)
	if g.rng.Float64() < g.cfg.PhraseRate {
		body = "The climate summit opened. " + body
	}
	src := g.sources[g.srcZipf.Uint64()]
	return briefing.Article{
		GUID:      fmt.Sprintf("urn:newsgen:%d:%d", g.cfg.Seed, n),
		URL:       fmt.Sprintf("https://news%d.example/%d/story-%d", g.rng.IntN(len(g.sources)), fetched.Year(), n),
		Title:     g.sentence(6 + g.rng.IntN(9)),
		Text:      body,
		Source:    src,
		Published: fetched.Add(-time.Duration(g.rng.IntN(6*3600)) * time.Second),
		Fetched:   fetched,
	}
}

// Batch returns the next n articles.
func (g *Generator) Batch(n int) []briefing.Article {
	out := make([]briefing.Article, n)
	for i := range out {
		out[i] = g.Next()
	}
	return out
}

// Sources returns the source names articles are attributed to.
func (g *Generator) Sources() []string { return g.sources }

func (g *Generator) word() string { return g.words[g.zipf.Uint64()] }

// sentence returns n words, capitalized, without a final stop.
func (g *Generator) sentence(n int) string {
	var b strings.Builder
	for i := range n {
		w := g.word()
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// text returns about n words in sentences of 8-25 words and paragraphs of
// 2-5 sentences.
func (g *Generator) text(n int) string {
	var b strings.Builder
	b.Grow(n * 7)
	inPara := 0
	for n > 0 {
		k := min(n, 8+g.rng.IntN(18))
		n -= k
		if b.Len() > 0 {
			if inPara >= 2+g.rng.IntN(4) {
				b.WriteString("\n\n")
				inPara = 0
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(g.sentence(k))
		b.WriteByte('.')
		inPara++
	}
	return b.String()
}

package bottest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
)

// Articles returns n synthetic news articles for benchmarks, the same for
// the same seed: titles of 6-11 and texts of 60-100 words drawn from a
// Zipf-distributed vocabulary of 5,000 made-up words, with real topic
// words mixed in at fixed rates ("g20" in about 0.5% of articles, the
// phrase "climate summit" in 2%, "ukraine" in 3%, "sport" in 5%), spread
// evenly over the span before now (Published and Fetched), from 20
// sources.
func Articles(n int, seed uint64, now time.Time, span time.Duration) []briefing.Article {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	vocab := makeVocab(r, 5000)
	zipf := rand.NewZipf(r, 1.1, 1, uint64(len(vocab)-1))
	words := func(k int) []string {
		out := make([]string, k)
		for i := range out {
			out[i] = vocab[zipf.Uint64()]
		}
		return out
	}
	topics := []struct {
		p    float64
		text string
	}{{0.005, "g20"}, {0.02, "climate summit"}, {0.03, "ukraine"}, {0.05, "sport"}}
	arts := make([]briefing.Article, n)
	for i := range arts {
		title := words(6 + r.IntN(6))
		body := words(60 + r.IntN(41))
		for _, tp := range topics {
			if r.Float64() < tp.p {
				body = slices.Insert(body, r.IntN(len(body)), tp.text)
				if r.IntN(2) == 0 {
					title = slices.Insert(title, r.IntN(len(title)), tp.text)
				}
			}
		}
		at := now.Add(-time.Duration(float64(span) * float64(n-i) / float64(n)))
		src := fmt.Sprintf("source%02d", r.IntN(20))
		arts[i] = briefing.Article{
			GUID:      fmt.Sprintf("https://%s.example/%d", src, i),
			URL:       fmt.Sprintf("https://%s.example/%d", src, i),
			Title:     capitalize(strings.Join(title, " ")),
			Text:      sentences(body),
			Source:    src,
			Published: at.Add(-5 * time.Minute),
			Fetched:   at,
		}
	}
	return arts
}

func makeVocab(r *rand.Rand, n int) []string {
	syll := []string{"ka", "lo", "ri", "ten", "mar", "so", "vel", "an", "dor", "pe", "lin", "tu", "ber", "os", "ni", "gra", "ul", "me", "sta", "quo"}
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		k := 1 + r.IntN(3)
		var sb strings.Builder
		for j := 0; j < k; j++ {
			sb.WriteString(syll[r.IntN(len(syll))])
		}
		if w := sb.String(); !seen[w] && len(w) > 2 {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// sentences joins words into sentences of 12-20 words.
func sentences(ws []string) string {
	var sb strings.Builder
	for i := 0; i < len(ws); i += 15 {
		end := min(i+15, len(ws))
		sb.WriteString(capitalize(strings.Join(ws[i:end], " ")) + ". ")
	}
	return strings.TrimSpace(sb.String())
}

// BenchmarkBrief is a benchmark body for `/news <query>` over a store: it
// answers the queries in turn through a Bot with default config (whose
// clock reads now) and reports the latency percentiles p50_ms and p99_ms
// besides ns/op. Storage benchmarks call it with their store filled, for
// example with [Articles] (the 1,000,000-article target is measured on
// storage/sqlite this way).
func BenchmarkBrief(b *testing.B, store bot.Store, now time.Time, queries ...string) {
	b.Helper()
	if len(queries) == 0 {
		queries = []string{"g20", `"climate summit"`, "ukraine -sport", "g20 OR ukraine"}
	}
	bt, err := bot.New(store, bot.Config{Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ch := bot.ChannelRef{Platform: "bench", Channel: "C1"}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		rep, err := bt.HandleCommand(ctx, Command(ch, "brief "+queries[i%len(queries)], false))
		lat = append(lat, time.Since(start))
		if err != nil || (rep.Briefing == nil && !strings.HasPrefix(rep.Text, "No stories")) {
			b.Fatalf("/news %s: %v %q", queries[i%len(queries)], err, rep.Text)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
}

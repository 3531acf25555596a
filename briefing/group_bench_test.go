package briefing

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// syntheticNews returns n articles in stories of 1-8 articles, written from
// a Zipf-distributed vocabulary of made-up words: each story has its own
// rare event words and names, which its articles mention among common
// words. It is deterministic for a seed. Lengths are those of real news
// (150-700 words).
func syntheticNews(n int, seed uint64) (arts []Article, story []int) {
	r := rand.New(rand.NewPCG(seed, 1))
	syll := []string{"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "por", "lan", "dem", "gri", "hol", "tur", "bex", "cin", "dor", "fel", "gam"}
	word := func() string {
		k := 2 + r.IntN(3)
		var b strings.Builder
		for range k {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		return b.String()
	}
	vocab := make([]string, 20000)
	for i := range vocab {
		vocab[i] = word()
	}
	zipf := rand.NewZipf(r, 1.1, 1, uint64(len(vocab)-1))
	common := func() string { return vocab[zipf.Uint64()] }
	sid := 0
	for len(arts) < n {
		size := 1 + int(math.Min(7, r.ExpFloat64()*2))
		event := make([]string, 8)
		for i := range event {
			event[i] = word() + "x"
		}
		names := []string{strings.ToUpper(word()[:1]) + word(), strings.ToUpper(word()[:1]) + word()}
		for range size {
			if len(arts) == n {
				break
			}
			var title []string
			for range 6 + r.IntN(5) {
				if r.IntN(2) == 0 {
					title = append(title, event[r.IntN(len(event))])
				} else {
					title = append(title, common())
				}
			}
			var body strings.Builder
			words := 150 + r.IntN(550)
			for w := range words {
				switch x := r.IntN(100); {
				case x < 5:
					body.WriteString(event[r.IntN(len(event))])
				case x < 8:
					body.WriteString(names[r.IntN(2)])
				default:
					body.WriteString(common())
				}
				if w%18 == 17 {
					body.WriteString(".\n\nThe")
				}
				body.WriteByte(' ')
			}
			arts = append(arts, Article{
				URL:   fmt.Sprintf("https://news%d.example/%d", len(arts)%37, len(arts)),
				Title: strings.Join(title, " "),
				Text:  body.String(),
			})
			story = append(story, sid)
		}
		sid++
	}
	return arts, story
}

func BenchmarkGroup10k(b *testing.B) {
	arts, _ := syntheticNews(10000, 1)
	e := New(Config{})
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		e.Group(arts)
	}
	reportCPU(b, start)
}

// reportCPU reports the process CPU time per operation since start (only
// meaningful with -cpu 1 and no parallel work).
func reportCPU(b *testing.B, start time.Duration) {
	if used := cpuTime() - start; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkBrief answers /news over 300 candidate articles that all match
// the query (the store has already searched), in stories of 1-8 articles:
// matching, grouping, ranking and summarizing the top five.
func BenchmarkBrief300(b *testing.B) {
	arts, _ := syntheticNews(300, 2)
	for i := range arts {
		arts[i].Title = "G20 " + arts[i].Title
		arts[i].Published = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
		arts[i].Source = fmt.Sprintf("Outlet %d", i%23)
	}
	q, err := ParseQuery("g20")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	e := New(Config{})
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		if br := e.Brief(now, "g20", q, arts, Budget{}); len(br.Items) != 5 {
			b.Fatalf("%d items", len(br.Items))
		}
	}
	reportCPU(b, start)
}

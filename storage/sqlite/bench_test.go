package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/bottest"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/internal/newsgen"
	"github.com/newsbot/newsbot/storage/internal/sqlstore"
)

// BenchmarkAddArticles measures ingestion into a file database: dedupe,
// store and index. "new" adds only new articles, in batches the size of a
// big feed (100) or of a bulk import (1000); "refetch" adds batches of 100
// of which 90% are already stored, as a re-fetched feed is.
func BenchmarkAddArticles(b *testing.B) {
	for _, tc := range []struct {
		name  string
		known int // of every 10 articles
		batch int
	}{{"new-100", 0, 100}, {"new-1000", 0, 1000}, {"refetch-100", 9, 100}} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			g := newsgen.New(newsgen.Config{})
			var old []briefing.Article
			if tc.known > 0 {
				old = g.Batch(5000)
				if _, err := s.AddArticles(ctx, old, time.Time{}); err != nil {
					b.Fatal(err)
				}
			}
			batch := tc.batch
			var cpu time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				b.StopTimer()
				arts := make([]briefing.Article, 0, batch)
				for j := range min(batch, b.N-i) {
					if j%10 < tc.known {
						arts = append(arts, old[(i+j)%len(old)])
					} else {
						arts = append(arts, g.Next())
					}
				}
				b.StartTimer()
				c0 := cpuTime()
				if _, err := s.AddArticles(ctx, arts, time.Time{}); err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - c0
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
			// On a shared machine wall time depends on the neighbours; the
			// process's CPU time spent in AddArticles much less.
			b.ReportMetric(float64(b.N)/cpu.Seconds(), "articles/cpu-s")
		})
	}
}

// BenchmarkSearch measures SearchArticles with the default limit. It uses
// the database named by $NEWSBOT_BENCH_DB (build one with cmd/storebench;
// the targets are for 1,000,000 articles), or else builds a small one of
// 20,000 articles. It reports the median and 99th percentile latency and
// the process's peak resident memory.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	path := os.Getenv("NEWSBOT_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.db")
		s, err := Open(ctx, path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		g := newsgen.New(newsgen.Config{})
		for range 20 {
			if _, err := s.AddArticles(ctx, g.Batch(1000), time.Time{}); err != nil {
				b.Fatal(err)
			}
		}
		s.Close()
	} else if _, err := os.Stat(path); err != nil {
		b.Fatalf("NEWSBOT_BENCH_DB: %v", err)
	}
	s, err := Open(ctx, path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var newest, count int64
	if err := s.read.QueryRowContext(ctx, "SELECT max(fetched), count(*) FROM articles").Scan(&newest, &count); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d articles", path, count)
	now := sqlstore.FromNanos(newest)
	week := bot.SearchOptions{Since: now.Add(-72 * time.Hour)}
	g := newsgen.New(newsgen.Config{})
	twoSources := bot.SearchOptions{Sources: g.Sources()[:2]}
	cases := []struct {
		name  string
		query string
		opts  bot.SearchOptions
	}{
		{"the", "the", bot.SearchOptions{}},
		{"government", "government", bot.SearchOptions{}},
		{"economy", "economy", bot.SearchOptions{}},
		{"g20", "g20", bot.SearchOptions{}},
		{"volcano", "volcano", bot.SearchOptions{}},
		{"absent", "qqqzzz", bot.SearchOptions{}},
		{"phrase", `"climate summit"`, bot.SearchOptions{}},
		{"and", "economy ukraine", bot.SearchOptions{}},
		{"or-not", "g20 OR election -sport", bot.SearchOptions{}},
		{"government-72h", "government", week},
		{"g20-72h", "g20", week},
		{"government-2sources", "government", twoSources},
		// Adversarial: almost every candidate is excluded, so the index is
		// walked to the end instead of stopping at the limit.
		{"worst-not", "government -the", bot.SearchOptions{}},
		{"worst-not-72h", "government -the", week},
		{"worst-phrase", `"government the"`, bot.SearchOptions{}},
	}
	for _, tc := range cases {
		q, err := briefing.ParseQuery(tc.query)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			found := 0
			for b.Loop() {
				t := time.Now()
				arts, err := s.SearchArticles(ctx, q, tc.opts)
				lat = append(lat, time.Since(t))
				if err != nil {
					b.Fatal(err)
				}
				found = len(arts)
			}
			slices.Sort(lat)
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*99/100)]), "p99-ms")
			b.ReportMetric(float64(found), "results")
			b.ReportMetric(peakRSSMB(b), "peak-rss-MB")
		})
	}
	// Concurrent readers (as many as -cpu says) cycling through the
	// one-word and 72-hour queries, as a busy bot would run them.
	b.Run("parallel", func(b *testing.B) {
		var qs []briefing.Query
		var opts []bot.SearchOptions
		for _, tc := range cases {
			if strings.HasPrefix(tc.name, "worst") {
				continue
			}
			q, _ := briefing.ParseQuery(tc.query)
			qs, opts = append(qs, q), append(opts, tc.opts)
		}
		var mu sync.Mutex
		var lat []time.Duration
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			var mine []time.Duration
			for pb.Next() {
				i := int(next.Add(1)) % len(qs)
				t := time.Now()
				if _, err := s.SearchArticles(ctx, qs[i], opts[i]); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
		slices.Sort(lat)
		b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
		b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*99/100)]), "p99-ms")
		b.ReportMetric(peakRSSMB(b), "peak-rss-MB")
	})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// peakRSSMB returns the process's peak resident set size (VmHWM) in MB.
func peakRSSMB(b *testing.B) float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0 // not Linux: no metric
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				b.Fatalf("VmHWM %q: %v", rest, err)
			}
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkPrune measures deleting old articles and their index entries:
// each op prunes one article from a file database of 20,000 articles that
// span 40 days, of which the oldest quarter is past a 30-day retention.
func BenchmarkPrune(b *testing.B) {
	ctx := context.Background()
	const total = 20000
	step := 40 * 24 * time.Hour / total
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	g := newsgen.New(newsgen.Config{Step: step})
	for range total / 1000 {
		if _, err := s.AddArticles(ctx, g.Batch(1000), time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
	start := newsgen.New(newsgen.Config{}).Next().Fetched
	if b.N > total/4 {
		b.Fatalf("-benchtime %dx prunes more than the %d old articles", b.N, total/4)
	}
	b.ResetTimer()
	// Move "now" so that exactly b.N articles fall past the retention.
	now := start.Add(time.Duration(b.N)*step + 30*24*time.Hour - step/2)
	n, err := s.Prune(ctx, now, 30*24*time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	if n != b.N {
		b.Fatalf("pruned %d articles, want %d", n, b.N)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkNewsCommand measures the whole `/news <query>` answer inside the
// process: the bot's command parsing, the store's search over the 72-hour
// window and the engine's matching, grouping, ranking and summarizing. It
// uses $NEWSBOT_BENCH_DB like BenchmarkSearch (the target: p99 < 100 ms
// over 1,000,000 articles), else a 20,000-article database.
func BenchmarkNewsCommand(b *testing.B) {
	ctx := context.Background()
	path := os.Getenv("NEWSBOT_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.db")
		s, err := Open(ctx, path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		g := newsgen.New(newsgen.Config{})
		for range 20 {
			if _, err := s.AddArticles(ctx, g.Batch(1000), time.Time{}); err != nil {
				b.Fatal(err)
			}
		}
		s.Close()
	}
	s, err := Open(ctx, path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var newest, count int64
	if err := s.read.QueryRowContext(ctx, "SELECT max(fetched), count(*) FROM articles").Scan(&newest, &count); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d articles", path, count)
	for _, q := range []string{"g20", "government", `"climate summit"`, "ukraine -sport", "g20 OR election"} {
		b.Run(q, func(b *testing.B) { bottest.BenchmarkBrief(b, s, sqlstore.FromNanos(newest), q) })
	}
}

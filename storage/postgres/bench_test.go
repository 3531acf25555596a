package postgres

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/bottest"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/internal/newsgen"
	"github.com/newsbot/newsbot/storage/internal/sqlstore"
)

// benchStore opens the database named by $NEWSBOT_BENCH_PG (build one with
// cmd/storebench -db postgres://...), or skips b. It returns the store and
// the newest article's fetch time, the benchmarks' "now".
func benchStore(b *testing.B) (*Store, time.Time) {
	dsn := os.Getenv("NEWSBOT_BENCH_PG")
	if dsn == "" {
		b.Skip("set NEWSBOT_BENCH_PG to a database built by cmd/storebench")
	}
	ctx := context.Background()
	s, err := Open(ctx, dsn, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	var newest, count int64
	if err := s.db.QueryRowContext(ctx, "SELECT max(fetched), count(*) FROM articles").Scan(&newest, &count); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d articles", count)
	return s, sqlstore.FromNanos(newest)
}

// BenchmarkSearch measures SearchArticles (the cases of storage/sqlite's
// benchmark, plus /news's own: the 72-hour window and the bot's
// BriefLimit) and reports the median and 99th percentile latency:
//
//	NEWSBOT_BENCH_PG=postgres://... go test ./storage/postgres -run '^$' -bench Search -benchtime 100x -cpu 1
func BenchmarkSearch(b *testing.B) {
	s, now := benchStore(b)
	ctx := context.Background()
	window := bot.SearchOptions{Since: now.Add(-72 * time.Hour)}
	news := bot.SearchOptions{Since: now.Add(-72 * time.Hour), Limit: bot.DefaultBriefLimit}
	twoSources := bot.SearchOptions{Sources: newsgen.New(newsgen.Config{}).Sources()[:2]}
	for _, tc := range []struct {
		name, query string
		opts        bot.SearchOptions
	}{
		{"the", "the", bot.SearchOptions{}},
		{"government", "government", bot.SearchOptions{}},
		{"economy", "economy", bot.SearchOptions{}},
		{"ukraine", "ukraine", bot.SearchOptions{}},
		{"g20", "g20", bot.SearchOptions{}},
		{"volcano", "volcano", bot.SearchOptions{}},
		{"absent", "qqqzzz", bot.SearchOptions{}},
		{"phrase", `"climate summit"`, bot.SearchOptions{}},
		{"and", "economy ukraine", bot.SearchOptions{}},
		{"or-not", "g20 OR election -sport", bot.SearchOptions{}},
		{"government-72h", "government", window},
		{"g20-72h", "g20", window},
		{"government-2sources", "government", twoSources},
		{"news-the", "the", news},
		{"news-economy", "economy", news},
		{"news-ukraine", "ukraine", news},
		{"news-g20", "g20", news},
		{"news-volcano", "volcano", news},
		{"news-phrase", `"climate summit"`, news},
		{"news-ukraine-sport", "ukraine -sport", news},
		// Adversarial: almost every candidate is excluded.
		{"worst-not-72h", "government -the", window},
	} {
		q, err := briefing.ParseQuery(tc.query)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			var lat []time.Duration
			found := 0
			for b.Loop() {
				t := time.Now()
				arts, err := s.SearchArticles(ctx, q, tc.opts)
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t))
				found = len(arts)
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
			b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)])/1e6, "p99-ms")
			b.ReportMetric(float64(found), "results")
		})
	}
}

// BenchmarkNewsCommand measures the whole `/news <query>` answer on the
// PostgreSQL store, as storage/sqlite's benchmark of the same name does:
// command parsing, the search over the 72-hour window, and the engine's
// grouping, ranking and summarizing (target: p99 < 100 ms).
func BenchmarkNewsCommand(b *testing.B) {
	s, now := benchStore(b)
	for _, q := range []string{"g20", "government", `"climate summit"`, "ukraine -sport", "g20 OR election"} {
		b.Run(q, func(b *testing.B) { bottest.BenchmarkBrief(b, s, now, q) })
	}
}

package postgres

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
)

// BenchmarkSearch measures SearchArticles on the database named by
// $NEWSBOT_BENCH_PG (build one with cmd/storebench -db postgres://...); it
// skips without it.
func BenchmarkSearch(b *testing.B) {
	dsn := os.Getenv("NEWSBOT_BENCH_PG")
	if dsn == "" {
		b.Skip("set NEWSBOT_BENCH_PG to a database built by cmd/storebench")
	}
	ctx := context.Background()
	s, err := Open(ctx, dsn, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var newest int64
	if err := s.db.QueryRowContext(ctx, "SELECT max(fetched) FROM articles").Scan(&newest); err != nil {
		b.Fatal(err)
	}
	week := bot.SearchOptions{Since: fromNanos(newest).Add(-72 * time.Hour)}
	for _, tc := range []struct {
		name, query string
		opts        bot.SearchOptions
	}{
		{"the", "the", bot.SearchOptions{}},
		{"government", "government", bot.SearchOptions{}},
		{"g20", "g20", bot.SearchOptions{}},
		{"phrase", `"climate summit"`, bot.SearchOptions{}},
		{"government-72h", "government", week},
		{"g20-72h", "g20", week},
	} {
		q, err := briefing.ParseQuery(tc.query)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				t := time.Now()
				if _, err := s.SearchArticles(ctx, q, tc.opts); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
			b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)])/1e6, "p99-ms")
		})
	}
}

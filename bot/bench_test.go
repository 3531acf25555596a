package bot_test

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/bottest"
	"github.com/newsbot/newsbot/storage/memory"
)

var benchArticles = flag.Int("brief.articles", 20000, "articles in the store for BenchmarkBrief")

// BenchmarkBrief measures `/news <query>` end to end in the process (parse,
// search, group, rank, summarize) over storage/memory holding
// -brief.articles synthetic articles from the last 30 days. The
// 1,000,000-article target runs the same body, bottest.BenchmarkBrief, on
// storage/sqlite.
//
//	go test ./bot -run '^$' -bench Brief -benchmem -cpu 1
func BenchmarkBrief(b *testing.B) {
	now := time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC)
	st := memory.New()
	arts := bottest.Articles(*benchArticles, 1, now, 30*24*time.Hour)
	if _, err := st.AddArticles(context.Background(), arts, now); err != nil {
		b.Fatal(err)
	}
	bottest.BenchmarkBrief(b, st, now)
}

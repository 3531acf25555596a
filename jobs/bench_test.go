package jobs_test

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"sort"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/bottest"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/jobs"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/storage/memory"
	"github.com/newsbot/newsbot/storage/postgres"
	"github.com/newsbot/newsbot/storage/sqlite"
)

var (
	burstSubs    = flag.Int("burst.subs", 10000, "subscriptions due in the same minute (BenchmarkDigestBurst)")
	burstRate    = flag.Float64("burst.rate", 100, "the fake platform's allowed posts per second")
	burstBurst   = flag.Int("burst.burst", 20, "the fake platform's burst")
	burstWorkers = flag.Int("burst.workers", 0, "delivery workers (0: the jobs default)")
)

// BenchmarkDigestBurst measures the target: N subscriptions (one
// per channel) due in the same minute, planned and enqueued while the
// queue runs, then posted to a fake platform that answers 429 above its
// allowed rate. The bot paces itself to the platform's rate (as serve does
// with bot.Config.Limits). It reports the enqueue time, the posting rate as
// a share of what the platform allowed over the same span, 429s, and
// duplicates and losses (both must be 0). Run it once:
//
//	go test ./jobs -run '^$' -bench DigestBurst -benchtime 1x -cpu 2
func BenchmarkDigestBurst(b *testing.B) {
	for _, kind := range []string{"memory", "sqlite", "postgres"} {
		b.Run("store="+kind, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				runBurst(b, kind, *burstSubs, *burstRate, *burstBurst)
			}
		})
	}
}

func runBurst(b *testing.B, kind string, n int, rate float64, burst int) {
	b.StopTimer()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	backend := kind
	if kind == "memory" {
		backend = "sqlite" // the memory store's queue runs on a SQLite file
	}
	dsn := newDSN(b, backend)
	var st storage.Store
	switch kind {
	case "memory":
		st = memory.New()
	case "sqlite":
		s, err := sqlite.Open(ctx, dsn, sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		st = s
	case "postgres":
		s, err := postgres.Open(ctx, dsn, postgres.Options{})
		if err != nil {
			b.Fatal(err)
		}
		st = s
	}
	defer st.Close()
	qdb, err := jobs.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer qdb.Close()
	if err := qdb.Migrate(ctx, nil); err != nil {
		b.Fatal(err)
	}
	plat := bottest.New("fake")
	plat.SetRateLimit(rate, burst)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	bt, err := bot.New(st, bot.Config{Grace: time.Hour, Logger: quiet,
		Limits: map[string]bot.RateLimit{"fake": {PerSecond: rate, Burst: burst}}}, plat)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	slot := now.UTC().Truncate(time.Minute)
	// The queue's clock stays hours early until the subscriptions are all
	// in, so that its own ticks plan nothing and the measured Tick plans
	// everything.
	qclock := bottest.NewClock(slot.Add(-5 * time.Hour))
	q, err := jobs.New(qdb, bt, jobs.Config{Workers: *burstWorkers, TickInterval: time.Hour, Lookahead: 2 * time.Hour, Logger: quiet, Now: qclock.Now})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx) }()

	arts := []briefing.Article{
		{URL: "https://wire.example/1", Source: "wire", Title: "Leaders gather for G20 summit", Text: "Leaders of the G20 gathered in Hamburg on Friday. The summit opened with trade talks."},
		{URL: "https://daily.example/2", Source: "daily", Title: "G20 protesters march in Hamburg", Text: "Thousands of protesters marched in Hamburg as the G20 summit began. Police said the march was peaceful."},
	}
	if _, err := st.AddArticles(ctx, arts, slot.Add(-time.Hour)); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		ch := channel("fake", i)
		if err := st.PutTopic(ctx, bot.Topic{Channel: ch, Name: "g20", Query: "g20", Updated: slot.Add(-24 * time.Hour)}); err != nil {
			b.Fatal(err)
		}
		s := bot.Subscription{Channel: ch, Topic: "g20", At: slot.Format("15:04"), TimeZone: "UTC", Updated: slot.Add(-24 * time.Hour)}
		if err := st.PutSubscription(ctx, s); err != nil {
			b.Fatal(err)
		}
	}

	qclock.Set(time.Now())
	b.StartTimer()
	start := time.Now()
	inserted, err := q.Tick(ctx)
	enqueued := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	if inserted != n {
		b.Fatalf("enqueued %d jobs, want %d", inserted, n)
	}
	deadline := time.Now().Add(time.Duration(float64(n)/rate*float64(time.Second))*3 + time.Minute)
	for len(plat.Posts()) < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	b.StopTimer()
	time.Sleep(time.Second) // room for a late duplicate to show
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}

	posts := plat.Posts()
	perChannel := map[bot.ChannelRef]int{}
	times := make([]time.Time, 0, len(posts))
	for _, p := range posts {
		perChannel[p.Channel]++
		times = append(times, p.At)
	}
	dups := len(posts) - len(perChannel)
	lost := n - len(perChannel)
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	var span time.Duration
	if len(times) > 1 {
		span = times[len(times)-1].Sub(times[0])
	}
	allowed := rate*span.Seconds() + float64(burst)
	_, limited := plat.Stats()
	b.ReportMetric(enqueued.Seconds(), "enqueue_s")
	b.ReportMetric(float64(len(posts))/span.Seconds(), "posts/s")
	b.ReportMetric(100*float64(len(posts))/allowed, "%_of_allowed")
	b.ReportMetric(float64(limited), "429s")
	b.ReportMetric(float64(dups), "duplicates")
	b.ReportMetric(float64(lost), "lost")
	b.Logf("%s store: %d subscriptions, enqueued in %s, posted %d in %s at %.0f/s (allowed %.0f/s + burst %d), %d duplicates, %d lost, %d 429s",
		kind, n, enqueued.Round(time.Millisecond), len(posts), span.Round(time.Millisecond), float64(len(posts))/span.Seconds(), rate, burst, dups, lost, limited)
	if dups != 0 || lost != 0 {
		b.Errorf("duplicates %d, lost %d: both must be 0", dups, lost)
	}
	if enqueued > 10*time.Second {
		b.Errorf("enqueue took %s, target 10s", enqueued)
	}

}

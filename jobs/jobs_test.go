package jobs_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/bottest"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/jobs"
	"github.com/newsbot/newsbot/storage/memory"
	"github.com/newsbot/newsbot/storage/postgres"
)

// testWriter sends logs to t.Log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func testLogger(t testing.TB, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level}))
}

// channel returns the i-th test channel on platform.
func channel(platform string, i int) bot.ChannelRef {
	return bot.ChannelRef{Platform: platform, Team: "T", Channel: fmt.Sprintf("C%05d", i)}
}

// seed stores articles and, for n channels, a topic g20 with a daily
// subscription whose slot is the current UTC minute (so it is due now).
// It returns that slot.
func seed(t testing.TB, st *memory.Store, platform string, n int, now time.Time) time.Time {
	t.Helper()
	slot, err := seedStore(st, platform, n, now)
	if err != nil {
		t.Fatal(err)
	}
	return slot
}

func seedStore(st *memory.Store, platform string, n int, now time.Time) (time.Time, error) {
	ctx := context.Background()
	slot := now.UTC().Truncate(time.Minute)
	arts := []briefing.Article{
		{GUID: "https://wire.example/1", URL: "https://wire.example/1", Source: "wire", Title: "Leaders gather for G20 summit",
			Text: "Leaders of the G20 gathered in Hamburg on Friday. The summit opened with trade talks.", Fetched: slot.Add(-time.Hour)},
		{GUID: "https://daily.example/2", URL: "https://daily.example/2", Source: "daily", Title: "G20 protesters march in Hamburg",
			Text: "Thousands of protesters marched in Hamburg as the G20 summit began. Police said the march was peaceful.", Fetched: slot.Add(-50 * time.Minute)},
	}
	if _, err := st.AddArticles(ctx, arts, slot.Add(-time.Hour)); err != nil {
		return slot, err
	}
	for i := 0; i < n; i++ {
		ch := channel(platform, i)
		if err := st.PutTopic(ctx, bot.Topic{Channel: ch, Name: "g20", Query: "g20", Updated: slot.Add(-24 * time.Hour)}); err != nil {
			return slot, err
		}
		s := bot.Subscription{Channel: ch, Topic: "g20", At: slot.Format("15:04"), TimeZone: "UTC", Updated: slot.Add(-24 * time.Hour)}
		if err := st.PutSubscription(ctx, s); err != nil {
			return slot, err
		}
	}
	return slot, nil
}

// migrateDB creates River's tables in the database at dsn.
func migrateDB(t testing.TB, dsn string) {
	t.Helper()
	db := openDB(t, dsn)
	if err := db.Migrate(context.Background(), testLogger(t, slog.LevelWarn)); err != nil {
		t.Fatal(err)
	}
}

// openDB opens River's pool on dsn, closed when the test ends.
func openDB(t testing.TB, dsn string) *jobs.DB {
	t.Helper()
	db, err := jobs.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func countDeliveries(t testing.TB, st *memory.Store, platform string, n int, slot time.Time) int {
	t.Helper()
	done := 0
	for i := 0; i < n; i++ {
		id := bot.Subscription{Channel: channel(platform, i), Topic: "g20"}.ID()
		if _, err := st.GetDelivery(context.Background(), id, slot); err == nil {
			done++
		}
	}
	return done
}

// perChannel counts posts per channel and fails on any duplicate.
func checkOnePostPerChannel(t testing.TB, posts []bottest.Post, n int) {
	t.Helper()
	count := map[bot.ChannelRef]int{}
	for _, p := range posts {
		count[p.Channel]++
	}
	for ch, c := range count {
		if c != 1 {
			t.Errorf("%s got %d posts, want 1", ch, c)
		}
	}
	if len(count) != n {
		t.Errorf("%d channels got a post, want %d", len(count), n)
	}
}

func TestQueueDeliversEachDueSlotOnce(t *testing.T) {
	t.Parallel()
	for _, be := range backends {
		t.Run(be, func(t *testing.T) {
			t.Parallel()
			testQueueDeliversEachDueSlotOnce(t, newDSN(t, be))
		})
	}
}

func testQueueDeliversEachDueSlotOnce(t *testing.T, dsn string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	migrateDB(t, dsn)
	db := openDB(t, dsn)
	st := memory.New()
	const n = 40
	slot := seed(t, st, "fake", n, time.Now())
	plat := bottest.New("fake")
	b, err := bot.New(st, bot.Config{Grace: time.Hour, Logger: testLogger(t, slog.LevelWarn)}, plat)
	if err != nil {
		t.Fatal(err)
	}
	q, err := jobs.New(db, b, jobs.Config{TickInterval: 50 * time.Millisecond, Lookahead: time.Second, TestOnly: true, Logger: testLogger(t, slog.LevelInfo)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx) }()
	waitFor(t, 30*time.Second, "every delivery recorded", func() bool { return countDeliveries(t, st, "fake", n, slot) == n })
	// More ticks plan nothing new.
	if inserted, err := q.Tick(ctx); err != nil || inserted != 0 {
		t.Errorf("a later tick inserted %d jobs (%v), want 0", inserted, err)
	}
	time.Sleep(200 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	posts := plat.Posts()
	checkOnePostPerChannel(t, posts, n)
	for _, p := range posts {
		if p.Stories != 2 || p.Key != bot.DeliveryKey(bot.Subscription{Channel: p.Channel, Topic: "g20"}.ID(), slot) {
			t.Errorf("post %+v: want 2 stories and the slot's key", p)
			break
		}
	}
}

func TestEnqueueIsUniqueBySlot(t *testing.T) {
	t.Parallel()
	for _, be := range backends {
		t.Run(be, func(t *testing.T) {
			t.Parallel()
			testEnqueueIsUniqueBySlot(t, newDSN(t, be))
		})
	}
}

func testEnqueueIsUniqueBySlot(t *testing.T, dsn string) {
	ctx := context.Background()
	migrateDB(t, dsn)
	db := openDB(t, dsn)
	plat := bottest.New("fake")
	b, err := bot.New(memory.New(), bot.Config{}, plat)
	if err != nil {
		t.Fatal(err)
	}
	q, err := jobs.New(db, b, jobs.Config{TestOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	slot := time.Date(2030, 1, 1, 8, 0, 0, 0, time.UTC)
	dues := []bot.Due{
		{SubscriptionID: "fake::C1/g20", Platform: "fake", Scheduled: slot},
		{SubscriptionID: "fake::C2/g20", Platform: "fake", Scheduled: slot},
		{SubscriptionID: "fake::C1/g20", Platform: "fake", Scheduled: slot.Add(24 * time.Hour)},
	}
	if n, err := q.Enqueue(ctx, dues); err != nil || n != 3 {
		t.Fatalf("first enqueue: %d, %v", n, err)
	}
	// The same slot in another zone is the same slot.
	again := append(dues, bot.Due{SubscriptionID: "fake::C2/g20", Platform: "fake", Scheduled: slot.In(time.FixedZone("CET", 3600))})
	if n, err := q.Enqueue(ctx, again); err != nil || n != 0 {
		t.Fatalf("second enqueue inserted %d (%v), want 0", n, err)
	}
	depth, err := q.Depth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if waiting := depth["available"] + depth["scheduled"]; waiting != 3 || depth["running"] != 0 {
		t.Errorf("depth = %v, want 3 jobs waiting", depth)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	plat := bottest.New("fake")
	b, err := bot.New(memory.New(), bot.Config{}, plat)
	if err != nil {
		t.Fatal(err)
	}
	_, err = jobs.New(nil, b, jobs.Config{TickInterval: time.Minute, Lookahead: time.Second, JobTimeout: time.Minute, RescueAfter: time.Second})
	if err == nil || !strings.Contains(err.Error(), "lookahead 1s must exceed the tick interval 1m0s") || !strings.Contains(err.Error(), "rescue-after 1s must exceed the job timeout 1m0s") {
		t.Errorf("err = %v", err)
	}
	nobody, err := bot.New(memory.New(), bot.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.New(nil, nobody, jobs.Config{}); err == nil || !strings.Contains(err.Error(), "no platforms") {
		t.Errorf("err = %v", err)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	want := []time.Duration{5 * time.Second, 5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second, 5 * time.Minute, 5 * time.Minute}
	for attempt, w := range want {
		if got := jobs.Backoff(attempt); got != w {
			t.Errorf("Backoff(%d) = %s, want %s", attempt, got, w)
		}
	}
}

func TestOpenSQLite(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{":memory:", filepath.Join(t.TempDir(), "a b?.db"), "file:" + filepath.Join(t.TempDir(), "x.db")} {
		db, err := jobs.Open(context.Background(), dsn)
		if err != nil {
			t.Fatalf("%s: %v", dsn, err)
		}
		if db.Postgres() {
			t.Errorf("%s: opened as PostgreSQL", dsn)
		}
		if err := db.Migrate(context.Background(), nil); err != nil {
			t.Errorf("%s: migrate: %v", dsn, err)
		}
		if want := map[bool]string{true: "memory", false: "wal"}[dsn == ":memory:"]; jobs.JournalMode(t, db) != want {
			t.Errorf("%s: journal mode %q, want %q", dsn, jobs.JournalMode(t, db), want)
		}
		db.Close()
	}
}

func TestOpenPostgresRefusesABadURL(t *testing.T) {
	t.Parallel()
	_, err := jobs.Open(context.Background(), "postgres://newsbot:hunter2@db.example:99999/newsbot")
	if err == nil || !strings.Contains(err.Error(), "invalid port") {
		t.Errorf("err = %v, want invalid port", err)
	}
	if err != nil && strings.Contains(err.Error(), "hunter2") {
		t.Errorf("the error shows the password: %v", err)
	}
}

// TestMigratePostgresConcurrently migrates one schema from several
// processes' worth of pools at once, as replicas starting together do.
func TestMigratePostgresConcurrently(t *testing.T) {
	t.Parallel()
	dsn := newDSN(t, "postgres")
	ctx := context.Background()
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			db, err := jobs.Open(ctx, dsn)
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			if !db.Postgres() {
				errs <- fmt.Errorf("%s opened as SQLite", dsn)
				return
			}
			errs <- db.Migrate(ctx, nil)
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	db := openDB(t, dsn)
	depth, err := jobs.DepthOf(ctx, db)
	if err != nil || len(depth) != 4 {
		t.Errorf("depth after migrating: %v, %v", depth, err)
	}
}

// TestMigratePostgresWithTheSmallestPool: the migration lock has its own
// connection, so a pool of postgres.MinPoolConns migrates (it used to wait
// forever on a pool of one); a smaller pool is refused with the reason.
func TestMigratePostgresWithTheSmallestPool(t *testing.T) {
	t.Parallel()
	dsn := newDSN(t, "postgres")
	if _, err := jobs.Open(context.Background(), dsn+"&pool_max_conns=1"); err == nil ||
		!strings.Contains(err.Error(), "pool_max_conns=1: the job queue needs at least 4 connections") {
		t.Errorf("a pool of one: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := jobs.Open(ctx, fmt.Sprintf("%s&pool_max_conns=%d", dsn, postgres.MinPoolConns))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx, nil); err != nil {
		t.Fatalf("migrate on a pool of %d: %v", postgres.MinPoolConns, err)
	}
}

// TestStopMidDeliveryRetriesAfterRestart stops the queue while a post is in
// flight (a graceful shutdown whose soft stop times out): the delivery is
// cancelled, and a queue started afterwards on the same database posts it,
// once.
func TestStopMidDeliveryRetriesAfterRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for River's retry")
	}
	t.Parallel()
	for _, be := range backends {
		t.Run(be, func(t *testing.T) {
			t.Parallel()
			testStopMidDeliveryRetriesAfterRestart(t, newDSN(t, be))
		})
	}
}

func testStopMidDeliveryRetriesAfterRestart(t *testing.T, dsn string) {
	migrateDB(t, dsn)
	st := memory.New()
	slot := seed(t, st, "fake", 1, time.Now())
	plat := bottest.New("fake")
	inFlight := make(chan struct{})
	var once sync.Once
	plat.BeforePost = func(ctx context.Context, _ bot.ChannelRef, _ bot.Message) error {
		first := false
		once.Do(func() { first = true })
		if !first {
			return nil
		}
		close(inFlight)
		<-ctx.Done() // a slow platform, until shutdown cancels the post
		return ctx.Err()
	}
	run := func(ctx context.Context) (func() error, error) {
		db, err := jobs.Open(ctx, dsn)
		if err != nil {
			return nil, err
		}
		b, err := bot.New(st, bot.Config{Grace: time.Hour, Logger: testLogger(t, slog.LevelWarn)}, plat)
		if err != nil {
			return nil, err
		}
		q, err := jobs.New(db, b, jobs.Config{TickInterval: 100 * time.Millisecond, Lookahead: time.Second,
			SoftStopTimeout: 200 * time.Millisecond, TestOnly: true, Logger: testLogger(t, slog.LevelWarn)})
		if err != nil {
			return nil, err
		}
		done := make(chan error, 1)
		go func() { done <- q.Run(ctx) }()
		return func() error { err := <-done; db.Close(); return err }, nil
	}
	ctx1, stop1 := context.WithCancel(context.Background())
	wait1, err := run(ctx1)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-inFlight:
	case <-time.After(30 * time.Second):
		t.Fatal("no delivery started")
	}
	stop1()
	if err := wait1(); err != nil {
		t.Fatalf("first Run: %v", err)
	}
	if n := len(plat.Posts()); n != 0 {
		t.Fatalf("posted %d before the restart", n)
	}
	ctx2, stop2 := context.WithCancel(context.Background())
	defer stop2()
	wait2, err := run(ctx2)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the retried delivery", func() bool { return countDeliveries(t, st, "fake", 1, slot) == 1 })
	stop2()
	if err := wait2(); err != nil {
		t.Fatalf("second Run: %v", err)
	}
	checkOnePostPerChannel(t, plat.Posts(), 1)
}

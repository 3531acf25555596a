package jobs_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/bottest"
	"github.com/newsbot/newsbot/jobs"
	"github.com/newsbot/newsbot/storage/memory"
)

// The crash-restart test runs the queue in a child process (this test
// binary, re-executed), kills it with SIGKILL while a digest is in flight,
// starts a new child on the same files, and checks that every channel got
// exactly one digest. The children share River's database (a SQLite file,
// or a PostgreSQL schema) and two files: the fake platform's journal of
// posts, and a journal of the bot's delivery records (the store's durable
// part; the rest is seeded the same way on every start).

const childEnv = "NEWSBOT_JOBS_CRASH_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

func TestCrashRestartPostsExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes for about half a minute")
	}
	t.Parallel()
	for _, be := range backends {
		t.Run(be, func(t *testing.T) {
			t.Parallel()
			testCrashRestart(t, be)
		})
	}
}

func testCrashRestart(t *testing.T, backend string) {
	cases := []struct {
		name string
		mode string
	}{
		// Killed after the platform accepted the 3rd digest but before the
		// bot recorded it: the restart must find it and not post again.
		{"killed after posting", "hang-after-post"},
		// Killed while the 3rd digest is being built/posted, before the
		// platform saw it: the restart must post it.
		{"killed before posting", "hang-before-post"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			const n = 6
			slot := time.Now().UTC().Truncate(time.Minute)
			dsn := newDSN(t, backend)
			migrateDB(t, dsn)

			first := child(t, dir, dsn, tc.mode, n, slot)
			if err := first.Start(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 60*time.Second, "a digest in flight", func() bool {
				_, err := os.Stat(filepath.Join(dir, "inflight"))
				return err == nil
			})
			if err := first.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = first.Wait()
			before, err := bottest.ReadJournal(filepath.Join(dir, "posts.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("killed with %d digest(s) posted", len(before))

			second := child(t, dir, dsn, "normal", n, slot)
			out, err := runWithTimeout(second, 120*time.Second)
			if err != nil {
				t.Fatalf("restarted child: %v\n%s", err, out)
			}
			posts, err := bottest.ReadJournal(filepath.Join(dir, "posts.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			checkOnePostPerChannel(t, posts, n)
			recs, err := readDeliveries(filepath.Join(dir, "deliveries.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			settled := map[string]string{}
			for _, d := range recs {
				settled[d.SubscriptionID] = d.Status
			}
			if len(settled) != n {
				t.Errorf("%d subscriptions settled, want %d: %v", len(settled), n, settled)
			}
			for id, status := range settled {
				if status != bot.StatusPosted {
					t.Errorf("%s: %s, want posted", id, status)
				}
			}
		})
	}
}

func child(t *testing.T, dir, dsn, mode string, n int, slot time.Time) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "CRASH_DIR="+dir, "CRASH_DSN="+dsn, "CRASH_MODE="+mode,
		"CRASH_N="+strconv.Itoa(n), "CRASH_SLOT="+slot.Format(time.RFC3339))
	return cmd
}

func runWithTimeout(cmd *exec.Cmd, d time.Duration) ([]byte, error) {
	var buf lockedBuffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return buf.bytes(), err
	case <-time.After(d):
		_ = cmd.Process.Kill()
		<-done
		return buf.bytes(), fmt.Errorf("timed out after %s", d)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	return len(p), nil
}

func (l *lockedBuffer) bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]byte(nil), l.b...)
}

// runChild is the child process: it delivers the slot's digests and exits
// 0 once all are recorded, or hangs in flight (mode hang-*) until killed.
func runChild() int {
	dir, mode := os.Getenv("CRASH_DIR"), os.Getenv("CRASH_MODE")
	n, _ := strconv.Atoi(os.Getenv("CRASH_N"))
	slot, err := time.Parse(time.RFC3339, os.Getenv("CRASH_SLOT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	st, err := openJournalStore(filepath.Join(dir, "deliveries.jsonl"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	if _, err := seedStore(st.Store, "fake", n, slot); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	plat, err := bottest.NewDurable("fake", filepath.Join(dir, "posts.jsonl"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	var calls atomic.Int32
	hang := func() {
		if err := os.WriteFile(filepath.Join(dir, "inflight"), nil, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
		}
		select {} // in flight until SIGKILL
	}
	switch mode {
	case "hang-after-post":
		plat.AfterPost = func(context.Context, bottest.Post) {
			if calls.Add(1) == 3 {
				hang()
			}
		}
	case "hang-before-post":
		plat.BeforePost = func(context.Context, bot.ChannelRef, bot.Message) error {
			if calls.Add(1) == 3 {
				hang()
			}
			return nil
		}
	}
	b, err := bot.New(st, bot.Config{Grace: time.Hour, Logger: log}, plat)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	db, err := jobs.Open(ctx, os.Getenv("CRASH_DSN"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	defer db.Close()
	q, err := jobs.New(db, b, jobs.Config{
		Workers: 4, TickInterval: 200 * time.Millisecond, Lookahead: time.Second,
		JobTimeout: time.Second, RescueAfter: 2 * time.Second, TestOnly: true, Logger: log,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx) }()
	for {
		select {
		case err := <-done:
			fmt.Fprintln(os.Stderr, "child: queue stopped:", err)
			return 1
		case <-time.After(50 * time.Millisecond):
		}
		settled := 0
		for i := 0; i < n; i++ {
			id := bot.Subscription{Channel: channel("fake", i), Topic: "g20"}.ID()
			if _, err := st.GetDelivery(ctx, id, slot); err == nil {
				settled++
			}
		}
		if settled == n {
			cancel()
			if err := <-done; err != nil {
				fmt.Fprintln(os.Stderr, "child: stop:", err)
				return 1
			}
			return 0
		}
	}
}

// journalStore is a memory store whose delivery records also go to a
// journal file (synced), replayed when it is opened: what a real store
// would keep on disk across a crash.
type journalStore struct {
	*memory.Store
	mu sync.Mutex
	f  *os.File
}

func openJournalStore(path string) (*journalStore, error) {
	st := memory.New()
	recs, err := readDeliveries(path)
	if err != nil {
		return nil, err
	}
	for _, d := range recs {
		if err := st.SaveDelivery(context.Background(), d); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &journalStore{Store: st, f: f}, nil
}

func (s *journalStore) SaveDelivery(ctx context.Context, d bot.Delivery) error {
	line, err := json.Marshal(d)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.f.Write(append(line, '\n')); err != nil {
		return err
	}
	if err := s.f.Sync(); err != nil {
		return err
	}
	return s.Store.SaveDelivery(ctx, d)
}

func readDeliveries(path string) ([]bot.Delivery, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []bot.Delivery
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var d bot.Delivery
		if json.Unmarshal(sc.Bytes(), &d) == nil {
			out = append(out, d)
		}
	}
	return out, sc.Err()
}

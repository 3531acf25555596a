package app

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeLock is a heldLock whose loss the test triggers.
type fakeLock struct {
	lost     chan struct{}
	mu       sync.Mutex
	released int
}

func newFakeLock() *fakeLock { return &fakeLock{lost: make(chan struct{})} }

func (l *fakeLock) Lost() <-chan struct{} { return l.lost }

func (l *fakeLock) Release(context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.released++
	return nil
}

func (l *fakeLock) releases() int { l.mu.Lock(); defer l.mu.Unlock(); return l.released }

// lockScript answers tries in order: a lock, nil (held elsewhere) or an
// error; after the script, nil.
type lockScript struct {
	mu    sync.Mutex
	steps []any
	tries int
}

func (s *lockScript) try(context.Context) (heldLock, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tries++
	if len(s.steps) == 0 {
		return nil, nil
	}
	step := s.steps[0]
	s.steps = s.steps[1:]
	switch v := step.(type) {
	case *fakeLock:
		return v, nil
	case error:
		return nil, v
	}
	return nil, nil
}

type leaderLog struct {
	mu      sync.Mutex
	changes []bool
}

func (l *leaderLog) set(on bool) { l.mu.Lock(); l.changes = append(l.changes, on); l.mu.Unlock() }

func (l *leaderLog) get() []bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]bool(nil), l.changes...)
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRunExclusive(t *testing.T) {
	t.Parallel()
	t.Run("works while holding the lock, releases it at the end", func(t *testing.T) {
		t.Parallel()
		var out strings.Builder
		var mu sync.Mutex
		log := slog.New(slog.NewTextHandler(&lockedWriter{w: &out, mu: &mu}, nil))
		first, second := newFakeLock(), newFakeLock()
		script := &lockScript{steps: []any{nil, errors.New("connection refused"), nil, first, second}}
		var leader leaderLog
		runs := make(chan context.Context, 2)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- runExclusive(ctx, script.try, time.Millisecond, log, leader.set, func(ctx context.Context) error {
				runs <- ctx
				<-ctx.Done()
				return nil
			})
		}()
		// Two tries find it held (one fails), then the lock is ours.
		run1 := <-runs
		if script.tries != 4 {
			t.Errorf("worked after %d tries, want 4", script.tries)
		}
		// The lock is lost: the work stops, the lock is released, and the
		// next try takes it again.
		close(first.lost)
		<-run1.Done()
		run2 := <-runs
		if first.releases() != 1 {
			t.Errorf("the lost lock was released %d times, want 1", first.releases())
		}
		cancel()
		<-run2.Done()
		if err := <-done; err != nil {
			t.Errorf("runExclusive = %v, want nil after ctx is done", err)
		}
		if second.releases() != 1 {
			t.Errorf("the lock held at shutdown was released %d times, want 1", second.releases())
		}
		if got, want := leader.get(), []bool{true, false, true, false}; !slices.Equal(got, want) {
			t.Errorf("leadership changes %v, want %v", got, want)
		}
		mu.Lock()
		logs := out.String()
		mu.Unlock()
		for _, want := range []string{"another replica polls the feeds; this one stands by", "connection refused", "lost the ingestion lock"} {
			if !strings.Contains(logs, want) {
				t.Errorf("logs lack %q:\n%s", want, logs)
			}
		}
		if n := strings.Count(logs, "stands by"); n != 1 {
			t.Errorf("logged standing by %d times, want once per stretch", n)
		}
	})
	t.Run("a failure of the work is returned", func(t *testing.T) {
		t.Parallel()
		l := newFakeLock()
		script := &lockScript{steps: []any{l}}
		var leader leaderLog
		boom := errors.New("boom")
		err := runExclusive(context.Background(), script.try, time.Millisecond, slog.New(slog.DiscardHandler), leader.set,
			func(context.Context) error { return boom })
		if !errors.Is(err, boom) {
			t.Errorf("runExclusive = %v, want %v", err, boom)
		}
		if l.releases() != 1 {
			t.Errorf("released %d times, want 1", l.releases())
		}
	})
	t.Run("never held: returns when ctx is done", func(t *testing.T) {
		t.Parallel()
		script := &lockScript{}
		ctx, cancel := context.WithCancel(context.Background())
		var leader leaderLog
		done := make(chan error, 1)
		go func() {
			done <- runExclusive(ctx, script.try, time.Millisecond, slog.New(slog.DiscardHandler), leader.set,
				func(context.Context) error { t.Error("worked without the lock"); return nil })
		}()
		waitUntil(t, "a few tries", func() bool { script.mu.Lock(); defer script.mu.Unlock(); return script.tries >= 3 })
		cancel()
		if err := <-done; err != nil {
			t.Errorf("runExclusive = %v", err)
		}
		if len(leader.get()) != 0 {
			t.Errorf("leadership changed without the lock: %v", leader.get())
		}
	})
}

type lockedWriter struct {
	w  *strings.Builder
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestCheckDSN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ dsn, want string }{
		{"newsbot.db", ""},
		{"/var/lib/newsbot/newsbot.db", ""},
		{"file:newsbot.db?_pragma=busy_timeout(5000)", ""},
		{"file:///var/lib/newsbot/newsbot.db", ""},
		{":memory:", ""},
		{"postgres://newsbot@db.internal/newsbot?sslmode=verify-full", ""},
		{"postgresql://newsbot@db.internal:5433/newsbot?search_path=newsbot&pool_max_conns=20", ""},
		{"postgres://newsbot:hunter2@db.internal:99999/newsbot", "storage.dsn: cannot parse the PostgreSQL DSN: invalid port"},
		{"postgres://newsbot:hun@ter2@db.internal:99999/newsbot", "storage.dsn: cannot parse the PostgreSQL DSN: invalid port"},
		{"postgres://db.internal/newsbot?sslmode=maybe", "sslmode is invalid"},
		{"mysql://db.internal/newsbot", "storage.dsn: mysql:// is not a database newsbot knows"},
	} {
		t.Run(tc.dsn, func(t *testing.T) {
			t.Parallel()
			err := CheckDSN(tc.dsn)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("CheckDSN(%q) = %v, want nil", tc.dsn, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("CheckDSN(%q) = %v, want %q", tc.dsn, err, tc.want)
			case err != nil && (strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "ter2")):
				t.Errorf("CheckDSN(%q) shows the password: %v", tc.dsn, err)
			}
		})
	}
}

package postgres

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseDSN(t *testing.T) {
	t.Parallel()
	cfg, err := ParseDSN("postgres://newsbot:secret@db.example:5433/news?sslmode=disable&search_path=nb&pool_max_conns=20&application_name=newsbot")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "db.example" || cfg.Port != 5433 || cfg.Database != "news" || cfg.User != "newsbot" || cfg.Password != "secret" {
		t.Errorf("parsed %s:%d/%s as %s", cfg.Host, cfg.Port, cfg.Database, cfg.User)
	}
	if cfg.RuntimeParams["search_path"] != "nb" || cfg.RuntimeParams["application_name"] != "newsbot" {
		t.Errorf("runtime params %v lost search_path or application_name", cfg.RuntimeParams)
	}
	if _, ok := cfg.RuntimeParams["pool_max_conns"]; ok {
		t.Errorf("pool_max_conns would be sent to the server: %v", cfg.RuntimeParams)
	}
	for _, tc := range []struct{ dsn, want string }{
		{"", "empty dsn"},
		{"postgres://newsbot:hunter2@db:99999/news", "invalid port"},
		{"postgres://newsbot:hunter2@db/news?sslmode=sometimes", "sslmode is invalid"},
	} {
		_, err := ParseDSN(tc.dsn)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseDSN(%q) = %v, want %q", tc.dsn, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseDSN(%q) shows the password: %v", tc.dsn, err)
		}
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	s, err := Open(context.Background(), testSchemaDSN(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Errorf("Ping on an open store: %v", err)
	}
	s.Close()
	if err := s.Ping(context.Background()); err == nil {
		t.Error("Ping on a closed store succeeded")
	}
}

// Replicas starting together open one fresh schema at once: the
// migrations run once, under their lock.
func TestOpenConcurrently(t *testing.T) {
	t.Parallel()
	dsn := testSchemaDSN(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := Open(context.Background(), dsn, Options{MaxConns: 2})
			if err == nil {
				err = s.Ping(context.Background())
				s.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestLockIsExclusive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testSchemaDSN(t)
	open := func() *Store {
		s, err := Open(ctx, dsn, Options{MaxConns: 2, LockCheck: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	la, err := a.TryLock(ctx, "ingest")
	if err != nil || la == nil {
		t.Fatalf("first TryLock = %v, %v; want the lock", la, err)
	}
	if lb, err := b.TryLock(ctx, "ingest"); err != nil || lb != nil {
		t.Fatalf("second TryLock while held = %v, %v; want nil, nil", lb, err)
	}
	// Another name, or the same name in another schema, is another lock.
	other, err := b.TryLock(ctx, "prune")
	if err != nil || other == nil {
		t.Fatalf("TryLock of another name = %v, %v", other, err)
	}
	other.Release(ctx)
	c, err := Open(ctx, testSchemaDSN(t), Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	lc, err := c.TryLock(ctx, "ingest")
	if err != nil || lc == nil {
		t.Fatalf("TryLock in another schema = %v, %v; want the lock", lc, err)
	}
	lc.Release(ctx)

	if err := la.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := la.Release(ctx); err != nil {
		t.Errorf("second Release: %v", err)
	}
	lb, err := b.TryLock(ctx, "ingest")
	if err != nil || lb == nil {
		t.Fatalf("TryLock after Release = %v, %v; want the lock", lb, err)
	}
	defer lb.Release(ctx)
	select {
	case <-lb.Lost():
		t.Fatal("a healthy lock reported lost")
	case <-time.After(200 * time.Millisecond):
	}
}

// A lock whose session dies (here: terminated by an administrator, as a
// server restart or a broken network would) is reported lost, and another
// process can take it.
func TestLockLost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testSchemaDSN(t)
	s, err := Open(ctx, dsn, Options{MaxConns: 2, LockCheck: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, err := s.TryLock(ctx, "ingest")
	if err != nil || l == nil {
		t.Fatalf("TryLock = %v, %v", l, err)
	}
	pid := l.conn.PgConn().PID()
	if _, err := s.db.ExecContext(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
		t.Fatal(err)
	}
	select {
	case <-l.Lost():
	case <-time.After(10 * time.Second):
		t.Fatal("the lock was not reported lost")
	}
	if err := l.Release(ctx); err != nil && !errors.Is(err, context.Canceled) {
		t.Logf("Release of a lost lock: %v", err)
	}
	again, err := s.TryLock(ctx, "ingest")
	if err != nil || again == nil {
		t.Fatalf("TryLock after the holder died = %v, %v", again, err)
	}
	again.Release(ctx)
}

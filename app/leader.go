package app

import (
	"context"
	"log/slog"
	"time"
)

// heldLock is a lock held by this process (a *postgres.Lock).
type heldLock interface {
	// Lost is closed when the lock may have passed to another process.
	Lost() <-chan struct{}
	Release(ctx context.Context) error
}

// tryLockFunc tries once to take the lock; it returns nil, nil if another
// process holds it.
type tryLockFunc func(ctx context.Context) (heldLock, error)

// runExclusive runs fn whenever this process holds the lock, until ctx is
// done: it tries to take the lock every retry, runs fn with a context that
// is cancelled if the lock is lost, and releases the lock when fn returns.
// setLeader reports each change of hands. fn must return once its context
// is done. runExclusive returns nil when ctx is done, or fn's error if fn
// fails while holding the lock.
func runExclusive(ctx context.Context, try tryLockFunc, retry time.Duration, log *slog.Logger, setLeader func(bool), fn func(context.Context) error) error {
	standby := false // "standing by" was logged
	for {
		l, err := try(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.WarnContext(ctx, "cannot take the ingestion lock; retrying", slog.Any("error", err), slog.Duration("retry", retry))
		case l != nil:
			standby = false
			if err := holding(ctx, l, log, setLeader, fn); err != nil {
				return err
			}
		case l == nil && err == nil && !standby:
			standby = true
			log.InfoContext(ctx, "another replica polls the feeds; this one stands by", slog.Duration("retry", retry))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(retry):
		}
	}
}

// holding runs fn under l, then releases l.
func holding(ctx context.Context, l heldLock, log *slog.Logger, setLeader func(bool), fn func(context.Context) error) error {
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-l.Lost():
			cancel()
		case <-lctx.Done():
		}
	}()
	setLeader(true)
	log.InfoContext(ctx, "this replica polls the feeds and prunes old articles")
	err := fn(lctx)
	setLeader(false)
	lost := false
	select {
	case <-l.Lost():
		lost = true
	default:
	}
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer rcancel()
	if rerr := l.Release(rctx); rerr != nil && !lost {
		log.Warn("releasing the ingestion lock failed (the server drops it with the session)", slog.Any("error", rerr))
	}
	switch {
	case ctx.Err() != nil:
		return nil
	case lost:
		log.WarnContext(ctx, "lost the ingestion lock (connection to the database failed); another replica may take over")
		return nil
	}
	return err
}

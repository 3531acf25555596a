package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Lock is a session-level advisory lock held on a connection of its own,
// so that exactly one of the processes sharing a database does a job (feed
// polling, pruning) at a time. The server releases it when the session
// ends, also when its process dies. Get one with [Store.TryLock].
type Lock struct {
	conn    *pgx.Conn
	lost    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	release sync.Once
	err     error
}

// lockKey names the lock in the two-int advisory key space (storage's
// own locks use single bigint keys, a separate space): newsbot's, by name
// and schema, so that deployments in different schemas of one database do
// not exclude each other.
const lockKey = `hashtext('newsbot'), hashtext($1 || ':' || coalesce(current_schema(), ''))`

// TryLock tries once to take the advisory lock called name. It returns
// (nil, nil) if another session holds it. While the lock is held, its
// connection is checked every Options.LockCheck; when a check fails (the
// server restarted, the network broke), the lock counts as lost: Lost is
// closed and the caller must stop the job. The session's TCP keep-alives
// are shortened so that the server, too, drops a vanished holder within a
// minute or so and another process can take over.
func (s *Store) TryLock(ctx context.Context, name string) (*Lock, error) {
	conn, err := pgx.ConnectConfig(ctx, s.cfg.Copy())
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	// Ignored on Unix sockets; on TCP they bound how long a dead client
	// keeps the lock.
	if _, err := conn.Exec(ctx, `SELECT set_config('tcp_keepalives_idle', '20', false),
		set_config('tcp_keepalives_interval', '5', false), set_config('tcp_keepalives_count', '4', false)`); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock("+lockKey+")", name).Scan(&got); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	if !got {
		return nil, conn.Close(ctx)
	}
	l := &Lock{conn: conn, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	go l.watch(s.lockCheck)
	return l, nil
}

// watch pings the connection until Release, closing lost on a failure.
func (l *Lock) watch(every time.Duration) {
	defer close(l.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), max(every, time.Second))
		err := l.conn.Ping(ctx)
		cancel()
		if err != nil {
			close(l.lost)
			return
		}
	}
}

// Lost is closed when the lock's connection failed: the lock may be held
// by another process by now.
func (l *Lock) Lost() <-chan struct{} { return l.lost }

// Release gives the lock up by ending its session. It is safe to call
// more than once.
func (l *Lock) Release(ctx context.Context) error {
	l.release.Do(func() {
		close(l.stop)
		<-l.done
		l.err = l.conn.Close(ctx)
		if errors.Is(l.err, context.Canceled) {
			l.err = nil
		}
	})
	return l.err
}

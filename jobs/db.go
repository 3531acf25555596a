package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/storage/postgres"
	"github.com/newsbot/newsbot/storage/sqlite"
)

// DefaultPostgresConns is the size of River's pgx pool when the DSN does
// not set pool_max_conns: River holds one connection for LISTEN, and its
// producers, completer, elector and maintenance services share the rest.
const DefaultPostgresConns = 10

// DB is the queue's own connection pool on newsbot's database. Open it
// with [Open], migrate it with [DB.Migrate], and close it after the queue
// has stopped.
type DB struct {
	// sql runs the queue's own queries (Depth); on SQLite it is also
	// River's pool (one connection).
	sql *sql.DB
	// pool is River's pgx pool on PostgreSQL; nil on SQLite.
	pool *pgxpool.Pool
}

// Open opens River's pool on the database named by dsn (storage.dsn):
//   - a postgres:// or postgresql:// URL: a pgx pool (River's riverpgxv5
//     driver). Parameters such as search_path and sslmode are honoured;
//     River's tables go where the store's do.
//   - a SQLite file path or "file:" URI: one connection to that file,
//     with the store's pragmas (see sqlite.QueueDSN), as River on SQLite
//     needs.
//   - ":memory:": a private in-memory database, since a second pool cannot
//     reach the store's.
//
// Open does not create River's tables; [DB.Migrate] does.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if storage.IsPostgres(dsn) {
		return openPostgres(ctx, dsn)
	}
	var full string
	if dsn == ":memory:" {
		full = "file::memory:?_pragma=busy_timeout(5000)"
	} else {
		var err error
		if full, err = sqlite.QueueDSN(dsn); err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
	}
	db, err := sql.Open("sqlite", full)
	if err != nil {
		return nil, fmt.Errorf("jobs: open %s: %w", dsn, err)
	}
	db.SetMaxOpenConns(1)
	return &DB{sql: db}, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	// postgres.ParseDSN's errors leave the DSN (and its password) out,
	// and it refuses a pool too small for River.
	if _, err := postgres.ParseDSN(dsn); err != nil {
		return nil, fmt.Errorf("jobs: storage.dsn: %w", err)
	}
	cfg, err := pgxpool.ParseConfig(strings.TrimSpace(dsn))
	if err != nil {
		return nil, fmt.Errorf("jobs: storage.dsn: pool settings: %w", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = DefaultPostgresConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: open postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("jobs: open postgres: %w", err)
	}
	return &DB{sql: stdlib.OpenDBFromPool(pool), pool: pool}, nil
}

// Postgres reports whether the queue runs on PostgreSQL.
func (d *DB) Postgres() bool { return d.pool != nil }

// Close closes the pool.
func (d *DB) Close() error {
	err := d.sql.Close()
	if d.pool != nil {
		d.pool.Close()
	}
	return err
}

// migrateLockKey names the advisory lock that serializes River's
// migrations on PostgreSQL, per schema, so that replicas starting together
// do not race to create the same tables.
const migrateLockKey = `hashtext('newsbot'), hashtext('river-migrate:' || coalesce(current_schema(), ''))`

// Migrate creates or upgrades River's tables. On PostgreSQL it holds an
// advisory lock meanwhile, so several processes may call it at once.
func (d *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	mcfg := &rivermigrate.Config{Logger: slog.New(minLevel{h: log.Handler(), min: slog.LevelWarn})}
	if d.pool == nil {
		m, err := rivermigrate.New(riversqlite.New(d.sql), mcfg)
		if err != nil {
			return fmt.Errorf("jobs: migrator: %w", err)
		}
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("jobs: migrate: %w", err)
		}
		return nil
	}
	m, err := rivermigrate.New(riverpgxv5.New(d.pool), mcfg)
	if err != nil {
		return fmt.Errorf("jobs: migrator: %w", err)
	}
	// River's migrations need a transaction each (one adds an enum value
	// that a later statement uses), so the lock is a session lock, on a
	// connection of its own outside the pool (which may be small: the
	// migrator needs its connections). Closing it unlocks.
	conn, err := pgx.ConnectConfig(ctx, d.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("jobs: migrate: lock connection: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock("+migrateLockKey+")"); err != nil {
		return fmt.Errorf("jobs: migrate: lock: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}

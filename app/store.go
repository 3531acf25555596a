package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/newsbot/newsbot/feeds"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/storage/postgres"
	"github.com/newsbot/newsbot/storage/sqlite"
)

// Store is a store as serve and the CLI use it: a complete storage.Store,
// every source's state at once (newsbot sources list), and Ping (serve's
// /readyz). storage/sqlite and storage/postgres implement it.
type Store interface {
	storage.Store
	States(ctx context.Context) ([]feeds.State, error)
	Ping(ctx context.Context) error
}

// Interface checks.
var (
	_ Store = (*sqlite.Store)(nil)
	_ Store = (*postgres.Store)(nil)
)

// StoreOptions configures [OpenStore]. The zero StoreOptions is valid.
type StoreOptions struct {
	// Logger receives the store's migration and maintenance logs.
	Logger *slog.Logger
	// Conns bounds the store's connections: SQLite's read pool,
	// PostgreSQL's pool (0: the store's default). One-shot commands use
	// a few.
	Conns int
}

// OpenStore opens (and migrates) the store that storage.dsn names: a
// postgres:// or postgresql:// URL opens storage/postgres, anything else
// is a SQLite file for storage/sqlite.
func OpenStore(ctx context.Context, dsn string, opts StoreOptions) (Store, error) {
	if err := CheckDSN(dsn); err != nil {
		return nil, err
	}
	if storage.IsPostgres(dsn) {
		s, err := postgres.Open(ctx, dsn, postgres.Options{Logger: opts.Logger, MaxConns: opts.Conns})
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	s, err := sqlite.Open(ctx, dsn, sqlite.Options{Logger: opts.Logger, ReadConns: opts.Conns})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// CheckDSN returns what is wrong with storage.dsn without opening
// anything: a PostgreSQL URL pgx cannot parse, or a URL of another
// database. `newsbot config check` and [OpenStore] use it, so that check
// refuses what serve would.
func CheckDSN(dsn string) error {
	if storage.IsPostgres(dsn) {
		if _, err := postgres.ParseDSN(dsn); err != nil {
			return fmt.Errorf("storage.dsn: %w", err)
		}
		return nil
	}
	if scheme, _, ok := strings.Cut(dsn, "://"); ok && scheme != "file" && !strings.ContainsAny(scheme, `/\`) {
		return fmt.Errorf("storage.dsn: %s:// is not a database newsbot knows; use a SQLite file path (newsbot.db) or a postgres:// URL", scheme)
	}
	return nil
}

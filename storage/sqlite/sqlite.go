// Package sqlite is newsbot's embedded store: one SQLite file, through the
// pure-Go driver modernc.org/sqlite (no cgo). It implements [bot.Store],
// [feeds.Store] and [storage.Store], and passes storage/storetest.
//
// The database runs in WAL mode with a busy timeout, synchronous=NORMAL and
// foreign keys on. Its schema is migrated on [Open] by goose from embedded
// SQL files. Writes go through a pool of one connection (SQLite allows one
// writer at a time); reads use a separate pool and never wait for writes.
//
// Articles are indexed with FTS5. The index holds the engine's own stems
// (see fts.go), so SearchArticles returns exactly the articles
// briefing.Query.Match accepts, newest first, without ranking: the engine
// ranks. Candidate retrieval walks the index newest first and stops at the
// limit, so a word found in nearly every article costs no more than a rare
// one (see docs/performance.md).
//
// # Sharing the file with River
//
// The job queue (River with riverdriver/riversqlite) can keep its tables in
// the same file. Give River its own *sql.DB opened with [QueueDSN], and
// call SetMaxOpenConns(1) on it: SQLite has one writer, and River's
// producer and completer otherwise contend for it. [OpenQueueDB] does both.
// A ":memory:" database cannot be shared; use a file (t.TempDir in tests).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/feeds"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/storage/internal/sqlstore"
	"github.com/newsbot/newsbot/storage/internal/stems"
)

// Compile-time checks that Store satisfies every interface it is used as.
var (
	_ bot.Store     = (*Store)(nil)
	_ feeds.Store   = (*Store)(nil)
	_ storage.Store = (*Store)(nil)
)

//go:embed migrations/*.sql
var migrations embed.FS

// DefaultBusyTimeout is how long a connection waits for a lock held by
// another connection (River's, or a second process) before failing.
const DefaultBusyTimeout = 5 * time.Second

// DefaultLimit is how many articles SearchArticles returns when
// [bot.SearchOptions.Limit] is zero.
const DefaultLimit = 200

// Options configures [Open]. The zero Options is valid.
type Options struct {
	// Logger receives migration and maintenance logs (default: discarded).
	Logger *slog.Logger
	// ReadConns is the size of the read pool (default 4). It is ignored for
	// ":memory:", which has one connection.
	ReadConns int
	// BusyTimeout is how long to wait for a lock (default
	// [DefaultBusyTimeout]).
	BusyTimeout time.Duration
	// CacheKiB is the page cache of each read connection in KiB (default
	// 8192, 8 MiB), and WriteCacheKiB that of the one write connection
	// (default 32768: ingestion inserts keys at random places in large
	// indexes). Memory use is at most WriteCacheKiB + ReadConns*CacheKiB.
	CacheKiB      int
	WriteCacheKiB int
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.ReadConns <= 0 {
		o.ReadConns = 4
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = DefaultBusyTimeout
	}
	if o.CacheKiB <= 0 {
		o.CacheKiB = 8192
	}
	if o.WriteCacheKiB <= 0 {
		o.WriteCacheKiB = 32768
	}
	return o
}

// Store is a SQLite store. It is safe for concurrent use. Close it when
// done.
type Store struct {
	settings // sources, topics, subscriptions, deliveries, channel health

	write *sql.DB // one connection: the single writer
	read  *sql.DB // readers; the same pool as write for ":memory:"
	log   *slog.Logger
	stems *stems.Cache

	// mergeKeys is when seen_recent moves into seen (seenMergeKeys; tests
	// lower it). recent estimates seen_recent's size, under recentMu.
	mergeKeys int
	recentMu  sync.Mutex
	recent    recentKeys
}

// Open opens (creating it if needed) the database at dsn and migrates it
// to the current schema. dsn is a file path ("newsbot.db"), a "file:" URI
// (its query parameters are kept; ours are added) or ":memory:" (a private
// database that lives as long as the Store).
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	if strings.TrimSpace(dsn) == "" {
		return nil, errors.New("open sqlite: empty dsn")
	}
	s := &Store{log: opts.Logger.With("component", "storage"), stems: stems.NewCache(1 << 16), mergeKeys: seenMergeKeys}
	writeDSN, err := buildDSN(dsn, opts, false)
	if err != nil {
		return nil, err
	}
	s.write, err = sql.Open("sqlite", writeDSN)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
	}
	s.write.SetMaxOpenConns(1)
	s.write.SetMaxIdleConns(1)
	s.write.SetConnMaxLifetime(0)
	s.write.SetConnMaxIdleTime(0) // a :memory: database dies with its connection
	if isMemory(dsn) {
		s.read = s.write
	} else {
		readDSN, err := buildDSN(dsn, opts, true)
		if err != nil {
			s.write.Close()
			return nil, err
		}
		s.read, err = sql.Open("sqlite", readDSN)
		if err != nil {
			s.write.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
		}
		s.read.SetMaxOpenConns(opts.ReadConns)
		s.read.SetMaxIdleConns(opts.ReadConns)
	}
	s.settings = sqlstore.New(s.read, s.write, "")
	if err := s.write.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
	}
	return s, nil
}

func (s *Store) migrate(ctx context.Context) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, s.write, migrationsFS(),
		goose.WithSlog(s.log), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if err := storage.CheckSchema(ctx, p); err != nil {
		return err
	}
	res, err := p.Up(ctx)
	// goose takes no lock on SQLite: when two processes open an old file
	// at once (serve restarting while a newsbot ingest starts), the second
	// runs a migration the first has just applied, and fails. Its
	// transaction rolled back; look again, and finish what is left.
	for attempt := 0; err != nil && attempt < 3; attempt++ {
		if pending, perr := p.HasPending(ctx); perr == nil && !pending {
			err = nil
			break
		}
		res, err = p.Up(ctx)
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if len(res) > 0 {
		v, _ := p.GetDBVersion(ctx)
		s.log.InfoContext(ctx, "database migrated", slog.Int("applied", len(res)), slog.Int64("version", v))
	}
	return nil
}

// Close closes both pools.
func (s *Store) Close() error {
	var errs []error
	if s.read != nil && s.read != s.write {
		errs = append(errs, s.read.Close())
	}
	if s.write != nil {
		errs = append(errs, s.write.Close())
	}
	return errors.Join(errs...)
}

func isMemory(dsn string) bool {
	return dsn == ":memory:" || strings.HasPrefix(dsn, ":memory:?") ||
		strings.HasPrefix(dsn, "file::memory:") || strings.Contains(dsn, "mode=memory")
}

// pageSize is the page size of a new database. Larger pages than SQLite's
// 4 KiB default mean fewer writes per ingested batch and fewer reads per
// full-text lookup; it cannot change once the database exists.
const pageSize = 8192

// walCheckpointPages is how large the WAL may grow before a commit copies
// it back into the database (SQLite's wal_autocheckpoint; its default is
// 1,000 pages). A checkpoint copies each page once however often it was
// written since the last one, and ingestion rewrites the same pages often
// (full-text segments, index leaves and interior pages): at a million
// articles, 16,384 pages (128 MiB) cut the bytes read by 25% and written
// by 18% against the default (docs/performance.md). The WAL file keeps
// its largest size on disk until the last connection closes.
const walCheckpointPages = 16384

// buildDSN turns a path, file: URI or :memory: into a modernc DSN with our
// pragmas. Readers get query_only so that a bug cannot write through them.
func buildDSN(dsn string, opts Options, readOnly bool) (string, error) {
	var base, query string
	switch {
	case strings.HasPrefix(dsn, "file:"):
		base, query, _ = strings.Cut(dsn, "?")
		if _, err := url.ParseQuery(query); err != nil {
			return "", fmt.Errorf("sqlite dsn %q: bad query: %w", dsn, err)
		}
	case strings.HasPrefix(dsn, ":memory:"):
		base, query, _ = strings.Cut(dsn, "?")
	default:
		base = "file:" + (&url.URL{Path: dsn}).EscapedPath()
	}
	cache := opts.WriteCacheKiB
	if readOnly {
		cache = opts.CacheKiB
	}
	// modernc applies the _pragma list before the shorthand keys
	// (_journal_mode, ...), so page_size takes effect on a new file before
	// WAL mode fixes it.
	q := []string{
		fmt.Sprintf("_busy_timeout=%d", opts.BusyTimeout.Milliseconds()),
		fmt.Sprintf("_pragma=page_size(%d)", pageSize),
		fmt.Sprintf("_pragma=cache_size(-%d)", cache),
		"_pragma=temp_store(MEMORY)",
		"_foreign_keys=1",
		"_synchronous=NORMAL",
	}
	if !isMemory(dsn) {
		q = append(q, "_journal_mode=WAL")
		if !readOnly {
			q = append(q, fmt.Sprintf("_pragma=wal_autocheckpoint(%d)", walCheckpointPages))
		}
	}
	if readOnly {
		q = append(q, "_query_only=1")
	} else {
		// Take the write lock at BEGIN: a deferred transaction that reads
		// first and then writes can fail with SQLITE_BUSY without waiting.
		q = append(q, "_txlock=immediate")
	}
	if query != "" {
		q = append([]string{query}, q...)
	}
	return base + "?" + strings.Join(q, "&"), nil
}

// QueueDSN returns the DSN for a second *sql.DB on the same database file,
// for the job queue (River with riversqlite and modernc.org/sqlite): the
// same WAL, busy_timeout, synchronous and foreign_keys pragmas as the
// store's own pools. path is a file path or "file:" URI as for [Open];
// ":memory:" is refused, as a second pool cannot reach it. Call
// SetMaxOpenConns(1) on the pool, or use [OpenQueueDB].
func QueueDSN(path string) (string, error) {
	if isMemory(path) {
		return "", errors.New("queue dsn: a :memory: database cannot be shared with a second pool; use a file")
	}
	if strings.TrimSpace(path) == "" {
		return "", errors.New("queue dsn: empty path")
	}
	// River's connection needs no big page cache.
	return buildDSN(path, Options{WriteCacheKiB: 8192}.withDefaults(), false)
}

// OpenQueueDB opens a *sql.DB on the database at path for the job queue,
// limited to one connection as River on SQLite requires. The caller closes
// it. Open the Store first so that the file and its WAL mode exist.
func OpenQueueDB(path string) (*sql.DB, error) {
	dsn, err := QueueDSN(path)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open queue db: %w", err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

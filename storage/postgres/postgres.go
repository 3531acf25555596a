// Package postgres is newsbot's PostgreSQL store, for teams that run
// several replicas against one database. It implements [bot.Store],
// [feeds.Store] and [storage.Store] with the same behaviour as
// storage/sqlite, and passes storage/storetest.
//
// It talks to the server through pgx (database/sql via pgx/v5/stdlib) and
// migrates its schema on [Open] with goose from embedded SQL files. Search
// uses a GIN-indexed tsvector that holds the engine's own stems with
// positions (built in Go, never by a text search configuration), so, as
// with SQLite, results are exactly what briefing.Query.Match accepts.
// Only the first [MaxIndexedTokens] tokens of an article are indexed
// (tsvector positions stop at 16,383).
//
// Tests run against the server named by $NEWSBOT_TEST_POSTGRES and skip
// when it is unset; see postgres_test.go.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
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

// DefaultLimit is how many articles SearchArticles returns when
// [bot.SearchOptions.Limit] is zero.
const DefaultLimit = 200

// MaxIndexedTokens is how many tokens of an article (title first) the
// search index holds; the rest of a very long article is stored but not
// searchable.
const MaxIndexedTokens = 16000

// Options configures [Open]. The zero Options is valid.
type Options struct {
	// Logger receives migration and maintenance logs (default: discarded).
	Logger *slog.Logger
	// MaxConns bounds the connection pool (default 8).
	MaxConns int
	// LockCheck is how often a held [Lock] checks its connection
	// (default 5s).
	LockCheck time.Duration
}

// Store is a PostgreSQL store. It is safe for concurrent use, also from
// several processes sharing one database. Close it when done.
type Store struct {
	settings // sources, topics, subscriptions, deliveries, channel health

	db        *sql.DB
	cfg       *pgx.ConnConfig // for the connections of locks
	log       *slog.Logger
	stems     *stems.Cache
	lockCheck time.Duration
	// walkRows overrides how many articles search checks one by one
	// before it turns to the indexes (tests set it small).
	walkRows int
}

// migrateLockID is the advisory lock that serializes migrations, so that
// replicas starting together migrate once.
const migrateLockID = 0x6e657773626f7432 // "newsbot2"

// MinPoolConns is the smallest pool_max_conns a DSN may set: River keeps
// one connection listening for new jobs, and fetching, completing and
// working jobs need more.
const MinPoolConns = 4

// ParseDSN checks that dsn is a PostgreSQL URL (or keyword/value string)
// that pgx accepts, without connecting. Its errors show the DSN with the
// password masked.
func ParseDSN(dsn string) (*pgx.ConnConfig, error) {
	if strings.TrimSpace(dsn) == "" {
		return nil, errors.New("empty dsn")
	}
	cfg, err := pgx.ParseConfig(strings.TrimSpace(dsn))
	if err != nil {
		return nil, parseError(err)
	}
	// Settings of River's pgx pool (pool_max_conns and the like) may
	// share the DSN; they are no server parameters.
	if v, ok := cfg.RuntimeParams["pool_max_conns"]; ok {
		if n, err := strconv.Atoi(v); err != nil || n < MinPoolConns {
			return nil, fmt.Errorf("pool_max_conns=%s: the job queue needs at least %d connections (one stays on LISTEN for new jobs)", v, MinPoolConns)
		}
	}
	for k := range cfg.RuntimeParams {
		if strings.HasPrefix(k, "pool_") {
			delete(cfg.RuntimeParams, k)
		}
	}
	return cfg, nil
}

// parseError rewrites pgx's error for a DSN it cannot parse without the
// DSN: pgx masks the password only as far as it can tell where the
// password ends, and a raw @ in it fools that. What remains is pgx's
// reason ("invalid port", "failed to parse as URL" with a hint).
func parseError(err error) error {
	var pe *pgconn.ParseConfigError
	if !errors.As(err, &pe) {
		return err
	}
	reason := "it is not a postgres:// URL or key=value string pgx accepts"
	if msg := pe.Error(); strings.HasPrefix(msg, "cannot parse `") {
		if i := strings.LastIndex(msg, "`: "); i >= 0 {
			reason = msg[i+3:]
			if inner := pe.Unwrap(); inner != nil {
				reason = strings.TrimSuffix(reason, " ("+inner.Error()+")")
				// The cause helps ("sslmode is invalid") unless it may
				// quote the DSN: net/url's errors do.
				var ue *url.Error
				if msg := inner.Error(); !errors.As(inner, &ue) && !strings.Contains(msg, "://") &&
					!strings.Contains(strings.ToLower(msg), "password") {
					reason += ": " + msg
				}
			}
		}
	}
	if strings.Contains(reason, "URL") {
		reason += " (a password with @, :, / or ? must be percent-encoded)"
	}
	return fmt.Errorf("cannot parse the PostgreSQL DSN: %s", reason)
}

// Open connects to the database at dsn (a postgres:// URL or a pgx
// keyword/value string) and migrates it to the current schema (several
// processes may open one database at once: migrations take an advisory
// lock). Parameters such as search_path and sslmode are honoured.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 8
	}
	if opts.LockCheck <= 0 {
		opts.LockCheck = 5 * time.Second
	}
	cfg, err := ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db := stdlib.OpenDB(*cfg.Copy())
	db.SetMaxOpenConns(opts.MaxConns)
	db.SetMaxIdleConns(opts.MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, cfg: cfg, log: opts.Logger.With("component", "storage"), stems: stems.NewCache(1 << 16), lockCheck: opts.LockCheck,
		settings: sqlstore.New(db, db, ` COLLATE "C"`)}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrateLockID), lock.WithLockTimeout(1, 600))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithSlog(s.log), goose.WithDisableGlobalRegistry(true),
		goose.WithSessionLocker(locker))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: migrations: %w", err)
	}
	if err := storage.CheckSchema(ctx, p); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: migrate: %w", err)
	}
	return s, nil
}

// Ping checks that the database answers and its schema is migrated: it
// reads a table the migrations create. serve's /readyz uses it.
func (s *Store) Ping(ctx context.Context) error {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM sources LIMIT 1) s`).Scan(&n); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Close closes the connection pool.
func (s *Store) Close() error { return s.db.Close() }

// lexeme quotes a stem for a tsvector or tsquery literal: inside single
// quotes, with quotes doubled and backslashes escaped. User text reaches
// PostgreSQL's text search only this way, as a bound parameter.
func lexeme(stem string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(stem, `\`, `\\`), "'", "''") + "'"
}

// maxLexeme is PostgreSQL's limit on a lexeme's length in bytes; longer
// tokens (never real words) are left out of the index.
const maxLexeme = 2046

// maxVectorBytes bounds the distinct lexemes of one article's tsvector.
const maxVectorBytes = 512 << 10

// tsvectorText returns the tsvector literal for an article: the stems of
// the title at positions 1.., then those of the body after a gap, so that
// no phrase spans the two.
func (s *Store) tsvectorText(title, body string) string {
	pos := map[string][]int{}
	var order []string
	n, size := 0, 0
	add := func(text string) {
		toks := stems.Tokens(text)
		s.stems.StemAll(toks)
		for _, t := range toks {
			n++
			if n > MaxIndexedTokens {
				return
			}
			if len(t) > maxLexeme {
				continue
			}
			if _, ok := pos[t]; !ok {
				// A tsvector must stay under 1 MB; only junk gets here.
				if size += len(t) + 8; size > maxVectorBytes {
					continue
				}
				order = append(order, t)
			}
			pos[t] = append(pos[t], n)
		}
	}
	add(title)
	n++ // the gap
	add(body)
	var b strings.Builder
	for i, t := range order {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(lexeme(t))
		b.WriteByte(':')
		for j, p := range pos[t] {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprint(&b, p)
		}
	}
	return b.String()
}

// tsquery translates q into a tsquery literal over the stems: each term
// is a phrase (<->) of its stems, each group an OR, the groups an AND, and
// the exclusions a negated OR. ok is false when q can match nothing.
func tsquery(q briefing.Query) (string, bool) {
	if q.IsZero() {
		return "", false
	}
	term := func(t briefing.Term) (string, bool) {
		var parts []string
		for _, st := range t.Stems() {
			if len(st) > maxLexeme {
				return "", false
			}
			parts = append(parts, lexeme(st))
		}
		if len(parts) == 0 {
			return "", false
		}
		return "(" + strings.Join(parts, " <-> ") + ")", true
	}
	var groups []string
	for _, g := range q.All {
		var alts []string
		for _, t := range g {
			if p, ok := term(t); ok {
				alts = append(alts, p)
			}
		}
		if len(alts) == 0 {
			return "", false
		}
		groups = append(groups, "("+strings.Join(alts, " | ")+")")
	}
	expr := strings.Join(groups, " & ")
	var nots []string
	for _, t := range q.None {
		if p, ok := term(t); ok {
			nots = append(nots, p)
		}
	}
	if len(nots) > 0 {
		expr += " & !(" + strings.Join(nots, " | ") + ")"
	}
	return expr, true
}

package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/storage/internal/sqlstore"
)

// addLock is the advisory lock that serializes AddArticles across
// connections and processes: article ids are chosen by looking for a free
// one, which two concurrent writers could both pick.
const addLock = 0x6e657773626f7431 // "newsbot1"

// AddArticles implements [feeds.Store]. Known keys are not stored again but
// have their last-seen time refreshed (at most once per
// [storage.RefreshAfter]). It returns an error, storing nothing, if an
// article has no Fetched time and fetched is zero.
func (s *Store) AddArticles(ctx context.Context, arts []briefing.Article, fetched time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if len(arts) == 0 {
		return 0, nil
	}
	for i, a := range arts {
		if a.Fetched.IsZero() && fetched.IsZero() {
			return 0, fmt.Errorf("add articles: article %d (%q) has no fetched time", i, a.Title)
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("add articles: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(addLock)); err != nil {
		return 0, fmt.Errorf("add articles: lock: %w", err)
	}
	added := 0
	after := map[int64]int64{} // base id -> next id to try, within this batch
	for _, a := range arts {
		if a.Fetched.IsZero() {
			a.Fetched = fetched
		}
		last := a.Fetched
		if fetched.After(last) {
			last = fetched
		}
		key := a.Key()
		res, err := tx.ExecContext(ctx, "INSERT INTO seen (key, last_seen) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", key, sqlstore.Nanos(last))
		if err != nil {
			return 0, fmt.Errorf("add articles: seen: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			// Known: refresh its last-seen time, at most once a day.
			if _, err := tx.ExecContext(ctx, "UPDATE seen SET last_seen = $1 WHERE key = $2 AND last_seen <= $3",
				sqlstore.Nanos(last), key, sqlstore.Nanos(last.Add(-storage.RefreshAfter))); err != nil {
				return 0, fmt.Errorf("add articles: refresh seen: %w", err)
			}
			continue
		}
		base := sqlstore.IDBase(a.Fetched)
		id, err := freeID(ctx, tx, max(base, after[base]))
		if err != nil {
			return 0, fmt.Errorf("add articles: %w", err)
		}
		after[base] = id + 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO articles
			(id, key, guid, url, canonical_url, title, body, source, published, fetched, tsv)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::tsvector)`,
			id, key, a.GUID, a.URL, briefing.CanonicalURL(a.URL), a.Title, a.Text, a.Source,
			sqlstore.Nanos(a.Published), sqlstore.Nanos(a.Fetched), s.tsvectorText(a.Title, a.Text)); err != nil {
			return 0, fmt.Errorf("add articles: insert: %w", err)
		}
		added++
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("add articles: commit: %w", err)
	}
	return added, nil
}

// freeID returns the smallest unused article id at or above base.
func freeID(ctx context.Context, tx *sql.Tx, base int64) (int64, error) {
	for {
		rows, err := tx.QueryContext(ctx, "SELECT id FROM articles WHERE id >= $1 ORDER BY id LIMIT 64", base)
		if err != nil {
			return 0, fmt.Errorf("article id: %w", err)
		}
		n, found := 0, false
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return 0, fmt.Errorf("article id: %w", err)
			}
			n++
			if id > base {
				found = true
				break
			}
			base = id + 1
		}
		if err := rows.Close(); err != nil {
			return 0, fmt.Errorf("article id: %w", err)
		}
		if found || n < 64 {
			return base, nil
		}
	}
}

const articleColumns = "id, guid, url, title, body, source, published, fetched"

// SearchArticles implements [bot.Store]: the articles that match q, newest
// first, exactly those briefing.Query.Match accepts (for articles of at
// most [MaxIndexedTokens] tokens).
//
// Like storage/sqlite, it reads newest first and stops at the limit. A GIN
// index cannot list matches newest first, so it goes by id ranges (see
// docs/performance.md):
//  1. the window's newest articles (twice the limit, at least 500) are
//     checked one by one: a common word fills the limit here;
//  2. then older ranges, newest first, each sized from the share of
//     matches seen so far to hold about 1.5x the missing matches. A range
//     where matches are dense is walked again; a sparse one is read
//     through the GIN index and the primary key together (a BitmapAnd),
//     so that only its matching rows are read. A range with no match seen
//     yet is everything left.
func (s *Store) SearchArticles(ctx context.Context, q briefing.Query, opts bot.SearchOptions) ([]briefing.Article, error) {
	tsq, ok := tsquery(q)
	if !ok {
		return nil, ctx.Err()
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	out, err := s.search(ctx, tsq, opts, limit)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.String(), err)
	}
	return out, nil
}

// Search tuning: step 1 checks walkFactor x limit articles, at least
// minWalk and at most maxWalk; a range whose expected share of matches is
// at least walkDensity is walked, a sparser one read through the indexes.
const (
	minWalk     = 500
	maxWalk     = 4000
	walkFactor  = 2
	walkDensity = 0.1
)

// searchTx is what search needs of a transaction.
type searchTx interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *Store) search(ctx context.Context, tsq string, opts bot.SearchOptions, limit int) ([]briefing.Article, error) {
	walk := s.walkRows
	if walk <= 0 {
		walk = min(max(minWalk, walkFactor*limit), maxWalk)
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	lo := int64(0) // the window's lowest id (ids are positive)
	if !opts.Since.IsZero() {
		lo = sqlstore.IDBase(opts.Since)
	}
	// The newest and oldest ids, the table's row count (as of its last
	// VACUUM or ANALYZE; -1 if never), and the id just below step 1's
	// articles (none if the window holds no more). The transaction plans
	// every later query for its own values: a cached generic plan cannot
	// tell a rare word from a common one, and was 5x slower from the
	// sixth search on a connection.
	var top, bottom, below sql.NullInt64
	var tableRows float64
	var mode string
	if err := tx.QueryRowContext(ctx, `SELECT set_config('plan_cache_mode', 'force_custom_plan', true),
		(SELECT max(id) FROM articles), (SELECT min(id) FROM articles),
		(SELECT reltuples FROM pg_class WHERE oid = 'articles'::regclass),
		(SELECT id FROM articles WHERE id >= $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`, lo, walk).Scan(&mode, &top, &bottom, &tableRows, &below); err != nil {
		return nil, err
	}
	if !top.Valid || top.Int64 < lo {
		return nil, nil // no article in the window
	}
	// Step 1.
	stepLo := lo
	if below.Valid {
		stepLo = below.Int64 + 1
	}
	out, err := s.searchRange(ctx, tx, tsq, opts, stepLo, top.Int64, limit)
	if err != nil || len(out) == limit || !below.Valid {
		return out, err
	}
	// Step 2. Rows per id unit (ids are fetch times): the table's average,
	// or step 1's if lower. Step 1's alone misleads: a feed's new items
	// share one fetch time, so the newest articles may span a few ids.
	rate := float64(walk) / float64(max(top.Int64-below.Int64, 1))
	if tableRows > 0 && top.Int64 > bottom.Int64 {
		rate = min(rate, tableRows/float64(top.Int64-bottom.Int64))
	}
	seen, found := float64(walk), len(out)
	hi, span := below.Int64, int64(0)
	indexOnly := false
	for len(out) < limit {
		need := limit - len(out)
		density := float64(found) / seen
		span = max(4*min(span, math.MaxInt64/8), 1)
		if found > 0 {
			rows := 1.5 * float64(need) / density
			span = max(span, int64(math.Min(rows/rate, math.MaxInt64/8)))
		} else {
			span = math.MaxInt64
		}
		rangeLo := lo
		if hi-lo >= span {
			rangeLo = hi - span + 1
		}
		// Without these settings the planner may walk a sparse range by
		// the primary key, reading every row's tsvector from TOAST:
		// that is what made rare words slow.
		if sparse := density < walkDensity; sparse != indexOnly {
			indexOnly = sparse
			v := "on"
			if sparse {
				v = "off"
			}
			if _, err := tx.ExecContext(ctx, `SELECT set_config('enable_indexscan', $1, true), set_config('enable_seqscan', $1, true)`, v); err != nil {
				return nil, err
			}
		}
		got, err := s.searchRange(ctx, tx, tsq, opts, rangeLo, hi, need)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
		if rangeLo == lo {
			break
		}
		seen += float64(hi-rangeLo+1) * rate
		found += len(got)
		hi = rangeLo - 1
	}
	return out, tx.Commit()
}

// searchRange returns up to limit articles with ids in [lo, hi] that match
// tsq and opts, newest first.
func (s *Store) searchRange(ctx context.Context, tx searchTx, tsq string, opts bot.SearchOptions, lo, hi int64, limit int) ([]briefing.Article, error) {
	var sb strings.Builder
	sb.WriteString("SELECT " + articleColumns + " FROM articles WHERE tsv @@ $1::tsquery AND id >= $2 AND id <= $3")
	args := []any{tsq, lo, hi}
	if !opts.Since.IsZero() {
		args = append(args, sqlstore.Nanos(opts.Since))
		fmt.Fprintf(&sb, " AND fetched > $%d", len(args))
	}
	if len(opts.Sources) > 0 {
		args = append(args, opts.Sources)
		fmt.Fprintf(&sb, " AND source = ANY($%d)", len(args))
	}
	args = append(args, limit)
	fmt.Fprintf(&sb, " ORDER BY id DESC LIMIT $%d", len(args))
	rows, err := tx.QueryContext(ctx, sb.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []briefing.Article
	for rows.Next() {
		a, err := sqlstore.ScanArticle(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ArticleByURL implements [bot.Store]: it returns the newest stored article
// whose canonical URL equals url's.
func (s *Store) ArticleByURL(ctx context.Context, url string) (briefing.Article, error) {
	canon := briefing.CanonicalURL(url)
	if canon == "" {
		if err := ctx.Err(); err != nil {
			return briefing.Article{}, err
		}
		return briefing.Article{}, fmt.Errorf("article %q: %w", url, bot.ErrNotFound)
	}
	a, err := sqlstore.ScanArticle(s.db.QueryRowContext(ctx,
		"SELECT "+articleColumns+" FROM articles WHERE canonical_url = $1 ORDER BY id DESC LIMIT 1", canon))
	if errors.Is(err, sql.ErrNoRows) {
		return briefing.Article{}, fmt.Errorf("article %q: %w", url, bot.ErrNotFound)
	}
	if err != nil {
		return briefing.Article{}, fmt.Errorf("article %q: %w", url, err)
	}
	return a, nil
}

// Seen implements [bot.Store].
func (s *Store) Seen(ctx context.Context, key string) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, "SELECT 1 FROM seen WHERE key = $1", key).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("seen %q: %w", key, err)
	}
	return true, nil
}

// pruneBatch is how many rows one prune statement deletes.
const pruneBatch = 1000

// Prune implements [storage.Store]. It deletes in batches, so it can run
// while the bot serves.
func (s *Store) Prune(ctx context.Context, now time.Time, maxAge time.Duration) (int, error) {
	if maxAge <= 0 {
		return 0, fmt.Errorf("prune: max age %s is not positive", maxAge)
	}
	cutoff := now.Add(-maxAge)
	idBound := sqlstore.IDBase(cutoff.Add(time.Second)) // ids grow with fetched; allow spill
	deleted := 0
	for {
		res, err := s.db.ExecContext(ctx, `DELETE FROM articles WHERE id IN
			(SELECT id FROM articles WHERE id < $1 AND fetched < $2 ORDER BY id LIMIT $3)`, idBound, sqlstore.Nanos(cutoff), pruneBatch)
		if err != nil {
			return deleted, fmt.Errorf("prune: %w", err)
		}
		n, _ := res.RowsAffected()
		deleted += int(n)
		if n < pruneBatch {
			break
		}
	}
	keyCutoff := sqlstore.Nanos(now.Add(-storage.SeenRetention(maxAge)))
	var keys int64
	for {
		res, err := s.db.ExecContext(ctx, `DELETE FROM seen WHERE key IN
			(SELECT key FROM seen WHERE last_seen < $1 ORDER BY last_seen LIMIT $2)`, keyCutoff, pruneBatch)
		if err != nil {
			return deleted, fmt.Errorf("prune seen keys: %w", err)
		}
		n, _ := res.RowsAffected()
		keys += n
		if n < pruneBatch {
			break
		}
	}
	if deleted > 0 || keys > 0 {
		s.log.InfoContext(ctx, "pruned", slog.Int("articles", deleted), slog.Int64("seen_keys", keys),
			slog.Time("cutoff", cutoff))
	}
	return deleted, nil
}

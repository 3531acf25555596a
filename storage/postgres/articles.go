package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/storage"
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
		res, err := tx.ExecContext(ctx, "INSERT INTO seen (key, last_seen) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", key, nanos(last))
		if err != nil {
			return 0, fmt.Errorf("add articles: seen: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			// Known: refresh its last-seen time, at most once a day.
			if _, err := tx.ExecContext(ctx, "UPDATE seen SET last_seen = $1 WHERE key = $2 AND last_seen <= $3",
				nanos(last), key, nanos(last.Add(-storage.RefreshAfter))); err != nil {
				return 0, fmt.Errorf("add articles: refresh seen: %w", err)
			}
			continue
		}
		base := idBase(a.Fetched)
		id, err := freeID(ctx, tx, max(base, after[base]))
		if err != nil {
			return 0, fmt.Errorf("add articles: %w", err)
		}
		after[base] = id + 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO articles
			(id, key, guid, url, canonical_url, title, body, source, published, fetched, tsv)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::tsvector)`,
			id, key, a.GUID, a.URL, briefing.CanonicalURL(a.URL), a.Title, a.Text, a.Source,
			nanos(a.Published), nanos(a.Fetched), s.tsvectorText(a.Title, a.Text)); err != nil {
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

func scanArticle(sc interface{ Scan(...any) error }) (briefing.Article, error) {
	var a briefing.Article
	var id, published, fetched int64
	if err := sc.Scan(&id, &a.GUID, &a.URL, &a.Title, &a.Text, &a.Source, &published, &fetched); err != nil {
		return briefing.Article{}, err
	}
	a.ID = strconv.FormatInt(id, 10)
	a.Published = fromNanos(published)
	a.Fetched = fromNanos(fetched)
	return a, nil
}

// SearchArticles implements [bot.Store]: the articles that match q, newest
// first, exactly those briefing.Query.Match accepts (for articles of at
// most [MaxIndexedTokens] tokens).
func (s *Store) SearchArticles(ctx context.Context, q briefing.Query, opts bot.SearchOptions) ([]briefing.Article, error) {
	tsq, ok := tsquery(q)
	if !ok {
		return nil, ctx.Err()
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	var sb strings.Builder
	sb.WriteString("SELECT " + articleColumns + " FROM articles WHERE tsv @@ $1::tsquery")
	args := []any{tsq}
	if !opts.Since.IsZero() {
		args = append(args, idBase(opts.Since), nanos(opts.Since))
		fmt.Fprintf(&sb, " AND id >= $%d AND fetched > $%d", len(args)-1, len(args))
	}
	if len(opts.Sources) > 0 {
		args = append(args, opts.Sources)
		fmt.Fprintf(&sb, " AND source = ANY($%d)", len(args))
	}
	args = append(args, limit)
	fmt.Fprintf(&sb, " ORDER BY id DESC LIMIT $%d", len(args))
	rows, err := s.db.QueryContext(ctx, sb.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.String(), err)
	}
	defer rows.Close()
	var out []briefing.Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", q.String(), err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search %q: %w", q.String(), err)
	}
	return out, nil
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
	a, err := scanArticle(s.db.QueryRowContext(ctx,
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
	idBound := idBase(cutoff.Add(time.Second)) // ids grow with fetched; allow spill
	deleted := 0
	for {
		res, err := s.db.ExecContext(ctx, `DELETE FROM articles WHERE id IN
			(SELECT id FROM articles WHERE id < $1 AND fetched < $2 ORDER BY id LIMIT $3)`, idBound, nanos(cutoff), pruneBatch)
		if err != nil {
			return deleted, fmt.Errorf("prune: %w", err)
		}
		n, _ := res.RowsAffected()
		deleted += int(n)
		if n < pruneBatch {
			break
		}
	}
	keyCutoff := nanos(now.Add(-storage.SeenRetention(maxAge)))
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

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/storage/internal/sqlstore"
)

func migrationsFS() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil { // cannot happen: the directory is embedded
		return migrations
	}
	return sub
}

// prepared is an article ready to insert: its key and its index text,
// computed outside the write transaction.
type prepared struct {
	art         briefing.Article
	key         string
	canon       string
	title, body string
}

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
	keys := make([]string, len(arts))
	for i, a := range arts {
		keys[i] = a.Key()
	}
	// Most items of a fetch are known: find them with a read, so that only
	// new ones are stemmed, outside the write lock. The read runs on the
	// write connection (see seenKeys).
	known, err := s.seenKeys(ctx, keys)
	if err != nil {
		return 0, fmt.Errorf("add articles: %w", err)
	}
	batch := make([]prepared, 0, len(arts))
	inBatch := make(map[string]bool, len(arts))
	var refresh []prepared
	for i, a := range arts {
		if a.Fetched.IsZero() {
			a.Fetched = fetched
		}
		p := prepared{art: a, key: keys[i]}
		if known[p.key] || inBatch[p.key] {
			refresh = append(refresh, p)
			continue
		}
		inBatch[p.key] = true
		batch = append(batch, p)
	}
	s.prepare(batch)

	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("add articles: %w", err)
	}
	defer tx.Rollback()
	added, err := insertArticles(ctx, tx, batch, fetched)
	if err != nil {
		return 0, fmt.Errorf("add articles: %w", err)
	}
	if err := refreshSeen(ctx, tx, refresh, fetched); err != nil {
		return 0, fmt.Errorf("add articles: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("add articles: commit: %w", err)
	}
	if added > 0 {
		s.noteNewKeys(ctx, added)
	}
	return added, nil
}

// prepare computes the canonical URL and index text of new articles,
// spreading big batches over the available cores (SQLite itself uses one).
func (s *Store) prepare(batch []prepared) {
	one := func(p *prepared) {
		p.canon = briefing.CanonicalURL(p.art.URL)
		p.title = indexText(s.stems, p.art.Title)
		p.body = indexText(s.stems, p.art.Text)
	}
	workers := min(runtime.GOMAXPROCS(0), len(batch)/8)
	if workers <= 1 {
		for i := range batch {
			one(&batch[i])
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(batch); i += workers {
				one(&batch[i])
			}
		})
	}
	wg.Wait()
}

// lastSeen is when a fetch last carried a: the batch's fetch time, or the
// article's own Fetched if that is later.
func lastSeen(a briefing.Article, fetched time.Time) time.Time {
	if a.Fetched.After(fetched) {
		return a.Fetched
	}
	return fetched
}

// insertArticles stores the articles whose key is not in seen (re-checked
// inside the transaction: another writer may have stored it since the
// read) and returns how many it stored.
func insertArticles(ctx context.Context, tx *sql.Tx, batch []prepared, fetched time.Time) (int, error) {
	if len(batch) == 0 {
		return 0, nil
	}
	keys, err := newSeenInserter(ctx, tx)
	if err != nil {
		return 0, err
	}
	defer keys.close()
	nextID, err := tx.PrepareContext(ctx, "SELECT id FROM articles WHERE id >= ? ORDER BY id LIMIT 64")
	if err != nil {
		return 0, err
	}
	defer nextID.Close()
	insArt, err := tx.PrepareContext(ctx, `INSERT INTO articles
		(id, key, guid, url, canonical_url, title, body, source, published, fetched)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, err
	}
	defer insArt.Close()
	insIdx, err := tx.PrepareContext(ctx, "INSERT INTO article_index (rowid, title, body, src) VALUES (?, ?, ?, ?)")
	if err != nil {
		return 0, err
	}
	defer insIdx.Close()
	insURL, err := tx.PrepareContext(ctx, "INSERT INTO article_urls (rowid, url) VALUES (?, ?)")
	if err != nil {
		return 0, err
	}
	defer insURL.Close()

	added := 0
	// Articles of a batch usually share one fetch time: start each search
	// for a free id after the last one this batch took for the same base.
	after := map[int64]int64{}
	for _, p := range batch {
		isNew, err := keys.add(ctx, p.key, sqlstore.Nanos(lastSeen(p.art, fetched)))
		if err != nil {
			return 0, fmt.Errorf("seen %s: %w", p.key, err)
		}
		if !isNew {
			continue // stored meanwhile by another writer
		}
		base := sqlstore.IDBase(p.art.Fetched)
		id, err := freeID(ctx, nextID, max(base, after[base]))
		if err != nil {
			return 0, err
		}
		after[base] = id + 1
		a := p.art
		if _, err := insArt.ExecContext(ctx, id, p.key, a.GUID, a.URL, p.canon, a.Title, a.Text, a.Source,
			sqlstore.Nanos(a.Published), sqlstore.Nanos(a.Fetched)); err != nil {
			return 0, fmt.Errorf("insert article: %w", err)
		}
		if _, err := insIdx.ExecContext(ctx, id, p.title, p.body, sourceToken(a.Source)); err != nil {
			return 0, fmt.Errorf("index article: %w", err)
		}
		if p.canon != "" {
			if _, err := insURL.ExecContext(ctx, id, urlText(p.canon)); err != nil {
				return 0, fmt.Errorf("index article url: %w", err)
			}
		}
		added++
	}
	return added, nil
}

// freeID returns the smallest unused article id at or above base.
func freeID(ctx context.Context, next *sql.Stmt, base int64) (int64, error) {
	for {
		rows, err := next.QueryContext(ctx, base)
		if err != nil {
			return 0, fmt.Errorf("article id: %w", err)
		}
		n := 0
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return 0, fmt.Errorf("article id: %w", err)
			}
			n++
			if id > base {
				rows.Close()
				return base, nil
			}
			base = id + 1
		}
		if err := rows.Close(); err != nil {
			return 0, fmt.Errorf("article id: %w", err)
		}
		if n < 64 {
			return base, nil
		}
	}
}

func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

const articleColumns = "a.id, a.guid, a.url, a.title, a.body, a.source, a.published, a.fetched"

// SearchArticles implements [bot.Store]. It returns the articles that match
// q, newest first: exactly those briefing.Query.Match accepts, as the
// index holds the engine's stems. It walks the full-text index from the
// newest article down and stops at the limit, so its cost depends on the
// limit and on how rare the query's words are, not on how common.
func (s *Store) SearchArticles(ctx context.Context, q briefing.Query, opts bot.SearchOptions) ([]briefing.Article, error) {
	query, args := searchSQL(q, opts)
	if query == "" {
		return nil, ctx.Err()
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.String(), err)
	}
	defer rows.Close()
	var out []briefing.Article
	for rows.Next() {
		a, err := sqlstore.ScanArticle(rows)
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

// searchSQL returns the query SearchArticles runs and its arguments (the
// limit last), or "" when q can match nothing.
func searchSQL(q briefing.Query, opts bot.SearchOptions) (string, []any) {
	expr, ok := matchExpr(q, opts.Sources)
	if !ok {
		return "", nil
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	var sb strings.Builder
	sb.WriteString("SELECT " + articleColumns + " FROM article_index f JOIN articles a ON a.id = f.rowid WHERE article_index MATCH ?")
	args := []any{expr}
	if !opts.Since.IsZero() {
		sb.WriteString(" AND f.rowid >= ? AND a.fetched > ?")
		args = append(args, sqlstore.IDBase(opts.Since), sqlstore.Nanos(opts.Since))
	}
	if len(opts.Sources) > 0 {
		sb.WriteString(" AND a.source IN (" + placeholders(len(opts.Sources)) + ")")
		for _, src := range opts.Sources {
			args = append(args, src)
		}
	}
	sb.WriteString(" ORDER BY f.rowid DESC LIMIT ?")
	return sb.String(), append(args, limit)
}

// articleByURLSQL finds the newest article with a canonical URL: the URL
// index yields candidates newest first, and the exact comparison drops the
// few whose URL differs only in ASCII case.
const articleByURLSQL = "SELECT " + articleColumns + ` FROM article_urls u JOIN articles a ON a.id = u.rowid
	WHERE article_urls MATCH ? AND a.canonical_url = ? ORDER BY u.rowid DESC LIMIT 1`

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
	row := s.read.QueryRowContext(ctx, articleByURLSQL, urlMatch(canon), canon)
	a, err := sqlstore.ScanArticle(row)
	if errors.Is(err, sql.ErrNoRows) {
		return briefing.Article{}, fmt.Errorf("article %q: %w", url, bot.ErrNotFound)
	}
	if err != nil {
		return briefing.Article{}, fmt.Errorf("article %q: %w", url, err)
	}
	return a, nil
}

// pruneBatch is how many articles one prune transaction deletes, so that
// other writers (ingestion, the job queue) wait at most a few milliseconds.
const pruneBatch = 500

// Prune implements [storage.Store]. It deletes in small transactions, so
// it can run while the bot serves; a canceled ctx stops it between batches
// with what it deleted so far counted.
func (s *Store) Prune(ctx context.Context, now time.Time, maxAge time.Duration) (int, error) {
	if maxAge <= 0 {
		return 0, fmt.Errorf("prune: max age %s is not positive", maxAge)
	}
	cutoff := now.Add(-maxAge)
	// Ids grow with fetched; allow a second of spill (see sqlstore.IDShift).
	idBound := sqlstore.IDBase(cutoff.Add(time.Second))
	deleted := 0
	for {
		n, err := s.pruneBatch(ctx, idBound, sqlstore.Nanos(cutoff))
		deleted += n
		if err != nil {
			return deleted, fmt.Errorf("prune: %w", err)
		}
		if n < pruneBatch {
			break
		}
	}
	keyCutoff := sqlstore.Nanos(now.Add(-storage.SeenRetention(maxAge)))
	keys, err := s.pruneSeen(ctx, keyCutoff)
	if err != nil {
		return deleted, err
	}
	if deleted > 0 || keys > 0 {
		s.log.InfoContext(ctx, "pruned", slog.Int("articles", deleted), slog.Int64("seen_keys", keys),
			slog.Time("cutoff", cutoff))
	}
	return deleted, nil
}

func (s *Store) pruneBatch(ctx context.Context, idBound, cutoff int64) (int, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT id FROM articles WHERE id < ? AND fetched < ? ORDER BY id LIMIT ?", idBound, cutoff, pruneBatch)
	if err != nil {
		return 0, err
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	in := "(" + placeholders(len(ids)) + ")"
	if _, err := tx.ExecContext(ctx, "DELETE FROM article_index WHERE rowid IN "+in, ids...); err != nil {
		return 0, fmt.Errorf("delete from index: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM article_urls WHERE rowid IN "+in, ids...); err != nil {
		return 0, fmt.Errorf("delete from url index: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM articles WHERE id IN "+in, ids...); err != nil {
		return 0, fmt.Errorf("delete articles: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return len(ids), nil
}

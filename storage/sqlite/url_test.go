package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/storage/internal/sqlstore"
)

// TestURLIndexTokens checks what the URL index holds: a URL made of
// printable ASCII without quotes or spaces is exactly one term, so a
// lookup is one term lookup; quotes and spaces split it into a phrase.
func TestURLIndexTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, ":memory:", Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.write.ExecContext(ctx,
		"CREATE VIRTUAL TABLE temp.url_terms USING fts5vocab(main, article_urls, row)"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, canon string
		terms       []string
	}{
		{"plain", "https://example.com/world/g20", []string{"uhttps://example.com/world/g20"}},
		{"every punctuation", "https://ex.com/a_b~c!d$e&f'g(h)i*j+k,l;m=n:o@p?q=[1]#{x}|^`%20\\",
			[]string{"uhttps://ex.com/a_b~c!d$e&f", "g(h)i*j+k,l;m=n:o@p?q=[1]#{x}|^`%20\\"}},
		{"case folded", "https://Example.com/A", []string{"uhttps://example.com/a"}},
		{"non-ASCII kept", "https://例え.jp/ニュース", []string{"uhttps://例え.jp/ニュース"}},
		{"spaces and quotes", `urn:a "b" c`, []string{"uurn:a", "b", "c"}},
		{"only separators", `' "`, []string{"u"}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.write.ExecContext(ctx, "DELETE FROM article_urls"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.write.ExecContext(ctx, "INSERT INTO article_urls (rowid, url) VALUES (?, ?)", i+1, urlText(tc.canon)); err != nil {
				t.Fatal(err)
			}
			rows, err := s.write.QueryContext(ctx, "SELECT term FROM temp.url_terms WHERE cnt > 0 ORDER BY term")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				var term string
				if err := rows.Scan(&term); err != nil {
					t.Fatal(err)
				}
				got = append(got, term)
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
			if want := sorted(tc.terms); !slices.Equal(got, want) {
				t.Errorf("terms of %q = %q, want %q", tc.canon, got, want)
			}
		})
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// TestArticleByURLIsExact stores URLs the URL index cannot tell apart (ASCII
// case, separators) and checks that each lookup still returns its own
// article, the newest when several share a canonical URL.
func TestArticleByURLIsExact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, ":memory:", Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	urls := []string{
		"https://example.com/Story",
		"https://example.com/story",
		"https://example.com/STORY",
		`urn:a "b" c`,
		`urn:a b c`,
		`urn:a "b c"`,
		`' "`,
		`" '`,
	}
	var arts []briefing.Article
	for i, u := range urls {
		arts = append(arts, briefing.Article{GUID: "urn:exact:" + u, URL: u, Title: "title " + u, Text: "x",
			Fetched: t0.Add(time.Duration(i) * time.Minute)})
	}
	// A later article with the first URL: the lookup returns it.
	arts = append(arts, briefing.Article{GUID: "urn:exact:newer", URL: urls[0], Title: "newer", Text: "x",
		Fetched: t0.Add(time.Hour)})
	if n, err := s.AddArticles(ctx, arts, time.Time{}); err != nil || n != len(arts) {
		t.Fatalf("AddArticles = %d, %v", n, err)
	}
	for i, u := range urls {
		want := "title " + u
		if i == 0 {
			want = "newer"
		}
		if briefing.CanonicalURL(u) != u {
			t.Fatalf("test URL %q is not canonical (%q)", u, briefing.CanonicalURL(u))
		}
		got, err := s.ArticleByURL(ctx, u)
		if err != nil {
			t.Errorf("ArticleByURL(%q): %v", u, err)
			continue
		}
		if got.Title != want {
			t.Errorf("ArticleByURL(%q) = %q, want %q", u, got.Title, want)
		}
	}
	if _, err := s.ArticleByURL(ctx, "https://example.com/sTory"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("ArticleByURL of a URL differing in case only: %v, want ErrNotFound", err)
	}
}

// TestMigrationKeepsURLLookups builds a database at schema version 1 (URLs
// in a b-tree index), opens it with the current code and checks that the
// articles it held are found by URL and pruned from the new URL index.
func TestMigrationKeepsURLLookups(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	db := openV1(t, path)
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	old := []struct {
		url     string
		fetched time.Time
	}{
		{"https://example.com/a", t0},
		{"https://example.com/b", t0.Add(48 * time.Hour)},
		{"https://example.com/a", t0.Add(time.Hour)},
		{"", t0.Add(2 * time.Hour)},
	}
	for i, a := range old {
		if _, err := db.ExecContext(ctx, `INSERT INTO articles
			(id, key, guid, url, canonical_url, title, body, source, published, fetched)
			VALUES (?, ?, '', ?, ?, ?, 'x', 'AP', 0, ?)`,
			sqlstore.IDBase(a.fetched), "g:"+a.url+a.fetched.String(), a.url, a.url, "v1 article "+string(rune('A'+i)), sqlstore.Nanos(a.fetched)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("open a version 1 database: %v", err)
	}
	defer s.Close()
	for url, want := range map[string]string{"https://example.com/a": "v1 article C", "https://example.com/b": "v1 article B"} {
		got, err := s.ArticleByURL(ctx, url)
		if err != nil || got.Title != want {
			t.Errorf("after the migration, ArticleByURL(%q) = %q, %v; want %q", url, got.Title, err, want)
		}
	}
	var indexed int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM article_urls WHERE article_urls MATCH ?",
		urlMatch("https://example.com/a")).Scan(&indexed); err != nil || indexed != 2 {
		t.Errorf("URL index holds %d entries for /a, %v; want 2", indexed, err)
	}
	// Pruning the first three hours removes both /a articles from the URL
	// index.
	if n, err := s.Prune(ctx, t0.Add(27*time.Hour), 24*time.Hour); err != nil || n != 3 {
		t.Fatalf("Prune = %d, %v; want 3", n, err)
	}
	if _, err := s.ArticleByURL(ctx, "https://example.com/a"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("ArticleByURL(pruned) = %v, want ErrNotFound", err)
	}
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM article_urls WHERE article_urls MATCH ?",
		urlMatch("https://example.com/a")).Scan(&indexed); err != nil || indexed != 0 {
		t.Errorf("URL index holds %d entries for pruned /a, %v; want 0", indexed, err)
	}
	if _, err := s.ArticleByURL(ctx, "https://example.com/b"); err != nil {
		t.Errorf("ArticleByURL(kept) = %v", err)
	}
}

// TestConcurrentOpensMigrateOnce: two processes opening a version-1 file at
// once (serve restarting while newsbot ingest starts) both open it; goose
// has no lock on SQLite, so the later one finds the migrations done.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for round := range 5 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("v1-%d.db", round))
		openV1(t, path).Close()
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				s, err := Open(ctx, path, Options{})
				if err == nil {
					err = s.Close()
				}
				errs <- err
			}()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}

// openV1 creates a database at path with only migration 1 applied (the
// schema of the first release), open on the returned pool.
func openV1(t *testing.T, path string) *sql.DB {
	t.Helper()
	dsn, err := buildDSN(path, Options{}.withDefaults(), false)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p, err := goose.NewProvider(goose.DialectSQLite3, db, migrationsFS(), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	return db
}

package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
)

func TestPragmas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "news.db"), Options{BusyTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		pool   string
		pragma string
		want   string
	}{
		{"write", "journal_mode", "wal"},
		{"write", "busy_timeout", "3000"},
		{"write", "synchronous", "1"},
		{"write", "foreign_keys", "1"},
		{"write", "query_only", "0"},
		{"write", "page_size", "8192"},
		{"write", "wal_autocheckpoint", "16384"},
		{"read", "journal_mode", "wal"},
		{"read", "busy_timeout", "3000"},
		{"read", "query_only", "1"},
	}
	for _, tc := range tests {
		db := s.write
		if tc.pool == "read" {
			db = s.read
		}
		var got string
		if err := db.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatalf("%s pool: PRAGMA %s: %v", tc.pool, tc.pragma, err)
		}
		if got != tc.want {
			t.Errorf("%s pool: PRAGMA %s = %s, want %s", tc.pool, tc.pragma, got, tc.want)
		}
	}
	if _, err := s.read.ExecContext(ctx, "DELETE FROM seen"); err == nil {
		t.Error("the read pool accepted a write")
	}
}

func TestBuildDSN(t *testing.T) {
	t.Parallel()
	opts := Options{}.withDefaults()
	tests := []struct {
		dsn      string
		prefix   string
		contains string
	}{
		{"newsbot.db", "file:newsbot.db?", "_journal_mode=WAL"},
		{"/var/lib/news bot/a?b#c.db", "file:/var/lib/news%20bot/a%3Fb%23c.db?", "_busy_timeout=5000"},
		{"file:news.db?mode=rwc&cache=private", "file:news.db?mode=rwc&cache=private&", "_txlock=immediate"},
		{":memory:", ":memory:?", "_foreign_keys=1"},
	}
	for _, tc := range tests {
		got, err := buildDSN(tc.dsn, opts, false)
		if err != nil {
			t.Fatalf("buildDSN(%q): %v", tc.dsn, err)
		}
		if !strings.HasPrefix(got, tc.prefix) || !strings.Contains(got, tc.contains) {
			t.Errorf("buildDSN(%q) = %q, want prefix %q containing %q", tc.dsn, got, tc.prefix, tc.contains)
		}
	}
	if got, _ := buildDSN(":memory:", opts, false); strings.Contains(got, "WAL") {
		t.Errorf("buildDSN(:memory:) asks for WAL: %q", got)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "news.db")
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	a := briefing.Article{GUID: "urn:a", URL: "https://example.com/a", Title: "Old climate story", Text: "x", Source: "AP"}
	b := briefing.Article{GUID: "urn:b", URL: "https://example.com/b", Title: "New climate story", Text: "y", Source: "AP"}
	src := feeds.Source{Name: "AP", URL: "https://apnews.com/rss"}

	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddArticles(ctx, []briefing.Article{a, b}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveState(ctx, feeds.State{Locator: src.URL, ETag: `"v1"`}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prune(ctx, t0.Add(48*time.Hour), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	n, err := s.AddArticles(ctx, []briefing.Article{a, b}, t0.Add(49*time.Hour))
	if err != nil || n != 0 {
		t.Errorf("after a restart, re-adding pruned articles added %d, %v; want 0", n, err)
	}
	if st, _ := s.State(ctx, src.URL); st.ETag != `"v1"` {
		t.Errorf("after a restart, state = %+v", st)
	}
	if got, _ := s.Sources(ctx); len(got) != 1 {
		t.Errorf("after a restart, sources = %v", got)
	}
	var version int64
	if err := s.read.QueryRowContext(ctx, "SELECT max(version_id) FROM goose_db_version").Scan(&version); err != nil || version < 1 {
		t.Errorf("schema version = %d, %v", version, err)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dsn := range []string{"", "  ", garbage, filepath.Join(dir, "missing", "dir", "x.db"), "file:x.db?%zz"} {
		s, err := Open(ctx, dsn, Options{})
		if err == nil {
			s.Close()
			t.Errorf("Open(%q): no error", dsn)
			continue
		}
		t.Logf("Open(%q): %v", dsn, err)
	}
	b, _ := os.ReadFile(garbage)
	if !strings.HasPrefix(string(b), "not a database") {
		t.Error("Open changed a file that is not a database")
	}
}

// TestQueuePoolSharesTheFile runs a second one-connection pool, as River
// would, writing while the store ingests: with WAL and the busy timeout
// neither sees SQLITE_BUSY.
func TestQueuePoolSharesTheFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "news.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	q, err := OpenQueueDB(path)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if q.Stats().MaxOpenConnections != 1 {
		t.Errorf("queue pool allows %d connections, want 1", q.Stats().MaxOpenConnections)
	}
	if _, err := q.ExecContext(ctx, "CREATE TABLE jobs (id INTEGER PRIMARY KEY, state TEXT)"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Go(func() {
		for i := range 200 {
			if _, err := q.ExecContext(ctx, "INSERT INTO jobs (state) VALUES (?)", "available"); err != nil {
				errs <- err
				return
			}
			if _, err := q.ExecContext(ctx, "UPDATE jobs SET state = 'completed' WHERE id = ?", i+1); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Go(func() {
		t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
		for i := range 40 {
			arts := make([]briefing.Article, 25)
			for j := range arts {
				arts[j] = briefing.Article{GUID: "urn:" + string(rune('a'+i)) + string(rune('a'+j)), Title: "story", Text: "text"}
			}
			if _, err := s.AddArticles(ctx, arts, t0.Add(time.Duration(i)*time.Second)); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent writers: %v", err)
	}
	var jobs int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM jobs WHERE state = 'completed'").Scan(&jobs); err != nil || jobs != 200 {
		t.Errorf("completed jobs = %d, %v; want 200", jobs, err)
	}
	got, err := s.SearchArticles(ctx, mustParse(t, "story"), bot.SearchOptions{Limit: 5000})
	if err != nil || len(got) != 1000 {
		t.Errorf("stored articles = %d, %v; want 1000", len(got), err)
	}
	if _, err := QueueDSN(":memory:"); err == nil {
		t.Error("QueueDSN(:memory:): no error")
	}
}

func mustParse(t *testing.T, s string) briefing.Query {
	t.Helper()
	q, err := briefing.ParseQuery(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestArticleIDs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, ":memory:", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	// 3000 articles fetched in the same microsecond spill over three
	// microseconds of ids, then a backfill lands between older ids.
	var arts []briefing.Article
	for i := range 3000 {
		arts = append(arts, briefing.Article{GUID: "urn:same:" + time.Duration(i).String(), Title: "same", Text: "time"})
	}
	if n, err := s.AddArticles(ctx, arts, t0); err != nil || n != 3000 {
		t.Fatalf("added %d, %v", n, err)
	}
	later := briefing.Article{GUID: "urn:later", Title: "same", Text: "later", Fetched: t0.Add(time.Millisecond)}
	backfill := briefing.Article{GUID: "urn:backfill", Title: "same", Text: "backfill", Fetched: t0.Add(-time.Hour)}
	if n, err := s.AddArticles(ctx, []briefing.Article{later, backfill}, t0); err != nil || n != 2 {
		t.Fatalf("added %d, %v", n, err)
	}
	got, err := s.SearchArticles(ctx, mustParse(t, "same"), bot.SearchOptions{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3002 || got[0].Text != "later" || got[len(got)-1].Text != "backfill" {
		t.Fatalf("got %d articles, first %q, last %q", len(got), got[0].Text, got[len(got)-1].Text)
	}
	got, err = s.SearchArticles(ctx, mustParse(t, "same"), bot.SearchOptions{Since: t0, Limit: 10000})
	if err != nil || len(got) != 1 {
		t.Errorf("since the batch time: %d articles, %v; want only the later one", len(got), err)
	}
	if _, err := s.ArticleByURL(ctx, ""); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("ArticleByURL(\"\") = %v", err)
	}
}

// TestPruneInBatches prunes more articles and keys than one transaction
// takes, and checks that the index and the keys go too.
func TestPruneInBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "news.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	const n = 2500 // > pruneBatch articles, > 4*pruneBatch keys
	arts := make([]briefing.Article, n)
	for i := range arts {
		arts[i] = briefing.Article{GUID: fmt.Sprintf("urn:prune:%d", i), Title: "old story", Text: "text"}
	}
	if _, err := s.AddArticles(ctx, arts, t0); err != nil {
		t.Fatal(err)
	}
	keep := briefing.Article{GUID: "urn:keep", Title: "new story", Text: "text", Fetched: t0.Add(20 * 24 * time.Hour)}
	if _, err := s.AddArticles(ctx, []briefing.Article{keep}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	const retention = 30 * 24 * time.Hour
	deleted, err := s.Prune(ctx, t0.Add(retention+time.Hour), retention)
	if err != nil || deleted != n {
		t.Fatalf("Prune deleted %d, %v; want %d", deleted, err, n)
	}
	count := func(query string) int {
		var c int
		if err := s.read.QueryRowContext(ctx, query).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if got := count("SELECT count(*) FROM articles"); got != 1 {
		t.Errorf("%d articles left, want 1", got)
	}
	if got, err := s.SearchArticles(ctx, mustParse(t, "story"), bot.SearchOptions{Limit: 5000}); err != nil || len(got) != 1 {
		t.Errorf("search after prune: %d articles, %v; want 1", len(got), err)
	}
	if got := count("SELECT (SELECT count(*) FROM seen) + (SELECT count(*) FROM seen_recent)"); got != n+1 {
		t.Errorf("%d seen keys, want %d (pruned articles keep theirs)", got, n+1)
	}
	if _, err := s.Prune(ctx, t0.Add(100*24*time.Hour), retention); err != nil {
		t.Fatal(err)
	}
	if got := count("SELECT (SELECT count(*) FROM seen) + (SELECT count(*) FROM seen_recent)"); got != 1 {
		t.Errorf("%d seen keys after the key retention, want 1 (the kept article's)", got)
	}
}

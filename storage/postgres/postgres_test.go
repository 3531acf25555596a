package postgres

// These tests need a PostgreSQL server; they skip when
// $NEWSBOT_TEST_POSTGRES is unset. Each store gets a fresh schema, dropped
// afterwards, so one database serves any number of runs. To run them
// locally or in CI (any PostgreSQL >= 13):
//
//	initdb -D /tmp/pg -U newsbot --auth=trust
//	pg_ctl -D /tmp/pg -o '-p 55433 -c listen_addresses=127.0.0.1' start
//	createdb -h 127.0.0.1 -p 55433 -U newsbot newsbot_test
//	NEWSBOT_TEST_POSTGRES='postgres://newsbot@127.0.0.1:55433/newsbot_test' go test ./storage/postgres
//
// In GitHub Actions, a `services: postgres:` container with the same URL
// does it.

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/storage/postgres/pgtest"
	"github.com/newsbot/newsbot/storage/storetest"
)

// testDSN returns the test server's URL, or skips t.
func testDSN(t testing.TB) string {
	dsn := os.Getenv(pgtest.Env)
	if dsn == "" {
		t.Skipf("set %s=postgres://user@host:port/db to run the PostgreSQL tests", pgtest.Env)
	}
	return dsn
}

// testSchemaDSN creates a fresh schema in the test database, dropped when
// the test ends, and returns the test DSN with that schema as its
// search_path.
func testSchemaDSN(t testing.TB) string {
	t.Helper()
	return pgtest.Schema(t, "newsbot_test")
}

// openTestStore opens a store in a fresh schema of the test database.
func openTestStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), testSchemaDSN(t), Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	testDSN(t)
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storage.Store { return openTestStore(t) })
}

func TestTSQuery(t *testing.T) {
	t.Parallel()
	tests := []struct{ query, want string }{
		{"g20", "(('g20'))"},
		{`"climate summits" OR talks`, "(('climat' <-> 'summit') | ('talk'))"},
		{`ukraine -sport -"transfer window"`, "(('ukrain')) & !(('sport') | ('transfer' <-> 'window'))"},
		{`o'neill's \x`, `(('o''neil')) & (('x'))`},
	}
	for _, tc := range tests {
		q, err := briefing.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := tsquery(q); !ok || got != tc.want {
			t.Errorf("tsquery(%q) = %q, %v; want %q", tc.query, got, ok, tc.want)
		}
	}
}

// FuzzSearchQuery checks, against a real server, that no user query
// becomes a tsquery syntax error and that results are exactly the
// engine's matches.
func FuzzSearchQuery(f *testing.F) {
	for _, s := range []string{"g20", `"climate summit"`, "ukraine -sport", `'); DROP TABLE articles; --`,
		`a\'b`, "!x & y | z <-> w", "café 東京", "g-20 2.5 o'neill"} {
		f.Add(s)
	}
	s := openTestStore(f)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	texts := []string{"G20 leaders meet in Rio; the climate summit opens", "Ukraine talks resume, not sport",
		`O'Neill's g-20 view: 2.5 percent \ ! & | <-> ':*`, "Café culture in Zürich and 東京"}
	var arts []briefing.Article
	for i, x := range texts {
		arts = append(arts, briefing.Article{GUID: fmt.Sprint("urn:", i), Title: x, Text: x, Fetched: t0.Add(time.Duration(i) * time.Minute)})
	}
	if _, err := s.AddArticles(ctx, arts, time.Time{}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, query string) {
		q, err := briefing.ParseQuery(query)
		if err != nil {
			return
		}
		got, err := s.SearchArticles(ctx, q, bot.SearchOptions{})
		if err != nil {
			tsq, _ := tsquery(q)
			t.Fatalf("SearchArticles(%q): %v (tsquery %q)", query, err, tsq)
		}
		want := 0
		for _, a := range arts {
			if _, ok := q.Match(briefing.NewDoc(a)); ok {
				want++
			}
		}
		if len(got) != want {
			t.Errorf("SearchArticles(%q) found %d articles, the engine matches %d", query, len(got), want)
		}
	})
}

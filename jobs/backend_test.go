package jobs_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
)

// The queue's tests run on every backend: a fresh SQLite file, and a fresh
// schema of the PostgreSQL database named by $NEWSBOT_TEST_POSTGRES (the
// postgres cases skip when it is unset):
//
//	NEWSBOT_TEST_POSTGRES=postgres://newsbot@127.0.0.1:55439/newsbot_test go test ./jobs
//
// .ci/postgres.sh starts such a server.

// backends names the databases the queue tests run on.
var backends = []string{"sqlite", "postgres"}

var schemaSeq atomic.Int64

// newDSN returns storage.dsn for an empty database of the backend: a file
// in a temporary folder, or a PostgreSQL URL whose search_path is a new
// schema, dropped when the test ends. It skips t for postgres without
// $NEWSBOT_TEST_POSTGRES.
func newDSN(t testing.TB, backend string) string {
	t.Helper()
	switch backend {
	case "sqlite":
		return filepath.Join(t.TempDir(), "newsbot.db")
	case "postgres":
		return newPostgresSchema(t)
	}
	t.Fatalf("unknown backend %q", backend)
	return ""
}

func newPostgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv("NEWSBOT_TEST_POSTGRES")
	if base == "" {
		t.Skip("set NEWSBOT_TEST_POSTGRES=postgres://user@host:port/db to run the queue on PostgreSQL")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to $NEWSBOT_TEST_POSTGRES: %v", err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("jobs_test_%d_%d", os.Getpid(), schemaSeq.Add(1))
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	// Registered first, so it runs after the test's own clean-ups have
	// closed its pools.
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

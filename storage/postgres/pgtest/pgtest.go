// Package pgtest gives tests an empty PostgreSQL schema of the server
// named by $NEWSBOT_TEST_POSTGRES, so that one test database serves any
// number of packages and runs at once. Tests that use it skip when the
// variable is unset; .ci/postgres.sh starts a private server and prints
// its URL:
//
//	NEWSBOT_TEST_POSTGRES=$(bash .ci/postgres.sh) go test ./...
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Env is the environment variable that names the test server, as a
// postgres:// URL of a database the tests may create schemas in.
const Env = "NEWSBOT_TEST_POSTGRES"

var seq atomic.Int64

// Schema creates a new schema named after prefix in the database named by
// $NEWSBOT_TEST_POSTGRES and returns that URL with the schema as its
// search_path. The schema is dropped when the test ends, after the clean-ups
// the test registers later (so its pools are closed by then). Schema skips
// t when the variable is unset, and fails it when the server is unreachable.
func Schema(t testing.TB, prefix string) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		t.Skipf("set %s=postgres://user@host:port/db to run this test on PostgreSQL", Env)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("$%s: %v", Env, err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to $%s: %v", Env, err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("%s_%d_%d", prefix, os.Getpid(), seq.Add(1))
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

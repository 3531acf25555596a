package pgtest

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestSchemaIsFreshAndSearched(t *testing.T) {
	ctx := context.Background()
	a, b := Schema(t, "pgtest"), Schema(t, "pgtest")
	if a == b {
		t.Fatalf("two calls gave the same DSN %s", a)
	}
	u, err := url.Parse(a)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	if !strings.HasPrefix(schema, "pgtest_") {
		t.Fatalf("search_path = %q, want a pgtest_ schema", schema)
	}
	conn, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TABLE probe (id int)"); err != nil {
		t.Fatal(err)
	}
	var in string
	if err := conn.QueryRow(ctx, "SELECT table_schema FROM information_schema.tables WHERE table_name = 'probe'").Scan(&in); err != nil {
		t.Fatal(err)
	}
	if in != schema {
		t.Errorf("the table went to schema %q, want %q", in, schema)
	}
}

func TestSchemaIsDroppedAtTheEnd(t *testing.T) {
	if os.Getenv(Env) == "" {
		t.Skipf("set %s to run this test", Env)
	}
	var dsn string
	t.Run("inner", func(t *testing.T) { dsn = Schema(t, "pgtest") })
	u, _ := url.Parse(dsn)
	schema := u.Query().Get("search_path")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1", schema).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("schema %s survived its test", schema)
	}
}

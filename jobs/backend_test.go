package jobs_test

import (
	"path/filepath"
	"testing"

	"github.com/newsbot/newsbot/storage/postgres/pgtest"
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
		return pgtest.Schema(t, "jobs_test")
	}
	t.Fatalf("unknown backend %q", backend)
	return ""
}

package jobs

import (
	"context"
	"testing"
)

// JournalMode returns the SQLite journal mode of River's connection.
func JournalMode(t testing.TB, db *DB) string {
	t.Helper()
	var mode string
	if err := db.sql.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	return mode
}

// DepthOf returns the depth of the queue in db, as Queue.Depth does.
func DepthOf(ctx context.Context, db *DB) (map[string]int, error) {
	return (&Queue{db: db}).Depth(ctx)
}

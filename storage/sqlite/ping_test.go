package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/newsbot/newsbot/storage/sqlite"
)

func TestPing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ping.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping on an open store: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping on a closed store succeeded")
	}
}

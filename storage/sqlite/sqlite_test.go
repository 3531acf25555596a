package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/storage/sqlite"
	"github.com/newsbot/newsbot/storage/storetest"
)

func TestConformanceMemory(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storage.Store {
		s, err := sqlite.Open(context.Background(), ":memory:", sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func TestConformanceFile(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storage.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "news bot?.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

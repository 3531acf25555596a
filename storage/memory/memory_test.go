package memory_test

import (
	"testing"

	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/storage/memory"
	"github.com/newsbot/newsbot/storage/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storage.Store {
		s := memory.New()
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

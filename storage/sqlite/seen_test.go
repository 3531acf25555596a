package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/storage/internal/sqlstore"
	"github.com/newsbot/newsbot/storage/storetest"
)

// TestConformanceMergingKeys runs the conformance suite with new keys
// moved from seen_recent into seen after nearly every batch, so that
// dedupe, refresh and pruning are checked across both tables.
func TestConformanceMergingKeys(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storage.Store {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "news.db"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		s.mergeKeys = 2
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

// TestSeenKeysMove adds keys in batches with a small merge threshold and
// checks, after every batch, that each key is in exactly one table, that
// only unmoved keys are in seen_recent, and that known keys are neither
// stored again nor lose their refreshed time, wherever they are.
func TestSeenKeysMove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, ":memory:", Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	s.mergeKeys = 10
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	var all []briefing.Article
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := s.write.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for b := range 7 {
		var batch []briefing.Article
		for i := range 4 {
			batch = append(batch, briefing.Article{GUID: fmt.Sprintf("urn:move:%d:%d", b, i), Title: "story", Text: "x"})
		}
		at := t0.Add(time.Duration(b) * time.Minute)
		// Every batch also carries all earlier articles again: none is new.
		if n, err := s.AddArticles(ctx, append(batch, all...), at); err != nil || n != len(batch) {
			t.Fatalf("batch %d: added %d, %v; want %d", b, n, err, len(batch))
		}
		all = append(all, batch...)
		if got := count("SELECT count(*) FROM seen") + count("SELECT count(*) FROM seen_recent"); got != len(all) {
			t.Errorf("batch %d: %d keys stored, want %d", b, got, len(all))
		}
		if got := count("SELECT count(*) FROM seen JOIN seen_recent USING (key)"); got != 0 {
			t.Errorf("batch %d: %d keys in both tables", b, got)
		}
		if got := count("SELECT count(*) FROM seen_recent"); got >= s.mergeKeys {
			t.Errorf("batch %d: seen_recent holds %d keys, want them moved at %d", b, got, s.mergeKeys)
		}
		for _, a := range all {
			if ok, err := s.Seen(ctx, a.Key()); err != nil || !ok {
				t.Fatalf("batch %d: Seen(%s) = %v, %v", b, a.GUID, ok, err)
			}
		}
	}
	if count("SELECT count(*) FROM seen") == 0 || count("SELECT count(*) FROM seen_recent") == 0 {
		t.Fatal("the test should leave keys in both tables")
	}

	// Two days later every item is carried again: every key, moved or
	// not, gets the new time; a week later, pruning with a 3-day key
	// retention keeps them and drops nothing else.
	later := t0.Add(48 * time.Hour)
	if n, err := s.AddArticles(ctx, all, later); err != nil || n != 0 {
		t.Fatalf("re-adding: %d, %v", n, err)
	}
	stale := count(`SELECT count(*) FROM (SELECT last_seen FROM seen UNION ALL SELECT last_seen FROM seen_recent)
		WHERE last_seen <> ?`, sqlstore.Nanos(later))
	if stale != 0 {
		t.Errorf("%d keys were not refreshed", stale)
	}
	if _, err := s.Prune(ctx, later.Add(storage.SeenRetention(time.Hour)-time.Minute), time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := count("SELECT count(*) FROM seen") + count("SELECT count(*) FROM seen_recent"); got != len(all) {
		t.Errorf("after pruning articles only, %d keys, want %d", got, len(all))
	}
	if _, err := s.Prune(ctx, later.Add(storage.SeenRetention(time.Hour)+time.Minute), time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := count("SELECT count(*) FROM seen") + count("SELECT count(*) FROM seen_recent"); got != 0 {
		t.Errorf("after the key retention, %d keys left in either table, want 0", got)
	}
	for _, a := range all {
		if ok, err := s.Seen(ctx, a.Key()); err != nil || ok {
			t.Errorf("Seen(%s) after the key retention = %v, %v", a.GUID, ok, err)
		}
	}
}

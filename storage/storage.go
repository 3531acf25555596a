// Package storage holds what newsbot's store implementations share: the
// [Store] interface they all satisfy (the union of what the bot and
// ingestion consume) and the retention rules for dedupe keys.
//
// Implementations live in sub-packages named after their dependency:
// storage/memory (the in-process fake every other package's tests use) and
// storage/sqlite (the embedded default). storage/storetest is the
// conformance suite every implementation passes.
package storage

import (
	"context"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/feeds"
)

// Store is a complete newsbot store: everything the bot ([bot.Store]) and
// ingestion ([feeds.Store]) need, plus maintenance. Implementations are
// safe for concurrent use.
type Store interface {
	bot.Store
	feeds.Store
	// Prune deletes the articles fetched before now-maxAge (and their
	// search index entries) and returns how many it deleted. Their dedupe
	// keys stay, so a pruned item never comes back as new; a key itself is
	// forgotten only once no fetch has carried its item for
	// [SeenRetention](maxAge).
	Prune(ctx context.Context, now time.Time, maxAge time.Duration) (deleted int, err error)
	// Close releases the store's resources.
	Close() error
}

// MinSeenRetention is the shortest time a dedupe key is kept after the last
// fetch that carried its item.
const MinSeenRetention = 90 * 24 * time.Hour

// SeenRetention returns how long a dedupe key is kept after the last fetch
// that carried its item, for an article retention of maxAge: the longer of
// maxAge and [MinSeenRetention].
//
// Why this is enough: every fetch that still carries an item refreshes its
// key (see [RefreshAfter]), so a key can only expire once its item has been
// absent from every fetched feed for this long. Feeds carry an item for
// days to weeks; one that left every feed three months ago and then
// reappears is treated as new. Keeping at least maxAge also means a stored
// article's key is never forgotten before the article itself.
func SeenRetention(maxAge time.Duration) time.Duration {
	return max(maxAge, MinSeenRetention)
}

// RefreshAfter is how stale a key's last-seen time must be before a fetch
// that carries the item again writes a fresh one. It bounds the writes that
// re-fetching an unchanged feed costs to one per item per day.
const RefreshAfter = 24 * time.Hour

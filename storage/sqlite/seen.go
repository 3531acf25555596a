package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/storage/internal/sqlstore"
)

// Article keys live in two tables with the same columns (see
// migrations/00003_seen_recent.sql): seen, the large one, and
// seen_recent, where new keys go. A key is in at most one of them.
//
// seen is keyed by a hash, so inserting a key rewrites a random page of
// it; a batch of new articles rewrote as many pages as it had articles.
// seen_recent stays small, so a batch rewrites the same few pages, and
// once it holds mergeKeys keys they move into seen in key order,
// seenMergeBatch at a time: each page of seen is then rewritten once for
// many keys.
var seenTables = [...]string{"seen_recent", "seen"}

const (
	// seenMergeKeys is how many keys seen_recent collects before they
	// move into seen. Larger means fewer rewrites of seen per key, but a
	// larger seen_recent, more of which each batch rewrites. At a million
	// keys (6,500 pages of seen) moving 32,768 keys rewrites nearly every
	// page of seen once: about 0.2 page writes per key, plus about 0.1
	// for seen_recent, against 1 when every key went straight into seen
	// (docs/performance.md).
	seenMergeKeys = 32768
	// seenMergeBatch is how many keys one merge transaction moves, so that
	// other writers wait at most some tens of milliseconds.
	seenMergeBatch = 4096
)

// seenInserter records new keys inside an ingest transaction.
//
// It uses two single-row statements rather than one INSERT ... SELECT:
// SQLite opens a statement savepoint for a statement that may write
// several rows, and FTS5 writes out its pending index data at every
// savepoint, so one such statement per article made a full-text segment
// per article (and merges to match): ten times the work.
type seenInserter struct {
	inSeen, insert *sql.Stmt
}

func newSeenInserter(ctx context.Context, tx *sql.Tx) (*seenInserter, error) {
	inSeen, err := tx.PrepareContext(ctx, "SELECT 1 FROM seen WHERE key = ?")
	if err != nil {
		return nil, err
	}
	insert, err := tx.PrepareContext(ctx, "INSERT INTO seen_recent (key, last_seen) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")
	if err != nil {
		inSeen.Close()
		return nil, err
	}
	return &seenInserter{inSeen: inSeen, insert: insert}, nil
}

// add records key as seen at lastSeen (Unix nanoseconds) unless either
// table has it, and reports whether it was new.
func (si *seenInserter) add(ctx context.Context, key string, lastSeen int64) (bool, error) {
	var one int
	switch err := si.inSeen.QueryRowContext(ctx, key).Scan(&one); {
	case err == nil:
		return false, nil
	case !errors.Is(err, sql.ErrNoRows):
		return false, err
	}
	res, err := si.insert.ExecContext(ctx, key, lastSeen)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func (si *seenInserter) close() {
	si.inSeen.Close()
	si.insert.Close()
}

// seenKeys returns which of keys are stored. It reads through the write
// connection, outside any transaction: that connection's page cache
// survives its own commits and already holds the key index pages the
// inserts that follow need. A read connection discards its whole cache at
// the first read after another connection committed, and at a million
// keys refilling and freeing it cost more than the lookups themselves
// (docs/performance.md).
func (s *Store) seenKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	known := make(map[string]bool, len(keys))
	const chunk = 500
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		for _, table := range seenTables {
			if err := s.collectKeys(ctx, known, "SELECT key FROM "+table+" WHERE key IN ("+placeholders(len(part))+")", args); err != nil {
				return nil, fmt.Errorf("seen keys: %w", err)
			}
		}
	}
	return known, nil
}

func (s *Store) collectKeys(ctx context.Context, known map[string]bool, query string, args []any) error {
	rows, err := s.write.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return err
		}
		known[k] = true
	}
	return rows.Err()
}

// refreshSeen moves the last-seen time of known keys forward when it is
// older than storage.RefreshAfter, in whichever table holds the key.
func refreshSeen(ctx context.Context, tx *sql.Tx, known []prepared, fetched time.Time) error {
	if len(known) == 0 {
		return nil
	}
	for _, table := range seenTables {
		stmt, err := tx.PrepareContext(ctx, "UPDATE "+table+" SET last_seen = ? WHERE key = ? AND last_seen <= ?")
		if err != nil {
			return err
		}
		for _, p := range known {
			now := lastSeen(p.art, fetched)
			if _, err := stmt.ExecContext(ctx, sqlstore.Nanos(now), p.key, sqlstore.Nanos(now.Add(-storage.RefreshAfter))); err != nil {
				stmt.Close()
				return fmt.Errorf("refresh seen %s: %w", p.key, err)
			}
		}
		if err := stmt.Close(); err != nil {
			return err
		}
	}
	return nil
}

// Seen implements [bot.Store].
func (s *Store) Seen(ctx context.Context, key string) (bool, error) {
	var found bool
	err := s.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM seen_recent WHERE key = ?1)
		OR EXISTS (SELECT 1 FROM seen WHERE key = ?1)`, key).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("seen %q: %w", key, err)
	}
	return found, nil
}

// pruneSeen deletes the keys last seen before cutoff (Unix nanoseconds),
// in transactions of a few thousand keys, and returns how many it deleted.
func (s *Store) pruneSeen(ctx context.Context, cutoff int64) (int64, error) {
	var keys int64
	for _, table := range seenTables {
		for {
			res, err := s.write.ExecContext(ctx, "DELETE FROM "+table+` WHERE key IN
				(SELECT key FROM `+table+` WHERE last_seen < ? ORDER BY last_seen LIMIT ?)`, cutoff, pruneBatch*4)
			if err != nil {
				return keys, fmt.Errorf("prune seen keys: %w", err)
			}
			n, _ := res.RowsAffected()
			keys += n
			if n < pruneBatch*4 {
				break
			}
		}
	}
	return keys, nil
}

// recentKeys tracks how many keys seen_recent holds, to decide when to
// merge it into seen without counting it after every batch.
type recentKeys struct {
	n     int  // an estimate: keys this Store added since the last count
	known bool // n started from a count of the table
}

// noteNewKeys records that added keys went into seen_recent and, once
// the table holds s.mergeKeys keys, moves them into seen. Moving is
// maintenance: the articles are stored either way, so a failure is
// logged and the move is tried again after a later batch.
func (s *Store) noteNewKeys(ctx context.Context, added int) {
	s.recentMu.Lock()
	defer s.recentMu.Unlock()
	s.recent.n += added
	if s.recent.known && s.recent.n < s.mergeKeys {
		return
	}
	// Count: other Stores on the same file and Prune change the table too.
	if err := s.write.QueryRowContext(ctx, "SELECT count(*) FROM seen_recent").Scan(&s.recent.n); err != nil {
		s.logMergeError(ctx, err)
		return
	}
	s.recent.known = true
	if s.recent.n < s.mergeKeys {
		return
	}
	moved, err := s.mergeSeen(ctx)
	s.recent.n -= moved
	if err != nil {
		s.logMergeError(ctx, err)
		return
	}
	s.log.DebugContext(ctx, "moved recent article keys", slog.Int("keys", moved))
}

func (s *Store) logMergeError(ctx context.Context, err error) {
	if ctx.Err() == nil {
		s.log.WarnContext(ctx, "moving recent article keys failed; will retry", slog.Any("err", err))
	}
}

// mergeSeen moves every key of seen_recent into seen, in key order, in
// transactions of seenMergeBatch keys, and returns how many it moved.
func (s *Store) mergeSeen(ctx context.Context) (int, error) {
	moved := 0
	for {
		n, err := s.mergeSeenBatch(ctx)
		moved += n
		if err != nil {
			return moved, fmt.Errorf("merge seen keys: %w", err)
		}
		if n < seenMergeBatch {
			return moved, nil
		}
	}
}

func (s *Store) mergeSeenBatch(ctx context.Context) (int, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	// A key is never in both tables. OR IGNORE (should one be, seen's
	// time stays) means the statement cannot fail halfway, so SQLite
	// needs no statement journal for it: keeping one took more than half
	// of the merge time.
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO seen (key, last_seen)
		SELECT key, last_seen FROM seen_recent ORDER BY key LIMIT ?`, seenMergeBatch); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM seen_recent WHERE key IN
		(SELECT key FROM seen_recent ORDER BY key LIMIT ?)`, seenMergeBatch)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return int(n), nil
}

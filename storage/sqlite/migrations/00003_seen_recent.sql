-- newsbot schema, version 3: new article keys go to a small table first.
--
-- seen is keyed by a hash, so each new key lands on a random leaf: at a
-- million keys nearly every new article dirtied a page of its own (8 KiB
-- written to the WAL and again at the checkpoint). New keys now go to
-- seen_recent, small enough that a batch rewrites the same few pages, and
-- the store moves them into seen in key order once there are enough of
-- them (seenMergeKeys in Go), rewriting each page of seen once for
-- thousands of keys. A key is in at most one of the two tables; both
-- have the same columns and meaning.

-- +goose Up
CREATE TABLE seen_recent (
	key       TEXT PRIMARY KEY,
	last_seen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX seen_recent_last_seen ON seen_recent (last_seen);

-- +goose Down
INSERT INTO seen (key, last_seen) SELECT key, last_seen FROM seen_recent WHERE true
	ON CONFLICT (key) DO UPDATE SET last_seen = max(seen.last_seen, excluded.last_seen);
DROP TABLE seen_recent;

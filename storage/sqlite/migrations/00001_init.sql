-- newsbot schema, version 1. Times are INTEGER Unix nanoseconds (0 for an
-- unknown time); strings are never NULL.

-- +goose Up

-- Configured sources, in the order they were added (id).
CREATE TABLE sources (
	id        INTEGER PRIMARY KEY,
	locator   TEXT NOT NULL UNIQUE,
	name      TEXT NOT NULL,
	url       TEXT NOT NULL,
	path      TEXT NOT NULL,
	full_text INTEGER NOT NULL,
	origin    TEXT NOT NULL
);

-- Fetch state and health of a source, by locator. A state may outlive its
-- source row only if it was saved for a locator never added as a source.
CREATE TABLE source_states (
	locator       TEXT PRIMARY KEY,
	etag          TEXT NOT NULL,
	last_modified TEXT NOT NULL,
	last_fetch    INTEGER NOT NULL,
	last_success  INTEGER NOT NULL,
	last_status   INTEGER NOT NULL,
	last_items    INTEGER NOT NULL,
	last_new      INTEGER NOT NULL,
	last_error    TEXT NOT NULL,
	failures      INTEGER NOT NULL,
	next_fetch    INTEGER NOT NULL,
	paused        INTEGER NOT NULL,
	paused_reason TEXT NOT NULL
) WITHOUT ROWID;

-- Stored articles. id is derived from fetched (see articleID in Go), so
-- ORDER BY id DESC is newest first and a fetched-time bound is an id range.
CREATE TABLE articles (
	id            INTEGER PRIMARY KEY,
	key           TEXT NOT NULL,
	guid          TEXT NOT NULL,
	url           TEXT NOT NULL,
	canonical_url TEXT NOT NULL,
	title         TEXT NOT NULL,
	body          TEXT NOT NULL,
	source        TEXT NOT NULL,
	published     INTEGER NOT NULL,
	fetched       INTEGER NOT NULL
);
CREATE INDEX articles_canonical_url ON articles (canonical_url) WHERE canonical_url <> '';

-- Every article key ever stored, pruned articles included, with the last
-- time a fetch carried the item. Keys outlive their articles (see
-- storage.SeenRetention).
CREATE TABLE seen (
	key       TEXT PRIMARY KEY,
	last_seen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX seen_last_seen ON seen (last_seen);

-- Full-text index of articles: rowid = articles.id. It holds the engine's
-- encoded stems, not the text (contentless), and the source name token.
CREATE VIRTUAL TABLE article_index USING fts5 (
	title, body, src,
	content = '',
	contentless_delete = 1,
	tokenize = 'ascii'
);

CREATE TABLE topics (
	platform TEXT NOT NULL,
	team     TEXT NOT NULL,
	channel  TEXT NOT NULL,
	name     TEXT NOT NULL,
	query    TEXT NOT NULL,
	sources  TEXT NOT NULL, -- JSON array of source names
	origin   TEXT NOT NULL,
	updated  INTEGER NOT NULL,
	PRIMARY KEY (platform, team, channel, name)
) WITHOUT ROWID;

CREATE TABLE subscriptions (
	platform TEXT NOT NULL,
	team     TEXT NOT NULL,
	channel  TEXT NOT NULL,
	topic    TEXT NOT NULL,
	at       TEXT NOT NULL,
	tz       TEXT NOT NULL,
	days     TEXT NOT NULL, -- JSON array of weekday numbers (0 = Sunday)
	max      INTEGER NOT NULL,
	origin   TEXT NOT NULL,
	updated  INTEGER NOT NULL,
	PRIMARY KEY (platform, team, channel, topic)
) WITHOUT ROWID;

CREATE TABLE deliveries (
	subscription_id TEXT NOT NULL,
	scheduled       INTEGER NOT NULL,
	cutoff          INTEGER NOT NULL,
	posted          INTEGER NOT NULL,
	msg_id          TEXT NOT NULL,
	stories         INTEGER NOT NULL,
	status          TEXT NOT NULL,
	error           TEXT NOT NULL,
	PRIMARY KEY (subscription_id, scheduled)
) WITHOUT ROWID;

CREATE TABLE channel_health (
	platform TEXT NOT NULL,
	team     TEXT NOT NULL,
	channel  TEXT NOT NULL,
	error    TEXT NOT NULL,
	at       INTEGER NOT NULL,
	PRIMARY KEY (platform, team, channel)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE channel_health;
DROP TABLE deliveries;
DROP TABLE subscriptions;
DROP TABLE topics;
DROP TABLE article_index;
DROP TABLE seen;
DROP TABLE articles;
DROP TABLE source_states;
DROP TABLE sources;

-- newsbot schema for PostgreSQL, version 1. It mirrors storage/sqlite's:
-- times are BIGINT Unix nanoseconds (0 for an unknown time), strings are
-- never NULL, and article ids encode the fetch time (see articleID).

-- +goose Up
CREATE TABLE sources (
	id        BIGSERIAL PRIMARY KEY,
	locator   TEXT NOT NULL UNIQUE,
	name      TEXT NOT NULL,
	url       TEXT NOT NULL,
	path      TEXT NOT NULL,
	full_text BOOLEAN NOT NULL,
	origin    TEXT NOT NULL
);

CREATE TABLE source_states (
	locator       TEXT PRIMARY KEY,
	etag          TEXT NOT NULL,
	last_modified TEXT NOT NULL,
	last_fetch    BIGINT NOT NULL,
	last_success  BIGINT NOT NULL,
	last_status   INTEGER NOT NULL,
	last_items    INTEGER NOT NULL,
	last_new      INTEGER NOT NULL,
	last_error    TEXT NOT NULL,
	failures      INTEGER NOT NULL,
	next_fetch    BIGINT NOT NULL,
	paused        BOOLEAN NOT NULL,
	paused_reason TEXT NOT NULL
);

-- tsv holds the engine's stems with positions (title first, then body
-- after a gap), built in Go; it is never computed by a text search
-- configuration.
CREATE TABLE articles (
	id            BIGINT PRIMARY KEY,
	key           TEXT NOT NULL,
	guid          TEXT NOT NULL,
	url           TEXT NOT NULL,
	canonical_url TEXT NOT NULL,
	title         TEXT NOT NULL,
	body          TEXT NOT NULL,
	source        TEXT NOT NULL,
	published     BIGINT NOT NULL,
	fetched       BIGINT NOT NULL,
	tsv           TSVECTOR NOT NULL
);
CREATE INDEX articles_tsv ON articles USING GIN (tsv);
CREATE INDEX articles_canonical_url ON articles (canonical_url) WHERE canonical_url <> '';

CREATE TABLE seen (
	key       TEXT PRIMARY KEY,
	last_seen BIGINT NOT NULL
);
CREATE INDEX seen_last_seen ON seen (last_seen);

CREATE TABLE topics (
	platform TEXT NOT NULL,
	team     TEXT NOT NULL,
	channel  TEXT NOT NULL,
	name     TEXT NOT NULL,
	query    TEXT NOT NULL,
	sources  TEXT NOT NULL,
	origin   TEXT NOT NULL,
	updated  BIGINT NOT NULL,
	PRIMARY KEY (platform, team, channel, name)
);

CREATE TABLE subscriptions (
	platform TEXT NOT NULL,
	team     TEXT NOT NULL,
	channel  TEXT NOT NULL,
	topic    TEXT NOT NULL,
	at       TEXT NOT NULL,
	tz       TEXT NOT NULL,
	days     TEXT NOT NULL,
	max      INTEGER NOT NULL,
	origin   TEXT NOT NULL,
	updated  BIGINT NOT NULL,
	PRIMARY KEY (platform, team, channel, topic)
);

CREATE TABLE deliveries (
	subscription_id TEXT NOT NULL,
	scheduled       BIGINT NOT NULL,
	cutoff          BIGINT NOT NULL,
	posted          BIGINT NOT NULL,
	msg_id          TEXT NOT NULL,
	stories         INTEGER NOT NULL,
	status          TEXT NOT NULL,
	error           TEXT NOT NULL,
	PRIMARY KEY (subscription_id, scheduled)
);

CREATE TABLE channel_health (
	platform TEXT NOT NULL,
	team     TEXT NOT NULL,
	channel  TEXT NOT NULL,
	error    TEXT NOT NULL,
	at       BIGINT NOT NULL,
	PRIMARY KEY (platform, team, channel)
);

-- +goose Down
DROP TABLE channel_health;
DROP TABLE deliveries;
DROP TABLE subscriptions;
DROP TABLE topics;
DROP TABLE seen;
DROP TABLE articles;
DROP TABLE source_states;
DROP TABLE sources;

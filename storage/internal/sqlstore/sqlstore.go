// Package sqlstore holds the settings half of the two SQL stores
// (storage/sqlite and storage/postgres): sources and their fetch states,
// topics, subscriptions, deliveries and channel health. The tables are
// the same in both schemas and every statement here runs unchanged on
// SQLite (3.35+, through modernc.org/sqlite) and PostgreSQL (13+): $N
// parameters, INSERT ... ON CONFLICT DO UPDATE, CAST, FALSE. The one
// difference, byte-order sorting of text, is [Settings.collate].
//
// Times are stored as Unix nanoseconds ([Nanos], [FromNanos]).
package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
	"github.com/newsbot/newsbot/storage"
)

// Settings runs the settings statements on a store's database. Both stores
// embed it, so its methods are theirs.
type Settings struct {
	read, write *sql.DB
	collate     string
}

// New returns the settings of a database: read runs queries and write runs
// changes (the same pool for PostgreSQL; a pool of readers and the single
// writer for SQLite). collate follows a text column in ORDER BY to sort
// it by bytes: "" for SQLite (its default, BINARY, is byte order) and
// ` COLLATE "C"` for PostgreSQL (whose default follows the locale).
func New(read, write *sql.DB, collate string) Settings {
	return Settings{read: read, write: write, collate: collate}
}

var (
	minTime = time.Unix(0, math.MinInt64+1).UTC()
	maxTime = time.Unix(0, math.MaxInt64).UTC()
)

// Nanos converts a time to the stored form: Unix nanoseconds, 0 for the
// zero time, clamped to the years 1678-2262 that int64 nanoseconds cover.
func Nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	switch {
	case t.Before(minTime):
		t = minTime
	case t.After(maxTime):
		t = maxTime
	}
	return t.UnixNano()
}

// FromNanos is the inverse of [Nanos]; times come back in UTC.
func FromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// Article ids encode the fetch time: the Unix microsecond shifted left by
// IDShift, plus a sequence number for articles fetched in the same
// microsecond (1,024 of them; more spill into the next microsecond's
// range). Newest first is then ORDER BY id DESC, which both stores' indexes
// serve without sorting, and a fetched-time bound is an id range. The
// layout lasts until the year 2255.
const IDShift = 10

// IDBase returns the smallest id an article fetched at t can get.
func IDBase(t time.Time) int64 {
	us := t.UnixMicro()
	switch {
	case us < 1:
		return 1 << IDShift
	case us >= math.MaxInt64>>IDShift:
		return (math.MaxInt64>>IDShift - 1) << IDShift
	}
	return us << IDShift
}

// ScanArticle reads an article row whose columns are, in order, id, guid,
// url, title, body, source, published and fetched (times as [Nanos]).
func ScanArticle(sc interface{ Scan(...any) error }) (briefing.Article, error) {
	var a briefing.Article
	var id, published, fetched int64
	if err := sc.Scan(&id, &a.GUID, &a.URL, &a.Title, &a.Text, &a.Source, &published, &fetched); err != nil {
		return briefing.Article{}, err
	}
	a.ID = strconv.FormatInt(id, 10)
	a.Published = FromNanos(published)
	a.Fetched = FromNanos(fetched)
	return a, nil
}

// Sources implements [bot.Store] and [feeds.Store]: sources in the order
// they were first added.
func (s *Settings) Sources(ctx context.Context) ([]feeds.Source, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT name, url, path, full_text, origin FROM sources ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	defer rows.Close()
	var out []feeds.Source
	for rows.Next() {
		var src feeds.Source
		if err := rows.Scan(&src.Name, &src.URL, &src.Path, &src.FullText, &src.Origin); err != nil {
			return nil, fmt.Errorf("sources: %w", err)
		}
		out = append(out, src)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	return out, nil
}

// AddSource implements [bot.Store]. Adding a source whose locator is
// already known replaces it in place. A source must have exactly one of
// URL and Path ([storage.ErrInvalid] otherwise).
func (s *Settings) AddSource(ctx context.Context, src feeds.Source) error {
	if err := storage.ValidateSource(src); err != nil {
		return err
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO sources (locator, name, url, path, full_text, origin)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (locator) DO UPDATE SET name = excluded.name, url = excluded.url, path = excluded.path,
			full_text = excluded.full_text, origin = excluded.origin`,
		src.Locator(), src.Name, src.URL, src.Path, src.FullText, src.Origin)
	if err != nil {
		return fmt.Errorf("add source %q: %w", src.Locator(), err)
	}
	return nil
}

// RemoveSource implements [bot.Store]. It forgets the source and its
// state; its stored articles stay until pruned.
func (s *Settings) RemoveSource(ctx context.Context, locator string) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("remove source %q: %w", locator, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "DELETE FROM sources WHERE locator = $1", locator)
	if err != nil {
		return fmt.Errorf("remove source %q: %w", locator, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("source %q: %w", locator, bot.ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM source_states WHERE locator = $1", locator); err != nil {
		return fmt.Errorf("remove source %q: %w", locator, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("remove source %q: %w", locator, err)
	}
	return nil
}

const stateColumns = `locator, etag, last_modified, last_fetch, last_success, last_status, last_items, last_new,
	last_error, failures, next_fetch, paused, paused_reason`

func scanState(sc interface{ Scan(...any) error }) (feeds.State, error) {
	var st feeds.State
	var lastFetch, lastSuccess, nextFetch int64
	err := sc.Scan(&st.Locator, &st.ETag, &st.LastModified, &lastFetch, &lastSuccess, &st.LastStatus,
		&st.LastItems, &st.LastNew, &st.LastError, &st.Failures, &nextFetch, &st.Paused, &st.PausedReason)
	st.LastFetch, st.LastSuccess, st.NextFetch = FromNanos(lastFetch), FromNanos(lastSuccess), FromNanos(nextFetch)
	return st, err
}

// State implements [feeds.Store].
func (s *Settings) State(ctx context.Context, locator string) (feeds.State, error) {
	st, err := scanState(s.read.QueryRowContext(ctx, "SELECT "+stateColumns+" FROM source_states WHERE locator = $1", locator))
	if errors.Is(err, sql.ErrNoRows) {
		return feeds.State{Locator: locator}, nil
	}
	if err != nil {
		return feeds.State{}, fmt.Errorf("state of %q: %w", locator, err)
	}
	return st, nil
}

// SaveState implements [feeds.Store].
func (s *Settings) SaveState(ctx context.Context, st feeds.State) error {
	if st.Locator == "" {
		return fmt.Errorf("save state: empty locator: %w", storage.ErrInvalid)
	}
	_, err := s.write.ExecContext(ctx, "INSERT INTO source_states ("+stateColumns+
		") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"+
		` ON CONFLICT (locator) DO UPDATE SET etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified,
		last_fetch = EXCLUDED.last_fetch, last_success = EXCLUDED.last_success, last_status = EXCLUDED.last_status,
		last_items = EXCLUDED.last_items, last_new = EXCLUDED.last_new, last_error = EXCLUDED.last_error,
		failures = EXCLUDED.failures, next_fetch = EXCLUDED.next_fetch, paused = EXCLUDED.paused,
		paused_reason = EXCLUDED.paused_reason`,
		st.Locator, st.ETag, st.LastModified, Nanos(st.LastFetch), Nanos(st.LastSuccess), st.LastStatus,
		st.LastItems, st.LastNew, st.LastError, st.Failures, Nanos(st.NextFetch), st.Paused, st.PausedReason)
	if err != nil {
		return fmt.Errorf("save state of %q: %w", st.Locator, err)
	}
	return nil
}

// States implements [bot.Store]: one state per source, in source order (a
// zero State for a source never fetched), then any saved states of
// locators not in the source list, sorted by locator.
func (s *Settings) States(ctx context.Context) ([]feeds.State, error) {
	rows, err := s.read.QueryContext(ctx, `
		SELECT s.locator, COALESCE(st.etag, ''), COALESCE(st.last_modified, ''), COALESCE(st.last_fetch, 0),
			COALESCE(st.last_success, 0), COALESCE(st.last_status, 0), COALESCE(st.last_items, 0),
			COALESCE(st.last_new, 0), COALESCE(st.last_error, ''), COALESCE(st.failures, 0),
			COALESCE(st.next_fetch, 0), COALESCE(st.paused, FALSE), COALESCE(st.paused_reason, '')
		FROM (SELECT locator, id AS ord FROM sources
			UNION ALL
			SELECT locator, CAST(NULL AS BIGINT) FROM source_states WHERE locator NOT IN (SELECT locator FROM sources)) s
		LEFT JOIN source_states st ON st.locator = s.locator
		ORDER BY s.ord IS NULL, s.ord, s.locator`+s.collate)
	if err != nil {
		return nil, fmt.Errorf("states: %w", err)
	}
	defer rows.Close()
	var out []feeds.State
	for rows.Next() {
		st, err := scanState(rows)
		if err != nil {
			return nil, fmt.Errorf("states: %w", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("states: %w", err)
	}
	return out, nil
}

// Topics implements [bot.Store]; the zero ChannelRef lists every
// channel's topics, ordered by channel and name.
func (s *Settings) Topics(ctx context.Context, ch bot.ChannelRef) ([]bot.Topic, error) {
	q := `SELECT platform, team, channel, name, query, sources, origin, updated FROM topics
		WHERE platform = $1 AND team = $2 AND channel = $3 ORDER BY name` + s.collate
	args := []any{ch.Platform, ch.Team, ch.Channel}
	if ch == (bot.ChannelRef{}) { // every topic
		c := s.collate
		q = `SELECT platform, team, channel, name, query, sources, origin, updated FROM topics
		ORDER BY platform` + c + `, team` + c + `, channel` + c + `, name` + c
		args = nil
	}
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("topics of %s: %w", ch, err)
	}
	defer rows.Close()
	var out []bot.Topic
	for rows.Next() {
		var t bot.Topic
		var sources string
		var updated int64
		if err := rows.Scan(&t.Channel.Platform, &t.Channel.Team, &t.Channel.Channel, &t.Name, &t.Query, &sources, &t.Origin, &updated); err != nil {
			return nil, fmt.Errorf("topics of %s: %w", ch, err)
		}
		if err := json.Unmarshal([]byte(sources), &t.Sources); err != nil {
			return nil, fmt.Errorf("topic %q of %s: sources: %w", t.Name, ch, err)
		}
		if len(t.Sources) == 0 {
			t.Sources = nil
		}
		t.Updated = FromNanos(updated)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("topics of %s: %w", ch, err)
	}
	return out, nil
}

// PutTopic implements [bot.Store].
func (s *Settings) PutTopic(ctx context.Context, t bot.Topic) error {
	if err := storage.ValidateTopic(t); err != nil {
		return err
	}
	sources, err := json.Marshal(nonNil(t.Sources))
	if err != nil {
		return fmt.Errorf("put topic %q: %w", t.Name, err)
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO topics
		(platform, team, channel, name, query, sources, origin, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (platform, team, channel, name) DO UPDATE SET query = EXCLUDED.query,
			sources = EXCLUDED.sources, origin = EXCLUDED.origin, updated = EXCLUDED.updated`,
		t.Channel.Platform, t.Channel.Team, t.Channel.Channel, t.Name, t.Query, string(sources), t.Origin, Nanos(t.Updated))
	if err != nil {
		return fmt.Errorf("put topic %q: %w", t.Name, err)
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// DeleteTopic implements [bot.Store]: it deletes the topic and the
// channel's subscription to it.
func (s *Settings) DeleteTopic(ctx context.Context, ch bot.ChannelRef, name string) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete topic %q: %w", name, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "DELETE FROM topics WHERE platform = $1 AND team = $2 AND channel = $3 AND name = $4",
		ch.Platform, ch.Team, ch.Channel, name)
	if err != nil {
		return fmt.Errorf("delete topic %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("topic %q in %s: %w", name, ch, bot.ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM subscriptions WHERE platform = $1 AND team = $2 AND channel = $3 AND topic = $4",
		ch.Platform, ch.Team, ch.Channel, name); err != nil {
		return fmt.Errorf("delete topic %q: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete topic %q: %w", name, err)
	}
	return nil
}

// Subscriptions implements [bot.Store]: sorted by [bot.Subscription.ID].
func (s *Settings) Subscriptions(ctx context.Context, ch bot.ChannelRef) ([]bot.Subscription, error) {
	query := "SELECT platform, team, channel, topic, at, tz, days, max, origin, updated FROM subscriptions"
	var args []any
	if ch != (bot.ChannelRef{}) {
		query += " WHERE platform = $1 AND team = $2 AND channel = $3"
		args = []any{ch.Platform, ch.Team, ch.Channel}
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	defer rows.Close()
	var out []bot.Subscription
	for rows.Next() {
		var sub bot.Subscription
		var days string
		var updated int64
		if err := rows.Scan(&sub.Channel.Platform, &sub.Channel.Team, &sub.Channel.Channel, &sub.Topic,
			&sub.At, &sub.TimeZone, &days, &sub.Max, &sub.Origin, &updated); err != nil {
			return nil, fmt.Errorf("subscriptions: %w", err)
		}
		if err := json.Unmarshal([]byte(days), &sub.Days); err != nil {
			return nil, fmt.Errorf("subscription %s: days: %w", sub.ID(), err)
		}
		if len(sub.Days) == 0 {
			sub.Days = nil
		}
		sub.Updated = FromNanos(updated)
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	slices.SortFunc(out, func(a, b bot.Subscription) int { return cmp.Compare(a.ID(), b.ID()) })
	return out, nil
}

// PutSubscription implements [bot.Store].
func (s *Settings) PutSubscription(ctx context.Context, sub bot.Subscription) error {
	if err := storage.ValidateSubscription(sub); err != nil {
		return err
	}
	days, err := json.Marshal(nonNil(sub.Days))
	if err != nil {
		return fmt.Errorf("put subscription %s: %w", sub.ID(), err)
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO subscriptions
		(platform, team, channel, topic, at, tz, days, max, origin, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (platform, team, channel, topic) DO UPDATE SET at = EXCLUDED.at, tz = EXCLUDED.tz,
			days = EXCLUDED.days, max = EXCLUDED.max, origin = EXCLUDED.origin, updated = EXCLUDED.updated`,
		sub.Channel.Platform, sub.Channel.Team, sub.Channel.Channel, sub.Topic, sub.At, sub.TimeZone,
		string(days), sub.Max, sub.Origin, Nanos(sub.Updated))
	if err != nil {
		return fmt.Errorf("put subscription %s: %w", sub.ID(), err)
	}
	return nil
}

// DeleteSubscription implements [bot.Store].
func (s *Settings) DeleteSubscription(ctx context.Context, ch bot.ChannelRef, topic string) error {
	res, err := s.write.ExecContext(ctx, "DELETE FROM subscriptions WHERE platform = $1 AND team = $2 AND channel = $3 AND topic = $4",
		ch.Platform, ch.Team, ch.Channel, topic)
	if err != nil {
		return fmt.Errorf("delete subscription %q: %w", topic, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("subscription %q in %s: %w", topic, ch, bot.ErrNotFound)
	}
	return nil
}

const deliveryColumns = "subscription_id, scheduled, cutoff, posted, msg_id, stories, status, error"

func scanDelivery(sc interface{ Scan(...any) error }) (bot.Delivery, error) {
	var d bot.Delivery
	var scheduled, cutoff, posted int64
	err := sc.Scan(&d.SubscriptionID, &scheduled, &cutoff, &posted, &d.MsgID, &d.Stories, &d.Status, &d.Error)
	d.Scheduled, d.Cutoff, d.Posted = FromNanos(scheduled), FromNanos(cutoff), FromNanos(posted)
	return d, err
}

// LastDelivery implements [bot.Store]: the delivery with the latest slot.
func (s *Settings) LastDelivery(ctx context.Context, subscriptionID string) (bot.Delivery, error) {
	d, err := scanDelivery(s.read.QueryRowContext(ctx, "SELECT "+deliveryColumns+
		" FROM deliveries WHERE subscription_id = $1 ORDER BY scheduled DESC LIMIT 1", subscriptionID))
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Delivery{}, fmt.Errorf("delivery of %q: %w", subscriptionID, bot.ErrNotFound)
	}
	if err != nil {
		return bot.Delivery{}, fmt.Errorf("last delivery of %q: %w", subscriptionID, err)
	}
	return d, nil
}

// GetDelivery implements [bot.Store].
func (s *Settings) GetDelivery(ctx context.Context, subscriptionID string, scheduled time.Time) (bot.Delivery, error) {
	d, err := scanDelivery(s.read.QueryRowContext(ctx, "SELECT "+deliveryColumns+
		" FROM deliveries WHERE subscription_id = $1 AND scheduled = $2", subscriptionID, Nanos(scheduled)))
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Delivery{}, fmt.Errorf("delivery of %q at %s: %w", subscriptionID, scheduled.UTC().Format(time.RFC3339), bot.ErrNotFound)
	}
	if err != nil {
		return bot.Delivery{}, fmt.Errorf("delivery of %q: %w", subscriptionID, err)
	}
	return d, nil
}

// SaveDelivery implements [bot.Store].
func (s *Settings) SaveDelivery(ctx context.Context, d bot.Delivery) error {
	if err := storage.ValidateDelivery(d); err != nil {
		return err
	}
	_, err := s.write.ExecContext(ctx, "INSERT INTO deliveries ("+deliveryColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"+
		" ON CONFLICT (subscription_id, scheduled) DO UPDATE SET cutoff = EXCLUDED.cutoff, posted = EXCLUDED.posted,"+
		" msg_id = EXCLUDED.msg_id, stories = EXCLUDED.stories, status = EXCLUDED.status, error = EXCLUDED.error",
		d.SubscriptionID, Nanos(d.Scheduled), Nanos(d.Cutoff), Nanos(d.Posted), d.MsgID, d.Stories, d.Status, d.Error)
	if err != nil {
		return fmt.Errorf("save delivery of %q: %w", d.SubscriptionID, err)
	}
	return nil
}

// ChannelHealth implements [bot.Store]: sorted by channel.
func (s *Settings) ChannelHealth(ctx context.Context) ([]bot.ChannelHealth, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT platform, team, channel, error, at FROM channel_health")
	if err != nil {
		return nil, fmt.Errorf("channel health: %w", err)
	}
	defer rows.Close()
	out := []bot.ChannelHealth{}
	for rows.Next() {
		var h bot.ChannelHealth
		var at int64
		if err := rows.Scan(&h.Channel.Platform, &h.Channel.Team, &h.Channel.Channel, &h.Error, &at); err != nil {
			return nil, fmt.Errorf("channel health: %w", err)
		}
		h.At = FromNanos(at)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("channel health: %w", err)
	}
	slices.SortFunc(out, func(a, b bot.ChannelHealth) int { return cmp.Compare(a.Channel.String(), b.Channel.String()) })
	return out, nil
}

// SetChannelHealth implements [bot.Store]; an empty Error clears the
// channel's record.
func (s *Settings) SetChannelHealth(ctx context.Context, h bot.ChannelHealth) error {
	var err error
	if h.Error == "" {
		_, err = s.write.ExecContext(ctx, "DELETE FROM channel_health WHERE platform = $1 AND team = $2 AND channel = $3",
			h.Channel.Platform, h.Channel.Team, h.Channel.Channel)
	} else {
		_, err = s.write.ExecContext(ctx, `INSERT INTO channel_health (platform, team, channel, error, at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (platform, team, channel) DO UPDATE SET error = EXCLUDED.error, at = EXCLUDED.at`,
			h.Channel.Platform, h.Channel.Team, h.Channel.Channel, h.Error, Nanos(h.At))
	}
	if err != nil {
		return fmt.Errorf("set channel health of %s: %w", h.Channel, err)
	}
	return nil
}

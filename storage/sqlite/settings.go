package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/feeds"
	"github.com/newsbot/newsbot/storage"
)

// Sources implements [bot.Store] and [feeds.Store]: sources in the order
// they were first added.
func (s *Store) Sources(ctx context.Context) ([]feeds.Source, error) {
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
func (s *Store) AddSource(ctx context.Context, src feeds.Source) error {
	if err := storage.ValidateSource(src); err != nil {
		return err
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO sources (locator, name, url, path, full_text, origin)
		VALUES (?, ?, ?, ?, ?, ?)
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
func (s *Store) RemoveSource(ctx context.Context, locator string) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("remove source %q: %w", locator, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "DELETE FROM sources WHERE locator = ?", locator)
	if err != nil {
		return fmt.Errorf("remove source %q: %w", locator, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("source %q: %w", locator, bot.ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM source_states WHERE locator = ?", locator); err != nil {
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
	st.LastFetch, st.LastSuccess, st.NextFetch = fromNanos(lastFetch), fromNanos(lastSuccess), fromNanos(nextFetch)
	return st, err
}

// State implements [feeds.Store].
func (s *Store) State(ctx context.Context, locator string) (feeds.State, error) {
	st, err := scanState(s.read.QueryRowContext(ctx, "SELECT "+stateColumns+" FROM source_states WHERE locator = ?", locator))
	if errors.Is(err, sql.ErrNoRows) {
		return feeds.State{Locator: locator}, nil
	}
	if err != nil {
		return feeds.State{}, fmt.Errorf("state of %q: %w", locator, err)
	}
	return st, nil
}

// SaveState implements [feeds.Store].
func (s *Store) SaveState(ctx context.Context, st feeds.State) error {
	if st.Locator == "" {
		return fmt.Errorf("save state: empty locator: %w", storage.ErrInvalid)
	}
	_, err := s.write.ExecContext(ctx, "INSERT OR REPLACE INTO source_states ("+stateColumns+
		") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		st.Locator, st.ETag, st.LastModified, nanos(st.LastFetch), nanos(st.LastSuccess), st.LastStatus,
		st.LastItems, st.LastNew, st.LastError, st.Failures, nanos(st.NextFetch), st.Paused, st.PausedReason)
	if err != nil {
		return fmt.Errorf("save state of %q: %w", st.Locator, err)
	}
	return nil
}

// States implements [bot.Store]: one state per source, in source order (a
// zero State for a source never fetched), then any saved states of
// locators not in the source list, sorted by locator.
func (s *Store) States(ctx context.Context) ([]feeds.State, error) {
	rows, err := s.read.QueryContext(ctx, `
		SELECT s.locator, COALESCE(st.etag, ''), COALESCE(st.last_modified, ''), COALESCE(st.last_fetch, 0),
			COALESCE(st.last_success, 0), COALESCE(st.last_status, 0), COALESCE(st.last_items, 0),
			COALESCE(st.last_new, 0), COALESCE(st.last_error, ''), COALESCE(st.failures, 0),
			COALESCE(st.next_fetch, 0), COALESCE(st.paused, 0), COALESCE(st.paused_reason, '')
		FROM (SELECT locator, id AS ord FROM sources
			UNION ALL
			SELECT locator, NULL FROM source_states WHERE locator NOT IN (SELECT locator FROM sources)) s
		LEFT JOIN source_states st ON st.locator = s.locator
		ORDER BY s.ord IS NULL, s.ord, s.locator`)
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
func (s *Store) Topics(ctx context.Context, ch bot.ChannelRef) ([]bot.Topic, error) {
	q := `SELECT platform, team, channel, name, query, sources, origin, updated FROM topics
		WHERE platform = ? AND team = ? AND channel = ? ORDER BY name`
	args := []any{ch.Platform, ch.Team, ch.Channel}
	if ch == (bot.ChannelRef{}) { // every topic
		q = `SELECT platform, team, channel, name, query, sources, origin, updated FROM topics
		ORDER BY platform, team, channel, name`
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
		t.Updated = fromNanos(updated)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("topics of %s: %w", ch, err)
	}
	return out, nil
}

// PutTopic implements [bot.Store].
func (s *Store) PutTopic(ctx context.Context, t bot.Topic) error {
	if err := storage.ValidateTopic(t); err != nil {
		return err
	}
	sources, err := json.Marshal(nonNil(t.Sources))
	if err != nil {
		return fmt.Errorf("put topic %q: %w", t.Name, err)
	}
	_, err = s.write.ExecContext(ctx, `INSERT OR REPLACE INTO topics
		(platform, team, channel, name, query, sources, origin, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.Channel.Platform, t.Channel.Team, t.Channel.Channel, t.Name, t.Query, string(sources), t.Origin, nanos(t.Updated))
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
func (s *Store) DeleteTopic(ctx context.Context, ch bot.ChannelRef, name string) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete topic %q: %w", name, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "DELETE FROM topics WHERE platform = ? AND team = ? AND channel = ? AND name = ?",
		ch.Platform, ch.Team, ch.Channel, name)
	if err != nil {
		return fmt.Errorf("delete topic %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("topic %q in %s: %w", name, ch, bot.ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM subscriptions WHERE platform = ? AND team = ? AND channel = ? AND topic = ?",
		ch.Platform, ch.Team, ch.Channel, name); err != nil {
		return fmt.Errorf("delete topic %q: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete topic %q: %w", name, err)
	}
	return nil
}

// Subscriptions implements [bot.Store]: sorted by [bot.Subscription.ID].
func (s *Store) Subscriptions(ctx context.Context, ch bot.ChannelRef) ([]bot.Subscription, error) {
	query := "SELECT platform, team, channel, topic, at, tz, days, max, origin, updated FROM subscriptions"
	var args []any
	if ch != (bot.ChannelRef{}) {
		query += " WHERE platform = ? AND team = ? AND channel = ?"
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
		sub.Updated = fromNanos(updated)
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	slices.SortFunc(out, func(a, b bot.Subscription) int { return cmp.Compare(a.ID(), b.ID()) })
	return out, nil
}

// PutSubscription implements [bot.Store].
func (s *Store) PutSubscription(ctx context.Context, sub bot.Subscription) error {
	if err := storage.ValidateSubscription(sub); err != nil {
		return err
	}
	days, err := json.Marshal(nonNil(sub.Days))
	if err != nil {
		return fmt.Errorf("put subscription %s: %w", sub.ID(), err)
	}
	_, err = s.write.ExecContext(ctx, `INSERT OR REPLACE INTO subscriptions
		(platform, team, channel, topic, at, tz, days, max, origin, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sub.Channel.Platform, sub.Channel.Team, sub.Channel.Channel, sub.Topic, sub.At, sub.TimeZone,
		string(days), sub.Max, sub.Origin, nanos(sub.Updated))
	if err != nil {
		return fmt.Errorf("put subscription %s: %w", sub.ID(), err)
	}
	return nil
}

// DeleteSubscription implements [bot.Store].
func (s *Store) DeleteSubscription(ctx context.Context, ch bot.ChannelRef, topic string) error {
	res, err := s.write.ExecContext(ctx, "DELETE FROM subscriptions WHERE platform = ? AND team = ? AND channel = ? AND topic = ?",
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
	d.Scheduled, d.Cutoff, d.Posted = fromNanos(scheduled), fromNanos(cutoff), fromNanos(posted)
	return d, err
}

// LastDelivery implements [bot.Store]: the delivery with the latest slot.
func (s *Store) LastDelivery(ctx context.Context, subscriptionID string) (bot.Delivery, error) {
	d, err := scanDelivery(s.read.QueryRowContext(ctx, "SELECT "+deliveryColumns+
		" FROM deliveries WHERE subscription_id = ? ORDER BY scheduled DESC LIMIT 1", subscriptionID))
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Delivery{}, fmt.Errorf("delivery of %q: %w", subscriptionID, bot.ErrNotFound)
	}
	if err != nil {
		return bot.Delivery{}, fmt.Errorf("last delivery of %q: %w", subscriptionID, err)
	}
	return d, nil
}

// GetDelivery implements [bot.Store].
func (s *Store) GetDelivery(ctx context.Context, subscriptionID string, scheduled time.Time) (bot.Delivery, error) {
	d, err := scanDelivery(s.read.QueryRowContext(ctx, "SELECT "+deliveryColumns+
		" FROM deliveries WHERE subscription_id = ? AND scheduled = ?", subscriptionID, nanos(scheduled)))
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Delivery{}, fmt.Errorf("delivery of %q at %s: %w", subscriptionID, scheduled.UTC().Format(time.RFC3339), bot.ErrNotFound)
	}
	if err != nil {
		return bot.Delivery{}, fmt.Errorf("delivery of %q: %w", subscriptionID, err)
	}
	return d, nil
}

// SaveDelivery implements [bot.Store].
func (s *Store) SaveDelivery(ctx context.Context, d bot.Delivery) error {
	if err := storage.ValidateDelivery(d); err != nil {
		return err
	}
	_, err := s.write.ExecContext(ctx, "INSERT OR REPLACE INTO deliveries ("+deliveryColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		d.SubscriptionID, nanos(d.Scheduled), nanos(d.Cutoff), nanos(d.Posted), d.MsgID, d.Stories, d.Status, d.Error)
	if err != nil {
		return fmt.Errorf("save delivery of %q: %w", d.SubscriptionID, err)
	}
	return nil
}

// ChannelHealth implements [bot.Store]: sorted by channel.
func (s *Store) ChannelHealth(ctx context.Context) ([]bot.ChannelHealth, error) {
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
		h.At = fromNanos(at)
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
func (s *Store) SetChannelHealth(ctx context.Context, h bot.ChannelHealth) error {
	var err error
	if h.Error == "" {
		_, err = s.write.ExecContext(ctx, "DELETE FROM channel_health WHERE platform = ? AND team = ? AND channel = ?",
			h.Channel.Platform, h.Channel.Team, h.Channel.Channel)
	} else {
		_, err = s.write.ExecContext(ctx, "INSERT OR REPLACE INTO channel_health (platform, team, channel, error, at) VALUES (?, ?, ?, ?, ?)",
			h.Channel.Platform, h.Channel.Team, h.Channel.Channel, h.Error, nanos(h.At))
	}
	if err != nil {
		return fmt.Errorf("set channel health of %s: %w", h.Channel, err)
	}
	return nil
}

package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Due is one delivery to make: a subscription's slot.
type Due struct {
	// SubscriptionID is [Subscription.ID].
	SubscriptionID string
	// Platform is the name of the platform the subscription posts to.
	Platform string
	// Scheduled is the slot, in UTC.
	Scheduled time.Time
}

// planEntry remembers how far a subscription has been planned.
type planEntry struct {
	through     time.Time
	fingerprint string
}

// maxSlotsPerPlan bounds the slots one call plans for one subscription.
const maxSlotsPerPlan = 100

// Plan returns the deliveries due up to until (normally now plus a little
// lookahead) that earlier calls have not returned, for the subscriptions
// on this bot's platforms, oldest first. Enqueue each one; Deliver settles
// it. Returning a slot again is harmless (Deliver is idempotent), and after
// a restart Plan does return the slots since the last recorded delivery
// again, so that none is lost.
//
// A subscription is planned from its last delivery, and never from before
// it was last changed. Slots missed by more than Config.Grace (the bot was
// down) are not returned: the newest of them is recorded as skipped and
// the miss is logged. Plan is safe for concurrent use.
func (b *Bot) Plan(ctx context.Context, until time.Time) ([]Due, error) {
	subs, err := b.store.Subscriptions(ctx, ChannelRef{})
	if err != nil {
		return nil, fmt.Errorf("plan: subscriptions: %w", err)
	}
	now := b.now()
	b.planMu.Lock()
	defer b.planMu.Unlock()
	seen := make(map[string]bool, len(subs))
	var dues []Due
	for _, s := range subs {
		if _, ok := b.platforms[s.Channel.Platform]; !ok {
			continue
		}
		id := s.ID()
		seen[id] = true
		sched, err := b.ScheduleOf(s)
		if err != nil {
			b.log.WarnContext(ctx, "subscription has a broken schedule; not planned", slog.String("subscription", id), slog.Any("error", err))
			continue
		}
		fp := sched.String() + "|" + s.Updated.UTC().Format(time.RFC3339Nano)
		e, ok := b.planned[id]
		from := e.through
		if !ok || e.fingerprint != fp {
			if from, err = b.planStart(ctx, s, sched, now); err != nil {
				return nil, err
			}
		}
		for _, t := range sched.Slots(from, until, maxSlotsPerPlan) {
			dues = append(dues, Due{SubscriptionID: id, Platform: s.Channel.Platform, Scheduled: t.UTC()})
		}
		b.planned[id] = planEntry{through: maxTime(from, until), fingerprint: fp}
	}
	for id := range b.planned {
		if !seen[id] {
			delete(b.planned, id)
		}
	}
	slices.SortStableFunc(dues, func(x, y Due) int { return x.Scheduled.Compare(y.Scheduled) })
	return dues, nil
}

// planStart is where planning of a subscription (re)starts: after its last
// delivery and its last change, and at most Config.Grace in the past. It
// records the newest slot missed beyond the grace period as skipped.
func (b *Bot) planStart(ctx context.Context, s Subscription, sched Schedule, now time.Time) (time.Time, error) {
	id := s.ID()
	from := s.Updated
	last, err := b.store.LastDelivery(ctx, id)
	switch {
	case err == nil:
		from = maxTime(from, last.Scheduled)
	case !errors.Is(err, ErrNotFound):
		return time.Time{}, fmt.Errorf("plan: last delivery of %s: %w", id, err)
	}
	horizon := now.Add(-b.cfg.Grace)
	if from.IsZero() {
		return horizon, nil
	}
	if !from.Before(horizon) {
		return from, nil
	}
	// Look back at most a little over a year for missed slots.
	missed := sched.Slots(maxTime(from, now.AddDate(-1, 0, -7)), horizon, 400)
	if len(missed) > 0 {
		newest := missed[len(missed)-1]
		why := fmt.Sprintf("missed while the bot was not running (%d slot(s) up to this one); grace is %s", len(missed), humanDuration(b.cfg.Grace))
		if err := b.record(ctx, b.skipped(ctx, id, newest.UTC(), why)); err != nil {
			return time.Time{}, err
		}
		b.log.WarnContext(ctx, "digests missed while the bot was not running were skipped",
			slog.String("subscription", id), slog.Int("missed", len(missed)), slog.Time("newest", newest.UTC()),
			slog.Duration("grace", b.cfg.Grace))
	}
	return horizon, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

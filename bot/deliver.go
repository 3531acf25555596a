package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/newsbot/newsbot/briefing"
)

// digest is a built, not yet posted, digest.
type digest struct {
	briefing briefing.Briefing
	// since is the lower bound of Article.Fetched it covered (exclusive);
	// cutoff the newest Article.Fetched it covered.
	since, cutoff time.Time
	// prev is the subscription's previous delivery, if any.
	prev *Delivery
}

// buildDigest makes the digest of topic t for subscription s as of now:
// the topic's stories whose articles were fetched since the previous
// delivery's cutoff (for a first digest: within the window), grouped,
// ranked, summarized and cut to the subscription's max.
func (b *Bot) buildDigest(ctx context.Context, t Topic, s Subscription, now time.Time) (digest, error) {
	q, err := briefing.ParseQuery(t.Query)
	if err != nil {
		return digest{}, fmt.Errorf("topic %s query %q: %w", t.Name, t.Query, err)
	}
	dg := digest{since: now.Add(-b.cfg.Window)}
	prev, err := b.store.LastDelivery(ctx, s.ID())
	switch {
	case err == nil:
		dg.prev = &prev
		if !prev.Cutoff.IsZero() {
			dg.since = prev.Cutoff
		}
	case !errors.Is(err, ErrNotFound):
		return digest{}, fmt.Errorf("last delivery of %s: %w", s.ID(), err)
	}
	if floor := now.Add(-MaxDigestLookback); dg.since.Before(floor) {
		dg.since = floor
	}
	dg.cutoff = dg.since
	arts, err := b.store.SearchArticles(ctx, q, SearchOptions{Since: dg.since, Sources: t.Sources, Limit: b.cfg.SearchLimit})
	if err != nil {
		return digest{}, fmt.Errorf("search %s: %w", t.Name, err)
	}
	if len(arts) >= b.cfg.SearchLimit {
		b.log.WarnContext(ctx, "digest hit the search limit; older matches are left out",
			slog.String("subscription", s.ID()), slog.Int("limit", b.cfg.SearchLimit))
	}
	fresh := arts[:0:0]
	for _, a := range arts {
		if a.Fetched.After(dg.since) {
			fresh = append(fresh, a)
			if a.Fetched.After(dg.cutoff) {
				dg.cutoff = a.Fetched
			}
		}
	}
	budget := b.cfg.Budget
	if s.Max > 0 {
		budget.Stories = s.Max
	}
	dg.briefing = b.eng.Brief(now, t.Name+" digest", q, fresh, budget)
	return dg, nil
}

// DeliveryKey is the idempotency key of the digest for one subscription
// slot, passed to Platform.Post as Message.Key: 24 characters of
// [0-9a-z], short enough for a Discord nonce.
func DeliveryKey(subscriptionID string, scheduled time.Time) string {
	sum := sha256.Sum256([]byte(subscriptionID + "|" + scheduled.UTC().Format(time.RFC3339)))
	return "nb" + hex.EncodeToString(sum[:11])
}

// Deliver posts the digest of one subscription slot, exactly once. It is
// the body of a delivery job and safe to call again for the same slot:
//
//   - a slot with a recorded delivery is done already (nil);
//   - a slot whose subscription or topic is gone, or whose schedule no
//     longer contains it, is dropped (nil, logged);
//   - a slot more than Config.Grace late is recorded as skipped (nil,
//     logged);
//   - an empty digest is recorded as empty and posts nothing, unless
//     Config.PostEmpty;
//   - otherwise the digest is posted with Message.Key = DeliveryKey and
//     recorded as posted. When the platform is a PostedChecker, a digest
//     posted before a crash is found and recorded instead of re-posted.
//
// A channel the platform reports unavailable (ErrChannelUnavailable) is
// recorded in ChannelHealth and the delivery as failed (nil: retrying will
// not help). A rate limit longer than Config.MaxInlineWait returns the
// *RateLimitError (wrapped): the caller should retry after RetryAfter.
// Any other error means nothing was recorded and the caller should retry
// with back-off.
func (b *Bot) Deliver(ctx context.Context, subscriptionID string, scheduled time.Time) error {
	status, err := b.deliver(ctx, subscriptionID, scheduled)
	if b.cfg.Observer != nil {
		if err != nil {
			status = OutcomeRetry
		}
		if ch, _, perr := parseSubscriptionID(subscriptionID); perr == nil && status != "" {
			b.cfg.Observer.DeliveryDone(ch.Platform, status)
		}
	}
	return err
}

// deliver does Deliver's work and returns the status it recorded ("" when
// the slot needed nothing: already settled, or its subscription is gone).
func (b *Bot) deliver(ctx context.Context, subscriptionID string, scheduled time.Time) (status string, err error) {
	scheduled = scheduled.UTC()
	log := b.log.With(slog.String("subscription", subscriptionID), slog.Time("scheduled", scheduled))
	if d, err := b.store.GetDelivery(ctx, subscriptionID, scheduled); err == nil {
		log.DebugContext(ctx, "delivery already settled", slog.String("status", d.Status))
		return "", nil
	} else if !errors.Is(err, ErrNotFound) {
		return "", fmt.Errorf("get delivery: %w", err)
	}
	ch, topicName, err := parseSubscriptionID(subscriptionID)
	if err != nil {
		log.WarnContext(ctx, "dropping delivery with a malformed subscription id", slog.Any("error", err))
		return "", nil
	}
	sub, err := b.findSubscription(ctx, ch, topicName)
	if errors.Is(err, ErrNotFound) {
		log.InfoContext(ctx, "dropping delivery: the subscription is gone")
		return "", nil
	} else if err != nil {
		return "", err
	}
	sched, err := b.ScheduleOf(sub)
	if err != nil {
		log.WarnContext(ctx, "dropping delivery: the subscription's schedule is broken", slog.Any("error", err))
		return "", nil
	}
	if !sched.IsSlot(scheduled) {
		log.InfoContext(ctx, "dropping delivery: the subscription's schedule changed", slog.String("schedule", sched.String()))
		return "", nil
	}
	topic, err := b.findTopic(ctx, ch, topicName)
	if errors.Is(err, ErrNotFound) {
		log.InfoContext(ctx, "dropping delivery: the topic is gone")
		return "", nil
	} else if err != nil {
		return "", err
	}
	p, ok := b.platforms[ch.Platform]
	if !ok {
		return "", fmt.Errorf("deliver %s: platform %q is not running in this process", subscriptionID, ch.Platform)
	}
	now := b.now()
	if late := now.Sub(scheduled); late > b.cfg.Grace {
		log.WarnContext(ctx, "digest skipped: missed beyond the grace period",
			slog.Duration("late", late.Round(time.Second)), slog.Duration("grace", b.cfg.Grace))
		return StatusSkipped, b.record(ctx, b.skipped(ctx, subscriptionID, scheduled, fmt.Sprintf("missed by %s; grace is %s", humanDuration(late), humanDuration(b.cfg.Grace))))
	}
	dg, err := b.buildDigest(ctx, topic, sub, now)
	if err != nil {
		return "", err
	}
	if dg.prev != nil && !dg.prev.Scheduled.Before(scheduled) {
		log.InfoContext(ctx, "dropping delivery: a later slot was delivered already", slog.Time("later", dg.prev.Scheduled))
		return "", nil
	}
	d := Delivery{SubscriptionID: subscriptionID, Scheduled: scheduled, Cutoff: dg.cutoff, Stories: len(dg.briefing.Items)}
	msg := Message{Key: DeliveryKey(subscriptionID, scheduled)}
	if dg.briefing.Empty() {
		if !b.cfg.PostEmpty {
			d.Status = StatusEmpty
			log.InfoContext(ctx, "digest empty; nothing posted")
			return d.Status, b.record(ctx, d)
		}
		msg.Text = fmt.Sprintf("Nothing new on %s since %s.", topic.Name, formatLocal(dg.since, sched.Location()))
	} else {
		msg.Text = fmt.Sprintf("Your %s digest for %s", topic.Name, formatLocal(scheduled, sched.Location()))
		msg.Briefing = &dg.briefing
	}
	msgID, err := b.post(ctx, p, ch, msg, log)
	if errors.Is(err, ErrChannelUnavailable) {
		log.WarnContext(ctx, "channel unavailable; digest not posted", slog.Any("error", err))
		problem := channelProblem(err)
		if herr := b.setHealth(ctx, ChannelHealth{Channel: ch, Error: problem, At: now}); herr != nil {
			return "", herr
		}
		d.Status, d.Error, d.Cutoff = StatusFailed, problem, time.Time{}
		if dg.prev != nil {
			d.Cutoff = dg.prev.Cutoff
		}
		return d.Status, b.record(ctx, d)
	}
	if err != nil {
		return "", fmt.Errorf("post digest %s: %w", subscriptionID, err)
	}
	d.Status, d.MsgID, d.Posted = StatusPosted, msgID, b.now()
	if err := b.record(ctx, d); err != nil {
		return "", err
	}
	log.InfoContext(ctx, "digest posted", slog.Int("stories", d.Stories), slog.String("msg_id", msgID))
	if err := b.clearHealth(ctx, ch); err != nil {
		log.WarnContext(ctx, "could not clear the channel's health record", slog.Any("error", err))
	}
	return StatusPosted, nil
}

// channelProblem is what the people in a channel are told about err, an
// ErrChannelUnavailable: the platform's plain reason and fix when it gave a
// *ChannelError, else the error's text.
func channelProblem(err error) string {
	if ce, ok := errors.AsType[*ChannelError](err); ok {
		if msg := ce.Message(); msg != "" {
			return msg
		}
	}
	return err.Error()
}

// skipped returns the record of a skipped slot; its cutoff carries the
// previous one forward so that the next digest still covers the stories.
func (b *Bot) skipped(ctx context.Context, id string, scheduled time.Time, why string) Delivery {
	d := Delivery{SubscriptionID: id, Scheduled: scheduled, Status: StatusSkipped, Error: why}
	if prev, err := b.store.LastDelivery(ctx, id); err == nil && prev.Scheduled.Before(scheduled) {
		d.Cutoff = prev.Cutoff
	}
	return d
}

// record saves a delivery, trying a few times: a digest that was posted but
// not recorded is found again only on platforms that can check.
func (b *Bot) record(ctx context.Context, d Delivery) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = b.store.SaveDelivery(ctx, d); err == nil {
			return nil
		}
		if !sleep(ctx, time.Duration(attempt+1)*100*time.Millisecond) {
			break
		}
	}
	return fmt.Errorf("save delivery %s at %s: %w", d.SubscriptionID, d.Scheduled.Format(time.RFC3339), err)
}

// post publishes m on p, unless a PostedChecker says it is there already,
// waiting for the platform's rate limit.
func (b *Bot) post(ctx context.Context, p Platform, ch ChannelRef, m Message, log *slog.Logger) (string, error) {
	if pc, ok := p.(PostedChecker); ok {
		id, posted, err := pc.Posted(ctx, ch, m.Key)
		if err != nil {
			return "", fmt.Errorf("check posted: %w", err)
		}
		if posted {
			log.InfoContext(ctx, "digest was posted before an interruption; recording it", slog.String("msg_id", id))
			return id, nil
		}
	}
	th := b.throttle(p.Name())
	for attempt := 1; ; attempt++ {
		if err := th.wait(ctx); err != nil {
			return "", err
		}
		id, err := p.Post(ctx, ch, m)
		var rl *RateLimitError
		if !errors.As(err, &rl) {
			return id, err
		}
		th.pause(rl.RetryAfter)
		if o, ok := b.cfg.Observer.(RateLimitObserver); ok {
			o.RateLimited(p.Name(), rl.RetryAfter)
		}
		if rl.RetryAfter > b.cfg.MaxInlineWait || attempt >= 5 {
			return "", err
		}
		log.DebugContext(ctx, "rate limited; waiting", slog.Duration("retry_after", rl.RetryAfter))
	}
}

// throttle paces the posts to one platform: its configured rate, and a
// pause after a 429 that every delivery to the platform honours.
type throttle struct {
	lim *rate.Limiter
	mu  sync.Mutex
	// until is when the last 429's Retry-After ends.
	until time.Time
}

func (b *Bot) throttle(platform string) *throttle {
	b.throttleMu.Lock()
	defer b.throttleMu.Unlock()
	th, ok := b.throttles[platform]
	if !ok {
		th = &throttle{}
		if l := b.cfg.Limits[platform]; l.PerSecond > 0 {
			th.lim = rate.NewLimiter(rate.Limit(l.PerSecond), max(l.Burst, 1))
		}
		b.throttles[platform] = th
	}
	return th
}

func (t *throttle) wait(ctx context.Context) error {
	for {
		t.mu.Lock()
		d := time.Until(t.until)
		t.mu.Unlock()
		if d <= 0 {
			break
		}
		if !sleep(ctx, d) {
			return ctx.Err()
		}
	}
	if t.lim != nil {
		if err := t.lim.Wait(ctx); err != nil {
			return fmt.Errorf("rate limit: %w", err)
		}
	}
	return nil
}

func (t *throttle) pause(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if u := time.Now().Add(d); u.After(t.until) {
		t.until = u
	}
}

// sleep waits for d or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (b *Bot) loadHealth(ctx context.Context) error {
	if b.healthLoaded {
		return nil
	}
	hs, err := b.store.ChannelHealth(ctx)
	if err != nil {
		return fmt.Errorf("channel health: %w", err)
	}
	for _, h := range hs {
		if h.Error != "" {
			b.unhealthy[h.Channel.String()] = true
		}
	}
	b.healthLoaded = true
	return nil
}

func (b *Bot) setHealth(ctx context.Context, h ChannelHealth) error {
	b.healthMu.Lock()
	defer b.healthMu.Unlock()
	if err := b.store.SetChannelHealth(ctx, h); err != nil {
		return fmt.Errorf("set channel health: %w", err)
	}
	b.unhealthy[h.Channel.String()] = true
	return nil
}

// clearHealth forgets a channel's failure after a successful post.
func (b *Bot) clearHealth(ctx context.Context, ch ChannelRef) error {
	b.healthMu.Lock()
	defer b.healthMu.Unlock()
	if err := b.loadHealth(ctx); err != nil {
		return err
	}
	if !b.unhealthy[ch.String()] {
		return nil
	}
	if err := b.store.SetChannelHealth(ctx, ChannelHealth{Channel: ch, At: b.now()}); err != nil {
		return fmt.Errorf("clear channel health: %w", err)
	}
	delete(b.unhealthy, ch.String())
	return nil
}

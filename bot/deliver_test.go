package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
)

// subscribed sets up topic g20 (excluding football) in chA with a daily
// 08:00 Europe/Berlin subscription made a week before t0, and returns its
// ID and the slot of t0's morning (07:00 UTC).
func subscribed(t *testing.T, e *env, max int) (string, time.Time) {
	t.Helper()
	ctx := context.Background()
	if err := e.store.PutTopic(ctx, bot.Topic{Channel: chA, Name: "g20", Query: "g20 -football", Updated: t0.AddDate(0, 0, -7)}); err != nil {
		t.Fatal(err)
	}
	s := bot.Subscription{Channel: chA, Topic: "g20", At: "08:00", TimeZone: "Europe/Berlin", Max: max, Updated: t0.AddDate(0, 0, -7)}
	if err := e.store.PutSubscription(ctx, s); err != nil {
		t.Fatal(err)
	}
	return s.ID(), time.Date(2027, 3, 15, 7, 0, 0, 0, time.UTC)
}

func TestDeliverPostsOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	id, slot := subscribed(t, e, 0)
	for i := 0; i < 3; i++ {
		if err := e.bot.Deliver(ctx, id, slot); err != nil {
			t.Fatalf("deliver #%d: %v", i, err)
		}
	}
	posts := e.plat.Posts()
	if len(posts) != 1 {
		t.Fatalf("posts = %d, want 1", len(posts))
	}
	p := posts[0]
	if p.Channel != chA || p.Key != bot.DeliveryKey(id, slot) || p.Stories != 1 {
		t.Errorf("post = %+v", p)
	}
	if p.Message.Briefing.Items[0].Headline != "Trump and Putin meet at G20 summit in Hamburg" {
		t.Errorf("headline %q", p.Message.Briefing.Items[0].Headline)
	}
	if p.Text != "Your g20 digest for Mon 15 Mar 08:00 CET" {
		t.Errorf("intro %q", p.Text)
	}
	d, err := e.store.GetDelivery(ctx, id, slot)
	if err != nil {
		t.Fatal(err)
	}
	wantCutoff := t0.Add(-2 * time.Hour) // newest fetched article considered
	if d.Status != bot.StatusPosted || d.MsgID != p.MsgID || d.Stories != 1 || !d.Cutoff.Equal(wantCutoff) {
		t.Errorf("delivery = %+v, want posted with cutoff %s", d, wantCutoff)
	}
}

func TestDigestCoversOnlyArticlesSinceLastDigest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	id, slot := subscribed(t, e, 0)
	if err := e.bot.Deliver(ctx, id, slot); err != nil {
		t.Fatal(err)
	}
	// Next morning: one new G20 article fetched during the day.
	e.clock.Set(t0.Add(24 * time.Hour))
	fresh := article("g20-new", "wire", "G20 leaders sign trade statement", "The G20 leaders signed a statement on trade on Monday evening in Hamburg. It calls for open markets.", 0)
	fresh.Fetched = t0.Add(6 * time.Hour)
	e.store.addArticles(fresh)
	next := slot.Add(24 * time.Hour)
	if err := e.bot.Deliver(ctx, id, next); err != nil {
		t.Fatal(err)
	}
	posts := e.plat.Posts()
	if len(posts) != 2 {
		t.Fatalf("posts = %d, want 2", len(posts))
	}
	items := posts[1].Message.Briefing.Items
	if len(items) != 1 || items[0].Headline != "G20 leaders sign trade statement" {
		t.Errorf("second digest = %+v, want only the new story", items)
	}
	// Third morning: nothing new: nothing posted, recorded empty, cutoff kept.
	e.clock.Set(t0.Add(48 * time.Hour))
	third := next.Add(24 * time.Hour)
	if err := e.bot.Deliver(ctx, id, third); err != nil {
		t.Fatal(err)
	}
	if n := len(e.plat.Posts()); n != 2 {
		t.Errorf("an empty digest posted: %d posts", n)
	}
	d, err := e.store.GetDelivery(ctx, id, third)
	if err != nil || d.Status != bot.StatusEmpty || !d.Cutoff.Equal(fresh.Fetched) {
		t.Errorf("empty delivery = %+v (%v), want empty with cutoff %s", d, err, fresh.Fetched)
	}
}

func TestDigestCutToMaxWithMore(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	id, slot := subscribed(t, e, 2)
	// Four more G20 stories, each a different event.
	for i, a := range []struct{ title, text string }{
		{"G20 talks on debt relief stall", "Finance officials failed to agree on debt relief for poorer countries. Creditors want private lenders to share the losses."},
		{"G20 protest draws thousands", "Thousands of demonstrators marched through the harbour district. Police reported scuffles near the fish market."},
		{"G20 host city braces for traffic", "Motorways into the city will close for two days. Commuters were told to work from home where possible."},
		{"G20 summit menu revealed", "Chefs will serve regional fish and vegetables at the leaders' dinner. The menu avoids pork and shellfish."},
	} {
		e.store.addArticles(article("extra"+string(rune('a'+i)), "wire", a.title, a.text, time.Duration(i+1)*time.Hour))
	}
	if err := e.bot.Deliver(ctx, id, slot); err != nil {
		t.Fatal(err)
	}
	posts := e.plat.Posts()
	if len(posts) != 1 || posts[0].Stories != 2 || posts[0].More != 3 {
		t.Fatalf("posts = %+v, want one digest of 2 stories and +3 more", posts)
	}
}

func TestPostEmpty(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *bot.Config) { c.PostEmpty = true })
	ctx := context.Background()
	if err := e.store.PutTopic(ctx, bot.Topic{Channel: chA, Name: "mars", Query: "mars"}); err != nil {
		t.Fatal(err)
	}
	s := bot.Subscription{Channel: chA, Topic: "mars", At: "08:00", TimeZone: "Europe/Berlin"}
	if err := e.store.PutSubscription(ctx, s); err != nil {
		t.Fatal(err)
	}
	slot := time.Date(2027, 3, 15, 7, 0, 0, 0, time.UTC)
	if err := e.bot.Deliver(ctx, s.ID(), slot); err != nil {
		t.Fatal(err)
	}
	posts := e.plat.Posts()
	if len(posts) != 1 || posts[0].Message.Briefing != nil || !strings.HasPrefix(posts[0].Text, "Nothing new on mars since ") {
		t.Fatalf("posts = %+v, want one 'nothing new' note", posts)
	}
}

func TestDeliverRetriesAfterFailureWithoutDuplicates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	id, slot := subscribed(t, e, 0)
	e.plat.FailNext(2, errors.New("502 bad gateway"))
	for i := 0; i < 2; i++ {
		if err := e.bot.Deliver(ctx, id, slot); err == nil {
			t.Fatalf("attempt %d: want the platform error back for a retry", i)
		}
		if _, err := e.store.GetDelivery(ctx, id, slot); !errors.Is(err, bot.ErrNotFound) {
			t.Fatalf("a failed attempt recorded a delivery: %v", err)
		}
	}
	if err := e.bot.Deliver(ctx, id, slot); err != nil {
		t.Fatal(err)
	}
	if n := len(e.plat.Posts()); n != 1 {
		t.Errorf("posts = %d, want 1", n)
	}
}

func TestDeliverPostedButNotRecorded(t *testing.T) {
	t.Parallel()
	for _, checked := range []bool{true, false} {
		t.Run(map[bool]string{true: "platform can check", false: "platform cannot check"}[checked], func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			ctx := context.Background()
			id, slot := subscribed(t, e, 0)
			var p bot.Platform = e.plat
			if !checked {
				p = e.plat.Unchecked()
			}
			b, err := bot.New(e.store, bot.Config{TimeZone: "Europe/Berlin", Grace: 3 * time.Hour, Now: e.clock.Now}, p)
			if err != nil {
				t.Fatal(err)
			}
			// The post goes through but every try to record it fails, as if
			// the process died between the two.
			e.store.mu.Lock()
			e.store.failSaves = 3
			e.store.mu.Unlock()
			if err := b.Deliver(ctx, id, slot); err == nil {
				t.Fatal("want an error when the delivery cannot be recorded")
			}
			if err := b.Deliver(ctx, id, slot); err != nil {
				t.Fatal(err)
			}
			want := 1
			if !checked {
				// Without PostedChecker the retry posts again (with the same
				// Message.Key, for platforms that deduplicate by it).
				want = 2
			}
			posts := e.plat.Posts()
			if len(posts) != want {
				t.Fatalf("posts = %d, want %d", len(posts), want)
			}
			if posts[len(posts)-1].Key != posts[0].Key {
				t.Errorf("a retry used another key")
			}
			d, err := e.store.GetDelivery(ctx, id, slot)
			if err != nil || d.Status != bot.StatusPosted || d.MsgID != posts[len(posts)-1].MsgID {
				t.Errorf("delivery = %+v, %v", d, err)
			}
		})
	}
}

func TestDeliverChannelUnavailable(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	id, slot := subscribed(t, e, 0)
	e.plat.SetUnavailable(chA, "not_in_channel")
	if err := e.bot.Deliver(ctx, id, slot); err != nil {
		t.Fatalf("want no retry for an unavailable channel, got %v", err)
	}
	d, err := e.store.GetDelivery(ctx, id, slot)
	if err != nil || d.Status != bot.StatusFailed || !strings.Contains(d.Error, "not_in_channel") {
		t.Fatalf("delivery = %+v, %v", d, err)
	}
	rep := e.do(t, chA, "health", false)
	if !strings.Contains(rep.Text, "Channels I cannot post to:\n• C1 (last try just now): not_in_channel: channel unavailable") {
		t.Errorf("health = %q", rep.Text)
	}
	// Invited again: the next slot posts and the health record clears.
	e.plat.SetUnavailable(chA, "")
	e.clock.Add(24 * time.Hour)
	if err := e.bot.Deliver(ctx, id, slot.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if hs, _ := e.store.ChannelHealth(ctx); len(hs) != 0 {
		t.Errorf("health not cleared: %+v", hs)
	}
	// The failed slot's stories were not lost: the next digest carries them.
	if posts := e.plat.Posts(); len(posts) != 1 || posts[0].Stories != 1 {
		t.Errorf("posts after recovery = %+v", posts)
	}
}

func TestDeliverRateLimit(t *testing.T) {
	t.Parallel()
	t.Run("short Retry-After is waited out in place", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		id, slot := subscribed(t, e, 0)
		e.plat.SetRateLimit(20, 1)
		// Use up the token so the delivery meets a 429 first.
		if _, err := e.plat.Post(context.Background(), chB, bot.Message{}); err != nil {
			t.Fatal(err)
		}
		if err := e.bot.Deliver(context.Background(), id, slot); err != nil {
			t.Fatal(err)
		}
		if _, limited := e.plat.Stats(); limited == 0 {
			t.Errorf("the platform never rate-limited; the test proves nothing")
		}
		if n := len(e.plat.Posts()); n != 2 {
			t.Errorf("posts = %d, want 2", n)
		}
	})
	t.Run("long Retry-After goes back to the queue", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, func(c *bot.Config) { c.MaxInlineWait = 10 * time.Millisecond })
		id, slot := subscribed(t, e, 0)
		e.plat.SetRateLimit(0.5, 1) // one post per 2 s
		if _, err := e.plat.Post(context.Background(), chB, bot.Message{}); err != nil {
			t.Fatal(err)
		}
		err := e.bot.Deliver(context.Background(), id, slot)
		var rl *bot.RateLimitError
		if !errors.As(err, &rl) || rl.RetryAfter < time.Second {
			t.Fatalf("err = %v, want a *RateLimitError with Retry-After about 2s", err)
		}
		if _, err := e.store.GetDelivery(context.Background(), id, slot); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("a rate-limited delivery was recorded")
		}
	})
}

func TestDeliverBeyondGraceIsSkipped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	id, slot := subscribed(t, e, 0)
	e.clock.Set(slot.Add(2*time.Hour + time.Minute))
	if err := e.bot.Deliver(ctx, id, slot); err != nil {
		t.Fatal(err)
	}
	if n := len(e.plat.Posts()); n != 0 {
		t.Fatalf("posted %d digests past the grace period", n)
	}
	d, err := e.store.GetDelivery(ctx, id, slot)
	if err != nil || d.Status != bot.StatusSkipped || !strings.Contains(d.Error, "grace is 2h") {
		t.Errorf("delivery = %+v, %v", d, err)
	}
	// Within grace, a late digest posts.
	e.clock.Set(slot.Add(24*time.Hour + 119*time.Minute))
	if err := e.bot.Deliver(ctx, id, slot.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if posts := e.plat.Posts(); len(posts) != 1 || posts[0].Stories != 1 {
		t.Errorf("late digest within grace: %+v (the skipped slot's story must carry over)", posts)
	}
}

func TestDeliverDropsObsoleteSlots(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name   string
		change func(t *testing.T, e *env)
	}{
		{"unsubscribed", func(t *testing.T, e *env) { e.do(t, chA, "unsubscribe g20", true) }},
		{"time changed", func(t *testing.T, e *env) { e.do(t, chA, "subscribe g20 at 09:00", true) }},
		{"topic removed", func(t *testing.T, e *env) { e.do(t, chA, "topic remove g20", true) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			id, slot := subscribed(t, e, 0)
			e.clock.Set(slot.Add(-time.Hour))
			tc.change(t, e)
			e.clock.Set(slot)
			if err := e.bot.Deliver(ctx, id, slot); err != nil {
				t.Fatal(err)
			}
			if n := len(e.plat.Posts()); n != 0 {
				t.Errorf("an obsolete slot posted")
			}
		})
	}
}

func TestDeliveryKey(t *testing.T) {
	t.Parallel()
	slot := time.Date(2027, 3, 15, 7, 0, 0, 0, time.UTC)
	k := bot.DeliveryKey("slack:T1:C1/g20", slot)
	if len(k) > 25 || len(k) < 20 {
		t.Errorf("key %q is %d characters; Discord nonces allow 25", k, len(k))
	}
	if k != bot.DeliveryKey("slack:T1:C1/g20", slot.In(time.FixedZone("X", 3600))) {
		t.Errorf("the key depends on the time's zone")
	}
	if k == bot.DeliveryKey("slack:T1:C1/g20", slot.Add(24*time.Hour)) || k == bot.DeliveryKey("slack:T1:C2/g20", slot) {
		t.Errorf("keys collide across slots or channels")
	}
}

func TestPreviewShowsNextDigestWithoutPosting(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	id, slot := subscribed(t, e, 0)
	rep := e.do(t, chA, "preview g20", false)
	if rep.Briefing == nil || len(rep.Briefing.Items) != 1 {
		t.Fatalf("preview = %+v", rep)
	}
	if err := e.bot.Deliver(ctx, id, slot); err != nil {
		t.Fatal(err)
	}
	rep = e.do(t, chA, "preview g20", false)
	if rep.Briefing != nil || !strings.Contains(rep.Text, "Nothing new on `g20` since the last digest") {
		t.Errorf("preview after the digest = %+v", rep)
	}
	if n := len(e.plat.Posts()); n != 1 {
		t.Errorf("preview posted: %d posts", n)
	}
}

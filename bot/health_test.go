package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/feeds"
)

// TestHealthText renders /news health over every source state and over
// channel failures reported with and without a plain reason, as a golden
// file: what an operator reads.
func TestHealthText(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	e.store.sources = []feeds.Source{
		{Name: "wire", URL: "https://wire.example/rss"},
		{Name: "single", URL: "https://single.example/rss"},
		{Name: "overdue", URL: "https://overdue.example/rss"},
		{Name: "due", URL: "https://due.example/rss"},
		{Name: "daily", URL: "https://daily.example/feed"},
		{Name: "sportsdesk", URL: "https://sportsdesk.example/rss"},
		{Name: "archive", Path: "/srv/archive"},
	}
	e.store.states = []feeds.State{
		{Locator: "https://wire.example/rss", LastFetch: t0.Add(-4 * time.Minute), LastSuccess: t0.Add(-4 * time.Minute), LastItems: 40, LastNew: 3, NextFetch: t0.Add(11 * time.Minute)},
		{Locator: "https://single.example/rss", LastFetch: t0.Add(-30 * time.Second), LastSuccess: t0.Add(-30 * time.Second), LastItems: 1, LastNew: 1, NextFetch: t0.Add(20 * time.Minute)},
		{Locator: "https://overdue.example/rss", LastFetch: t0.Add(-time.Hour), LastSuccess: t0.Add(-time.Hour), LastItems: 0, NextFetch: t0.Add(-3 * time.Minute)},
		{Locator: "https://due.example/rss", LastFetch: t0.Add(-10 * time.Minute), LastSuccess: t0.Add(-10 * time.Minute), LastItems: 7, LastNew: 0, NextFetch: t0.Add(4*time.Minute + 30*time.Second)},
		{Locator: "https://daily.example/feed", LastFetch: t0.Add(-2 * time.Minute), LastSuccess: t0.Add(-3 * time.Hour), Failures: 3, LastError: "HTTP 503 Service Unavailable"},
		{Locator: "https://sportsdesk.example/rss", LastFetch: t0.Add(-time.Hour), Failures: 10, Paused: true, PausedReason: "10 failures in a row: no such host"},
	}

	// Two subscribed channels whose digests fail: one on a platform that
	// explains (a *bot.ChannelError), one that does not; and a record kept
	// from an older version, with the raw error.
	chC := bot.ChannelRef{Platform: "fake", Channel: "C3"}
	for _, ch := range []bot.ChannelRef{chA, chC} {
		if err := e.store.PutTopic(ctx, bot.Topic{Channel: ch, Name: "g20", Query: "g20", Updated: t0.AddDate(0, 0, -7)}); err != nil {
			t.Fatal(err)
		}
		if err := e.store.PutSubscription(ctx, bot.Subscription{Channel: ch, Topic: "g20", At: "08:00", TimeZone: "Europe/Berlin", Updated: t0.AddDate(0, 0, -7)}); err != nil {
			t.Fatal(err)
		}
	}
	platformErr := errors.New(`HTTP 403 Forbidden, {"message": "Missing Access", "code": 50001}`)
	e.plat.SetChannelError(chA, &bot.ChannelError{
		Reason: "The bot cannot see this channel.",
		Fix:    "Invite it, or give it View Channel and Send Messages here.",
		Err:    platformErr,
	})
	e.plat.SetUnavailable(chC, "not_in_channel")
	slot := time.Date(2027, 3, 15, 7, 0, 0, 0, time.UTC)
	for _, ch := range []bot.ChannelRef{chA, chC} {
		if err := e.bot.Deliver(ctx, ch.String()+"/g20", slot); err != nil {
			t.Fatalf("deliver to %s: %v", ch, err)
		}
	}
	if err := e.store.SetChannelHealth(ctx, bot.ChannelHealth{Channel: chB, Error: "not_in_channel", At: t0.Add(-90 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(t0.Add(5 * time.Minute))

	rep := e.do(t, chA, "health", false)
	if strings.Contains(rep.Text, "50001") || strings.Contains(rep.Text, "HTTP 403") {
		t.Errorf("health shows the platform's raw error:\n%s", rep.Text)
	}
	if strings.Contains(rep.Text, "1 items") {
		t.Errorf("health says \"1 items\":\n%s", rep.Text)
	}
	subs := e.do(t, chA, "subscriptions", false)
	golden(t, "health.golden", "/news health\n"+rep.Text+"\n\n/news subscriptions\n"+subs.Text+"\n")
}

package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/feeds"
	"github.com/newsbot/newsbot/storage"
)

func testSources(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t)
	if got, err := s.Sources(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty store: Sources = %v, %v", got, err)
	}
	bbc := feeds.Source{Name: "BBC World", URL: "https://feeds.bbci.co.uk/news/world/rss.xml", Origin: "config"}
	local := feeds.Source{Name: "Local", Path: "/var/news", Origin: "chat:slack:U1"}
	ap := feeds.Source{Name: "AP", URL: "https://apnews.com/rss", FullText: true}
	for _, src := range []feeds.Source{bbc, local, ap} {
		if err := s.AddSource(ctx, src); err != nil {
			t.Fatalf("AddSource(%q): %v", src.Name, err)
		}
	}
	got, err := s.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "Sources in the order added", got, []feeds.Source{bbc, local, ap})

	renamed := bbc
	renamed.Name = "BBC News"
	renamed.FullText = true
	if err := s.AddSource(ctx, renamed); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Sources(ctx)
	diff(t, "Sources after re-adding a known locator", got, []feeds.Source{renamed, local, ap})

	if err := s.RemoveSource(ctx, local.Path); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Sources(ctx)
	diff(t, "Sources after a removal", got, []feeds.Source{renamed, ap})
	wantNotFound(t, "RemoveSource(removed)", s.RemoveSource(ctx, local.Path))
	wantNotFound(t, "RemoveSource(unknown)", s.RemoveSource(ctx, "https://nowhere.example/rss"))

	for _, bad := range []feeds.Source{{Name: "neither"}, {Name: "both", URL: "https://x.example/rss", Path: "/x"}} {
		if err := s.AddSource(ctx, bad); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("AddSource(%q): err = %v, want storage.ErrInvalid", bad.Name, err)
		}
	}
	got, _ = s.Sources(ctx)
	if len(got) != 2 {
		t.Errorf("refused sources changed the list: %v", got)
	}
}

func testStates(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t)
	a := feeds.Source{Name: "A", URL: "https://a.example/rss"}
	b := feeds.Source{Name: "B", URL: "https://b.example/rss"}
	for _, src := range []feeds.Source{a, b} {
		if err := s.AddSource(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.State(ctx, a.URL)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "State of a source never fetched", st, feeds.State{Locator: a.URL})

	full := feeds.State{
		Locator:      a.URL,
		ETag:         `W/"abc"`,
		LastModified: "Fri, 20 Nov 2026 07:00:00 GMT",
		LastFetch:    minutes(1),
		LastSuccess:  minutes(1),
		LastStatus:   200,
		LastItems:    30,
		LastNew:      4,
		Failures:     0,
		NextFetch:    minutes(16),
	}
	if err := s.SaveState(ctx, full); err != nil {
		t.Fatal(err)
	}
	st, _ = s.State(ctx, a.URL)
	diff(t, "State after SaveState", st, full)

	failing := feeds.State{
		Locator:      b.URL,
		LastFetch:    minutes(2).In(time.FixedZone("CET", 3600)),
		LastError:    "connection refused",
		Failures:     12,
		NextFetch:    minutes(600),
		Paused:       true,
		PausedReason: "12 failures in a row",
	}
	if err := s.SaveState(ctx, failing); err != nil {
		t.Fatal(err)
	}
	orphan := feeds.State{Locator: "https://orphan.example/rss", LastStatus: 500}
	if err := s.SaveState(ctx, orphan); err != nil {
		t.Fatal(err)
	}
	all, err := s.States(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "States (sources in order, then other saved states)", all, []feeds.State{full, failing, orphan})

	if err := s.RemoveSource(ctx, a.URL); err != nil {
		t.Fatal(err)
	}
	st, _ = s.State(ctx, a.URL)
	diff(t, "State of a removed source", st, feeds.State{Locator: a.URL})
	if err := s.SaveState(ctx, feeds.State{}); err == nil {
		t.Error("SaveState without a locator: no error")
	}
}

func testTopics(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t)
	c1, c2 := ch("C1"), ch("C2")
	g20 := bot.Topic{Channel: c1, Name: "g20", Query: `g20 OR "group of twenty"`, Sources: []string{"AP", "BBC"}, Origin: "config", Updated: minutes(1)}
	climate := bot.Topic{Channel: c1, Name: "climate", Query: "climate -sport", Origin: "chat:U1", Updated: minutes(2)}
	other := bot.Topic{Channel: c2, Name: "g20", Query: "g20", Updated: minutes(3)}
	for _, tp := range []bot.Topic{g20, climate, other} {
		if err := s.PutTopic(ctx, tp); err != nil {
			t.Fatalf("PutTopic(%q): %v", tp.Name, err)
		}
	}
	got, err := s.Topics(ctx, c1)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "Topics(C1) sorted by name", got, []bot.Topic{climate, g20})
	got, _ = s.Topics(ctx, ch("C3"))
	if len(got) != 0 {
		t.Errorf("Topics of a channel without topics = %v", got)
	}
	got, err = s.Topics(ctx, bot.ChannelRef{})
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "Topics(zero ChannelRef): every topic, by channel then name", got, []bot.Topic{climate, g20, other})

	g20b := g20
	g20b.Query = "g20 summit"
	g20b.Sources = nil
	g20b.Updated = minutes(9)
	if err := s.PutTopic(ctx, g20b); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Topics(ctx, c1)
	diff(t, "Topics(C1) after replacing g20", got, []bot.Topic{climate, g20b})

	sub := bot.Subscription{Channel: c1, Topic: "g20", At: "08:00", TimeZone: "Europe/Berlin"}
	keep := bot.Subscription{Channel: c2, Topic: "g20", At: "09:00", TimeZone: "UTC"}
	for _, sb := range []bot.Subscription{sub, keep} {
		if err := s.PutSubscription(ctx, sb); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteTopic(ctx, c1, "g20"); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Topics(ctx, c1)
	diff(t, "Topics(C1) after deleting g20", got, []bot.Topic{climate})
	subs, _ := s.Subscriptions(ctx, bot.ChannelRef{})
	diff(t, "Subscriptions after deleting the topic (only C1's goes)", subs, []bot.Subscription{keep})
	wantNotFound(t, "DeleteTopic(deleted)", s.DeleteTopic(ctx, c1, "g20"))
	if got, _ := s.Topics(ctx, c2); len(got) != 1 {
		t.Errorf("deleting C1's g20 touched C2's topics: %v", got)
	}

	for _, bad := range []bot.Topic{{Channel: c1, Query: "x"}, {Name: "x", Query: "x"}} {
		if err := s.PutTopic(ctx, bad); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("PutTopic(%+v): err = %v, want storage.ErrInvalid", bad, err)
		}
	}
}

func testSubscriptions(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t)
	c1, c2 := ch("C1"), ch("C2")
	a := bot.Subscription{Channel: c1, Topic: "g20", At: "08:00", TimeZone: "Europe/Berlin",
		Days: []time.Weekday{time.Monday, time.Wednesday, time.Friday}, Max: 5, Origin: "config", Updated: minutes(1)}
	b := bot.Subscription{Channel: c1, Topic: "climate", At: "18:30", TimeZone: "America/New_York", Updated: minutes(2)}
	c := bot.Subscription{Channel: c2, Topic: "ai", At: "07:15", TimeZone: "UTC", Days: []time.Weekday{time.Sunday}, Updated: minutes(3)}
	for _, sb := range []bot.Subscription{a, b, c} {
		if err := s.PutSubscription(ctx, sb); err != nil {
			t.Fatalf("PutSubscription(%s): %v", sb.ID(), err)
		}
	}
	got, err := s.Subscriptions(ctx, c1)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "Subscriptions(C1) sorted by topic", got, []bot.Subscription{b, a})
	got, _ = s.Subscriptions(ctx, bot.ChannelRef{})
	diff(t, "Subscriptions(all) sorted by channel and topic", got, []bot.Subscription{b, a, c})

	a2 := a
	a2.At = "07:00"
	a2.Days = nil
	a2.Max = 0
	if err := s.PutSubscription(ctx, a2); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Subscriptions(ctx, c1)
	diff(t, "Subscriptions(C1) after replacing g20", got, []bot.Subscription{b, a2})

	if err := s.DeleteSubscription(ctx, c1, "climate"); err != nil {
		t.Fatal(err)
	}
	wantNotFound(t, "DeleteSubscription(deleted)", s.DeleteSubscription(ctx, c1, "climate"))
	wantNotFound(t, "DeleteSubscription(other channel)", s.DeleteSubscription(ctx, c2, "g20"))
	got, _ = s.Subscriptions(ctx, bot.ChannelRef{})
	diff(t, "Subscriptions(all) after a delete", got, []bot.Subscription{a2, c})

	if err := s.PutSubscription(ctx, bot.Subscription{Channel: c1}); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("PutSubscription without a topic: err = %v, want storage.ErrInvalid", err)
	}
}

func testDeliveries(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t)
	const id = "slack:T1:C1/g20"
	_, err := s.LastDelivery(ctx, id)
	wantNotFound(t, "LastDelivery(never delivered)", err)

	berlin := time.FixedZone("CET", 3600)
	d1 := bot.Delivery{SubscriptionID: id, Scheduled: minutes(0), Cutoff: minutes(-5), Posted: minutes(1),
		MsgID: "1700000000.000100", Stories: 4, Status: "posted"}
	d2 := bot.Delivery{SubscriptionID: id, Scheduled: minutes(24 * 60).In(berlin), Cutoff: minutes(24*60 - 3), Status: "empty"}
	d0 := bot.Delivery{SubscriptionID: id, Scheduled: minutes(-24 * 60), Status: "skipped", Error: "missed beyond grace"}
	other := bot.Delivery{SubscriptionID: "slack:T1:C2/g20", Scheduled: minutes(48 * 60), Status: "posted", MsgID: "x"}
	for _, d := range []bot.Delivery{d1, d2, d0, other} {
		if err := s.SaveDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.GetDelivery(ctx, id, minutes(0).In(berlin))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "GetDelivery (slot given in another zone)", got, d1)
	last, err := s.LastDelivery(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "LastDelivery is the newest slot, not the last saved", last, d2)
	_, err = s.GetDelivery(ctx, id, minutes(1))
	wantNotFound(t, "GetDelivery(other slot)", err)

	d2.Status = "posted"
	d2.MsgID = "m2"
	d2.Posted = minutes(24*60 + 1)
	d2.Stories = 3
	d2.Error = ""
	if err := s.SaveDelivery(ctx, d2); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetDelivery(ctx, id, d2.Scheduled)
	diff(t, "GetDelivery after replacing the slot", got, d2)

	if err := s.SaveDelivery(ctx, bot.Delivery{SubscriptionID: id}); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("SaveDelivery without a slot: err = %v, want storage.ErrInvalid", err)
	}
}

func testChannelHealth(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t)
	h1 := bot.ChannelHealth{Channel: ch("C2"), Error: "not_in_channel", At: minutes(1)}
	h2 := bot.ChannelHealth{Channel: bot.ChannelRef{Platform: "discord", Team: "G1", Channel: "42"}, Error: "missing access", At: minutes(2)}
	for _, h := range []bot.ChannelHealth{h1, h2} {
		if err := s.SetChannelHealth(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ChannelHealth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ChannelHealth sorted by channel", got, []bot.ChannelHealth{h2, h1})

	h1b := h1
	h1b.Error = "channel_not_found"
	h1b.At = minutes(5)
	if err := s.SetChannelHealth(ctx, h1b); err != nil {
		t.Fatal(err)
	}
	if err := s.SetChannelHealth(ctx, bot.ChannelHealth{Channel: h2.Channel}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetChannelHealth(ctx, bot.ChannelHealth{Channel: ch("never-failed")}); err != nil {
		t.Errorf("clearing a healthy channel: %v", err)
	}
	got, _ = s.ChannelHealth(ctx)
	diff(t, "ChannelHealth after an update and a clear", got, []bot.ChannelHealth{h1b})
}

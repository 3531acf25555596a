package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/bottest"
	"github.com/newsbot/newsbot/storage/memory"
)

func slotsOf(dues []bot.Due) []string {
	var out []string
	for _, d := range dues {
		out = append(out, d.SubscriptionID+"@"+d.Scheduled.Format(time.RFC3339))
	}
	return out
}

func TestPlanAfterDowntimeSkipsBeyondGrace(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil) // now: Mon 2027-03-15 09:00 UTC; grace 2h
	ctx := context.Background()
	id, _ := subscribed(t, e, 0) // daily 08:00 Berlin = 07:00 UTC, made a week ago, never delivered
	dues, err := e.bot.Plan(ctx, t0.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(dues) != 0 {
		t.Errorf("dues = %v, want none: today's 07:00 UTC is 2h late", slotsOf(dues))
	}
	last, err := e.store.LastDelivery(ctx, id)
	if err != nil || last.Status != bot.StatusSkipped || !last.Scheduled.Equal(utcTime("2027-03-15T07:00:00Z")) || !strings.Contains(last.Error, "7 slot(s)") {
		t.Errorf("last delivery = %+v, %v; want today's slot skipped, counting the 7 missed", last, err)
	}
	if n := len(e.store.deliveryList()); n != 1 {
		t.Errorf("recorded %d deliveries, want only the newest missed slot", n)
	}
}

func TestPlanLateWithinGrace(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	id, slot := subscribed(t, e, 0)
	e.clock.Set(slot.Add(90 * time.Minute))
	dues, err := e.bot.Plan(ctx, e.clock.Now().Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{id + "@2027-03-15T07:00:00Z"}
	if diff := cmp.Diff(want, slotsOf(dues)); diff != "" {
		t.Fatalf("dues (-want +got):\n%s", diff)
	}
	if dues[0].Platform != "fake" {
		t.Errorf("platform %q", dues[0].Platform)
	}
	// The slot before it, yesterday, is recorded as skipped.
	if d, err := e.store.GetDelivery(ctx, id, slot.Add(-24*time.Hour)); err != nil || d.Status != bot.StatusSkipped {
		t.Errorf("yesterday: %+v, %v", d, err)
	}
}

func TestPlanReturnsEachSlotOnceAndAgainAfterRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	id, slot := subscribed(t, e, 0)
	e.clock.Set(slot.Add(-10 * time.Minute))
	tick := func(b *bot.Bot) []string {
		t.Helper()
		dues, err := b.Plan(ctx, e.clock.Now().Add(2*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		return slotsOf(dues)
	}
	if got := tick(e.bot); len(got) != 0 {
		t.Fatalf("10 minutes early: %v", got)
	}
	e.clock.Add(9 * time.Minute) // 1 minute before the slot: inside the lookahead
	if got := tick(e.bot); !cmp.Equal(got, []string{id + "@2027-03-15T07:00:00Z"}) {
		t.Fatalf("1 minute early: %v", got)
	}
	e.clock.Add(time.Minute)
	if got := tick(e.bot); len(got) != 0 {
		t.Fatalf("planned twice: %v", got)
	}
	// A restarted bot (same store) plans the undelivered slot again...
	restarted, err := bot.New(e.store, bot.Config{TimeZone: "Europe/Berlin", Grace: 2 * time.Hour, Now: e.clock.Now}, e.plat)
	if err != nil {
		t.Fatal(err)
	}
	if got := tick(restarted); !cmp.Equal(got, []string{id + "@2027-03-15T07:00:00Z"}) {
		t.Fatalf("after restart: %v", got)
	}
	// ...but not once it is delivered.
	if err := restarted.Deliver(ctx, id, slot); err != nil {
		t.Fatal(err)
	}
	again, err := bot.New(e.store, bot.Config{TimeZone: "Europe/Berlin", Grace: 2 * time.Hour, Now: e.clock.Now}, e.plat)
	if err != nil {
		t.Fatal(err)
	}
	if got := tick(again); len(got) != 0 {
		t.Fatalf("after delivery and restart: %v", got)
	}
	// Tomorrow's slot comes when due.
	e.clock.Set(slot.Add(24*time.Hour - time.Minute))
	if got := tick(again); !cmp.Equal(got, []string{id + "@2027-03-16T07:00:00Z"}) {
		t.Fatalf("next day: %v", got)
	}
}

func TestPlanFollowsScheduleChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	id, slot := subscribed(t, e, 0)
	e.clock.Set(slot.Add(-3 * time.Hour)) // 04:00 UTC
	if _, err := e.bot.Plan(ctx, e.clock.Now().Add(6*time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.do(t, chA, "subscribe g20 at 10:00", true) // 09:00 UTC
	dues, err := e.bot.Plan(ctx, e.clock.Now().Add(6*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{id + "@2027-03-15T09:00:00Z"}; !cmp.Equal(slotsOf(dues), want) {
		t.Errorf("after the change: %v, want %v", slotsOf(dues), want)
	}
	// A subscription made after today's slot does not fire for it.
	if err := e.store.PutTopic(ctx, bot.Topic{Channel: chB, Name: "g20", Query: "g20"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(slot.Add(time.Minute))
	e.do(t, chB, "subscribe g20 at 08:00", true)
	dues, err = e.bot.Plan(ctx, e.clock.Now().Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dues {
		if strings.HasPrefix(d.SubscriptionID, chB.String()) {
			t.Errorf("new subscription planned a slot before it existed: %v", slotsOf(dues))
		}
	}
}

func TestPlanOnlyOwnPlatforms(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	other := bot.ChannelRef{Platform: "elsewhere", Channel: "X"}
	if err := e.store.PutTopic(ctx, bot.Topic{Channel: other, Name: "g20", Query: "g20"}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.PutSubscription(ctx, bot.Subscription{Channel: other, Topic: "g20", At: "10:00", TimeZone: "UTC", Updated: t0.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	dues, err := e.bot.Plan(ctx, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(dues) != 0 {
		t.Errorf("planned a subscription of a platform the bot does not run: %v", slotsOf(dues))
	}
}

func utcTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestSyncDeclared(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	e.do(t, chB, "topic add local local news", true) // made in chat, not declared
	topics := []bot.Topic{
		{Channel: chA, Name: "G20", Query: `g20 OR "group of twenty"`},
		{Channel: chA, Name: "climate", Query: `"climate summit"`, Sources: []string{"science"}},
	}
	subs := []bot.Subscription{{Channel: chA, Topic: "g20", At: "07:30", Days: []time.Weekday{1, 2, 3, 4, 5}}}
	rep, err := e.bot.SyncDeclared(ctx, topics, subs)
	if err != nil {
		t.Fatal(err)
	}
	if rep != (bot.SyncReport{TopicsAdded: 2, SubsAdded: 1}) {
		t.Errorf("first sync: %+v", rep)
	}
	got, _ := e.store.Subscriptions(ctx, chA)
	if len(got) != 1 || got[0].TimeZone != "Europe/Berlin" || got[0].Origin != bot.OriginConfig || got[0].Topic != "g20" {
		t.Errorf("subscription = %+v, want the default zone filled in, origin config", got)
	}
	// The same declarations again change nothing, not even Updated.
	e.clock.Add(time.Hour)
	if rep, err := e.bot.SyncDeclared(ctx, topics, subs); err != nil || rep != (bot.SyncReport{}) {
		t.Errorf("second sync: %+v, %v", rep, err)
	}
	if again, _ := e.store.Subscriptions(ctx, chA); !again[0].Updated.Equal(t0) {
		t.Errorf("an unchanged subscription was rewritten")
	}
	// A chat change to a declared topic is reset by the next sync; an
	// undeclared config topic goes; the chat-made topic stays.
	e.do(t, chA, "topic add g20 g20 -football", true)
	rep, err = e.bot.SyncDeclared(ctx, topics[:1], subs)
	if err != nil {
		t.Fatal(err)
	}
	if rep != (bot.SyncReport{TopicsUpdated: 1, TopicsRemoved: 1}) {
		t.Errorf("third sync: %+v", rep)
	}
	all, subsAll, err := e.bot.Effective(ctx, topics[:1], subs)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tp := range all {
		names = append(names, tp.Channel.Channel+"/"+tp.Name+"="+tp.Query)
	}
	want := []string{`C1/g20=g20 OR "group of twenty"`, "C2/local=local news"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("effective topics (-want +got):\n%s", diff)
	}
	if len(subsAll) != 1 {
		t.Errorf("effective subscriptions = %+v", subsAll)
	}
}

func TestSyncDeclaredRejectsBadDeclarations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	topics := []bot.Topic{
		{Channel: chA, Name: "ok", Query: "g20"},
		{Channel: chA, Name: "help", Query: "g20"},
		{Channel: chA, Name: "bad", Query: `"unbalanced`},
	}
	subs := []bot.Subscription{
		{Channel: chA, Topic: "missing"},
		{Channel: chA, Topic: "ok", At: "25:00"},
		{Channel: chA, Topic: "ok", TimeZone: "Mars/Olympus"},
	}
	_, err := e.bot.SyncDeclared(ctx, topics, subs)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, frag := range []string{"topics[1]: name \"help\"", "topics[2]: query", "subscriptions[0]: topic \"missing\" is not declared for channel fake:C1",
		"subscriptions[1]", "subscriptions[2]: the subscription of channel fake:C1 to topic \"ok\" is declared twice (also subscriptions[1])"} {
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("error lacks %q:\n%v", frag, err)
		}
	}
	if ts, _ := e.store.Topics(ctx, bot.ChannelRef{}); len(ts) != 0 {
		t.Errorf("a rejected sync changed the store: %+v", ts)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	_, err := bot.New(newFakeStore(), bot.Config{Window: -time.Hour, At: "8", TimeZone: "Nowhere/Land",
		Limits: map[string]bot.RateLimit{"slack": {PerSecond: -1}}}, bottest.New("x"), bottest.New("x"))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, frag := range []string{"window -1h0m0s is negative", `default time "8"`, `time zone "Nowhere/Land"`, "rate limit of slack", `two platforms named "x"`} {
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("error lacks %q: %v", frag, err)
		}
	}
}

func TestParseChannelRef(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"slack:T1:C1", "discord::123", "console::term"} {
		ch, err := bot.ParseChannelRef(s)
		if err != nil || ch.String() != s {
			t.Errorf("ParseChannelRef(%q) = %v, %v", s, ch, err)
		}
	}
	if ch, err := bot.ParseChannelRef("slack:C1"); err != nil || ch != (bot.ChannelRef{Platform: "slack", Channel: "C1"}) {
		t.Errorf("ParseChannelRef(slack:C1) = %v, %v", ch, err)
	}
	for _, s := range []string{"", "slack", "slack:", ":C1", "slack:T1:", ":T:C", "a:b:c:d"} {
		if _, err := bot.ParseChannelRef(s); err == nil {
			t.Errorf("ParseChannelRef(%q) succeeded", s)
		}
	}
}

func TestEffectiveMergesWithoutWriting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// storage/memory answers Topics of the zero ChannelRef with nothing;
	// Effective still finds topics of channels with subscriptions.
	st := memory.New()
	b, err := bot.New(st, bot.Config{TimeZone: "Europe/Berlin", Now: func() time.Time { return t0 }}, bottest.New("fake"))
	if err != nil {
		t.Fatal(err)
	}
	chat := func(ch bot.ChannelRef, text string) {
		t.Helper()
		if rep, err := b.HandleCommand(ctx, bottest.Command(ch, text, true)); err != nil || strings.HasPrefix(rep.Text, "Only") {
			t.Fatalf("%q: %v %q", text, err, rep.Text)
		}
	}
	chat(chA, "topic add local local news")
	chat(chA, "subscribe local at 06:00")
	chat(chA, "topic add g20 g20 -football") // also declared below: the chat change wins
	declared := []bot.Topic{{Channel: chA, Name: "g20", Query: "g20"}, {Channel: chB, Name: "climate", Query: "climate"}}
	subs := []bot.Subscription{{Channel: chB, Topic: "climate", Max: 3}}
	before := snapshotStore(t, st)
	ts, ss, err := b.Effective(ctx, declared, subs)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range ts {
		got = append(got, x.Channel.Channel+"/"+x.Name+"="+x.Query+" "+x.Origin)
	}
	for _, x := range ss {
		got = append(got, x.ID()+" "+x.At+" "+x.TimeZone+" "+x.Origin)
	}
	want := []string{
		"C1/g20=g20 -football chat:fake:admin", "C1/local=local news chat:fake:admin", "C2/climate=climate config",
		"fake::C1/local 06:00 Europe/Berlin chat:fake:admin", "fake::C2/climate 08:00 Europe/Berlin config",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("effective (-want +got):\n%s", diff)
	}
	if after := snapshotStore(t, st); after != before {
		t.Errorf("Effective wrote to the store")
	}
}

func snapshotStore(t *testing.T, st bot.Store) string {
	t.Helper()
	ctx := context.Background()
	var sb strings.Builder
	for _, ch := range []bot.ChannelRef{chA, chB} {
		ts, _ := st.Topics(ctx, ch)
		for _, x := range ts {
			sb.WriteString(x.Channel.String() + x.Name + x.Query + x.Origin + "\n")
		}
	}
	subs, _ := st.Subscriptions(ctx, bot.ChannelRef{})
	for _, x := range subs {
		sb.WriteString(x.ID() + x.At + "\n")
	}
	return sb.String()
}

package bot_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/bottest"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
)

var update = flag.Bool("update", false, "rewrite golden files")

// t0 is the tests' "now": Monday 2027-03-15 09:00 UTC.
var t0 = time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC)

var (
	chA = bot.ChannelRef{Platform: "fake", Channel: "C1"}
	chB = bot.ChannelRef{Platform: "fake", Channel: "C2"}
)

func article(id, source, title, text string, fetchedAgo time.Duration) briefing.Article {
	return briefing.Article{
		ID: id, GUID: "https://" + source + ".example/" + id, URL: "https://" + source + ".example/" + id,
		Title: title, Text: text, Source: source,
		Published: t0.Add(-fetchedAgo - 10*time.Minute), Fetched: t0.Add(-fetchedAgo),
	}
}

// sampleArticles: a G20 story told by two sources, a G20 football piece, a
// climate story, and an old G20 article outside the window.
func sampleArticles() []briefing.Article {
	g20 := "Leaders of the G20 met in Hamburg on Friday to discuss trade and climate policy. " +
		"The summit opened with talks between the United States and Russia. Officials said a joint statement was expected on Saturday."
	return []briefing.Article{
		article("g20-a", "wire", "Trump and Putin meet at G20 summit in Hamburg", g20, 2*time.Hour),
		article("g20-b", "daily", "Trump and Putin meet at G20 summit in Hamburg", g20+" Protesters gathered near the venue.", 3*time.Hour),
		article("g20-football", "sportsdesk", "G20 football friendly ends in a draw", "A charity football match between G20 delegations ended in a draw on Thursday. The football teams played in Hamburg.", 4*time.Hour),
		article("climate", "science", "Climate summit agrees on new emissions targets", "Delegates at the climate summit agreed on new emissions targets on Sunday. The deal covers methane and coal.", 5*time.Hour),
		article("g20-old", "wire", "G20 finance ministers prepare agenda", "Finance ministers of the G20 prepared the summit agenda in Berlin. They discussed debt relief for poor countries.", 100*time.Hour),
	}
}

type env struct {
	bot   *bot.Bot
	store *fakeStore
	plat  *bottest.Platform
	clock *bottest.Clock
}

func newEnv(t *testing.T, mutate func(*bot.Config)) *env {
	t.Helper()
	st := newFakeStore()
	st.addArticles(sampleArticles()...)
	plat := bottest.New("fake")
	plat.Hint = "workspace admins of the fake platform"
	clock := bottest.NewClock(t0)
	cfg := bot.Config{
		Window: 72 * time.Hour, TimeZone: "Europe/Berlin", Grace: 2 * time.Hour,
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    clock.Now,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	b, err := bot.New(st, cfg, plat)
	if err != nil {
		t.Fatal(err)
	}
	return &env{bot: b, store: st, plat: plat, clock: clock}
}

// testWriter sends logs to t.Log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func (e *env) do(t *testing.T, ch bot.ChannelRef, text string, admin bool) bot.Reply {
	t.Helper()
	rep, err := e.bot.HandleCommand(context.Background(), bottest.Command(ch, text, admin))
	if err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	return rep
}

func TestBriefQuery(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	rep := e.do(t, chA, "g20 -football", false)
	if rep.Briefing == nil {
		t.Fatalf("no briefing: %+v", rep)
	}
	br := rep.Briefing
	if len(br.Items) != 1 {
		t.Fatalf("items = %d, want the one G20 story (football excluded, old one out of window): %+v", len(br.Items), br.Items)
	}
	if got := br.Items[0].Headline; got != "Trump and Putin meet at G20 summit in Hamburg" {
		t.Errorf("headline = %q", got)
	}
	if n := len(br.Items[0].Sources); n != 2 {
		t.Errorf("sources = %d, want 2 (wire and daily grouped)", n)
	}
	if rep.Ephemeral {
		t.Errorf("a briefing should be visible to the channel")
	}
}

func TestBriefTopicName(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.do(t, chA, `topic add weather "climate summit"`, true)
	rep := e.do(t, chA, "Weather", false)
	if rep.Briefing == nil || len(rep.Briefing.Items) != 1 || !strings.Contains(rep.Briefing.Items[0].Headline, "Climate summit") {
		t.Fatalf("topic name did not brief the topic's query: %+v", rep)
	}
	if rep.Briefing.Title != "weather" || rep.Briefing.Query != `"climate summit"` {
		t.Errorf("title %q query %q", rep.Briefing.Title, rep.Briefing.Query)
	}
	// In another channel the word is just a query.
	rep = e.do(t, chB, "weather", false)
	if rep.Briefing != nil || !strings.Contains(rep.Text, "No stories match `weather` in the last 3 days") {
		t.Errorf("other channel: %+v", rep)
	}
}

func TestMalformedCommandsGetUsage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for _, text := range []string{`"unbalanced`, "topic", "subscribe g20 at 25:00", "source add ftp://x", "why"} {
		rep, err := e.bot.HandleCommand(context.Background(), bottest.Command(chA, text, true))
		if err != nil {
			t.Errorf("%q: error %v, want a reply", text, err)
		}
		if !rep.Ephemeral || !strings.Contains(rep.Text, "Usage: ") || strings.Contains(rep.Text, "goroutine") {
			t.Errorf("%q: reply %+v, want ephemeral usage", text, rep)
		}
	}
}

// failingStore fails every topic lookup.
type failingStore struct{ *fakeStore }

func (failingStore) Topics(context.Context, bot.ChannelRef) ([]bot.Topic, error) {
	return nil, errors.New("disk on fire: /var/lib/newsbot.db")
}

func TestInternalErrorsAreNotShown(t *testing.T) {
	t.Parallel()
	b, err := bot.New(failingStore{newFakeStore()}, bot.Config{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := b.HandleCommand(context.Background(), bottest.Command(chA, "topics", false))
	if err == nil {
		t.Fatal("want the internal error returned for logging and metrics")
	}
	if strings.Contains(rep.Text, "disk on fire") || !strings.Contains(rep.Text, "Something went wrong") {
		t.Errorf("reply %q leaks or lacks the generic message", rep.Text)
	}
	if bot.ErrorCode(err) != bot.EINTERNAL {
		t.Errorf("code %q", bot.ErrorCode(err))
	}
}

// TestPermissionMatrix runs every command as admin and as non-admin: every
// change needs an admin, every read works for everyone, and a refusal names
// the permission in the platform's words and changes nothing.
func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	commands := []struct {
		text   string
		change bool
	}{
		{"g20", false},
		{"help", false},
		{"topics", false},
		{"topic add g20 g20", true},
		{"topic remove climate", true},
		{"subscribe climate at 07:00", true},
		{"unsubscribe climate", true},
		{"subscriptions", false},
		{"sources", false},
		{"source add https://new.example/feed", true},
		{"source remove https://wire.example/rss", true},
		{"health", false},
		{"why https://wire.example/g20-a", false},
		{"preview climate", false},
	}
	for _, c := range commands {
		for _, admin := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/admin=%v", c.text, admin), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, nil)
				ctx := context.Background()
				e.do(t, chA, `topic add climate "climate summit"`, true)
				e.do(t, chA, "subscribe climate", true)
				if err := e.store.AddSource(ctx, feeds.Source{Name: "wire", URL: "https://wire.example/rss"}); err != nil {
					t.Fatal(err)
				}
				before := snapshot(t, e.store)
				rep, err := e.bot.HandleCommand(ctx, bottest.Command(chA, c.text, admin))
				if err != nil {
					t.Fatal(err)
				}
				refused := strings.HasPrefix(rep.Text, "Only admins can")
				if refused != (c.change && !admin) {
					t.Fatalf("refused = %v, want %v: %q", refused, c.change && !admin, rep.Text)
				}
				after := snapshot(t, e.store)
				if refused {
					if !strings.Contains(rep.Text, "workspace admins of the fake platform") || !rep.Ephemeral {
						t.Errorf("refusal %q does not name the permission (or is public)", rep.Text)
					}
					if before != after {
						t.Errorf("a refused command changed the store:\n%s\n->\n%s", before, after)
					}
				} else if c.change && before == after {
					t.Errorf("admin change %q changed nothing; reply %q", c.text, rep.Text)
				} else if !c.change && before != after {
					t.Errorf("read %q changed the store", c.text)
				}
			})
		}
	}
}

func snapshot(t *testing.T, s *fakeStore) string {
	t.Helper()
	ctx := context.Background()
	ts, _ := s.Topics(ctx, bot.ChannelRef{})
	subs, _ := s.Subscriptions(ctx, bot.ChannelRef{})
	srcs, _ := s.Sources(ctx)
	var sb strings.Builder
	for _, x := range ts {
		fmt.Fprintf(&sb, "topic %s %s %s\n", x.Channel, x.Name, x.Query)
	}
	for _, x := range subs {
		fmt.Fprintf(&sb, "sub %s %s %s %v %d\n", x.ID(), x.At, x.TimeZone, x.Days, x.Max)
	}
	for _, x := range srcs {
		fmt.Fprintf(&sb, "source %s %s\n", x.Name, x.Locator())
	}
	return sb.String()
}

func TestRefusalDefaultWording(t *testing.T) {
	t.Parallel()
	b, err := bot.New(newFakeStore(), bot.Config{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := b.HandleCommand(context.Background(), bottest.Command(chA, "topic add x y", false))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Text, "Only admins can add topics. Here that means: an admin of this workspace or server.") {
		t.Errorf("refusal = %q", rep.Text)
	}
}

func TestSubscribeKeepsOptionsNotGiven(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	e.do(t, chA, "topic add g20 g20", true)
	rep := e.do(t, chA, "subscribe g20", true)
	if !strings.Contains(rep.Text, "every day at 08:00 Europe/Berlin, up to 5 stories") || !strings.Contains(rep.Text, "Next one: Tue 16 Mar 08:00 CET") {
		t.Errorf("defaults: %q", rep.Text)
	}
	e.do(t, chA, "subscribe g20 at 07:30 tz America/New_York weekdays max 3", true)
	rep = e.do(t, chA, "subscribe g20 max 4", true)
	subs, _ := e.store.Subscriptions(ctx, chA)
	if len(subs) != 1 {
		t.Fatalf("subscriptions = %d", len(subs))
	}
	s := subs[0]
	if s.At != "07:30" || s.TimeZone != "America/New_York" || bot.FormatDays(s.Days) != "weekdays" || s.Max != 4 {
		t.Errorf("subscription = %+v", s)
	}
	if !strings.HasPrefix(rep.Text, "Updated: the `g20` digest posts here on weekdays at 07:30 America/New_York, up to 4 stories.") {
		t.Errorf("reply = %q", rep.Text)
	}
	if s.Origin != "chat:fake:admin" || !s.Updated.Equal(t0) {
		t.Errorf("origin %q updated %s", s.Origin, s.Updated)
	}
	rep = e.do(t, chA, "subscribe g20 tz Mars/Olympus", true)
	if !strings.Contains(rep.Text, "I do not know the time zone `Mars/Olympus`") {
		t.Errorf("unknown zone: %q", rep.Text)
	}
	rep = e.do(t, chA, "subscribe nosuch", true)
	if !strings.Contains(rep.Text, "This channel has no topic `nosuch`") {
		t.Errorf("unknown topic: %q", rep.Text)
	}
}

func TestTopicRemoveDropsSubscription(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.do(t, chA, "topic add g20 g20", true)
	e.do(t, chA, "subscribe g20", true)
	rep := e.do(t, chA, "topic remove g20", true)
	if rep.Text != "Topic `g20` and its scheduled digest removed." {
		t.Errorf("reply %q", rep.Text)
	}
	if subs, _ := e.store.Subscriptions(context.Background(), chA); len(subs) != 0 {
		t.Errorf("subscription left: %+v", subs)
	}
	if rep := e.do(t, chA, "topic remove g20", true); !strings.Contains(rep.Text, "no topic `g20`") {
		t.Errorf("second remove: %q", rep.Text)
	}
	if rep := e.do(t, chA, "unsubscribe g20", true); !strings.Contains(rep.Text, "no scheduled `g20` digest") {
		t.Errorf("unsubscribe: %q", rep.Text)
	}
}

func TestSources(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	rep := e.do(t, chA, "source add <https://www.example.com/feed.xml|example>", true)
	if !strings.Contains(rep.Text, "Added the source example.com") {
		t.Errorf("add: %q", rep.Text)
	}
	srcs, _ := e.store.Sources(ctx)
	if len(srcs) != 1 || srcs[0].URL != "https://www.example.com/feed.xml" || srcs[0].Origin != "chat:fake:admin" {
		t.Fatalf("sources = %+v", srcs)
	}
	if rep := e.do(t, chA, "source add https://WWW.example.com/feed.xml?utm_source=x", true); !strings.Contains(rep.Text, "already a source") {
		t.Errorf("duplicate: %q", rep.Text)
	}
	rep = e.do(t, chA, "source add https://example.com/other.xml", true)
	if !strings.Contains(rep.Text, "Added the source example.com/other.xml") {
		t.Errorf("second source from the same site keeps a distinct name: %q", rep.Text)
	}
	if rep := e.do(t, chA, "source remove https://www.example.com/feed.xml/", true); !strings.Contains(rep.Text, "Removed the source example.com.") {
		t.Errorf("remove by equivalent URL: %q", rep.Text)
	}
	if rep := e.do(t, chA, "source remove https://nope.example/x", true); !strings.Contains(rep.Text, "is not one of the sources") {
		t.Errorf("remove unknown: %q", rep.Text)
	}
}

func TestGoldenConversation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	e.store.sources = []feeds.Source{
		{Name: "wire", URL: "https://wire.example/rss", Origin: bot.OriginConfig},
		{Name: "daily", URL: "https://daily.example/feed"},
		{Name: "sportsdesk", URL: "https://sportsdesk.example/rss"},
		{Name: "archive", Path: "/srv/archive"},
	}
	e.store.states = []feeds.State{
		{Locator: "https://wire.example/rss", LastFetch: t0.Add(-4 * time.Minute), LastSuccess: t0.Add(-4 * time.Minute), LastItems: 40, LastNew: 3, NextFetch: t0.Add(11 * time.Minute)},
		{Locator: "https://daily.example/feed", LastFetch: t0.Add(-2 * time.Minute), LastSuccess: t0.Add(-3 * time.Hour), Failures: 3, LastError: "HTTP 503 Service Unavailable"},
		{Locator: "https://sportsdesk.example/rss", LastFetch: t0.Add(-time.Hour), Failures: 10, Paused: true, PausedReason: "10 failures in a row: no such host"},
	}
	if err := e.store.SetChannelHealth(ctx, bot.ChannelHealth{Channel: chB, Error: "not_in_channel", At: t0.Add(-90 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	script := []struct {
		text  string
		admin bool
	}{
		{"help", false},
		{"topics", false},
		{`topic add g20 g20 OR "group of twenty" -football`, false},
		{`topic add g20 g20 OR "group of twenty" -football`, true},
		{`topic add climate "climate summit"`, true},
		{"topics", false},
		{"g20", false},
		{"subscribe g20 at 07:30 weekdays max 3", true},
		{"subscribe climate at 02:30 tz America/New_York sat,sun", true},
		{"subscriptions", false},
		{"preview g20", false},
		{"sources", false},
		{"health", false},
		{"why https://wire.example/g20-a?utm_source=chat", false},
		{"why https://daily.example/g20-b", false},
		{"why https://sportsdesk.example/g20-football", false},
		{"why https://wire.example/g20-old", false},
		{"why https://wire.example/never-seen", false},
		{"why https://elsewhere.example/story", false},
		{"topic bogus", true},
		{"brief", false},
	}
	var sb strings.Builder
	for _, s := range script {
		who := "user"
		if s.admin {
			who = "admin"
		}
		fmt.Fprintf(&sb, "%s> /news %s\n", who, s.text)
		rep := e.do(t, chA, s.text, s.admin)
		if rep.Ephemeral {
			sb.WriteString("(only you can see this)\n")
		}
		if rep.Text != "" {
			sb.WriteString(rep.Text + "\n")
		}
		if rep.Briefing != nil {
			sb.WriteString(briefing.FormatText(*rep.Briefing, 80))
		}
		sb.WriteString("\n")
	}
	golden(t, "conversation.golden", sb.String())
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the output (run with -update to accept):\n--- got\n%s", path, got)
	}
}

func TestNoStoriesSaysWhenThereAreNoSources(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	rep := e.do(t, chA, "volcano", false)
	if !strings.Contains(rep.Text, "No stories match `volcano`") || !strings.Contains(rep.Text, "no news sources yet") ||
		!strings.Contains(rep.Text, "/news source add") {
		t.Errorf("a bot without sources does not say so: %q", rep.Text)
	}
	if err := e.store.AddSource(context.Background(), feeds.Source{Name: "Wire", URL: "https://wire.example/rss"}); err != nil {
		t.Fatal(err)
	}
	rep = e.do(t, chA, "volcano", false)
	if !strings.Contains(rep.Text, "No stories match `volcano`") || strings.Contains(rep.Text, "sources yet") {
		t.Errorf("with a source the reply still says there are none: %q", rep.Text)
	}
}

// TestSourceAddIsVetted: Config.CheckSource refuses a feed URL before it is
// stored, and the admin reads why.
func TestSourceAddIsVetted(t *testing.T) {
	t.Parallel()
	var checked []string
	e := newEnv(t, func(c *bot.Config) {
		c.CheckSource = func(_ context.Context, u string) error {
			checked = append(checked, u)
			if strings.Contains(u, "127.0.0.1") {
				return errors.New("refused: 127.0.0.1 is a loopback address; set fetch.allow_private to allow it")
			}
			return nil
		}
	})
	rep := e.do(t, chA, "source add http://127.0.0.1:9/feed", true)
	if !strings.Contains(rep.Text, "I cannot add http://127.0.0.1:9/feed: refused: 127.0.0.1 is a loopback address") {
		t.Errorf("refusal: %q", rep.Text)
	}
	if srcs, _ := e.store.Sources(context.Background()); len(srcs) != 0 {
		t.Errorf("a refused source was stored: %+v", srcs)
	}
	if rep := e.do(t, chA, "source add https://news.example/feed", true); !strings.Contains(rep.Text, "Added the source news.example") {
		t.Errorf("an allowed source: %q", rep.Text)
	}
	if want := []string{"http://127.0.0.1:9/feed", "https://news.example/feed"}; !slices.Equal(checked, want) {
		t.Errorf("checked %q, want %q", checked, want)
	}
}

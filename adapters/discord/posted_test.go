package discord

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/storage/memory"
)

const historyRoute = "GET channels/{channel}/messages"

func TestPostedFindsTheBotsDigest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	first, err := e.adapter.Post(ctx, channel("42"), digestMsg("delivery-1"))
	if err != nil {
		t.Fatal(err)
	}
	e.fake.Say("42", "777", "good morning")
	second, err := e.adapter.Post(ctx, channel("42"), bot.Message{Key: "delivery-2", Text: "Nothing new on g20 since Mon 08:00."})
	if err != nil {
		t.Fatal(err)
	}
	// Someone pastes the tag of a delivery that has not happened yet: it
	// is not the bot's message, so it does not count.
	e.fake.Say("42", "777", "copied: "+postTag("delivery-3"))
	e.fake.Say("42", "777", "bye")

	cases := []struct {
		key    string
		wantID string
	}{
		{"delivery-1", first},  // tag in the last embed's footer
		{"delivery-2", second}, // tag as a subtext line
		{"delivery-3", ""},     // only a user's message carries it
		{"never-posted", ""},
	}
	for _, tc := range cases {
		id, ok, err := e.adapter.Posted(ctx, channel("42"), tc.key)
		if err != nil || ok != (tc.wantID != "") || id != tc.wantID {
			t.Errorf("Posted(%s) = %q, %v, %v; want %q", tc.key, id, ok, err, tc.wantID)
		}
	}
	if n := len(e.fake.CallsTo("GET users/@me")); n != 1 {
		t.Errorf("users/@me asked %d times, want once (cached)", n)
	}
	for _, c := range e.fake.CallsTo(historyRoute) {
		if c.Header.Get("Authorization") != "Bot "+testToken || !strings.Contains(c.Header.Get("User-Agent"), "DiscordBot") {
			t.Errorf("history call headers %v", c.Header)
		}
	}
	if strings.Contains(e.logs.String(), "level=WARN") {
		t.Errorf("warnings for a readable channel:\n%s", e.logs)
	}
}

// TestPostedPagesAndStops: Posted reads older pages while messages are
// recent, and stops at the first one older than PostedLookback.
func TestPostedPagesAndStops(t *testing.T) {
	t.Parallel()
	clk := &testClock{t: time.Now()}
	e := newEnv(t, nil, func(c *Config) { c.Now = clk.now; c.PostedLookback = time.Hour })
	ctx := context.Background()
	id, err := e.adapter.Post(ctx, channel("42"), digestMsg("delivery-1"))
	if err != nil {
		t.Fatal(err)
	}
	for range 150 { // more than one page of newer messages
		e.fake.Say("42", "777", "chatter")
	}
	got, ok, err := e.adapter.Posted(ctx, channel("42"), "delivery-1")
	if err != nil || !ok || got != id {
		t.Fatalf("Posted = %q, %v, %v; want %q on the second page", got, ok, err, id)
	}
	calls := e.fake.CallsTo(historyRoute)
	if len(calls) != 2 {
		t.Fatalf("%d history calls, want 2", len(calls))
	}
	if calls[0].Query.Get("limit") != "100" || calls[0].Query.Get("before") != "" || calls[1].Query.Get("before") == "" {
		t.Errorf("history queries %v then %v; want the newest 100, then those before the oldest seen", calls[0].Query, calls[1].Query)
	}

	// Two hours later the messages are older than the lookback: one page
	// read, nothing found, no further page.
	clk.advance(2 * time.Hour)
	if _, ok, err := e.adapter.Posted(ctx, channel("42"), "delivery-1"); err != nil || ok {
		t.Errorf("Posted beyond the lookback = %v, %v; want false", ok, err)
	}
	if n := len(e.fake.CallsTo(historyRoute)); n != 3 {
		t.Errorf("%d history calls in all, want 3 (one more page)", n)
	}
}

func TestPostedWithoutHistoryPermission(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// setup makes the history unreadable (or not).
		setup func(e *env)
		warn  bool
	}{
		{"no Read Message History", func(e *env) { e.fake.HideHistory("42") }, true},
		{"no View Channel", func(e *env) { e.fake.DenyChannel("42", 403, 50001) }, true},
		// An empty history of a quiet channel is no reason to warn.
		{"quiet channel", func(e *env) {}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			ctx := context.Background()
			if tc.name != "quiet channel" {
				if _, err := e.adapter.Post(ctx, channel("42"), digestMsg("delivery-1")); err != nil {
					t.Fatal(err)
				}
			}
			tc.setup(e)
			for range 2 {
				id, ok, err := e.adapter.Posted(ctx, channel("42"), "delivery-1")
				if err != nil || ok || id != "" {
					t.Fatalf("Posted = %q, %v, %v; want false, nil (fall back on the nonce)", id, ok, err)
				}
			}
			if n := len(e.fake.CallsTo("GET channels/{channel}")); tc.warn && n > 1 {
				t.Errorf("after warning, the channel was read %d times to tell why its history is empty, want at most once", n)
			}
			warnings := strings.Count(e.logs.String(), "cannot read the channel's message history")
			switch {
			case tc.warn && warnings != 1:
				t.Errorf("%d warnings, want exactly 1:\n%s", warnings, e.logs)
			case !tc.warn && warnings != 0:
				t.Errorf("warned about a quiet channel:\n%s", e.logs)
			}
			if tc.warn && !strings.Contains(e.logs.String(), "Read Message History") {
				t.Errorf("the warning does not say which permission helps:\n%s", e.logs)
			}
		})
	}
}

func TestPostedErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("unknown channel", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		e.fake.DenyChannel("42", 404, 10003)
		_, _, err := e.adapter.Posted(ctx, channel("42"), "k")
		if !errors.Is(err, bot.ErrChannelUnavailable) {
			t.Errorf("err = %v, want ErrChannelUnavailable", err)
		}
	})
	t.Run("not a channel id", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		_, _, err := e.adapter.Posted(ctx, channel("general"), "k")
		if !errors.Is(err, bot.ErrChannelUnavailable) || len(e.fake.Calls()) != 0 {
			t.Errorf("err = %v after %d calls", err, len(e.fake.Calls()))
		}
	})
	t.Run("rate limited", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		e.fake.RateLimitNext(historyRoute, 300*time.Millisecond, false)
		_, _, err := e.adapter.Posted(ctx, channel("42"), "k")
		rl, ok := errors.AsType[*bot.RateLimitError](err)
		if !ok || rl.RetryAfter != 300*time.Millisecond {
			t.Fatalf("err = %v, want a RateLimitError of 300ms", err)
		}
		// Reading is limited, posting is not.
		if _, err := e.adapter.Post(ctx, channel("42"), digestMsg("k")); err != nil {
			t.Errorf("Post during a history rate limit: %v", err)
		}
		if _, _, err := e.adapter.Posted(ctx, channel("42"), "k"); err == nil {
			t.Error("Posted during its rate limit reached Discord")
		}
		if v := e.fake.Violations(); v != 0 {
			t.Errorf("%d requests broke the rate limit", v)
		}
	})
	t.Run("server error", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		e.fake.FailNext(historyRoute, 500, 0, "Internal Server Error")
		_, _, err := e.adapter.Posted(ctx, channel("42"), "k")
		if err == nil || errors.Is(err, bot.ErrChannelUnavailable) {
			t.Errorf("err = %v, want a transient error", err)
		}
	})
	t.Run("no key", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		if _, _, err := e.adapter.Posted(ctx, channel("42"), ""); err == nil {
			t.Error("no error for an empty key")
		}
	})
}

// TestDeliveryCrashRetry is the crash window of a scheduled digest: the
// post reached Discord but the delivery was not recorded (the process
// died), and the job is retried after River's rescue, when Discord has
// forgotten the nonce. The retry finds the digest in the channel and
// records it instead of posting it again. Without Read Message History it
// cannot, and the digest shows twice: the case docs/discord.md warns of.
func TestDeliveryCrashRetry(t *testing.T) {
	t.Parallel()
	for _, readable := range []bool{true, false} {
		name := map[bool]string{true: "bot can read history", false: "bot cannot read history"}[readable]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			ctx := context.Background()
			if !readable {
				e.fake.HideHistory("42")
			}
			now := time.Now().UTC()
			slot := now.Truncate(time.Minute)
			store := &flakyStore{Store: memory.New()}
			if _, err := store.AddArticles(ctx, []briefing.Article{{
				ID: "g20", URL: "https://example.com/g20", Title: "G20 leaders meet in Hamburg", Source: "wire",
				Text:      "Leaders of the G20 met in Hamburg on Friday. They discussed trade and climate policy.",
				Published: now.Add(-time.Hour),
			}}, now.Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
			ch := channel("42")
			if err := store.PutTopic(ctx, bot.Topic{Channel: ch, Name: "g20", Query: "g20", Updated: now.AddDate(0, 0, -1)}); err != nil {
				t.Fatal(err)
			}
			sub := bot.Subscription{Channel: ch, Topic: "g20", At: slot.Format("15:04"), TimeZone: "UTC", Updated: now.AddDate(0, 0, -1)}
			if err := store.PutSubscription(ctx, sub); err != nil {
				t.Fatal(err)
			}
			b, err := bot.New(store, bot.Config{TimeZone: "UTC", Grace: time.Hour}, e.adapter)
			if err != nil {
				t.Fatal(err)
			}

			store.failSaves(3) // every try to record the delivery fails
			if err := b.Deliver(ctx, sub.ID(), slot); err == nil {
				t.Fatal("want an error when the delivery cannot be recorded")
			}
			if n := len(e.fake.Messages("42")); n != 1 {
				t.Fatalf("%d messages after the first try, want 1", n)
			}
			e.fake.ExpireNonces() // the rescue comes after Discord's nonce window
			if err := b.Deliver(ctx, sub.ID(), slot); err != nil {
				t.Fatal(err)
			}
			msgs := e.fake.Messages("42")
			want := 1
			if !readable {
				want = 2
			}
			if len(msgs) != want {
				t.Fatalf("%d messages after the retry, want %d", len(msgs), want)
			}
			d, err := store.GetDelivery(ctx, sub.ID(), slot)
			if err != nil || d.Status != bot.StatusPosted || d.MsgID != msgs[len(msgs)-1].ID {
				t.Errorf("delivery = %+v, %v; want posted as %s", d, err, msgs[len(msgs)-1].ID)
			}
			if n := len(e.fake.CallsTo(postRoute)); readable && n != 1 {
				t.Errorf("%d posts reached Discord, want 1", n)
			}
		})
	}
}

// flakyStore fails SaveDelivery a given number of times, as a process
// that dies between posting and recording.
type flakyStore struct {
	*memory.Store
	mu    sync.Mutex
	fails int
}

func (s *flakyStore) failSaves(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails = n
}

func (s *flakyStore) SaveDelivery(ctx context.Context, d bot.Delivery) error {
	s.mu.Lock()
	fail := s.fails > 0
	if fail {
		s.fails--
	}
	s.mu.Unlock()
	if fail {
		return errors.New("disk I/O error")
	}
	return s.Store.SaveDelivery(ctx, d)
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestChannelTeam(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	e.fake.SetChannelGuild("42", "100")
	for range 2 { // the second answer comes from the cache
		got, err := e.adapter.ChannelTeam(ctx, channel("42"))
		if err != nil || got != "100" {
			t.Fatalf("ChannelTeam(42) = %q, %v; want guild 100", got, err)
		}
	}
	if n := len(e.fake.CallsTo("GET channels/{channel}")); n != 1 {
		t.Errorf("GET channels/42 called %d times, want 1 (cached)", n)
	}
	e.fake.DenyChannel("43", 403, 50001)
	if _, err := e.adapter.ChannelTeam(ctx, channel("43")); err == nil {
		t.Error("ChannelTeam of a channel the bot cannot see: no error")
	}
}

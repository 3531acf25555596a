package slack_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/adapters/slack"
	"github.com/newsbot/newsbot/adapters/slack/slackfake"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
)

var news = bot.ChannelRef{Platform: "slack", Channel: "C0NEWS"}

// newPoster returns an adapter posting to a fake, with a movable clock.
func newPoster(t *testing.T, mod func(*slack.Config)) (*slack.Adapter, *slackfake.Server, *clock) {
	t.Helper()
	fake := slackfake.Start(t)
	clk := &clock{t: time.Now()}
	cfg := slack.Config{BotToken: testToken, SigningSecret: testSecret, APIURL: fake.APIURL(), Now: clk.now, PostInterval: time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	a, err := slack.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a, fake, clk
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestPostDigestWithMetadataAndPosted(t *testing.T) {
	t.Parallel()
	a, fake, _ := newPoster(t, nil)
	ctx := context.Background()
	ts, err := a.Post(ctx, news, bot.Message{Key: "sub-7@2026-03-01T08:00", Text: "Morning digest", Briefing: g20()})
	if err != nil {
		t.Fatal(err)
	}
	calls := fake.Calls("chat.postMessage")
	if len(calls) != 1 {
		t.Fatalf("%d posts", len(calls))
	}
	c := calls[0]
	if c.Token != testToken || c.Form.Get("channel") != "C0NEWS" {
		t.Errorf("posted with token %q to %q", c.Token, c.Form.Get("channel"))
	}
	var md struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	if err := json.Unmarshal([]byte(c.Form.Get("metadata")), &md); err != nil || md.EventType != "newsbot_digest" || md.EventPayload["key"] != "sub-7@2026-03-01T08:00" {
		t.Errorf("metadata = %s (%v)", c.Form.Get("metadata"), err)
	}
	if !strings.Contains(c.Form.Get("blocks"), "G20 summit") || !strings.Contains(c.Form.Get("blocks"), "Morning digest") {
		t.Errorf("blocks lack the digest: %s", c.Form.Get("blocks"))
	}
	if c.Form.Get("unfurl_links") != "false" {
		t.Errorf("link unfurling not disabled: %v", c.Form)
	}

	// Another message without key, then look the digest up.
	if _, err := a.Post(ctx, news, bot.Message{Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := a.Posted(ctx, news, "sub-7@2026-03-01T08:00")
	if err != nil || !ok || got != ts {
		t.Errorf("Posted = %q, %v, %v; want %q, true", got, ok, err, ts)
	}
	if _, ok, err := a.Posted(ctx, news, "sub-7@2026-03-02T08:00"); err != nil || ok {
		t.Errorf("Posted(other key) = %v, %v; want false", ok, err)
	}
	hist := fake.Calls("conversations.history")
	if len(hist) == 0 || hist[0].Form.Get("include_all_metadata") != "1" || hist[0].Token != testToken {
		t.Errorf("history call %+v", hist)
	}
}

func TestPostedPagesThroughHistory(t *testing.T) {
	t.Parallel()
	a, _, _ := newPoster(t, nil)
	ctx := context.Background()
	first, err := a.Post(ctx, news, bot.Message{Key: "old", Text: "old digest"})
	if err != nil {
		t.Fatal(err)
	}
	for range 250 { // more than one page of 200 newer messages
		if _, err := a.Post(ctx, news, bot.Message{Text: "chatter"}); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := a.Posted(ctx, news, "old")
	if err != nil || !ok || got != first {
		t.Errorf("Posted = %q, %v, %v; want %q", got, ok, err, first)
	}
}

func TestPostRateLimited(t *testing.T) {
	t.Parallel()
	a, fake, clk := newPoster(t, nil)
	ctx := context.Background()
	fake.FailNext("chat.postMessage", slackfake.Fault{Status: http.StatusTooManyRequests, RetryAfter: 3})
	_, err := a.Post(ctx, news, bot.Message{Key: "k1", Briefing: g20()})
	rl, ok := errors.AsType[*bot.RateLimitError](err)
	if !ok || rl.RetryAfter != 3*time.Second {
		t.Fatalf("Post = %v, want *bot.RateLimitError of 3s", err)
	}
	// During the cool-down Post answers at once without calling Slack.
	clk.advance(time.Second)
	_, err = a.Post(ctx, bot.ChannelRef{Platform: "slack", Channel: "C0OTHER"}, bot.Message{Text: "x"})
	if rl, ok := errors.AsType[*bot.RateLimitError](err); !ok || rl.RetryAfter != 2*time.Second {
		t.Fatalf("Post during cool-down = %v, want RateLimitError of 2s", err)
	}
	if n := len(fake.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d calls to Slack, want 1 (no calls during the cool-down)", n)
	}
	clk.advance(2 * time.Second)
	if _, err := a.Post(ctx, news, bot.Message{Key: "k1", Briefing: g20()}); err != nil {
		t.Fatalf("Post after Retry-After: %v", err)
	}
	if n := len(fake.Messages("C0NEWS")); n != 1 {
		t.Errorf("%d digests stored, want exactly 1", n)
	}
}

func TestPostChannelUnavailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code        string
		unavailable bool
		// message is what /news health shows (bot.ChannelError.Message).
		message string
	}{
		{"not_in_channel", true, "The bot is not in this channel. Type /invite @newsbot in the channel (with your app's name if you renamed it)."},
		{"channel_not_found", true, "Slack does not show this channel to the bot: it is private and the bot is not in it, or it was deleted. In a private channel, type /invite @newsbot there; if the channel was deleted, nothing needs doing."},
		{"is_archived", true, "This channel is archived. Unarchive it to get its digests again."},
		{"restricted_action", true, "The workspace does not let the bot post in this channel. A workspace admin can allow it in the channel's posting permissions."},
		{"restricted_action_thread_only_channel", true, "This channel only takes replies in threads, so the bot cannot post digests in it. A workspace admin can change the channel's posting permissions."},
		{"internal_error", false, ""},
		{"msg_too_long", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			t.Parallel()
			a, fake, _ := newPoster(t, nil)
			fake.SetChannelError("C0NEWS", tc.code)
			_, err := a.Post(context.Background(), news, bot.Message{Briefing: g20()})
			if err == nil {
				t.Fatal("Post succeeded")
			}
			if got := errors.Is(err, bot.ErrChannelUnavailable); got != tc.unavailable {
				t.Errorf("errors.Is(%v, ErrChannelUnavailable) = %v, want %v", err, got, tc.unavailable)
			}
			if !strings.Contains(err.Error(), tc.code) || !strings.Contains(err.Error(), "C0NEWS") {
				t.Errorf("error %q lacks the code or channel", err)
			}
			ce, ok := errors.AsType[*bot.ChannelError](err)
			switch {
			case tc.unavailable && !ok:
				t.Errorf("error %v has no plain reason (bot.ChannelError)", err)
			case tc.unavailable && ce.Message() != tc.message:
				t.Errorf("health message:\n got %q\nwant %q", ce.Message(), tc.message)
			case !tc.unavailable && ok:
				t.Errorf("%v is not the channel's fault", err)
			}
			_, ok, err = a.Posted(context.Background(), news, "k")
			switch {
			case tc.code == "not_in_channel": // cannot read, may post: not found
				if err != nil || ok {
					t.Errorf("Posted = %v, %v; want false, nil", ok, err)
				}
			case errors.Is(err, bot.ErrChannelUnavailable) != tc.unavailable:
				t.Errorf("Posted error %v", err)
			}
		})
	}
	t.Run("server error is transient", func(t *testing.T) {
		t.Parallel()
		a, fake, _ := newPoster(t, nil)
		fake.FailNext("chat.postMessage", slackfake.Fault{Status: http.StatusServiceUnavailable})
		_, err := a.Post(context.Background(), news, bot.Message{Text: "x"})
		if err == nil || errors.Is(err, bot.ErrChannelUnavailable) {
			t.Fatalf("Post = %v, want a transient error", err)
		}
		if _, ok := errors.AsType[*bot.RateLimitError](err); ok {
			t.Fatalf("Post = %v, want no rate limit", err)
		}
	})
}

func TestPostPacesEachChannel(t *testing.T) {
	t.Parallel()
	const interval = 200 * time.Millisecond
	a, fake, _ := newPoster(t, func(c *slack.Config) { c.PostInterval = interval })
	ctx := context.Background()
	var wg sync.WaitGroup
	start := time.Now()
	for i := range 3 {
		for _, ch := range []string{"CA", "CB"} {
			wg.Go(func() {
				if _, err := a.Post(ctx, bot.ChannelRef{Platform: "slack", Channel: ch}, bot.Message{Text: "digest " + string(rune('0'+i))}); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	last := map[string]time.Time{}
	count := map[string]int{}
	for _, c := range fake.Calls("chat.postMessage") {
		ch := c.Form.Get("channel")
		count[ch]++
		if c.Time.After(last[ch]) {
			last[ch] = c.Time
		}
	}
	for _, ch := range []string{"CA", "CB"} {
		if count[ch] != 3 {
			t.Fatalf("%s: %d posts, want 3", ch, count[ch])
		}
		// The first post may go at once, each later one an interval after
		// the one before: the third cannot arrive before 2 intervals.
		if got := last[ch].Sub(start); got < 2*interval {
			t.Errorf("%s: three posts within %v, want >= %v", ch, got, 2*interval)
		}
	}
	// Channels are paced independently: one shared pace would need 5
	// intervals for the six posts.
	if elapsed >= 5*interval {
		t.Errorf("six posts to two channels took %v; channels should not wait for each other", elapsed)
	}
}

func TestPostHonoursContext(t *testing.T) {
	t.Parallel()
	a, _, _ := newPoster(t, func(c *slack.Config) { c.PostInterval = time.Hour })
	if _, err := a.Post(context.Background(), news, bot.Message{Text: "first"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := a.Post(ctx, news, bot.Message{Text: "second"}); err == nil {
		t.Fatal("second post within the interval did not wait for its context")
	}
}

func TestPostRejectsEmpty(t *testing.T) {
	t.Parallel()
	a, fake, _ := newPoster(t, nil)
	if _, err := a.Post(context.Background(), news, bot.Message{}); err == nil {
		t.Error("empty message posted")
	}
	if _, err := a.Post(context.Background(), bot.ChannelRef{Platform: "slack"}, bot.Message{Text: "x"}); err == nil {
		t.Error("message without channel posted")
	}
	if n := len(fake.Calls("")); n != 0 {
		t.Errorf("%d calls to Slack", n)
	}
}

func TestPostMentionInjection(t *testing.T) {
	t.Parallel()
	a, fake, _ := newPoster(t, nil)
	b := &briefing.Briefing{Title: "Daily", Items: []briefing.Item{{Headline: "Breaking <!channel> & <@U123>", URL: "https://e.example/a",
		Summary: []string{"<!everyone> <!here>"}}}}
	if _, err := a.Post(context.Background(), news, bot.Message{Text: "<!here> digest", Briefing: b}); err != nil {
		t.Fatal(err)
	}
	c := fake.Calls("chat.postMessage")[0]
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(c.Form.Get("blocks")), &blocks); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(blocks)
	all := c.Form.Get("text") + string(raw)
	all = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(all)
	for _, bad := range []string{"<!channel>", "<!everyone>", "<!here>", "<@U123>"} {
		if strings.Contains(all, bad) {
			t.Errorf("post contains raw %s: %s", bad, all)
		}
	}
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  slack.Config
		want []string
	}{
		{"empty", slack.Config{}, []string{"slack.bot_token is required", "slack.signing_secret"}},
		{"bad app token", slack.Config{BotToken: "xoxb-1", AppToken: "xoxb-2"}, []string{`"xapp-"`}},
		{"bad api url", slack.Config{BotToken: "xoxb-1", SigningSecret: "s", APIURL: "ftp://x"}, []string{"slack.api_url"}},
		{"bad admin", slack.Config{BotToken: "xoxb-1", SigningSecret: "s", Admins: []string{"U1, U2"}}, []string{"slack.admins"}},
		{"ack too slow", slack.Config{BotToken: "xoxb-1", SigningSecret: "s", AckTimeout: 3 * time.Second}, []string{"under Slack's 3 s"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := slack.New(tc.cfg)
			if err == nil {
				t.Fatal("New accepted the config")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "xoxb-2") {
				t.Errorf("error %q shows a token", err)
			}
		})
	}
	if _, err := slack.New(slack.Config{BotToken: "xoxb-1", AppToken: "xapp-1"}); err != nil {
		t.Errorf("Socket Mode config refused: %v", err)
	}
}

// TestChannelGoneTexts: every channel refusal says why and what to do, as
// whole sentences, without Slack's error code standing in for either.
func TestChannelGoneTexts(t *testing.T) {
	t.Parallel()
	for code, why := range slack.ChannelGone() {
		if why.Reason == "" || why.Fix == "" || !strings.HasSuffix(why.Reason, ".") || !strings.HasSuffix(why.Fix, ".") {
			t.Errorf("%s: reason %q, fix %q: want two sentences", code, why.Reason, why.Fix)
		}
	}
}

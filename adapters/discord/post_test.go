package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
)

const postRoute = "POST channels/{channel}/messages"

func channel(id string) bot.ChannelRef {
	return bot.ChannelRef{Platform: "discord", Team: "100", Channel: id}
}

func digestMsg(key string) bot.Message {
	b := g20Briefing()
	return bot.Message{Key: key, Text: "Morning digest: g20", Briefing: &b}
}

func TestPost(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	id, err := e.adapter.Post(context.Background(), channel("42"), digestMsg("sub-7@2017-07-07T08:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	msgs := e.fake.Messages("42")
	if len(msgs) != 1 || msgs[0].ID != id {
		t.Fatalf("messages = %+v, returned id %q", msgs, id)
	}
	calls := e.fake.CallsTo(postRoute)
	if got := calls[0].Header.Get("Authorization"); got != "Bot "+testToken {
		t.Errorf("Authorization = %q", got)
	}
	var body struct {
		Content         string            `json:"content"`
		Embeds          []json.RawMessage `json:"embeds"`
		Nonce           string            `json:"nonce"`
		EnforceNonce    bool              `json:"enforce_nonce"`
		AllowedMentions *struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
	}
	if err := json.Unmarshal(msgs[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Content != "Morning digest: g20" || len(body.Embeds) != 3 {
		t.Errorf("content %q with %d embeds", body.Content, len(body.Embeds))
	}
	if body.Nonce != nonce("sub-7@2017-07-07T08:00Z") || !body.EnforceNonce || len(body.Nonce) > 25 {
		t.Errorf("nonce %q enforce %v", body.Nonce, body.EnforceNonce)
	}
	if body.AllowedMentions == nil || body.AllowedMentions.Parse == nil || len(body.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed_mentions = %s", msgs[0].Body)
	}
	if !bytes.Contains(msgs[0].Body, []byte(`"allowed_mentions":{"parse":[]`)) {
		t.Errorf("body %s", msgs[0].Body)
	}
}

// TestPostIdempotent: a retried delivery (same key) posts once; Discord
// returns the first message.
func TestPostIdempotent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	id1, err := e.adapter.Post(ctx, channel("42"), digestMsg("delivery-1"))
	if err != nil {
		t.Fatal(err)
	}
	id2, err := e.adapter.Post(ctx, channel("42"), digestMsg("delivery-1"))
	if err != nil {
		t.Fatal(err)
	}
	id3, err := e.adapter.Post(ctx, channel("42"), digestMsg("delivery-2"))
	if err != nil {
		t.Fatal(err)
	}
	if id1 != id2 || id3 == id1 {
		t.Errorf("ids %s %s %s: a retry must return the first message, a new key a new one", id1, id2, id3)
	}
	if n := len(e.fake.Messages("42")); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}
}

// TestPostRateLimited: a 429 becomes *bot.RateLimitError with Discord's
// retry_after; until it expires Post answers by itself, sending nothing.
func TestPostRateLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	e.fake.RateLimitNext(postRoute, 300*time.Millisecond, false)
	_, err := e.adapter.Post(ctx, channel("42"), digestMsg("a"))
	var rl *bot.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 300*time.Millisecond {
		t.Fatalf("err = %v, want RateLimitError after 300ms", err)
	}
	sent := len(e.fake.CallsTo(postRoute))
	_, err = e.adapter.Post(ctx, channel("42"), digestMsg("a"))
	if !errors.As(err, &rl) || rl.RetryAfter <= 0 || rl.RetryAfter > 300*time.Millisecond {
		t.Fatalf("second post: err = %v, want RateLimitError with the remaining wait", err)
	}
	if n := len(e.fake.CallsTo(postRoute)); n != sent {
		t.Errorf("a post during the wait reached Discord (%d calls, want %d)", n, sent)
	}
	// Other channels have their own limits.
	if _, err := e.adapter.Post(ctx, channel("43"), digestMsg("b")); err != nil {
		t.Errorf("other channel: %v", err)
	}
	time.Sleep(rl.RetryAfter)
	if _, err := e.adapter.Post(ctx, channel("42"), digestMsg("a")); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
	if v := e.fake.Violations(); v != 0 {
		t.Errorf("%d requests broke a rate limit", v)
	}
	if n := len(e.fake.Messages("42")); n != 1 {
		t.Errorf("%d messages in 42, want exactly 1", n)
	}
}

// TestPostGlobalRateLimit: a global 429 stops posts to every channel.
func TestPostGlobalRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	e.fake.RateLimitNext(postRoute, 400*time.Millisecond, true)
	_, err := e.adapter.Post(ctx, channel("42"), digestMsg("a"))
	var rl *bot.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("err = %v", err)
	}
	_, err = e.adapter.Post(ctx, channel("43"), digestMsg("b"))
	if !errors.As(err, &rl) || rl.RetryAfter <= 0 {
		t.Fatalf("other channel during a global limit: err = %v", err)
	}
	if n := len(e.fake.CallsTo(postRoute)); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
	if v := e.fake.Violations(); v != 0 {
		t.Errorf("%d requests broke the global limit", v)
	}
}

// TestPostRetryLoop is what the delivery queue does: retry after
// RetryAfter until it works. Exactly one message results.
func TestPostRetryLoop(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for range 3 {
		e.fake.RateLimitNext(postRoute, 50*time.Millisecond, false)
	}
	var id string
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		id, err = e.adapter.Post(context.Background(), channel("42"), digestMsg("d-1"))
		var rl *bot.RateLimitError
		if !errors.As(err, &rl) {
			break
		}
		time.Sleep(rl.RetryAfter)
	}
	if err != nil || id == "" {
		t.Fatalf("id %q err %v", id, err)
	}
	if n := len(e.fake.Messages("42")); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	if v := e.fake.Violations(); v != 0 {
		t.Errorf("%d violations", v)
	}
}

func TestPostUnavailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		channel     string
		deny        func(e *env)
		unavailable bool
		// message is what /news health shows (bot.ChannelError.Message).
		message string
	}{
		{"missing access", "42", func(e *env) { e.fake.DenyChannel("42", 403, 50001) }, true,
			"The bot cannot see this channel. Invite it to the server, or give it View Channel and Send Messages in this channel (channel settings, Permissions)."},
		{"forbidden without a code", "42", func(e *env) { e.fake.FailNext(postRoute, 403, 0, "Forbidden") }, true,
			"The bot cannot see this channel. Invite it to the server, or give it View Channel and Send Messages in this channel (channel settings, Permissions)."},
		{"missing permissions", "42", func(e *env) { e.fake.DenyChannel("42", 403, 50013) }, true,
			"The bot can see this channel but lacks a permission to post digests in it. Give it Send Messages and Embed Links in this channel (channel settings, Permissions)."},
		{"unknown channel", "42", func(e *env) { e.fake.DenyChannel("42", 404, 10003) }, true,
			"Discord does not know this channel: it was deleted, or the bot was removed from its server. If the channel still exists, invite the bot to the server again; if it was deleted, nothing needs doing."},
		{"not a channel id", "../../users/@me", func(*env) {}, true,
			`"../../users/@me" is not a Discord channel ID. Use the channel's numeric ID (Developer Mode, then right-click the channel and Copy Channel ID).`},
		{"server error", "42", func(e *env) { e.fake.FailNext(postRoute, 500, 0, "Internal Server Error") }, false, ""},
		{"bad request", "42", func(e *env) { e.fake.FailNext(postRoute, 400, 50035, "Invalid Form Body") }, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			tc.deny(e)
			_, err := e.adapter.Post(context.Background(), channel(tc.channel), digestMsg("k"))
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, bot.ErrChannelUnavailable); got != tc.unavailable {
				t.Errorf("errors.Is(%v, ErrChannelUnavailable) = %v, want %v", err, got, tc.unavailable)
			}
			ce, ok := errors.AsType[*bot.ChannelError](err)
			if tc.unavailable && (!ok || ce.Message() != tc.message) {
				t.Errorf("health message:\n got %q\nwant %q", channelMessage(err), tc.message)
			}
			if !tc.unavailable && ok {
				t.Errorf("a %v is not the channel's fault", err)
			}
			var rl *bot.RateLimitError
			if errors.As(err, &rl) {
				t.Errorf("not a rate limit: %v", err)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

func TestPostWrongPlatform(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	_, err := e.adapter.Post(context.Background(), bot.ChannelRef{Platform: "slack", Channel: "C1"}, digestMsg("k"))
	if err == nil || len(e.fake.Calls()) != 0 {
		t.Errorf("err = %v, calls %d", err, len(e.fake.Calls()))
	}
}

func TestPostCancelled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.adapter.Post(ctx, channel("42"), digestMsg("k"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if n := len(e.fake.Messages("42")); n != 0 {
		t.Errorf("%d messages posted after cancel", n)
	}
}

func TestPostBadToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, func(c *Config) { c.BotToken = "wrong-token" })
	_, err := e.adapter.Post(context.Background(), channel("42"), digestMsg("k"))
	if err == nil || errors.Is(err, bot.ErrChannelUnavailable) {
		t.Errorf("err = %v, want a plain error (401 is not the channel's fault)", err)
	}
	if err != nil && strings.Contains(err.Error(), "wrong-token") {
		t.Errorf("error leaks the token: %v", err)
	}
}

// TestPostBucketExhausted: when Discord's headers say a channel's bucket
// is empty, Post reports the wait instead of sleeping or sending.
func TestPostBucketExhausted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.fake.SetRouteLimit(2, 600*time.Millisecond)
	ctx := context.Background()
	for i := range 2 {
		if _, err := e.adapter.Post(ctx, channel("42"), digestMsg(fmt.Sprint("k", i))); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	_, err := e.adapter.Post(ctx, channel("42"), digestMsg("k2"))
	var rl *bot.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter <= 0 || rl.RetryAfter > 600*time.Millisecond {
		t.Fatalf("err = %v, want the bucket's remaining wait", err)
	}
	if time.Since(start) > 300*time.Millisecond {
		t.Errorf("Post slept %s instead of returning", time.Since(start))
	}
	if n := len(e.fake.CallsTo(postRoute)); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	time.Sleep(rl.RetryAfter)
	if _, err := e.adapter.Post(ctx, channel("42"), digestMsg("k2")); err != nil {
		t.Fatalf("after the reset: %v", err)
	}
	if v := e.fake.Violations(); v != 0 {
		t.Errorf("%d violations", v)
	}
}

func channelMessage(err error) string {
	if ce, ok := errors.AsType[*bot.ChannelError](err); ok {
		return ce.Message()
	}
	return "(no ChannelError) " + err.Error()
}

package discord

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsbot/newsbot/adapters/discord/discordfake"
	"github.com/newsbot/newsbot/bot"
)

func TestPingPong(t *testing.T) {
	t.Parallel()
	h := briefingHandler()
	e := newEnv(t, h)
	status, r := e.deliver(t, discordfake.Ping())
	if status != 200 || string(r.raw) != `{"type":1}` {
		t.Fatalf("PING: %d %s, want 200 {\"type\":1}", status, r.raw)
	}
	if len(h.commands()) != 0 {
		t.Error("PING reached the bot")
	}
}

// TestSignatureRefused: anything not signed by Discord's key, or signed
// too long ago (a replay), gets 401 and has no effect.
func TestSignatureRefused(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	h := briefingHandler()
	e := newEnv(t, h, func(c *Config) { c.Now = func() time.Time { return now } })
	payload := discordfake.News(discordfake.Sub("brief", discordfake.Str("query", "g20"))).JSON()
	post := func(t *testing.T, body []byte, sign func(http.Header)) int {
		req, err := http.NewRequest(http.MethodPost, e.url, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		sign(req.Header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	other := discordfake.NewSigner()
	tests := []struct {
		name string
		body []byte
		sign func(http.Header)
		want int
	}{
		{"valid", payload, func(h http.Header) { e.signer.Sign(h, payload, now) }, 200},
		{"exactly 5 minutes old", payload, func(h http.Header) { e.signer.Sign(h, payload, now.Add(-5*time.Minute)) }, 200},
		{"wrong key", payload, func(h http.Header) { other.Sign(h, payload, now) }, 401},
		{"tampered body", append(bytes.Clone(payload[:len(payload)-1]), ' ', '}'), func(h http.Header) { e.signer.Sign(h, payload, now) }, 401},
		{"no headers", payload, func(http.Header) {}, 401},
		{"signature only", payload, func(h http.Header) {
			e.signer.Sign(h, payload, now)
			h.Del("X-Signature-Timestamp")
		}, 401},
		{"not hex", payload, func(h http.Header) {
			e.signer.Sign(h, payload, now)
			h.Set("X-Signature-Ed25519", strings.Repeat("zz", 64))
		}, 401},
		{"stale: 5 minutes 1 second old", payload, func(h http.Header) { e.signer.Sign(h, payload, now.Add(-5*time.Minute-time.Second)) }, 401},
		{"stale: an hour old", payload, func(h http.Header) { e.signer.Sign(h, payload, now.Add(-time.Hour)) }, 401},
		{"from the future", payload, func(h http.Header) { e.signer.Sign(h, payload, now.Add(6*time.Minute)) }, 401},
		{"timestamp changed after signing", payload, func(h http.Header) {
			e.signer.Sign(h, payload, now.Add(-10*time.Minute))
			h.Set("X-Signature-Timestamp", "1772366400")
		}, 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.commands())
			if got := post(t, tc.body, tc.sign); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
			if tc.want == 401 && len(h.commands()) != before {
				t.Error("a refused request reached the bot")
			}
		})
	}
	if calls := e.fake.Calls(); len(calls) != 0 {
		t.Errorf("refused requests caused %d calls to Discord", len(calls))
	}
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, briefingHandler())
	resp, err := http.Get(e.url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET: %d Allow=%q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestMalformedSignedBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t, briefingHandler())
	for _, body := range []string{"not json", `{"type":99,"id":"1","token":"t"}`} {
		status, _ := e.deliver(t, []byte(body))
		if status != http.StatusBadRequest {
			t.Errorf("%q: status %d, want 400", body, status)
		}
	}
}

// TestBriefDirect: a quick bot is answered in the response itself.
func TestBriefDirect(t *testing.T) {
	t.Parallel()
	h := briefingHandler()
	e := newEnv(t, h, func(c *Config) { c.ReplyDeadline = 2 * time.Second })
	payload := discordfake.News(discordfake.Sub("brief", discordfake.Str("query", "g20"))).JSON()
	status, r := e.deliver(t, payload)
	if status != 200 || r.Type != 4 {
		t.Fatalf("status %d type %d, want 200 and type 4 (message): %s", status, r.Type, r.raw)
	}
	if len(r.Data.Embeds) != 3 || r.Data.Embeds[0].Title != "Trump and Putin plan face-to-face meeting at G20 in Germany" {
		t.Errorf("embeds = %+v", r.Data.Embeds)
	}
	if r.Data.Flags != 0 {
		t.Errorf("a briefing must be public, flags = %d", r.Data.Flags)
	}
	if !bytes.Contains(r.raw, []byte(`"allowed_mentions":{"parse":[]`)) {
		t.Errorf("no empty allowed_mentions in %s", r.raw)
	}
	cmds := h.commands()
	if len(cmds) != 1 || cmds[0].Text != "g20" || cmds[0].Channel != (bot.ChannelRef{Platform: "discord", Team: "100", Channel: "200"}) || cmds[0].User != "300" {
		t.Errorf("commands = %+v", cmds)
	}
	if calls := e.fake.Calls(); len(calls) != 0 {
		t.Errorf("a direct answer needs no REST call, got %d", len(calls))
	}
}

// TestBriefDeferred: a slow bot gets a deferred response within Discord's
// three seconds; the briefing then replaces it through the interaction
// webhook. It runs with the default reply deadline.
func TestBriefDeferred(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	h := &recorder{fn: func(ctx context.Context, _ bot.Command) (bot.Reply, error) {
		select {
		case <-release:
		case <-ctx.Done():
			return bot.Reply{}, ctx.Err()
		}
		b := g20Briefing()
		return bot.Reply{Briefing: &b}, nil
	}}
	e := newEnv(t, h, func(c *Config) { c.ReplyDeadline = 0 }) // default: 2 s
	payload := discordfake.News(discordfake.Sub("brief", discordfake.Str("query", "g20"))).JSON()
	start := time.Now()
	status, r := e.deliver(t, payload)
	took := time.Since(start)
	close(release)
	if status != 200 || r.Type != 5 {
		t.Fatalf("status %d type %d, want 200 and type 5 (deferred): %s", status, r.Type, r.raw)
	}
	if took >= 3*time.Second {
		t.Errorf("answered after %s; Discord gives up after 3 s", took)
	}
	token := tokenOf(t, payload)
	e.fake.WaitFor(t, 5*time.Second, "the original response to be edited", func() bool {
		resp, ok := e.fake.Response(token)
		return ok && resp.Edits > 0
	})
	resp, _ := e.fake.Response(token)
	m := decodeMessage(t, resp.Original)
	if len(m.Embeds) == 0 || !strings.Contains(m.Embeds[0].Title, "G20") || m.Embeds[0].URL == "" {
		t.Errorf("edited original = %s, want the G20 story as a linked embed", resp.Original)
	}
	edit := e.fake.CallsTo("PATCH webhooks/{app}/{token}/messages/@original")
	if len(edit) != 1 || !bytes.Contains(edit[0].Body, []byte(`"allowed_mentions":{"parse":[]`)) {
		t.Errorf("edit calls = %d, body %s", len(edit), firstBody(edit))
	}
	if edit[0].Header.Get("Authorization") != "" {
		t.Error("interaction webhooks need no bot token, and must not get it")
	}
}

func firstBody(calls []discordfake.Call) string {
	if len(calls) == 0 {
		return "(none)"
	}
	return string(calls[0].Body)
}

// TestDeferredEphemeral: a slow ephemeral reply (an error, a refusal)
// replaces the public "thinking…" message with an ephemeral follow-up.
func TestDeferredEphemeral(t *testing.T) {
	t.Parallel()
	h, gate := gated(bot.Reply{Text: "Only admins can add topics: you need **Manage Server**.", Ephemeral: true})
	e := newEnv(t, h)
	payload := discordfake.News(discordfake.Group("topic", discordfake.Sub("add", discordfake.Str("name", "g20"), discordfake.Str("query", "g20")))).JSON()
	status, r := e.deliver(t, payload)
	close(gate)
	if status != 200 || r.Type != 5 {
		t.Fatalf("status %d type %d, want deferred", status, r.Type)
	}
	token := tokenOf(t, payload)
	e.fake.WaitFor(t, 5*time.Second, "an ephemeral follow-up", func() bool {
		resp, _ := e.fake.Response(token)
		return len(resp.Followups) > 0
	})
	resp, _ := e.fake.Response(token)
	if !resp.Deleted {
		t.Error("the public deferred message was not deleted")
	}
	m := decodeMessage(t, resp.Followups[0])
	if m.Flags != 64 || !strings.Contains(m.Content, "Manage Server") {
		t.Errorf("follow-up = %s, want an ephemeral (flags 64) refusal", resp.Followups[0])
	}
}

// TestDeferredEditRetries: an edit that overtakes its deferred response
// (Discord: Unknown Webhook) is retried.
func TestDeferredEditRetries(t *testing.T) {
	t.Parallel()
	h, gate := gated(bot.Reply{Text: "done"})
	e := newEnv(t, h)
	e.fake.FailNext("PATCH webhooks/{app}/{token}/messages/@original", 404, codeUnknownWebhook, "Unknown Webhook")
	payload := discordfake.News(discordfake.Sub("health")).JSON()
	_, r := e.deliver(t, payload)
	close(gate)
	if r.Type != 5 {
		t.Fatalf("type %d, want deferred", r.Type)
	}
	token := tokenOf(t, payload)
	e.fake.WaitFor(t, 5*time.Second, "the edit", func() bool {
		resp, _ := e.fake.Response(token)
		return resp.Edits == 1
	})
	if n := len(e.fake.CallsTo("PATCH webhooks/{app}/{token}/messages/@original")); n != 2 {
		t.Errorf("%d PATCH calls, want 2 (one refused, one retried)", n)
	}
}

func TestHandlerFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fn   func(context.Context, bot.Command) (bot.Reply, error)
		log  string
	}{
		{"error", func(context.Context, bot.Command) (bot.Reply, error) {
			return bot.Reply{}, errors.New("store: database is locked")
		}, "database is locked"},
		{"panic", func(context.Context, bot.Command) (bot.Reply, error) {
			panic("nil map")
		}, "handler panicked: nil map"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, &recorder{fn: tc.fn})
			status, r := e.deliver(t, discordfake.News(discordfake.Sub("topics")).JSON())
			if status != 200 || r.Type != 4 || r.Data.Flags != 64 || r.Data.Content != msgFailed {
				t.Fatalf("%d %s, want an ephemeral apology", status, r.raw)
			}
			if strings.Contains(string(r.raw), tc.log) {
				t.Error("the internal error was shown to the user")
			}
			if !strings.Contains(e.logs.String(), tc.log) {
				t.Errorf("the failure was not logged: %s", e.logs.String())
			}
		})
	}
}

// TestUsageError: options the command language cannot express are
// refused by the adapter, ephemerally, without bothering the bot.
func TestUsageError(t *testing.T) {
	t.Parallel()
	h := briefingHandler()
	e := newEnv(t, h)
	payload := discordfake.News(discordfake.Group("topic", discordfake.Sub("add", discordfake.Str("name", "my topic"), discordfake.Str("query", "x")))).JSON()
	status, r := e.deliver(t, payload)
	if status != 200 || r.Type != 4 || r.Data.Flags != 64 || !strings.Contains(r.Data.Content, "one word") {
		t.Fatalf("%d %s", status, r.raw)
	}
	if len(h.commands()) != 0 {
		t.Error("the bot got a malformed command")
	}
}

func TestComponentInteractionUnsupported(t *testing.T) {
	t.Parallel()
	e := newEnv(t, briefingHandler())
	status, r := e.deliver(t, []byte(`{"id":"1","application_id":"1","type":3,"token":"t","data":{"custom_id":"x","component_type":2}}`))
	if status != 200 || r.Type != 4 || r.Data.Flags != 64 {
		t.Fatalf("%d %s", status, r.raw)
	}
}

// gated returns a handler that answers reply once gate is closed (or its
// context ends): a bot slower than the reply deadline, deterministically.
func gated(reply bot.Reply) (*recorder, chan struct{}) {
	gate := make(chan struct{})
	return &recorder{fn: func(ctx context.Context, _ bot.Command) (bot.Reply, error) {
		select {
		case <-gate:
			return reply, nil
		case <-ctx.Done():
			return bot.Reply{}, ctx.Err()
		}
	}}, gate
}

// topicBot is a handler that also lists topics.
type topicBot struct {
	*recorder
	names []string
	err   error
	got   atomic.Pointer[bot.ChannelRef]
}

func (b *topicBot) TopicNames(_ context.Context, ch bot.ChannelRef) ([]string, error) {
	b.got.Store(&ch)
	return b.names, b.err
}

func TestAutocomplete(t *testing.T) {
	t.Parallel()
	topics := []string{"g20", "climate", "clean-energy", "football"}
	tests := []struct {
		name    string
		h       bot.Handler
		opts    []discordfake.Option
		want    []string
		channel bool
	}{
		{"preview topic", &topicBot{recorder: briefingHandler(), names: topics},
			[]discordfake.Option{discordfake.Sub("preview", discordfake.Focused(discordfake.Str("topic", "cl")))},
			[]string{"clean-energy", "climate"}, true},
		{"topic remove name", &topicBot{recorder: briefingHandler(), names: topics},
			[]discordfake.Option{discordfake.Group("topic", discordfake.Sub("remove", discordfake.Focused(discordfake.Str("name", ""))))},
			[]string{"clean-energy", "climate", "football", "g20"}, true},
		{"not a topic option", &topicBot{recorder: briefingHandler(), names: topics},
			[]discordfake.Option{discordfake.Sub("brief", discordfake.Focused(discordfake.Str("query", "cl")))},
			[]string{}, false},
		{"bot cannot list topics", briefingHandler(),
			[]discordfake.Option{discordfake.Sub("preview", discordfake.Focused(discordfake.Str("topic", "")))},
			[]string{}, false},
		{"listing fails", &topicBot{recorder: briefingHandler(), err: errors.New("store down")},
			[]discordfake.Option{discordfake.Sub("preview", discordfake.Focused(discordfake.Str("topic", "")))},
			[]string{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.h)
			in := discordfake.Interaction{Type: 4, Options: tc.opts}
			status, r := e.deliver(t, in.JSON())
			if status != 200 || r.Type != 8 {
				t.Fatalf("%d %s, want type 8", status, r.raw)
			}
			if !bytes.Contains(r.raw, []byte(`"choices":[`)) {
				t.Errorf("choices must be a list even when empty: %s", r.raw)
			}
			var got []string
			for _, c := range r.Data.Choices {
				got = append(got, c.Name)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("choices %q, want %q", got, tc.want)
			}
			if tb, ok := tc.h.(*topicBot); ok && tc.channel {
				if ch := tb.got.Load(); ch == nil || *ch != (bot.ChannelRef{Platform: "discord", Team: "100", Channel: "200"}) {
					t.Errorf("TopicNames asked for %+v", ch)
				}
			}
			if rec, ok := tc.h.(*recorder); ok && len(rec.commands()) != 0 {
				t.Error("autocomplete ran a command")
			}
		})
	}
}

// TestMentionInjection: article text full of mentions reaches Discord
// with allowed_mentions parse [] and defused text, over every path.
func TestMentionInjection(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	h := &recorder{fn: func(ctx context.Context, cmd bot.Command) (bot.Reply, error) {
		if cmd.Text == "slow" {
			select {
			case <-gate:
			case <-ctx.Done():
				return bot.Reply{}, ctx.Err()
			}
		}
		b := injectionBriefing()
		return bot.Reply{Text: "Results for @everyone", Briefing: &b}, nil
	}}
	e := newEnv(t, h)
	_, r := e.deliver(t, discordfake.News(discordfake.Sub("brief", discordfake.Str("query", "x"))).JSON())
	payload2 := discordfake.News(discordfake.Sub("brief", discordfake.Str("query", "slow"))).JSON()
	if _, r2 := e.deliver(t, payload2); r2.Type != 5 {
		t.Fatalf("type %d, want deferred", r2.Type)
	}
	close(gate)
	token := tokenOf(t, payload2)
	e.fake.WaitFor(t, 5*time.Second, "the edit", func() bool {
		resp, _ := e.fake.Response(token)
		return resp.Edits > 0
	})
	edit := e.fake.CallsTo("PATCH webhooks/{app}/{token}/messages/@original")
	for name, body := range map[string][]byte{"direct response": r.raw, "edit": edit[0].Body} {
		if !bytes.Contains(body, []byte(`"allowed_mentions":{"parse":[]`)) {
			t.Errorf("%s: no empty allowed_mentions", name)
		}
		if rawMention.Match(bytes.ReplaceAll(body, []byte(`\u003c`), []byte("<"))) {
			t.Errorf("%s: live mention in %s", name, body)
		}
	}
}

// TestNoSecretsInLogsOrErrors: the bot token and interaction tokens never
// appear in logs, even at debug level, nor in errors from failed webhook
// calls.
func TestNoSecretsInLogsOrErrors(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	h := &recorder{fn: func(_ context.Context, cmd bot.Command) (bot.Reply, error) {
		if cmd.Text == "health" {
			<-gate
			return bot.Reply{}, errors.New("boom")
		}
		return bot.Reply{Text: "ok"}, nil
	}}
	e := newEnv(t, h)
	var tokens []string
	for _, opts := range [][]discordfake.Option{{discordfake.Sub("help")}, {discordfake.Sub("health")}} {
		p := discordfake.News(opts...).JSON()
		tokens = append(tokens, tokenOf(t, p))
		e.deliver(t, p)
	}
	close(gate)
	e.fake.WaitFor(t, 5*time.Second, "the deferred error reply", func() bool {
		resp, _ := e.fake.Response(tokens[1])
		return len(resp.Followups) > 0
	})
	// A webhook call that fails at the network level.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	api := &interactionAPI{client: http.DefaultClient, base: dead.URL + "/api/v9/", retries: 1}
	err := api.editOriginal(context.Background(), "1", "very-secret-interaction-token", message{Content: "x"})
	if err == nil {
		t.Fatal("edit against a closed server succeeded")
	}
	if strings.Contains(err.Error(), "very-secret-interaction-token") || strings.Contains(err.Error(), dead.URL) {
		t.Errorf("error leaks the webhook URL: %v", err)
	}
	logs := e.logs.String()
	for _, secret := range append(tokens, testToken) {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain secret %q", secret)
		}
	}
	if !strings.Contains(logs, "boom") {
		t.Error("expected the failure in the logs (is logging on?)")
	}
}

// TestRunDrainsDeferredReplies: Run returns only after replies in flight
// have been delivered, within DrainTimeout.
func TestRunDrainsDeferredReplies(t *testing.T) {
	t.Parallel()
	h, gate := gated(bot.Reply{Text: "late but delivered"})
	e := newEnv(t, h)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.adapter.Run(ctx, h) }()
	payload := discordfake.News(discordfake.Sub("sources")).JSON()
	if _, r := e.deliver(t, payload); r.Type != 5 {
		t.Fatalf("type %d, want deferred", r.Type)
	}
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Run returned (%v) while a reply was in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(gate)
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	resp, _ := e.fake.Response(tokenOf(t, payload))
	if resp.Edits != 1 || !strings.Contains(string(resp.Original), "late but delivered") {
		t.Errorf("Run returned before the reply was delivered: %+v", resp)
	}
}

// TestRunHardStop: a handler that outlives DrainTimeout is cancelled.
func TestRunHardStop(t *testing.T) {
	t.Parallel()
	stopped := make(chan struct{})
	h := &recorder{fn: func(ctx context.Context, _ bot.Command) (bot.Reply, error) {
		<-ctx.Done()
		close(stopped)
		return bot.Reply{}, ctx.Err()
	}}
	e := newEnv(t, h, func(c *Config) { c.DrainTimeout = 300 * time.Millisecond })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.adapter.Run(ctx, h) }()
	e.deliver(t, discordfake.News(discordfake.Sub("sources")).JSON())
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	select {
	case <-stopped:
	default:
		t.Error("the handler was not cancelled")
	}
}

func TestHTTPHandlerWithoutKey(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(t)
	a, err := New(Config{Mode: ModeGateway, BotToken: "x", ApplicationID: "1", APIURL: fake.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	a.HTTPHandler(briefingHandler()).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/discord/interactions", strings.NewReader("{}")))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", rec.Code)
	}
}

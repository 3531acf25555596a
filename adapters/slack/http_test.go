package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/adapters/slack"
	"github.com/newsbot/newsbot/adapters/slack/slackfake"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
)

// TestCommandDeferredEndToEnd is the brief's scenario with the real
// 2-second acknowledgement deadline: a signed /news g20 whose handler is
// slow gets 200 well under Slack's 3 s, then the briefing arrives at the
// response_url.
func TestCommandDeferredEndToEnd(t *testing.T) {
	t.Parallel()
	h := &recorder{delay: 2500 * time.Millisecond}
	e := newEnv(t, h, func(c *slack.Config) { c.AckTimeout = 0 }) // default 2 s
	form := e.fake.SlashCommand("g20")
	status, body, took := e.command(form, time.Now())
	if status != http.StatusOK {
		t.Fatalf("status %d, want 200", status)
	}
	if took > 2800*time.Millisecond {
		t.Errorf("acknowledged after %v, want well under 3 s", took)
	}
	if body["response_type"] != "ephemeral" || body["text"] != "Working on it…" {
		t.Errorf("ack = %v, want an ephemeral Working on it…", body)
	}
	calls, err := e.fake.WaitForCalls(slackfake.MethodResponseURL, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c := calls[0]
	if c.Path != strings.TrimPrefix(form.Get("response_url"), e.fake.URL()) {
		t.Errorf("reply went to %s, want %s", c.Path, form.Get("response_url"))
	}
	if got := c.Field("response_type"); got != "in_channel" {
		t.Errorf("reply response_type = %q, want in_channel", got)
	}
	if !bytes.Contains(c.Blocks(), []byte("Trump and Putin to meet at G20 summit in Hamburg")) {
		t.Errorf("reply blocks lack the G20 story: %s", c.Blocks())
	}
	cmds := h.commands()
	if len(cmds) != 1 || cmds[0].Text != "g20" || cmds[0].Channel != (bot.ChannelRef{Platform: "slack", Channel: "C0NEWS"}) || cmds[0].User != "U0USER" {
		t.Errorf("handler got %+v", cmds)
	}
}

func TestCommandInline(t *testing.T) {
	t.Parallel()
	h := &recorder{}
	e := newEnv(t, h, nil)
	status, body, _ := e.command(e.fake.SlashCommand("g20"), time.Now())
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	if body["response_type"] != "in_channel" {
		t.Errorf("response_type = %v", body["response_type"])
	}
	blocks, _ := json.Marshal(body["blocks"])
	if !bytes.Contains(blocks, []byte("Trump and Putin to meet")) {
		t.Errorf("inline reply lacks the story: %s", blocks)
	}
	status, body, _ = e.command(e.fake.SlashCommand("help"), time.Now())
	if status != http.StatusOK || body["response_type"] != "ephemeral" || body["text"] != "Usage: `/news &lt;query&gt;`" {
		t.Errorf("help reply = %d %v", status, body)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(e.fake.Calls(slackfake.MethodResponseURL)); n != 0 {
		t.Errorf("%d posts to response_url for inline replies", n)
	}
}

// TestCommandRefused covers every request that must get 401 (or another
// refusal) with no side effect: the handler is never called and nothing
// reaches Slack.
func TestCommandRefused(t *testing.T) {
	t.Parallel()
	h := &recorder{}
	e := newEnv(t, h, nil)
	now := time.Now()
	sign := func(secret string, at time.Time, body []byte) *http.Request {
		req, err := slackfake.SignedRequest(e.srv.URL+slack.CommandsPath, secret, at, "application/x-www-form-urlencoded", body)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	body := []byte(e.fake.SlashCommand("g20").Encode())
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
	}{
		{"forged", func() *http.Request { return sign("not-the-secret", now, body) }, http.StatusUnauthorized},
		{"stale", func() *http.Request { return sign(testSecret, now.Add(-6*time.Minute), body) }, http.StatusUnauthorized},
		{"future", func() *http.Request { return sign(testSecret, now.Add(6*time.Minute), body) }, http.StatusUnauthorized},
		{"unsigned", func() *http.Request {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+slack.CommandsPath, bytes.NewReader(body))
			return req
		}, http.StatusUnauthorized},
		{"body swapped after signing", func() *http.Request {
			req := sign(testSecret, now, body)
			other := sign(testSecret, now, []byte(e.fake.SlashCommand("topic add x y").Encode()))
			req.Body = other.Body
			req.ContentLength = other.ContentLength
			return req
		}, http.StatusUnauthorized},
		{"too large", func() *http.Request {
			return sign(testSecret, now, append(body, []byte("&pad="+strings.Repeat("x", 70<<10))...))
		}, http.StatusRequestEntityTooLarge},
		{"GET", func() *http.Request {
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+slack.CommandsPath, nil)
			return req
		}, http.StatusMethodNotAllowed},
		{"events forged", func() *http.Request {
			req, _ := slackfake.SignedRequest(e.srv.URL+slack.EventsPath, "nope", now, "application/json", []byte(`{"type":"url_verification","challenge":"c"}`))
			return req
		}, http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, _ := e.post(tc.req())
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
		})
	}
	time.Sleep(100 * time.Millisecond)
	if cmds := h.commands(); len(cmds) != 0 {
		t.Errorf("handler called for refused requests: %+v", cmds)
	}
	if calls := e.fake.Calls(""); len(calls) != 0 {
		t.Errorf("refused requests reached Slack: %+v", calls)
	}
	if strings.Contains(e.logs.String(), testSecret) {
		t.Error("logs contain the signing secret")
	}
}

func TestCommandReplayRefused(t *testing.T) {
	t.Parallel()
	h := &recorder{}
	e := newEnv(t, h, nil)
	body := []byte(e.fake.SlashCommand("g20").Encode())
	at := time.Now().Add(-time.Minute)
	first, _ := slackfake.SignedRequest(e.srv.URL+slack.CommandsPath, testSecret, at, "application/x-www-form-urlencoded", body)
	again, _ := slackfake.SignedRequest(e.srv.URL+slack.CommandsPath, testSecret, at, "application/x-www-form-urlencoded", body)
	if status, _, _ := e.post(first); status != http.StatusOK {
		t.Fatalf("first: status %d", status)
	}
	if status, _, _ := e.post(again); status != http.StatusUnauthorized {
		t.Fatalf("replay: status %d, want 401", status)
	}
	if n := len(h.commands()); n != 1 {
		t.Errorf("handler called %d times, want 1", n)
	}
}

// TestDocumentedVectorThroughHandler sends Slack's published example
// request to the handler with the clock pinned to its timestamp.
func TestDocumentedVectorThroughHandler(t *testing.T) {
	t.Parallel()
	const (
		secret = "8f742231b10e8888abcd99yyyzzz85a5"
		body   = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
		sig    = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	)
	h := &recorder{}
	e := newEnv(t, h, func(c *slack.Config) {
		c.SigningSecret = secret
		c.Now = func() time.Time { return time.Unix(1531420618, 0).Add(30 * time.Second) }
		c.Admins = []string{"U2CERLKJA"}
	})
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+slack.CommandsPath, strings.NewReader(body))
	req.Header.Set("X-Slack-Request-Timestamp", "1531420618")
	req.Header.Set("X-Slack-Signature", sig)
	status, reply, _ := e.post(req)
	if status != http.StatusOK {
		t.Fatalf("status %d, want 200", status)
	}
	if reply["response_type"] != "ephemeral" {
		t.Errorf("reply = %v", reply)
	}
	cmds := h.commands()
	if len(cmds) != 1 || cmds[0].User != "U2CERLKJA" || cmds[0].Channel.Channel != "G8PSS9T3V" || !cmds[0].Admin {
		t.Errorf("handler got %+v", cmds)
	}
}

func TestEventsURLVerification(t *testing.T) {
	t.Parallel()
	e := newEnv(t, &recorder{}, nil)
	req, _ := slackfake.SignedRequest(e.srv.URL+slack.EventsPath, testSecret, time.Now(), "application/json",
		[]byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`))
	status, body, _ := e.post(req)
	if status != http.StatusOK || body["challenge"] != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("url_verification = %d %v", status, body)
	}
}

func TestEventsAppMention(t *testing.T) {
	t.Parallel()
	h := &recorder{}
	e := newEnv(t, h, nil)
	ev := []byte(`{"type":"event_callback","team_id":"T0FAKE","event_id":"Ev1","event":{"type":"app_mention","user":"U0USER","text":"<@U0BOT> g20","channel":"C0NEWS","ts":"1700000000.000100"}}`)
	for i := range 2 { // Slack's retry of the same event is handled once
		req, _ := slackfake.SignedRequest(e.srv.URL+slack.EventsPath, testSecret, time.Now().Add(time.Duration(i)*time.Second), "application/json", ev)
		if status, _, took := e.post(req); status != http.StatusOK || took > time.Second {
			t.Fatalf("event: status %d after %v", status, took)
		}
	}
	calls, err := e.fake.WaitForCalls("chat.postMessage", 1, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c := calls[0]
	if c.Form.Get("channel") != "C0NEWS" || c.Form.Get("thread_ts") != "1700000000.000100" || c.Token != testToken {
		t.Errorf("reply posted as %v", c.Form)
	}
	if !strings.Contains(c.Form.Get("blocks"), "G20 summit") {
		t.Errorf("reply lacks the story: %s", c.Form.Get("blocks"))
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(h.commands()); n != 1 {
		t.Errorf("handler called %d times for one event, want 1", n)
	}
}

func TestCommandHandlerFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		reply func(bot.Command) (bot.Reply, error)
	}{
		{"error", func(bot.Command) (bot.Reply, error) { return bot.Reply{}, errors.New("store down: dsn=secret") }},
		{"panic", func(bot.Command) (bot.Reply, error) { panic("boom") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, &recorder{reply: tc.reply}, nil)
			status, body, _ := e.command(e.fake.SlashCommand("g20"), time.Now())
			if status != http.StatusOK || body["response_type"] != "ephemeral" || !strings.Contains(body["text"].(string), "something went wrong") {
				t.Errorf("reply = %d %v", status, body)
			}
			if strings.Contains(body["text"].(string), "store down") {
				t.Error("internal error shown to the user")
			}
		})
	}
}

func TestResponseURLRetriedAndNeverLogged(t *testing.T) {
	t.Parallel()
	h := &recorder{delay: 300 * time.Millisecond}
	e := newEnv(t, h, func(c *slack.Config) { c.AckTimeout = 50 * time.Millisecond })
	e.fake.FailNext(slackfake.MethodResponseURL, slackfake.Fault{Status: http.StatusInternalServerError})
	form := e.fake.SlashCommand("g20")
	if status, _, _ := e.command(form, time.Now()); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	calls, err := e.fake.WaitForCalls(slackfake.MethodResponseURL, 2, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if calls[0].Status != 500 || calls[1].Status != 200 {
		t.Errorf("statuses %d, %d; want 500 then 200", calls[0].Status, calls[1].Status)
	}

	// A response_url that cannot be reached is logged without the URL.
	form = e.fake.SlashCommand("g20")
	e.fake.FailNext(slackfake.MethodResponseURL, slackfake.Fault{Status: http.StatusNotFound, Error: "expired_url"})
	if status, _, _ := e.command(form, time.Now()); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(e.logs.String(), "deferred reply not delivered") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "status 404") {
		t.Errorf("failure not logged:\n%s", logs)
	}
	for _, secret := range []string{form.Get("response_url"), "/response/", testToken, testSecret} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
}

func TestAdminFromConfigAndUsersInfo(t *testing.T) {
	t.Parallel()
	h := &recorder{reply: func(cmd bot.Command) (bot.Reply, error) { return bot.Reply{Text: "ok"}, nil }}
	clock := time.Now()
	e := newEnv(t, h, func(c *slack.Config) {
		c.Admins = []string{"UCONF"}
		c.AdminCacheTTL = time.Minute
	})
	e.fake.AddUser(slackfake.User{ID: "UADMIN", IsAdmin: true})
	e.fake.AddUser(slackfake.User{ID: "UOWNER", IsOwner: true})
	e.fake.AddUser(slackfake.User{ID: "UPLAIN"})
	for _, user := range []string{"UCONF", "UADMIN", "UOWNER", "UPLAIN", "UGONE", "UADMIN", "UPLAIN"} {
		form := e.fake.SlashCommand("topic add x y")
		form.Set("user_id", user)
		if status, _, _ := e.command(form, clock); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		clock = clock.Add(time.Millisecond)
	}
	want := map[string]bool{"UCONF": true, "UADMIN": true, "UOWNER": true, "UPLAIN": false, "UGONE": false}
	for _, c := range h.commands() {
		if c.Admin != want[c.User] {
			t.Errorf("%s: Admin = %v, want %v", c.User, c.Admin, want[c.User])
		}
	}
	// UCONF needs no lookup; the others are looked up once and cached,
	// user_not_found included.
	info := e.fake.Calls("users.info")
	if len(info) != 4 {
		t.Errorf("%d users.info calls, want 4 (cached answers reused)", len(info))
	}

	// A lookup that gets no answer is not cached.
	e.fake.FailNext("users.info", slackfake.Fault{Status: http.StatusInternalServerError})
	form := e.fake.SlashCommand("topics")
	form.Set("user_id", "UNEW")
	for range 2 {
		form.Set("trigger_id", time.Now().String())
		if status, _, _ := e.command(form, time.Now()); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
	}
	if n := len(e.fake.Calls("users.info")); n != 6 {
		t.Errorf("%d users.info calls, want 6 (failed lookup retried)", n)
	}
}

func TestMentionInjectionEndToEnd(t *testing.T) {
	t.Parallel()
	h := &recorder{reply: func(bot.Command) (bot.Reply, error) {
		return bot.Reply{Briefing: &briefing.Briefing{Title: "g20", Items: []briefing.Item{{
			Headline: "Breaking <!channel> & <@U123>",
			URL:      "https://example.com/a",
			Summary:  []string{"Everyone <!everyone> should read <!here> this & <https://evil.example|that>."},
			Sources:  []briefing.Link{{Name: "<!subteam^S1> Daily", URL: "https://example.com/a"}},
		}}}}, nil
	}, delay: 150 * time.Millisecond}
	e := newEnv(t, h, func(c *slack.Config) { c.AckTimeout = 20 * time.Millisecond })
	if status, _, _ := e.command(e.fake.SlashCommand("g20"), time.Now()); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	calls, err := e.fake.WaitForCalls(slackfake.MethodResponseURL, 1, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var msg struct {
		Text   string `json:"text"`
		Blocks []struct {
			Text struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(calls[0].JSON, &msg); err != nil {
		t.Fatal(err)
	}
	texts := []string{msg.Text}
	for _, b := range msg.Blocks {
		texts = append(texts, b.Text.Text)
	}
	all := strings.Join(texts, "\n")
	for _, bad := range []string{"<!channel>", "<!everyone>", "<!here>", "<@U123>", "<!subteam", "<https://evil"} {
		if strings.Contains(all, bad) {
			t.Errorf("reply contains raw %s:\n%s", bad, all)
		}
	}
	if !strings.Contains(all, "Breaking !channel &amp; @U123") || !strings.Contains(all, "&lt;!everyone&gt;") {
		t.Errorf("escaped text missing:\n%s", all)
	}
}

// TestRunDrainsDeferredReplies checks that Run, when stopped, lets a
// deferred reply in flight finish.
func TestRunDrainsDeferredReplies(t *testing.T) {
	t.Parallel()
	h := &recorder{delay: 300 * time.Millisecond}
	e := newEnv(t, h, func(c *slack.Config) { c.AckTimeout = 20 * time.Millisecond })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.a.Run(ctx, h) }()
	if status, _, _ := e.command(e.fake.SlashCommand("g20"), time.Now()); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	if n := len(e.fake.Calls(slackfake.MethodResponseURL)); n != 1 {
		t.Errorf("after Run returned, %d replies delivered; want the in-flight one", n)
	}
}

// TestRunAbortsStuckReplies checks that Run does not wait past
// DrainTimeout: a handler still running then has its context cancelled.
func TestRunAbortsStuckReplies(t *testing.T) {
	t.Parallel()
	cancelled := make(chan error, 1)
	h := bot.HandlerFunc(func(ctx context.Context, _ bot.Command) (bot.Reply, error) {
		<-ctx.Done()
		cancelled <- ctx.Err()
		return bot.Reply{}, ctx.Err()
	})
	e := newEnv(t, h, func(c *slack.Config) {
		c.AckTimeout = 20 * time.Millisecond
		c.DrainTimeout = 100 * time.Millisecond
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.a.Run(ctx, h) }()
	if status, _, _ := e.command(e.fake.SlashCommand("g20"), time.Now()); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	start := time.Now()
	cancel()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Run did not return")
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Run took %v to stop, DrainTimeout is 100ms", took)
	}
	select {
	case err := <-cancelled:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("handler context ended with %v, want Canceled", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("stuck handler never cancelled")
	}
	if !strings.Contains(e.logs.String(), "still in flight") {
		t.Error("abandoned replies not logged")
	}
}

// TestRefusedRequestsLogged: the first refused request is a warning that
// says what to check; a burst after it goes to debug.
func TestRefusedRequestsLogged(t *testing.T) {
	t.Parallel()
	e := newEnv(t, &recorder{}, nil)
	body := []byte(e.fake.SlashCommand("g20").Encode())
	for range 3 {
		req, err := slackfake.SignedRequest(e.srv.URL+slack.CommandsPath, "not-the-secret", time.Now(), "application/x-www-form-urlencoded", body)
		if err != nil {
			t.Fatal(err)
		}
		if status, _, _ := e.post(req); status != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", status)
		}
	}
	logs := e.logs.String()
	warns := strings.Count(logs, `level=WARN msg="refused unverified request"`)
	debugs := strings.Count(logs, `level=DEBUG msg="refused unverified request"`)
	if warns != 1 || debugs != 2 {
		t.Errorf("%d warnings and %d debug lines, want 1 and 2:\n%s", warns, debugs, logs)
	}
	if !strings.Contains(logs, "check slack.signing_secret") || !strings.Contains(logs, `reason="invalid signature"`) {
		t.Errorf("the warning does not say why or what to check:\n%s", logs)
	}
}

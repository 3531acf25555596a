package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/adapters/slack"
	"github.com/newsbot/newsbot/adapters/slack/slackfake"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
)

const (
	testSecret = "test-signing-secret-0123456789"
	testToken  = "xoxb-test-token-0123456789"
)

// syncBuffer collects logs from any goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is a bot HTTP endpoint wired to a fake Slack.
type env struct {
	t    *testing.T
	fake *slackfake.Server
	a    *slack.Adapter
	srv  *httptest.Server
	logs *syncBuffer
}

// newEnv starts a fake Slack and the adapter's HTTP handler around h.
// mod may adjust the config.
func newEnv(t *testing.T, h bot.Handler, mod func(*slack.Config)) *env {
	t.Helper()
	fake := slackfake.Start(t)
	logs := &syncBuffer{}
	cfg := slack.Config{
		BotToken:      testToken,
		SigningSecret: testSecret,
		APIURL:        fake.APIURL(),
		Logger:        slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		AckTimeout:    time.Second,
		PostInterval:  time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	a, err := slack.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.HTTPHandler(h))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("adapter logs:\n%s", logs.String())
		}
	})
	return &env{t: t, fake: fake, a: a, srv: srv, logs: logs}
}

// post sends req and returns the status, the decoded JSON body (if any)
// and how long the answer took.
func (e *env) post(req *http.Request) (int, map[string]any, time.Duration) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		e.t.Fatalf("request: %v", err)
	}
	defer resp.Body.Close()
	took := time.Since(start)
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &m); err != nil {
			e.t.Fatalf("response %q: %v", body, err)
		}
	}
	return resp.StatusCode, m, took
}

// command sends a signed /news command with text, signed at time at.
func (e *env) command(form url.Values, at time.Time) (int, map[string]any, time.Duration) {
	e.t.Helper()
	req, err := slackfake.SignedSlashCommand(e.srv.URL+slack.CommandsPath, testSecret, at, form)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.post(req)
}

// g20 is a briefing with the G20 story.
func g20() *briefing.Briefing {
	return &briefing.Briefing{
		Title: "g20", Query: "g20", Generated: time.Date(2017, 5, 2, 18, 0, 0, 0, time.UTC),
		Items: []briefing.Item{{
			Headline: "Trump and Putin to meet at G20 summit in Hamburg",
			URL:      "https://www.reuters.com/article/g20-trump-putin",
			Summary:  []string{"The two leaders will hold their first face-to-face meeting on the sidelines of the summit."},
			Sources:  []briefing.Link{{Name: "Reuters", URL: "https://www.reuters.com/article/g20-trump-putin"}, {Name: "AP", URL: "https://apnews.com/g20"}},
		}},
	}
}

// recorder is a handler that records commands and answers with reply
// after delay.
type recorder struct {
	mu    sync.Mutex
	cmds  []bot.Command
	delay time.Duration
	reply func(bot.Command) (bot.Reply, error)
}

func (r *recorder) HandleCommand(ctx context.Context, cmd bot.Command) (bot.Reply, error) {
	r.mu.Lock()
	r.cmds = append(r.cmds, cmd)
	r.mu.Unlock()
	if r.delay > 0 {
		select {
		case <-time.After(r.delay):
		case <-ctx.Done():
			return bot.Reply{}, ctx.Err()
		}
	}
	if r.reply != nil {
		return r.reply(cmd)
	}
	if strings.HasPrefix(cmd.Text, "g20") {
		return bot.Reply{Briefing: g20()}, nil
	}
	return bot.Reply{Text: "Usage: `/news <query>`", Ephemeral: true}, nil
}

func (r *recorder) commands() []bot.Command {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Command(nil), r.cmds...)
}

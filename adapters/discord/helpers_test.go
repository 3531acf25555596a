package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/adapters/discord/discordfake"
	"github.com/newsbot/newsbot/bot"
)

const testToken = "test-bot-token-SECRET"

// logBuffer collects an adapter's logs for a test: it forwards them to
// t.Log while the test runs and keeps them for assertions.
type logBuffer struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
	buf  bytes.Buffer
}

func newLogBuffer(t testing.TB) *logBuffer {
	l := &logBuffer{t: t}
	t.Cleanup(func() {
		l.mu.Lock()
		l.done = true
		l.mu.Unlock()
	})
	return l
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if !l.done {
		l.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// env is one test's world: a fake Discord, a signer standing in for
// Discord's key, the adapter, and the adapter's interactions endpoint.
type env struct {
	fake    *discordfake.Server
	signer  *discordfake.Signer
	adapter *Adapter
	url     string
	logs    *logBuffer
}

func newEnv(t testing.TB, h bot.Handler, opts ...func(*Config)) *env {
	t.Helper()
	fake := discordfake.New(t)
	fake.RequireBotToken(testToken)
	signer := discordfake.NewSigner()
	logs := newLogBuffer(t)
	cfg := Config{
		BotToken:      testToken,
		ApplicationID: "1",
		PublicKey:     signer.PublicKeyHex(),
		APIURL:        fake.APIURL(),
		Logger:        slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		ReplyDeadline: 200 * time.Millisecond,
	}
	for _, o := range opts {
		o(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e := &env{fake: fake, signer: signer, adapter: a, logs: logs}
	if h != nil {
		srv := httptest.NewServer(a.HTTPHandler(h))
		t.Cleanup(srv.Close)
		e.url = srv.URL + "/discord/interactions"
	}
	// Let deferred replies finish before the fake goes away.
	t.Cleanup(func() {
		select {
		case <-a.work.idle():
		case <-time.After(5 * time.Second):
			t.Error("deferred replies still running at the end of the test")
		}
	})
	return e
}

// deliver sends a signed interaction and decodes the response.
func (e *env) deliver(t testing.TB, payload []byte) (int, interactionReply) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	status, body, err := e.fake.Deliver(ctx, e.url, e.signer, payload)
	if err != nil {
		t.Fatalf("deliver: %v", err)
	}
	var r interactionReply
	if status == 200 {
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatalf("response %s: %v", body, err)
		}
		r.raw = body
	}
	return status, r
}

// interactionReply is a decoded interaction response.
type interactionReply struct {
	Type int         `json:"type"`
	Data messageData `json:"data"`
	raw  []byte
}

type messageData struct {
	Content string `json:"content"`
	Embeds  []struct {
		Title       string `json:"title"`
		URL         string `json:"url"`
		Description string `json:"description"`
	} `json:"embeds"`
	Flags   int `json:"flags"`
	Choices []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"choices"`
}

func decodeMessage(t testing.TB, raw []byte) messageData {
	t.Helper()
	var m messageData
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("message %s: %v", raw, err)
	}
	return m
}

func tokenOf(t testing.TB, payload []byte) string {
	t.Helper()
	var in struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(payload, &in); err != nil {
		t.Fatal(err)
	}
	return in.Token
}

// recorder is a bot.Handler that records commands and answers with fn.
type recorder struct {
	mu   sync.Mutex
	cmds []bot.Command
	fn   func(ctx context.Context, cmd bot.Command) (bot.Reply, error)
}

func (r *recorder) HandleCommand(ctx context.Context, cmd bot.Command) (bot.Reply, error) {
	r.mu.Lock()
	r.cmds = append(r.cmds, cmd)
	r.mu.Unlock()
	return r.fn(ctx, cmd)
}

func (r *recorder) commands() []bot.Command {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Command(nil), r.cmds...)
}

// briefingHandler answers every command with the G20 briefing.
func briefingHandler() *recorder {
	return &recorder{fn: func(context.Context, bot.Command) (bot.Reply, error) {
		b := g20Briefing()
		return bot.Reply{Briefing: &b}, nil
	}}
}

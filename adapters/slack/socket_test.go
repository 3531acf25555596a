package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/adapters/slack"
	"github.com/newsbot/newsbot/adapters/slack/slackfake"
	"github.com/newsbot/newsbot/bot"
)

// startSocket runs the adapter in Socket Mode against a fake and waits
// for the connection. Run is stopped, and must return nil, at cleanup.
func startSocket(t *testing.T, h bot.Handler, ackTimeout time.Duration) (*slackfake.Server, *syncBuffer) {
	t.Helper()
	fake := slackfake.Start(t)
	logs := &syncBuffer{}
	a, err := slack.New(slack.Config{
		BotToken:   testToken,
		AppToken:   "xapp-1-test",
		APIURL:     fake.APIURL(),
		AckTimeout: ackTimeout,
		Logger:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run = %v, want nil on a clean stop", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after cancel")
		}
		if t.Failed() {
			t.Logf("adapter logs:\n%s", logs.String())
		}
	})
	if err := fake.WaitForSocket(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	return fake, logs
}

func TestSocketModeSlashCommand(t *testing.T) {
	t.Parallel()
	h := &recorder{}
	fake, _ := startSocket(t, h, 2*time.Second)
	open := fake.Calls("apps.connections.open")
	if len(open) == 0 || open[0].Token != "xapp-1-test" {
		t.Fatalf("apps.connections.open calls: %+v", open)
	}
	id, err := fake.SendSlashCommand(fake.SlashCommand("g20"))
	if err != nil {
		t.Fatal(err)
	}
	ack, err := fake.WaitForAck(id, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var payload struct {
		ResponseType string          `json:"response_type"`
		Blocks       json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(ack.Payload, &payload); err != nil {
		t.Fatalf("ack payload %s: %v", ack.Payload, err)
	}
	if payload.ResponseType != "in_channel" || !bytes.Contains(payload.Blocks, []byte("G20 summit")) {
		t.Errorf("ack payload = %s", ack.Payload)
	}
	cmds := h.commands()
	if len(cmds) != 1 || cmds[0].Text != "g20" || cmds[0].Channel.Channel != "C0NEWS" || cmds[0].User != "U0USER" {
		t.Errorf("handler got %+v", cmds)
	}
}

func TestSocketModeSlowCommandGoesToResponseURL(t *testing.T) {
	t.Parallel()
	h := &recorder{delay: time.Second}
	fake, _ := startSocket(t, h, 50*time.Millisecond)
	start := time.Now()
	id, err := fake.SendSlashCommand(fake.SlashCommand("g20"))
	if err != nil {
		t.Fatal(err)
	}
	ack, err := fake.WaitForAck(id, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 800*time.Millisecond {
		t.Errorf("ack after %v", took)
	}
	if !bytes.Contains(ack.Payload, []byte("Working on it")) {
		t.Errorf("ack payload = %s", ack.Payload)
	}
	calls, err := fake.WaitForCalls(slackfake.MethodResponseURL, 1, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if calls[0].Field("response_type") != "in_channel" || !bytes.Contains(calls[0].Blocks(), []byte("G20 summit")) {
		t.Errorf("deferred reply = %s", calls[0].JSON)
	}
}

func TestSocketModeAppMention(t *testing.T) {
	t.Parallel()
	h := &recorder{}
	fake, _ := startSocket(t, h, time.Second)
	id, err := fake.SendEvent(map[string]any{
		"type": "event_callback", "team_id": "T0FAKE", "event_id": "Ev9",
		"event": map[string]any{"type": "app_mention", "user": "U0USER", "text": "<@U0BOT> help", "channel": "C0NEWS", "ts": "1700000000.000200"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitForAck(id, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	calls, err := fake.WaitForCalls("chat.postEphemeral", 1, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if c := calls[0]; c.Form.Get("user") != "U0USER" || c.Form.Get("channel") != "C0NEWS" || !strings.Contains(c.Form.Get("text"), "Usage") {
		t.Errorf("ephemeral reply %v", c.Form)
	}
}

func TestSocketModeInvalidToken(t *testing.T) {
	t.Parallel()
	fake := slackfake.Start(t)
	fake.FailNext("apps.connections.open", slackfake.Fault{Error: "invalid_auth"})
	a, err := slack.New(slack.Config{BotToken: testToken, AppToken: "xapp-revoked", APIURL: fake.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = a.Run(ctx, &recorder{})
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Fatalf("Run = %v, want an invalid_auth error", err)
	}
	if strings.Contains(err.Error(), "xapp-revoked") {
		t.Errorf("error shows the token: %v", err)
	}
}

func TestConnected(t *testing.T) {
	t.Parallel()
	fake := slackfake.Start(t)
	httpMode, err := slack.New(slack.Config{BotToken: testToken, SigningSecret: "s", APIURL: fake.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	if !httpMode.Connected() {
		t.Error("HTTP mode: Slack calls us, so the adapter is always ready")
	}
	a, err := slack.New(slack.Config{BotToken: testToken, AppToken: "xapp-1-test", APIURL: fake.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	if a.Connected() {
		t.Error("Socket Mode: connected before Run")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, &recorder{}) }()
	deadline := time.Now().Add(5 * time.Second)
	for !a.Connected() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !a.Connected() {
		t.Error("Socket Mode: not connected 5s after Run")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if a.Connected() {
		t.Error("Socket Mode: still connected after Run returned")
	}
}

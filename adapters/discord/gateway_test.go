package discord

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/adapters/discord/discordfake"
	"github.com/newsbot/newsbot/bot"
)

// TestGateway runs the adapter in gateway mode against the fake gateway:
// it identifies with the configured shard, answers a quick command through
// the interaction callback, a slow one with a deferred callback and an
// edit, autocompletes, and stops cleanly.
func TestGateway(t *testing.T) {
	t.Parallel()
	slow := make(chan struct{})
	h := &topicBot{names: []string{"g20", "climate"}, recorder: &recorder{fn: func(ctx context.Context, cmd bot.Command) (bot.Reply, error) {
		if cmd.Text == "preview g20" {
			select {
			case <-slow:
			case <-ctx.Done():
				return bot.Reply{}, ctx.Err()
			}
		}
		b := g20Briefing()
		return bot.Reply{Briefing: &b}, nil
	}}}
	e := newEnv(t, nil, func(c *Config) {
		c.Mode = ModeGateway
		c.PublicKey = ""
		c.ShardID, c.ShardCount = 1, 2
	})
	if e.adapter.Connected() {
		t.Error("Connected before the gateway session opened")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.adapter.Run(ctx, h) }()

	id := e.fake.WaitIdentified(t, 10*time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for !e.adapter.Connected() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !e.adapter.Connected() {
		t.Error("not Connected after identifying")
	}
	if id.Token != "Bot "+testToken {
		t.Errorf("identified with token %q", id.Token)
	}
	if id.Shard == nil || *id.Shard != [2]int{1, 2} {
		t.Errorf("shard = %v, want [1 2]", id.Shard)
	}

	// A quick command: answered in the callback itself.
	quick := discordfake.News(discordfake.Sub("brief", discordfake.Str("query", "g20"))).JSON()
	if err := e.fake.Dispatch(quick); err != nil {
		t.Fatal(err)
	}
	waitAnswered := func(token string) discordfake.Response {
		t.Helper()
		e.fake.WaitFor(t, 5*time.Second, "the interaction callback", func() bool {
			r, _ := e.fake.Response(token)
			return !r.Answered.IsZero()
		})
		r, _ := e.fake.Response(token)
		return r
	}
	r := waitAnswered(tokenOf(t, quick))
	if r.Type != 4 || !strings.Contains(string(r.Initial), "Trump and Putin") || !strings.Contains(string(r.Initial), `"allowed_mentions":{"parse":[]`) {
		t.Errorf("quick: type %d data %s", r.Type, r.Initial)
	}
	if took := r.Answered.Sub(r.Received); took >= 3*time.Second {
		t.Errorf("answered after %s", took)
	}

	// A slow command: deferred, then edited.
	late := discordfake.News(discordfake.Sub("preview", discordfake.Str("topic", "g20"))).JSON()
	if err := e.fake.Dispatch(late); err != nil {
		t.Fatal(err)
	}
	r = waitAnswered(tokenOf(t, late))
	if r.Type != 5 {
		t.Errorf("slow: type %d, want 5", r.Type)
	}
	close(slow)
	e.fake.WaitFor(t, 5*time.Second, "the edit", func() bool {
		r, _ := e.fake.Response(tokenOf(t, late))
		return r.Edits > 0
	})
	r, _ = e.fake.Response(tokenOf(t, late))
	if !strings.Contains(string(r.Original), "Trump and Putin") {
		t.Errorf("edited original = %s", r.Original)
	}

	// Autocomplete.
	ac := discordfake.Interaction{Type: 4, Options: []discordfake.Option{
		discordfake.Sub("unsubscribe", discordfake.Focused(discordfake.Str("topic", "g"))),
	}}.JSON()
	if err := e.fake.Dispatch(ac); err != nil {
		t.Fatal(err)
	}
	r = waitAnswered(tokenOf(t, ac))
	if r.Type != 8 || string(r.Initial) != `{"choices":[{"name":"g20","value":"g20"}]}` {
		t.Errorf("autocomplete: type %d data %s", r.Type, r.Initial)
	}

	cmds := h.commands()
	if len(cmds) != 2 || cmds[0].Text != "g20" || cmds[1].Text != "preview g20" {
		t.Errorf("commands = %+v", cmds)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
		if e.adapter.Connected() {
			t.Error("still Connected after Run returned")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestGatewayOpenFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, func(c *Config) { c.Mode = ModeGateway })
	e.fake.FailNext("GET gateway", 401, 0, "401: Unauthorized")
	err := e.adapter.Run(context.Background(), briefingHandler())
	if err == nil || !strings.Contains(err.Error(), "open discord gateway (shard 0 of 1)") {
		t.Errorf("err = %v", err)
	}
}

package console_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/adapters/console"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/storage/memory"
)

var update = flag.Bool("update", false, "rewrite golden files")

var now = time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC)

func newBot(t *testing.T, p *console.Platform) *bot.Bot {
	t.Helper()
	st := memory.New()
	text := "Leaders of the G20 met in Hamburg on Friday to discuss trade and climate policy. The summit opened with talks between the United States and Russia."
	arts := []briefing.Article{
		{URL: "https://wire.example/1", Source: "wire", Title: "Trump and Putin meet at G20 summit in Hamburg", Text: text, Fetched: now.Add(-2 * time.Hour)},
		{URL: "https://daily.example/2", Source: "daily", Title: "Trump and Putin meet at G20 summit in Hamburg", Text: text, Fetched: now.Add(-3 * time.Hour)},
	}
	if _, err := st.AddArticles(context.Background(), arts, now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	b, err := bot.New(st, bot.Config{Now: func() time.Time { return now }}, p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestScriptedSession(t *testing.T) {
	t.Parallel()
	for _, admin := range []bool{false, true} {
		name := map[bool]string{false: "session_user.golden", true: "session_admin.golden"}[admin]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			script := strings.Join([]string{
				"/news g20",
				"",
				"/news topic add g20 g20 -football",
				"topics",
				"/weather",
				"/news subscribe g20 at 7:30 tz Europe/Berlin",
				"quit",
				"/news never reached",
			}, "\n")
			var out bytes.Buffer
			p := console.New(strings.NewReader(script), &out, console.Options{Admin: admin, Prompt: "> ", Echo: true, Width: 72})
			if err := p.Run(context.Background(), newBot(t, p)); err != nil {
				t.Fatal(err)
			}
			golden(t, name, out.String())
		})
	}
}

func TestRunEndsAtEOF(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := console.New(strings.NewReader("help"), &out, console.Options{})
	if err := p.Run(context.Background(), newBot(t, p)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "newsbot answers `/news` commands:") {
		t.Errorf("output %q", out.String())
	}
}

func TestRunStopsWithContext(t *testing.T) {
	t.Parallel()
	// A pipe nobody writes to: the read blocks, as on a quiet terminal.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	p := console.New(r, io.Discard, console.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, newBot(t, p)) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestPost(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := console.New(strings.NewReader(""), &out, console.Options{Width: 60, Now: func() time.Time { return now }})
	br := briefing.Briefing{Title: "g20 digest", Generated: now, Items: []briefing.Item{{Headline: "Leaders meet", Summary: []string{"They met."}, Sources: []briefing.Link{{Name: "wire"}}}}, More: 2}
	id, err := p.Post(context.Background(), bot.ChannelRef{Platform: "console", Channel: "terminal"}, bot.Message{Key: "k", Text: "Your g20 digest", Briefing: &br})
	if err != nil || id != "console-1" {
		t.Fatalf("Post = %q, %v", id, err)
	}
	golden(t, "digest.golden", out.String())
	_, err = p.Post(context.Background(), bot.ChannelRef{Platform: "slack", Channel: "C1"}, bot.Message{Text: "x"})
	if !errors.Is(err, bot.ErrChannelUnavailable) {
		t.Errorf("posting to slack: %v, want ErrChannelUnavailable", err)
	}
}

func TestRenderWrapsBullets(t *testing.T) {
	t.Parallel()
	got := console.Render(bot.Reply{Text: "Sources (1):\n• wire: ok, fetched 4m ago (40 items, 3 new); next in 11m and then some more words"}, 40)
	want := "Sources (1):\n• wire: ok, fetched 4m ago (40 items, 3\n  new); next in 11m and then some more\n  words\n"
	if got != want {
		t.Errorf("Render =\n%s\nwant\n%s", got, want)
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update to accept):\n%s", path, got)
	}
}

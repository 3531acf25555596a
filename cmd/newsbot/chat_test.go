package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/bottest"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/storage/sqlite"
)

var updateGolden = flag.Bool("update", false, "rewrite golden files")

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// writeConfig writes a config file using a fresh SQLite database in dir,
// with the given extra YAML, and returns its path and the database path.
func writeConfig(t *testing.T, dir, extra string) (string, string) {
	t.Helper()
	db := filepath.Join(dir, "newsbot.db")
	path := filepath.Join(dir, "newsbot.yaml")
	yaml := "storage:\n  dsn: " + db + "\nschedule:\n  timezone: Europe/Berlin\n" + extra
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, db
}

// seedStore adds two G20 articles (fetched an hour ago) and, if sub is
// set, a subscription made in chat a day ago.
func seedStore(t *testing.T, dsn string, subs ...bot.Subscription) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, dsn, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	text := "Leaders of the G20 met in Hamburg on Friday to discuss trade and climate policy. The summit opened with talks between the United States and Russia."
	arts := []briefing.Article{
		{URL: "https://wire.example/1", Source: "wire", Title: "Trump and Putin meet at G20 summit in Hamburg", Text: text},
		{URL: "https://daily.example/2", Source: "daily", Title: "Trump and Putin meet at G20 summit in Hamburg", Text: text + " Protesters gathered nearby."},
	}
	if _, err := st.AddArticles(ctx, arts, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		if err := st.PutTopic(ctx, bot.Topic{Channel: s.Channel, Name: s.Topic, Query: "g20", Origin: "chat:console:you", Updated: now.Add(-24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := st.PutSubscription(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestChatAnswersAndShowsDigests(t *testing.T) {
	dir := t.TempDir()
	cfgPath, db := writeConfig(t, dir, "")
	now := time.Now().UTC()
	slot := now.Truncate(time.Minute)
	seedStore(t, db, bot.Subscription{Channel: bot.ChannelRef{Platform: "console", Channel: "terminal"}, Topic: "morning",
		At: slot.Format("15:04"), TimeZone: "UTC", Origin: "chat:console:you", Updated: now.Add(-24 * time.Hour)})

	in, inW := io.Pipe()
	var out, errOut syncBuffer
	root := newRootCmd(in, &out, &errOut)
	root.SetArgs([]string{"chat", "--as-admin", "--config", cfgPath})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(context.Background()) }()

	send := func(line string) {
		t.Helper()
		if _, err := io.WriteString(inW, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	waitOutput := func(what string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(out.String(), what) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the output:\n%s\nstderr:\n%s", what, out.String(), errOut.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	send("/news g20")
	waitOutput("1. Trump and Putin meet at G20 summit in Hamburg")
	send("/news topic add climate \"climate summit\"")
	waitOutput("Topic `climate` added")
	// The subscription due this minute posts its digest into the terminal.
	waitOutput("── digest in #terminal")
	waitOutput("Your morning digest for")
	inW.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("chat: %v\n%s", err, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("chat did not end after the input closed")
	}
	if strings.Count(out.String(), "── digest in #terminal") != 1 {
		t.Errorf("want exactly one digest:\n%s", out.String())
	}
	if !strings.HasPrefix(out.String(), "newsbot chat on "+db+", channel console::terminal, admin: yes\n") {
		t.Errorf("banner: %q", strings.SplitN(out.String(), "\n", 2)[0])
	}
}

func TestChatRefusesBadConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfgPath, _ := writeConfig(t, dir, "briefing:\n  stories: 99\n")
	var out, errOut bytes.Buffer
	root := newRootCmd(strings.NewReader(""), &out, &errOut)
	root.SetArgs([]string{"chat", "--config", cfgPath})
	if err := root.ExecuteContext(context.Background()); err == nil {
		t.Fatal("want an error for a bad config")
	}
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func bottestPlatform(name string) bot.Platform { return bottest.New(name) }

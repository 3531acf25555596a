package app_test

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/app"
	"github.com/newsbot/newsbot/config"
)

// Start-up failures come back as errors naming the problem, never a panic,
// and leave nothing open.
func TestNewFailsCleanly(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	cases := []struct {
		name string
		edit func(*config.Config)
		want string
	}{
		{"port in use", func(c *config.Config) { c.HTTP.Addr = busy.Addr().String() }, "http.addr"},
		{"unwritable database", func(c *config.Config) { c.Storage.DSN = "/nonexistent/dir/newsbot.db" }, "nonexistent"},
		{"topic named like a command", func(c *config.Config) {
			c.Topics = []config.Topic{{Channel: "console:terminal", Name: "help", Query: "help"}}
		}, "help"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := config.Defaults()
			cfg.HTTP.Addr = "127.0.0.1:0"
			cfg.Storage.DSN = filepath.Join(t.TempDir(), "newsbot.db")
			tc.edit(&cfg)
			a, err := app.New(context.Background(), app.Options{Config: cfg, Console: &app.ConsoleOptions{In: strings.NewReader(""), Out: &strings.Builder{}}})
			if err == nil {
				a.Close()
				t.Fatalf("New succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

// serve without Slack, Discord or the console says so in one log line,
// and what to do about it.
func TestRunWithoutPlatformsSaysSo(t *testing.T) {
	t.Parallel()
	const hint = "no chat platform is configured"
	cases := []struct {
		name    string
		console bool
		want    bool
	}{
		{"no platform", false, true},
		{"console", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := config.Defaults()
			cfg.HTTP.Addr = "127.0.0.1:0"
			cfg.Storage.DSN = filepath.Join(t.TempDir(), "newsbot.db")
			logs := &syncBuf{}
			opts := app.Options{Config: cfg, Logger: slog.New(slog.NewTextHandler(logs, nil))}
			if tc.console {
				opts.Console = &app.ConsoleOptions{In: strings.NewReader(""), Out: &strings.Builder{}}
			}
			a, err := app.New(t.Context(), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			ctx, cancel := context.WithCancel(t.Context())
			cancel() // Run logs its start, then stops at once
			if err := a.Run(ctx); err != nil {
				t.Fatalf("Run: %v", err)
			}
			out := logs.String()
			want := 0
			if tc.want {
				want = 1
			}
			if got := strings.Count(out, hint); got != want {
				t.Fatalf("the log says %q %d times:\n%s", hint, got, out)
			}
			if tc.want {
				for _, w := range []string{"level=WARN", "/healthz", "/readyz", "/metrics", "--console", "/news", "slack", "discord"} {
					if !strings.Contains(out, w) {
						t.Errorf("the no-platform line lacks %q:\n%s", w, out)
					}
				}
			}
		})
	}
}

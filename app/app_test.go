package app_test

import (
	"context"
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

package app

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/adapters/discord"
	"github.com/newsbot/newsbot/adapters/slack"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/feeds"
	"github.com/newsbot/newsbot/storage/memory"
)

func TestSlackConfigMapsEveryKey(t *testing.T) {
	t.Parallel()
	c := config.Slack{BotToken: "xoxb-1", SigningSecret: "s", AppToken: "xapp-1", Admins: []string{"U1"}, APIURL: "http://127.0.0.1:9000/api/"}
	got := SlackConfig(c, slog.New(slog.DiscardHandler))
	if got.BotToken != c.BotToken || got.SigningSecret != c.SigningSecret || got.AppToken != c.AppToken ||
		len(got.Admins) != 1 || got.Admins[0] != "U1" || got.APIURL != c.APIURL || got.Logger == nil {
		t.Errorf("SlackConfig = %+v", got)
	}
	if _, err := slack.New(got); err != nil {
		t.Errorf("mapped config refused: %v", err)
	}
}

func TestDiscordConfigMapsEveryKey(t *testing.T) {
	t.Parallel()
	c := config.Discord{Mode: "gateway", BotToken: "tok", ApplicationID: "123", PublicKey: strings.Repeat("ab", 32),
		AdminRoles: []string{"555"}, APIURL: "http://127.0.0.1:9001/api/v9/", ShardID: 1, ShardCount: 2}
	got := DiscordConfig(c, slog.New(slog.DiscardHandler))
	if got.Mode != c.Mode || got.BotToken != c.BotToken || got.ApplicationID != c.ApplicationID || got.PublicKey != c.PublicKey ||
		len(got.AdminRoles) != 1 || got.APIURL != c.APIURL || got.ShardID != 1 || got.ShardCount != 2 {
		t.Errorf("DiscordConfig = %+v", got)
	}
	if _, err := discord.New(got); err != nil {
		t.Errorf("mapped config refused: %v", err)
	}
}

func TestSyncSources(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New()
	chat := feeds.Source{Name: "Chat feed", URL: "https://chat.example/rss", Origin: "chat:slack:U1"}
	if err := st.AddSource(ctx, chat); err != nil {
		t.Fatal(err)
	}
	first := []config.Source{{Name: "World", URL: "https://world.example/rss"}, {URL: "https://www.other.example/feed"}}
	if err := SyncSources(ctx, st, first); err != nil {
		t.Fatal(err)
	}
	if err := SyncSources(ctx, st, first[1:]); err != nil { // World dropped from the file
		t.Fatal(err)
	}
	srcs, err := st.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]feeds.Source{}
	for _, s := range srcs {
		got[s.Locator()] = s
	}
	if _, ok := got["https://world.example/rss"]; ok {
		t.Error("a source removed from the config file stayed")
	}
	if s, ok := got["https://www.other.example/feed"]; !ok || s.Name != "other.example" || s.Origin != bot.OriginConfig {
		t.Errorf("unnamed config source = %+v", s)
	}
	if _, ok := got[chat.URL]; !ok {
		t.Error("a source added in chat was removed by the config sync")
	}
}

func TestCheckFeedAddress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		url          string
		allowPrivate bool
		want         string // "" when allowed
	}{
		{"http://127.0.0.1:9/feed", false, "refused: 127.0.0.1 is a loopback address; set fetch.allow_private to allow it"},
		{"http://127.0.0.1:9/feed", true, ""},
		{"http://169.254.169.254/latest/", false, "cloud metadata"},
		{"http://224.0.0.1/feed", true, "multicast"},
		{"https://93.184.216.34/rss", false, ""},
		// A name that does not resolve now passes: the fetch checks again.
		{"https://no-such-host.invalid/rss", false, ""},
	}
	for _, tc := range tests {
		err := CheckFeedAddress(ctx, tc.url, tc.allowPrivate)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s (allow_private %v): %v, want allowed", tc.url, tc.allowPrivate, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s (allow_private %v): %v, want %q", tc.url, tc.allowPrivate, err, tc.want)
		}
	}
	// serve's and chat's bot use it.
	b := BotConfig(config.Defaults(), nil)
	if b.CheckSource == nil || b.CheckSource(ctx, "http://10.0.0.1/x") == nil {
		t.Error("BotConfig does not vet /news source add")
	}
}

func TestCheckLeavesBadZonesToValidate(t *testing.T) {
	t.Parallel()
	twice := []config.Topic{{Channel: "slack:C1", Name: "g", Query: "g20"}, {Channel: "slack:C1", Name: "g", Query: "g30"}}
	tests := []struct {
		name      string
		mod       func(c *config.Config)
		wantIn    []string // Check's error contains each
		wantNotIn []string // and none of these
	}{
		{"bad default zone", func(c *config.Config) { c.Schedule.TimeZone = "Mars/Olympus" }, nil, []string{"Mars/Olympus", "bot config"}},
		{"bad default zone keeps the topic checks", func(c *config.Config) {
			c.Schedule.TimeZone = "Mars/Olympus"
			c.Topics = twice
		}, []string{"declared twice"}, []string{"Mars/Olympus"}},
		{"bad subscription zone", func(c *config.Config) {
			c.Topics = twice[:1]
			c.Subscriptions = []config.Subscription{{Channel: "slack:C1", Topic: "g", At: "08:00", TimeZone: "Nowhere/Land"}}
		}, nil, []string{"Nowhere/Land"}},
		{"bad subscription zone keeps its other checks", func(c *config.Config) {
			c.Topics = twice[:1]
			c.Subscriptions = []config.Subscription{{Channel: "slack:C1", Topic: "nope", At: "08:00", TimeZone: "Nowhere/Land"}}
		}, []string{`topic "nope" is not declared`}, []string{"Nowhere/Land"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := config.Defaults()
			tc.mod(&cfg)
			if err := cfg.Validate(); err == nil {
				t.Fatal("config.Validate passed the config; the test needs a bad zone")
			}
			err := Check(context.Background(), cfg)
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			if len(tc.wantIn) == 0 && err != nil {
				t.Errorf("Check = %v, want nil (config.Validate reports the zone)", err)
			}
			for _, w := range tc.wantIn {
				if !strings.Contains(msg, w) {
					t.Errorf("Check = %q, want it to contain %q", msg, w)
				}
			}
			for _, w := range tc.wantNotIn {
				if strings.Contains(msg, w) {
					t.Errorf("Check = %q, repeats %q", msg, w)
				}
			}
		})
	}
}

func TestCheckDoesNotChangeTheConfig(t *testing.T) {
	t.Parallel()
	cfg := config.Defaults()
	cfg.Schedule.TimeZone = "Mars/Olympus"
	cfg.Topics = []config.Topic{{Channel: "slack:C1", Name: "g", Query: "g20"}}
	cfg.Subscriptions = []config.Subscription{{Channel: "slack:C1", Topic: "g", At: "08:00", TimeZone: "Nowhere/Land"}}
	_ = Check(context.Background(), cfg)
	if cfg.Schedule.TimeZone != "Mars/Olympus" || cfg.Subscriptions[0].TimeZone != "Nowhere/Land" {
		t.Errorf("Check changed its argument: %q, %q", cfg.Schedule.TimeZone, cfg.Subscriptions[0].TimeZone)
	}
}

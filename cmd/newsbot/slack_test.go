package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/adapters/slack"
	"github.com/newsbot/newsbot/config"
)

func TestSlackManifestCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{"http", []string{"slack", "manifest", "--url", "https://bot.example.com"},
			[]string{"url: \"https://bot.example.com/slack/commands\"", "request_url: \"https://bot.example.com/slack/events\"", "socket_mode_enabled: false", "- chat:write.public"}, ""},
		{"socket", []string{"slack", "manifest", "--socket", "--name", "News Bot"},
			[]string{"socket_mode_enabled: true", "name: \"News Bot\"", "connections:write"}, ""},
		{"neither", []string{"slack", "manifest"}, nil, "--url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			root := newRootCmd(strings.NewReader(""), &out, &errOut)
			root.SetArgs(tc.args)
			err := root.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one mentioning %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestSlackConfigMapsEveryKey(t *testing.T) {
	t.Parallel()
	c := config.Slack{BotToken: "xoxb-1", SigningSecret: "s", AppToken: "xapp-1", Admins: []string{"U1"}, APIURL: "http://127.0.0.1:9000/api/"}
	got := slackConfig(c, slog.New(slog.DiscardHandler))
	if got.BotToken != c.BotToken || got.SigningSecret != c.SigningSecret || got.AppToken != c.AppToken ||
		len(got.Admins) != 1 || got.Admins[0] != "U1" || got.APIURL != c.APIURL || got.Logger == nil {
		t.Errorf("slackConfig = %+v", got)
	}
	if _, err := slack.New(got); err != nil {
		t.Errorf("mapped config refused: %v", err)
	}
}

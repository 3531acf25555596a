package slack

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestManifestGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts ManifestOptions
	}{
		{"manifest_http", ManifestOptions{URL: "https://bot.example.com/"}},
		{"manifest_socket", ManifestOptions{Socket: true, Name: "News Bot"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Manifest(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.name+".yaml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs; run go test ./adapters/slack -update and review.\ngot:\n%s", path, got)
			}
		})
	}
}

// TestManifestParses reads the manifest back as YAML and checks what Slack
// needs from it.
func TestManifestParses(t *testing.T) {
	t.Parallel()
	type manifest struct {
		Display struct {
			Name string `yaml:"name"`
		} `yaml:"display_information"`
		Features struct {
			Bot struct {
				DisplayName string `yaml:"display_name"`
			} `yaml:"bot_user"`
			Commands []struct {
				Command string `yaml:"command"`
				URL     string `yaml:"url"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				RequestURL string   `yaml:"request_url"`
				BotEvents  []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Socket bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	for _, socket := range []bool{false, true} {
		out, err := Manifest(ManifestOptions{URL: "https://bot.example.com", Socket: socket, Name: `Quote "me": #1`})
		if err != nil {
			t.Fatal(err)
		}
		var m manifest
		if err := yaml.Unmarshal(out, &m); err != nil {
			t.Fatalf("manifest is not YAML: %v\n%s", err, out)
		}
		if m.Display.Name != `Quote "me": #1` || m.Features.Bot.DisplayName != m.Display.Name {
			t.Errorf("names %q %q", m.Display.Name, m.Features.Bot.DisplayName)
		}
		if len(m.Features.Commands) != 1 || m.Features.Commands[0].Command != "/news" {
			t.Fatalf("commands %+v", m.Features.Commands)
		}
		wantCmdURL, wantEvURL := "https://bot.example.com/slack/commands", "https://bot.example.com/slack/events"
		if socket {
			wantCmdURL, wantEvURL = "", ""
		}
		if m.Features.Commands[0].URL != wantCmdURL || m.Settings.Events.RequestURL != wantEvURL || m.Settings.Socket != socket {
			t.Errorf("socket=%v: urls %q %q socket %v", socket, m.Features.Commands[0].URL, m.Settings.Events.RequestURL, m.Settings.Socket)
		}
		for _, s := range []string{"commands", "chat:write", "chat:write.public", "users:read", "channels:history", "app_mentions:read"} {
			if !strings.Contains(strings.Join(m.OAuth.Scopes.Bot, " ")+" ", s+" ") {
				t.Errorf("scope %s missing: %v", s, m.OAuth.Scopes.Bot)
			}
		}
		if len(m.Settings.Events.BotEvents) != 1 || m.Settings.Events.BotEvents[0] != "app_mention" {
			t.Errorf("bot events %v", m.Settings.Events.BotEvents)
		}
	}
}

func TestManifestErrors(t *testing.T) {
	t.Parallel()
	for _, o := range []ManifestOptions{
		{},
		{URL: "http://bot.example.com"},
		{URL: "bot.example.com"},
		{URL: "https://bot.example.com?x=1"},
		{Socket: true, Name: strings.Repeat("n", 36)},
		{Socket: true, Name: "a\nb"},
	} {
		if _, err := Manifest(o); err == nil {
			t.Errorf("Manifest(%+v) accepted", o)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/adapters/discord/discordfake"
)

func TestDiscordRegister(t *testing.T) {
	fake := discordfake.New(t)
	fake.RequireBotToken("cli-token")
	signer := discordfake.NewSigner()
	path := filepath.Join(t.TempDir(), "newsbot.yaml")
	conf := "discord:\n" +
		"  bot_token: cli-token\n" +
		"  application_id: \"42\"\n" +
		"  public_key: " + signer.PublicKeyHex() + "\n" +
		"  api_url: " + fake.APIURL() + "\n"
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		root := newRootCmd(strings.NewReader(""), &out, &errOut)
		root.SetArgs(append(args, "--config", path))
		err := root.ExecuteContext(context.Background())
		return out.String(), err
	}

	out, err := run("discord", "register", "--guild", "100", "--dry-run")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Would register newsbot's commands for guild 100 (application 42):\n  added     /news\n"; out != want {
		t.Errorf("dry run output:\n%s\nwant:\n%s", out, want)
	}
	if n := len(fake.CallsTo("PUT applications/{app}/guilds/{guild}/commands")); n != 0 {
		t.Fatalf("dry run wrote %d times", n)
	}

	out, err = run("discord", "register", "--guild", "100")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Registered newsbot's commands for guild 100") || !strings.Contains(out, "added     /news") {
		t.Errorf("output:\n%s", out)
	}
	puts := fake.CallsTo("PUT applications/{app}/guilds/{guild}/commands")
	if len(puts) != 1 || puts[0].Path != "applications/42/guilds/100/commands" {
		t.Fatalf("PUTs: %+v", puts)
	}

	out, err = run("discord", "register", "--guild", "100")
	if err != nil || !strings.Contains(out, "unchanged /news") {
		t.Errorf("second run: %q %v", out, err)
	}

	if _, err := run("discord", "register", "--guild", "abc"); err == nil || !strings.Contains(err.Error(), "not a numeric guild ID") {
		t.Errorf("bad guild: %v", err)
	}
}

func TestDiscordRegisterUnconfigured(t *testing.T) {
	path := filepath.Join(t.TempDir(), "newsbot.yaml")
	if err := os.WriteFile(path, []byte("http:\n  addr: \":8080\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	root := newRootCmd(strings.NewReader(""), &out, &out)
	root.SetArgs([]string{"discord", "register", "--config", path})
	err := root.ExecuteContext(context.Background())
	if err == nil || !strings.Contains(err.Error(), "discord is not configured") {
		t.Errorf("err = %v", err)
	}
}

// register needs only the bot token and the application ID: a missing
// public key or settings it does not use must not stop it, while a file
// with unknown keys is still reported.
func TestDiscordRegisterNeedsOnlyTokenAndApplication(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(t)
	fake.RequireBotToken("only-token")
	minimal := "discord:\n" +
		"  bot_token: only-token\n" +
		"  application_id: \"42\"\n" +
		"  api_url: " + fake.APIURL() + "\n"
	tests := []struct {
		name    string
		conf    string
		want    string
		wantErr string
	}{
		{name: "token and application only", conf: minimal,
			want: "Would register newsbot's commands for guild 100 (application 42):\n  added     /news\n"},
		{name: "unrelated settings invalid", conf: minimal + "briefing:\n  stories: 99\nschedule:\n  timezone: Mars/Olympus\n",
			want: "Would register newsbot's commands for guild 100 (application 42):\n  added     /news\n"},
		{name: "unknown key", conf: minimal + "  publik_key: x\n", wantErr: "discord.publik_key: unknown key"},
		{name: "no application", conf: "discord:\n  bot_token: only-token\n",
			wantErr: "discord is not configured: set discord.application_id (NEWSBOT_DISCORD_APPLICATION_ID)"},
		{name: "bad application", conf: "discord:\n  bot_token: only-token\n  application_id: app\n",
			wantErr: "discord.application_id: must be the application's numeric ID"},
		{name: "bad api url", conf: "discord:\n  bot_token: only-token\n  application_id: \"42\"\n  api_url: discord.test\n",
			wantErr: "discord.api_url"},
	}
	t.Cleanup(func() {
		// Runs after the parallel subtests.
		if n := len(fake.CallsTo("GET applications/{app}/guilds/{guild}/commands")); n != 2 {
			t.Errorf("the fake API was asked %d times for the guild's commands, want 2 (one per run that got through)", n)
		}
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "newsbot.yaml")
			if err := os.WriteFile(path, []byte(tc.conf), 0o600); err != nil {
				t.Fatal(err)
			}
			var out, errOut bytes.Buffer
			root := newRootCmd(strings.NewReader(""), &out, &errOut)
			root.SetArgs([]string{"discord", "register", "--guild", "100", "--dry-run", "--config", path})
			err := root.ExecuteContext(context.Background())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("output:\n%s\nwant:\n%s", out.String(), tc.want)
			}
		})
	}
}

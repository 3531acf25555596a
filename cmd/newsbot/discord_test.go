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

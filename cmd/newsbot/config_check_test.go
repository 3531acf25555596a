package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runAll runs newsbot with args and returns stdout and stderr together.
func runAll(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, errOut, err := runCLI(t, args...)
	return out + errOut, err
}

func TestConfigCheckListsEveryProblem(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "bad.yaml")
	body := "log:\n  level: loud\nschedule:\n  timezone: Mars/Base\nfetch:\n  interval: soon\nslak:\n  bot_token: x\n" +
		"discord:\n  bot_token: t\n  application_id: \"1\"\n  public_key: " + strings.Repeat("ab", 32) + "\n  admin_roles: [moderators]\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runAll(t, "config", "check", "--config", p)
	if err == nil {
		t.Fatalf("config check passed a bad file:\n%s", out)
	}
	for _, want := range []string{"log.level", "schedule.timezone", "fetch.interval", "slak: unknown key (did you mean slack?)", "admin_roles"} {
		if !strings.Contains(out, want) {
			t.Errorf("config check output lacks %q:\n%s", want, out)
		}
	}
}

func TestConfigCheckAndPrintGoodFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "good.yaml")
	if err := os.WriteFile(p, []byte("slack:\n  bot_token: xoxb-secret-token\n  signing_secret: topsecret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runAll(t, "config", "check", "--config", p)
	if err != nil || !strings.Contains(out, ": ok") {
		t.Fatalf("config check: %v\n%s", err, out)
	}
	out, err = runAll(t, "config", "print", "--config", p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "xoxb-secret-token") || strings.Contains(out, "topsecret") || !strings.Contains(out, "[redacted]") {
		t.Errorf("config print shows secrets:\n%s", out)
	}
	if !strings.Contains(out, "addr: :8080") {
		t.Errorf("config print lacks the defaults:\n%s", out)
	}
}

func TestChatWithAnUnwritableStoreIsAnError(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "nb.yaml")
	if err := os.WriteFile(p, []byte("storage:\n  dsn: /nonexistent/dir/newsbot.db\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runAll(t, "chat", "--config", p)
	if err == nil || !strings.Contains(err.Error(), "nonexistent") {
		t.Errorf("chat with an unwritable store: err = %v\n%s", err, out)
	}
}

func TestConfigCheckReportsEachProblemOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		body  string
		once  []string // each appears exactly once in the output
		never []string
	}{
		{"bad default zone", "schedule:\n  timezone: Mars/Olympus\n", []string{"Mars/Olympus", "schedule.timezone"}, []string{"bot config"}},
		{"bad default zone and a topic declared twice",
			"schedule:\n  timezone: Mars/Olympus\ntopics:\n  - {channel: \"slack:C1\", name: g, query: g20}\n  - {channel: \"slack:C1\", name: g, query: g30}\n",
			[]string{"Mars/Olympus", "declared twice"}, []string{"bot config"}},
		{"bad discord mode and public key", "discord:\n  bot_token: t\n  application_id: \"1\"\n  mode: websocket\n  public_key: nothex\n",
			[]string{"discord.mode", "discord.public_key"}, nil},
		{"bad discord public key in gateway mode", "discord:\n  bot_token: t\n  application_id: \"1\"\n  mode: gateway\n  public_key: nothex\n",
			[]string{"discord.public_key"}, nil},
		{"bad subscription zone",
			"topics:\n  - {channel: \"slack:C1\", name: g, query: g20}\nsubscriptions:\n  - {channel: \"slack:C1\", topic: g, at: \"08:00\", tz: Nowhere/Land}\n",
			[]string{"Nowhere/Land", "subscriptions[0].tz"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(t.TempDir(), "bad.yaml")
			if err := os.WriteFile(p, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := runAll(t, "config", "check", "--config", p)
			if err == nil {
				t.Fatalf("config check passed a bad file:\n%s", out)
			}
			for _, w := range tc.once {
				if n := strings.Count(out, w); n != 1 {
					t.Errorf("config check says %q %d times, want once:\n%s", w, n, out)
				}
			}
			for _, w := range tc.never {
				if strings.Contains(out, w) {
					t.Errorf("config check says %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestConfigPrintListsProblemsOnce(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(p, []byte("log:\n  level: loud\nschedule:\n  timezone: Mars/Olympus\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCLI(t, "config", "print", "--config", p)
	if err == nil {
		t.Fatalf("config print of a bad file succeeded:\n%s", errOut)
	}
	// What a user sees on stderr: the command's own output, then main's
	// "newsbot: <error>".
	stderr := errOut + "newsbot: " + err.Error() + "\n"
	for _, w := range []string{"log.level", "schedule.timezone"} {
		if n := strings.Count(stderr, w); n != 1 {
			t.Errorf("config print says %q %d times on stderr, want once:\n%s", w, n, stderr)
		}
	}
	if !strings.Contains(out, "level: loud") || !strings.Contains(out, "addr: :8080") {
		t.Errorf("config print does not print the configuration in effect:\n%s", out)
	}
}

package main

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/storage/postgres/pgtest"
)

// postgresDSN returns storage.dsn for a fresh schema of the database named
// by $NEWSBOT_TEST_POSTGRES (dropped when the test ends), with a password
// the output must never show, or skips t.
func postgresDSN(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(pgtest.Schema(t, "cli_test"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := u.User.Password(); !ok && u.User != nil {
		// The test server trusts local connections: any password works,
		// and the output must not show it.
		u.User = url.UserPassword(u.User.Username(), "pg-s3cret")
	}
	return u.String()
}

// TestCommandsOnPostgres runs the CLI against a postgres:// storage.dsn:
// sources, ingest, search, chat and config export share one database, as
// they share a SQLite file.
func TestCommandsOnPostgres(t *testing.T) {
	t.Parallel()
	dsn := postgresDSN(t)
	srv := newFeedServer(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "newsbot.yaml")
	body := fmt.Sprintf("storage:\n  dsn: %q\nfetch:\n  allow_private: true\nsources:\n  - name: World\n    url: %s\n", dsn, srv.URL("/world.xml"))
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	run := func(in string, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		root := newRootCmd(strings.NewReader(in), &out, &errOut)
		root.SetArgs(append([]string{"--config", cfg}, args...))
		if err := root.ExecuteContext(t.Context()); err != nil {
			t.Fatalf("newsbot %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
		}
		all.WriteString(out.String() + errOut.String())
		return out.String()
	}

	if out := run("", "config", "check"); !strings.Contains(out, ": ok") {
		t.Errorf("config check of a postgres:// DSN:\n%s", out)
	}
	run("", "sources", "add", "Tech", srv.URL("/tech.xml"))
	if out := run("", "sources", "list"); !strings.Contains(out, "World") || !strings.Contains(out, "Tech") {
		t.Errorf("sources list lacks a source:\n%s", out)
	}
	if out := run("", "ingest"); !strings.Contains(out, "3 new") {
		t.Errorf("ingest did not store the 3 articles:\n%s", out)
	}
	if out := run("", "search", "g20"); !strings.Contains(out, "G20 leaders meet") {
		t.Errorf("search g20:\n%s", out)
	}
	out := run("/news topic add g20 g20\n/news g20\n", "chat", "--as-admin")
	if !strings.Contains(out, "Topic `g20` added") || !strings.Contains(out, "G20 leaders meet") {
		t.Errorf("chat on PostgreSQL:\n%s", out)
	}
	if out := run("", "config", "export"); !strings.Contains(out, "name: g20") {
		t.Errorf("config export lacks the topic added in chat:\n%s", out)
	}
	if out := run("", "config", "print"); !strings.Contains(out, "[redacted]") {
		t.Errorf("config print does not redact the DSN's password:\n%s", out)
	}
	if strings.Contains(all.String(), "pg-s3cret") {
		t.Errorf("the output shows the database password:\n%s", all.String())
	}
}

// config check refuses a PostgreSQL DSN that serve would refuse, saying
// why, without connecting and without showing the password.
func TestConfigCheckBadPostgresDSN(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "newsbot.yaml")
	if err := os.WriteFile(p, []byte("storage:\n  dsn: postgres://newsbot:pg-s3cret@db.internal:99999/newsbot\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runAll(t, "config", "check", "--config", p)
	if err == nil {
		t.Fatalf("config check passed a bad DSN:\n%s", out)
	}
	if !strings.Contains(out, "storage.dsn: cannot parse") || !strings.Contains(out, "invalid port") {
		t.Errorf("config check does not explain the DSN:\n%s", out)
	}
	if strings.Contains(out, "pg-s3cret") {
		t.Errorf("config check shows the password:\n%s", out)
	}
	out, err = runAll(t, "serve", "--config", p)
	if err == nil || !strings.Contains(out+err.Error(), "invalid port") {
		t.Errorf("serve with the same DSN: %v\n%s", err, out)
	}
}

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/config"
)

const declaredYAML = `topics:
  - channel: slack:T1:C1
    name: g20
    query: g20 OR "group of twenty"
    sources: [wire, daily]
  - channel: discord::42
    name: climate
    query: '"climate summit"'
subscriptions:
  - channel: slack:T1:C1
    topic: g20
    at: "07:30"
    days: weekdays
    max: 3
`

func TestConfigExport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfgPath, db := writeConfig(t, dir, declaredYAML)
	term := bot.ChannelRef{Platform: "console", Channel: "terminal"}
	// Chat changes in the store: a new topic with a subscription, and the
	// declared climate topic changed.
	seedStore(t, db, bot.Subscription{Channel: term, Topic: "morning", At: "06:45", TimeZone: "America/New_York",
		Days: []time.Weekday{time.Monday, time.Friday}, Origin: "chat:console:you", Updated: time.Now()})
	ctx := context.Background()
	{
		cfg, err := config.Load(cfgPath)
		if err != nil {
			t.Fatal(err)
		}
		rt, err := startBot(ctx, cfg, discardLog(), bottestPlatform("discord"))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := rt.bot.HandleCommand(ctx, bot.Command{Channel: bot.ChannelRef{Platform: "discord", Channel: "42"}, User: "U9", Admin: true, Text: `topic add climate "climate summit" -football`})
		if err != nil || !strings.Contains(rep.Text, "now follows") {
			t.Fatalf("chat change: %v %q", err, rep.Text)
		}
		rt.Close()
	}

	var out, errOut bytes.Buffer
	root := newRootCmd(strings.NewReader(""), &out, &errOut)
	root.SetArgs([]string{"config", "export", "--config", cfgPath})
	if err := root.ExecuteContext(ctx); err != nil {
		t.Fatalf("export: %v\n%s", err, errOut.String())
	}
	golden(t, "export.golden", out.String())

	// The export is a config file newsbot accepts, declaring the same set.
	exported := filepath.Join(dir, "exported.yaml")
	if err := os.WriteFile(exported, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(exported)
	if err != nil {
		t.Fatalf("the export does not load as a config file: %v", err)
	}
	var got []string
	for _, tp := range cfg.Topics {
		got = append(got, tp.Channel+" "+tp.Name+" "+tp.Query+" "+strings.Join(tp.Sources, ","))
	}
	for _, s := range cfg.Subscriptions {
		got = append(got, s.Channel+" "+s.Topic+" "+s.At+" "+s.TimeZone+" "+s.Days+" "+string(rune('0'+s.Max)))
	}
	// The team is not part of a channel's identity: slack:T1:C1 comes back
	// as slack::C1, the same channel.
	want := []string{
		`console::terminal morning g20 `,
		`discord::42 climate "climate summit" -football `,
		`slack::C1 g20 g20 OR "group of twenty" wire,daily`,
		`console::terminal morning 06:45 America/New_York mon,fri 0`,
		`slack::C1 g20 07:30 Europe/Berlin weekdays 3`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("re-loaded export (-want +got):\n%s", diff)
	}
}

func TestConfigExportWithoutStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfgPath, db := writeConfig(t, dir, declaredYAML)
	var out, errOut bytes.Buffer
	root := newRootCmd(strings.NewReader(""), &out, &errOut)
	root.SetArgs([]string{"config", "export", "--config", cfgPath, "--output", filepath.Join(dir, "out.yaml")})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("export: %v", err)
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("export created the database")
	}
	b, err := os.ReadFile(filepath.Join(dir, "out.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "name: g20") || strings.Contains(string(b), "# made in chat (") {
		t.Errorf("export without a store:\n%s", b)
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update to accept):\n%s", path, got)
	}
}

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "newsbot.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(writeFile(t, ""))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.HTTP.Addr != ":8080" || cfg.Storage.DSN != "newsbot.db" || cfg.Fetch.AllowPrivate {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	if cfg.Fetch.MaxBodyBytes != 10<<20 {
		t.Errorf("fetch.max_body_bytes = %d, want 10 MiB", cfg.Fetch.MaxBodyBytes)
	}
	if cfg.Slack.Enabled() || cfg.Discord.Enabled() {
		t.Errorf("platforms enabled without tokens")
	}
}

func TestLoadFile(t *testing.T) {
	p := writeFile(t, `
http:
  addr: "127.0.0.1:9999"
storage:
  dsn: /var/lib/newsbot/newsbot.db
sources:
  - name: World
    url: https://example.org/world.rss
  - name: Local
    path: ./articles
fetch:
  allow_private: true
  interval: 30m
topics:
  - channel: "slack:T1:C1"
    name: g20
    query: g20 -football
subscriptions:
  - channel: "slack:T1:C1"
    topic: g20
    at: "07:30"
    tz: Europe/Berlin
    days: weekdays
slack:
  bot_token: xoxb-1
  signing_secret: s3cret
  api_url: http://127.0.0.1:9000/api/
`)
	cfg, err := Load(p)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.HTTP.Addr != "127.0.0.1:9999" || cfg.Storage.DSN != "/var/lib/newsbot/newsbot.db" {
		t.Errorf("file values not read: %+v %+v", cfg.HTTP, cfg.Storage)
	}
	if len(cfg.Sources) != 2 || cfg.Sources[0].URL != "https://example.org/world.rss" || cfg.Sources[1].Path != "./articles" {
		t.Errorf("sources = %+v", cfg.Sources)
	}
	if !cfg.Fetch.AllowPrivate || cfg.Fetch.Interval != 30*time.Minute {
		t.Errorf("fetch = %+v", cfg.Fetch)
	}
	if len(cfg.Subscriptions) != 1 || cfg.Subscriptions[0].TimeZone != "Europe/Berlin" || cfg.Subscriptions[0].Days != "weekdays" {
		t.Errorf("subscriptions = %+v", cfg.Subscriptions)
	}
	if cfg.Slack.APIURL != "http://127.0.0.1:9000/api/" || !cfg.Slack.Enabled() {
		t.Errorf("slack = %+v", cfg.Slack)
	}
}

// Env-only settings must work for every key, including keys the file does
// not mention (viper's Unmarshal misses those unless they are bound).
func TestLoadEnvOnly(t *testing.T) {
	t.Setenv("NEWSBOT_SLACK_BOT_TOKEN", "xoxb-env")
	t.Setenv("NEWSBOT_SLACK_SIGNING_SECRET", "env-secret")
	t.Setenv("NEWSBOT_SLACK_ADMINS", "U1,U2")
	t.Setenv("NEWSBOT_DISCORD_BOT_TOKEN", "discord-env")
	t.Setenv("NEWSBOT_DISCORD_APPLICATION_ID", "123")
	t.Setenv("NEWSBOT_DISCORD_PUBLIC_KEY", strings.Repeat("ab", 32))
	t.Setenv("NEWSBOT_HTTP_ADDR", ":7070")
	t.Setenv("NEWSBOT_FETCH_ALLOW_PRIVATE", "true")
	t.Setenv("NEWSBOT_FETCH_TIMEOUT", "5s")
	t.Setenv("NEWSBOT_STORAGE_DSN", "env.db")
	cfg, err := Load(writeFile(t, "http:\n  addr: \":9000\"\n"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Slack.BotToken != "xoxb-env" || cfg.Slack.SigningSecret != "env-secret" {
		t.Errorf("slack from env = %+v", cfg.Slack)
	}
	if got := strings.Join(cfg.Slack.Admins, ","); got != "U1,U2" {
		t.Errorf("slack.admins from env = %q", got)
	}
	if cfg.Discord.BotToken != "discord-env" || cfg.Discord.ApplicationID != "123" {
		t.Errorf("discord from env = %+v", cfg.Discord)
	}
	if cfg.HTTP.Addr != ":7070" {
		t.Errorf("env must override the file: http.addr = %q", cfg.HTTP.Addr)
	}
	if !cfg.Fetch.AllowPrivate || cfg.Fetch.Timeout != 5*time.Second || cfg.Storage.DSN != "env.db" {
		t.Errorf("env values = %+v %+v", cfg.Fetch, cfg.Storage)
	}
}

func TestEnvName(t *testing.T) {
	if got := EnvName("slack.signing_secret"); got != "NEWSBOT_SLACK_SIGNING_SECRET" {
		t.Errorf("EnvName = %q", got)
	}
	keys := strings.Join(Keys(), " ")
	for _, k := range []string{"http.addr", "storage.dsn", "fetch.allow_private", "slack.bot_token", "slack.signing_secret",
		"slack.app_token", "slack.api_url", "discord.mode", "discord.bot_token", "discord.application_id",
		"discord.public_key", "discord.api_url"} {
		if !strings.Contains(" "+keys+" ", " "+k+" ") {
			t.Errorf("Keys() lacks public key %s", k)
		}
	}
}

// Every problem is reported at once, each naming its key.
func TestCheckErrors(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string
	}{
		{"unknown key", "slak:\n  bot_token: x\n", []string{"slak"}},
		{"bad duration", "fetch:\n  interval: soon\n", []string{"interval"}},
		{"bad time zone", "schedule:\n  timezone: Mars/Olympus\n", []string{"schedule.timezone", "Mars/Olympus"}},
		{"bad log level", "log:\n  level: loud\n", []string{"log.level"}},
		{"source without url or path", "sources:\n  - name: x\n", []string{"sources[0]", "url or a path"}},
		{"source with both", "sources:\n  - name: x\n    url: https://a.example/f\n    path: ./x\n", []string{"sources[0]", "both"}},
		{"source not http", "sources:\n  - name: x\n    url: ftp://a.example/f\n", []string{"sources[0].url"}},
		{"slack token without secret", "slack:\n  bot_token: xoxb-1\n", []string{"slack.signing_secret"}},
		{"slack secret without token", "slack:\n  signing_secret: s\n", []string{"slack.bot_token"}},
		{"slack bad app token", "slack:\n  bot_token: xoxb-1\n  app_token: nope\n", []string{"slack.app_token"}},
		{"discord missing key", "discord:\n  bot_token: t\n  application_id: \"1\"\n", []string{"discord.public_key"}},
		{"discord bad key", "discord:\n  bot_token: t\n  application_id: \"1\"\n  public_key: xyz\n", []string{"discord.public_key", "64 hex"}},
		{"discord bad key in gateway mode", "discord:\n  bot_token: t\n  application_id: \"1\"\n  mode: gateway\n  public_key: nothex\n", []string{"discord.public_key", "64 hex"}},
		{"discord bad key and bad mode", "discord:\n  bot_token: t\n  application_id: \"1\"\n  mode: websocket\n  public_key: nothex\n",
			[]string{"discord.mode", "discord.public_key", "64 hex"}},
		{"discord short key without token", "discord:\n  public_key: " + strings.Repeat("ab", 31) + "\n", []string{"discord.bot_token", "discord.public_key", "64 hex"}},
		{"discord missing app id", "discord:\n  bot_token: t\n  mode: gateway\n", []string{"discord.application_id"}},
		{"discord bad mode", "discord:\n  mode: carrier-pigeon\n", []string{"discord.mode"}},
		{"discord bad shard", "discord:\n  shard_id: 2\n  shard_count: 2\n", []string{"discord.shard_id"}},
		{"bad api url", "slack:\n  api_url: not a url\n", []string{"slack.api_url"}},
		{"bad schedule", "topics:\n  - channel: slack:T:C\n    name: g20\n    query: g20\nsubscriptions:\n  - channel: slack:T:C\n    topic: g20\n    at: \"25:00\"\n    tz: Nowhere/City\n    days: someday\n",
			[]string{"subscriptions[0].at", "subscriptions[0].tz", "subscriptions[0].days"}},
		{"subscription to unknown topic", "subscriptions:\n  - channel: slack:T:C\n    topic: nope\n", []string{"subscriptions[0].topic"}},
		{"bad channel", "topics:\n  - channel: C123\n    name: a\n    query: a\n", []string{"topics[0].channel", "platform:channel"}},
		{"bad budget", "briefing:\n  stories: 0\n  sentences: 7\n", []string{"briefing.stories", "briefing.sentences"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeFile(t, tc.yaml))
			if err == nil {
				t.Fatalf("Load accepted %q", tc.yaml)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestCheckReportsEveryProblemAtOnce(t *testing.T) {
	_, err := Load(writeFile(t, "log:\n  level: loud\nschedule:\n  timezone: Nowhere\nfetch:\n  per_host: 0\n"))
	if err == nil {
		t.Fatal("Load accepted a bad config")
	}
	for _, w := range []string{"log.level", "schedule.timezone", "fetch.per_host"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

func TestParseDays(t *testing.T) {
	cases := []struct {
		in   string
		want []time.Weekday
		bad  bool
	}{
		{"", nil, false},
		{"daily", nil, false},
		{"weekdays", []time.Weekday{1, 2, 3, 4, 5}, false},
		{"weekends", []time.Weekday{0, 6}, false},
		{"fri,mon,wed,mon", []time.Weekday{1, 3, 5}, false},
		{"Tuesday", []time.Weekday{2}, false},
		{"funday", nil, true},
	}
	for _, tc := range cases {
		got, err := ParseDays(tc.in)
		if (err != nil) != tc.bad {
			t.Errorf("ParseDays(%q) error = %v", tc.in, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("ParseDays(%q) = %v, want %v", tc.in, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("ParseDays(%q) = %v, want %v", tc.in, got, tc.want)
			}
		}
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("missing file error = %v", err)
	}
}

// The example file documents every key and is itself a valid config.
func TestExampleFile(t *testing.T) {
	p := filepath.Join("..", "newsbot.example.yaml")
	if _, err := Load(p); err != nil {
		t.Fatalf("newsbot.example.yaml does not load: %v", err)
	}
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	for _, k := range Keys() {
		parts := strings.Split(k, ".")
		leaf := parts[len(parts)-1]
		if !strings.Contains(text, "\n"+parts[0]+":") || !strings.Contains(text, " "+leaf+":") {
			t.Errorf("newsbot.example.yaml does not document %s", k)
		}
	}
}

func TestUnknownKeySuggestion(t *testing.T) {
	_, err := Load(writeFile(t, "slack:\n  bot_tokn: x\n"))
	if err == nil || !strings.Contains(err.Error(), "slack.bot_tokn: unknown key (did you mean slack.bot_token?)") {
		t.Errorf("error = %v", err)
	}
}

// config print's output is a config file that loads back to the same
// settings, with secrets hidden.
func TestMarshalRoundTripAndRedaction(t *testing.T) {
	cfg, err := Load(writeFile(t, `
sources:
  - name: World
    url: https://example.org/world.rss
topics:
  - channel: "slack:C1"
    name: g20
    query: 'g20 "group of twenty" -football'
subscriptions:
  - channel: "slack:C1"
    topic: g20
    at: "07:30"
slack:
  bot_token: xoxb-very-secret
  signing_secret: shh-secret
  admins: [U1, U2]
fetch:
  interval: 90m
`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Load(writeFile(t, string(out)))
	if err != nil {
		t.Fatalf("printed config does not load: %v\n%s", err, out)
	}
	if back.Fetch.Interval != 90*time.Minute || back.Slack.BotToken != "xoxb-very-secret" || len(back.Topics) != 1 ||
		back.Topics[0].Query != cfg.Topics[0].Query || strings.Join(back.Slack.Admins, ",") != "U1,U2" {
		t.Errorf("round trip changed the config:\n%s", out)
	}
	red, err := Marshal(cfg.Redacted())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"xoxb-very-secret", "shh-secret"} {
		if strings.Contains(string(red), secret) {
			t.Errorf("redacted output shows %q:\n%s", secret, red)
		}
	}
	if !strings.Contains(string(red), "bot_token: '[redacted]'") && !strings.Contains(string(red), `bot_token: "[redacted]"`) {
		t.Errorf("redacted output does not mark the token:\n%s", red)
	}
	if !strings.Contains(string(red), "app_token: \"\"") {
		t.Errorf("an unset secret should show as empty:\n%s", red)
	}
}

func TestDurationWithoutUnit(t *testing.T) {
	_, err := Load(writeFile(t, "http:\n  shutdown_timeout: 10\nfetch:\n  interval: 900\n  timeout: 0\n"))
	if err == nil {
		t.Fatal("durations without a unit were accepted")
	}
	for _, want := range []string{"http.shutdown_timeout: 10 has no unit", "fetch.interval: 900 has no unit"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "fetch.timeout: 0") {
		t.Errorf("a zero duration needs no unit: %v", err)
	}
}

func TestUnknownEnv(t *testing.T) {
	t.Parallel()
	got := UnknownEnv([]string{"NEWSBOT_SLACK_TOKEN=x", "NEWSBOT_SLACK_BOT_TOKEN=y", "NEWSBOT_TEST_POSTGRES=z", "HOME=/root", "NEWSBOT_HTTP_ADR=:1"})
	want := []string{
		"NEWSBOT_HTTP_ADR is not a newsbot setting and is ignored (did you mean NEWSBOT_HTTP_ADDR?)",
		"NEWSBOT_SLACK_TOKEN is not a newsbot setting and is ignored (did you mean NEWSBOT_SLACK_APP_TOKEN?)", // as near as BOT_TOKEN; ties go alphabetically
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("UnknownEnv =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRedactDSN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ dsn, want string }{
		{"newsbot.db", "newsbot.db"},
		{"file:/var/lib/newsbot/newsbot.db?mode=ro", "file:/var/lib/newsbot/newsbot.db?mode=ro"},
		{":memory:", ":memory:"},
		{"postgres://newsbot@db.internal/newsbot", "postgres://newsbot@db.internal/newsbot"},
		{"postgres://newsbot:s3cret@db.internal:5432/newsbot?sslmode=require", "postgres://newsbot:[redacted]@db.internal:5432/newsbot?sslmode=require"},
		{"postgresql://db.internal/newsbot?user=newsbot&password=s3cret", "postgresql://db.internal/newsbot?password=[redacted]&user=newsbot"},
		{"postgres://newsbot:s3cret@[::1/newsbot", "[redacted]"},
		{"postgres://newsbot@db/newsbot?sslmode=verify-full&sslpassword=s3cret", "postgres://newsbot@db/newsbot?sslmode=verify-full&sslpassword=[redacted]"},
	} {
		t.Run(tc.dsn, func(t *testing.T) {
			t.Parallel()
			got := RedactDSN(tc.dsn)
			if got != tc.want {
				t.Errorf("RedactDSN(%q) = %q, want %q", tc.dsn, got, tc.want)
			}
			if strings.Contains(got, "s3cret") {
				t.Errorf("RedactDSN(%q) shows the password", tc.dsn)
			}
		})
	}
	cfg := Config{Storage: Storage{DSN: "postgres://newsbot:s3cret@db/newsbot"}}
	if got := cfg.Redacted().Storage.DSN; strings.Contains(got, "s3cret") {
		t.Errorf("Redacted shows the DSN's password: %q", got)
	}
}

// LoadUnvalidated reports a file's parse problems but not what Validate
// would, and still returns the settings it read.
func TestLoadUnvalidated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		wantErr string // "" for no error
	}{
		{"invalid but well-formed", "discord:\n  bot_token: t\n  application_id: \"42\"\nbriefing:\n  stories: 99\n", ""},
		{"unknown key", "discord:\n  bot_tokn: t\n", "discord.bot_tokn: unknown key"},
		{"wrong type", "fetch:\n  timeout: soon\n", "fetch.timeout: \"soon\" is not a duration"},
		{"not yaml", "discord: [\n", "read config"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, tc.body)
			cfg, err := LoadUnvalidated(path)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				if cfg.Discord.BotToken != "t" || cfg.Discord.ApplicationID != "42" || cfg.Briefing.Stories != 99 {
					t.Errorf("settings not read: %+v %+v", cfg.Discord, cfg.Briefing)
				}
				if _, err := Load(path); err == nil {
					t.Error("Load accepts the file too; the case does not test skipping Validate")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

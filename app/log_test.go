package app

import (
	"bytes"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/config"
)

func TestLoggerRedactsSecrets(t *testing.T) {
	t.Parallel()
	cfg := config.Defaults()
	cfg.Log.Format = "json"
	cfg.Slack.BotToken = "xoxb-123-secret"
	cfg.Slack.SigningSecret = "signing-s3cret"
	cfg.Discord.BotToken = "discord.token.value"
	cfg.Storage.DSN = "postgres://newsbot:pg-passw0rd@db.internal/newsbot"
	var buf bytes.Buffer
	log := NewLogger(&buf, cfg).With(slog.String("token", "signing-s3cret"))
	log.Info("posting with xoxb-123-secret",
		slog.String("url", "https://hooks.slack.com/commands/T1/397700885554/96rGlfmibIGlgcZRskXaIFfN"),
		slog.Any("error", errors.New("POST https://discord.com/api/v9/webhooks/1/aW50ZXJhY3Rpb246/messages/@original: 404")),
		slog.Group("discord", slog.String("auth", "Bot discord.token.value")),
		slog.String("other", "xapp-1-A0-123-abc"),
		slog.String("dsn", "password=pg-passw0rd host=db.internal"),
		slog.String("plain", "the G20 summit"),
	)
	out := buf.String()
	for _, secret := range []string{"xoxb-123-secret", "signing-s3cret", "discord.token.value", "96rGlfmibIGlgcZRskXaIFfN", "aW50ZXJhY3Rpb246", "xapp-1-A0", "pg-passw0rd"} {
		if strings.Contains(out, secret) {
			t.Errorf("log shows %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "the G20 summit") || !strings.Contains(out, "[REDACTED]") {
		t.Errorf("log lost ordinary text or does not mark redactions: %s", out)
	}
	if !strings.HasPrefix(out, "{") {
		t.Errorf("log.format json wrote %q", out)
	}
}

// TestSecretsHoldEveryDSNPassword: whichever password pgx uses (the query's
// wins over the user info), an sslpassword, and the password of a
// multi-host URL that net/url cannot parse all count as secrets.
func TestSecretsHoldEveryDSNPassword(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dsn  string
		want []string
	}{
		{"postgres://u:aaaa1@h/db?password=bbbb2", []string{"aaaa1", "bbbb2"}},
		{"postgres://u@h/db?sslmode=verify-full&sslpassword=key-pass", []string{"key-pass"}},
		{"postgres://u:multi-pw@h1:5432,h2:5432/db", []string{"multi-pw"}},
	} {
		cfg := config.Defaults()
		cfg.Storage.DSN = tc.dsn
		got := Secrets(cfg)
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("Secrets for %s = %q, lacks %q", tc.dsn, got, w)
			}
		}
	}
}

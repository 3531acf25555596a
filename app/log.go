package app

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/storage/postgres"
)

// NewLogger returns the logger for cfg: text when w is a terminal (or
// format is text), JSON otherwise (or format is json), at the configured
// level. Every message and string attribute passes through a redactor that
// removes the config's secrets (tokens, signing secret, public key) and
// anything shaped like a Slack or Discord token, a Slack response_url or a
// webhook URL, so that none of them reach the logs.
func NewLogger(w io.Writer, cfg config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: parseLevel(cfg.Log.Level)}
	var h slog.Handler
	switch cfg.Log.Format {
	case "json":
		h = slog.NewJSONHandler(w, opts)
	case "text":
		h = slog.NewTextHandler(w, opts)
	default:
		if isTerminal(w) {
			h = slog.NewTextHandler(w, opts)
		} else {
			h = slog.NewJSONHandler(w, opts)
		}
	}
	return slog.New(&redactor{next: h, r: newRedaction(Secrets(cfg))})
}

func parseLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Secrets returns the config's secret values (empty and very short ones
// left out, each once), including the passwords of a PostgreSQL
// storage.dsn.
func Secrets(cfg config.Config) []string {
	var out []string
	candidates := append([]string{cfg.Slack.BotToken, cfg.Slack.SigningSecret, cfg.Slack.AppToken, cfg.Discord.BotToken, cfg.Discord.PublicKey}, dsnPasswords(cfg.Storage.DSN)...)
	for _, s := range candidates {
		if len(s) >= 4 && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// tokenShapes match credentials newsbot handles even when they are not in
// the config: Slack tokens, response URLs and webhooks; Discord interaction
// and webhook URLs (whose path carries a token).
var tokenShapes = regexp.MustCompile(`xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|` +
	`https?://[^\s"']*/(commands|services|actions)/[A-Za-z0-9/_-]+|` +
	`https?://[^\s"']*/(webhooks|interactions)/[0-9]+/[A-Za-z0-9._-]+[^\s"']*`)

// redaction replaces secrets and credential-shaped strings.
type redaction struct {
	secrets []string
}

func newRedaction(secrets []string) *redaction {
	s := slices.Clone(secrets)
	// Longest first, so a secret containing another is replaced whole.
	slices.SortFunc(s, func(a, b string) int { return len(b) - len(a) })
	return &redaction{secrets: s}
}

// String returns s with every secret replaced by [REDACTED].
func (r *redaction) String(s string) string {
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
		}
	}
	return tokenShapes.ReplaceAllString(s, "[REDACTED]")
}

// redactor is a slog.Handler that redacts the message and every string
// (or error, or Stringer) attribute before passing the record on.
type redactor struct {
	next slog.Handler
	r    *redaction
}

func (h *redactor) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *redactor) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *redactor) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = h.attr(a)
	}
	return &redactor{next: h.next.WithAttrs(clean), r: h.r}
}

func (h *redactor) WithGroup(name string) slog.Handler {
	return &redactor{next: h.next.WithGroup(name), r: h.r}
}

func (h *redactor) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.String(v.String()))
	case slog.KindGroup:
		as := v.Group()
		clean := make([]any, len(as))
		for i, g := range as {
			clean[i] = h.attr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, h.r.String(x.Error()))
		case interface{ String() string }:
			return slog.String(a.Key, h.r.String(x.String()))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// dsnPasswords returns the passwords in a postgres:// storage.dsn: its
// user info, its password and sslpassword parameters, and whatever pgx
// takes as the password (a multi-host URL, which net/url cannot parse,
// or a key=value string).
func dsnPasswords(dsn string) []string {
	if !storage.IsPostgres(dsn) {
		return nil
	}
	var out []string
	if u, err := url.Parse(strings.TrimSpace(dsn)); err == nil {
		if p, ok := u.User.Password(); ok {
			out = append(out, p)
		}
		q := u.Query()
		out = append(out, q.Get("password"), q.Get("sslpassword"))
	}
	if cfg, err := postgres.ParseDSN(dsn); err == nil {
		out = append(out, cfg.Password)
	}
	return out
}

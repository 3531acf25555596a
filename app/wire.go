package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/newsbot/newsbot/adapters/discord"
	"github.com/newsbot/newsbot/adapters/slack"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/feeds"
	"github.com/newsbot/newsbot/feeds/fetch"
	"github.com/newsbot/newsbot/feeds/poll"
	"github.com/newsbot/newsbot/storage/memory"
)

// BotConfig maps the config file's sections onto the bot's own config.
func BotConfig(cfg config.Config, log *slog.Logger) bot.Config {
	return bot.Config{
		Window:    cfg.Briefing.Window,
		Budget:    briefing.Budget{Stories: cfg.Briefing.Stories, Sentences: cfg.Briefing.Sentences, Chars: cfg.Briefing.Chars},
		TimeZone:  cfg.Schedule.TimeZone,
		Grace:     cfg.Schedule.Grace,
		PostEmpty: cfg.Schedule.PostEmpty,
		Limits:    PostLimits(),
		Logger:    log,
		CheckSource: func(ctx context.Context, feedURL string) error {
			return CheckFeedAddress(ctx, feedURL, cfg.Fetch.AllowPrivate)
		},
	}
}

// CheckFeedAddress refuses a feed URL the fetcher would refuse to connect
// to (loopback, private, link-local, metadata... unless allowPrivate),
// with the fetcher's own message, so that the mistake shows when the
// source is added rather than at its first fetch. A host that does not
// resolve now passes: DNS may be down, or the name may appear later, and
// the fetch checks again when it dials.
func CheckFeedAddress(ctx context.Context, feedURL string, allowPrivate bool) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := fetch.CheckURL(ctx, feedURL, allowPrivate, nil)
	if _, refused := errors.AsType[*fetch.RefusedError](err); refused {
		return err
	}
	return nil
}

// PostLimits are the posting rates the bot keeps to on its own, below the
// platforms' documented limits (Discord: 50 requests/s per bot; Slack:
// about 1 message/s per channel with bursts, a few hundred a minute per
// workspace). A 429 pauses the platform for its Retry-After either way.
func PostLimits() map[string]bot.RateLimit {
	return map[string]bot.RateLimit{
		"discord": {PerSecond: 40, Burst: 10},
		"slack":   {PerSecond: 4, Burst: 4},
	}
}

// Declared maps the config file's topics and subscriptions onto the bot's
// types.
func Declared(cfg config.Config) ([]bot.Topic, []bot.Subscription, error) {
	var errs []error
	topics := make([]bot.Topic, 0, len(cfg.Topics))
	for i, t := range cfg.Topics {
		ch, err := bot.ParseChannelRef(t.Channel)
		if err != nil {
			errs = append(errs, fmt.Errorf("topics[%d].channel: %w", i, err))
			continue
		}
		topics = append(topics, bot.Topic{Channel: ch, Name: t.Name, Query: t.Query, Sources: t.Sources, Origin: bot.OriginConfig})
	}
	subs := make([]bot.Subscription, 0, len(cfg.Subscriptions))
	for i, s := range cfg.Subscriptions {
		ch, err := bot.ParseChannelRef(s.Channel)
		if err != nil {
			errs = append(errs, fmt.Errorf("subscriptions[%d].channel: %w", i, err))
			continue
		}
		days, err := config.ParseDays(s.Days)
		if err != nil {
			errs = append(errs, fmt.Errorf("subscriptions[%d].days: %w", i, err))
			continue
		}
		subs = append(subs, bot.Subscription{Channel: ch, Topic: s.Topic, At: s.At, TimeZone: s.TimeZone, Days: days, Max: s.Max, Origin: bot.OriginConfig})
	}
	return topics, subs, errors.Join(errs...)
}

// FetchOptions maps the fetch.* config keys to the fetch client's options.
func FetchOptions(f config.Fetch, log *slog.Logger) fetch.Options {
	return fetch.Options{
		Timeout:      f.Timeout,
		MaxBodyBytes: f.MaxBodyBytes,
		PerHost:      f.PerHost,
		Concurrency:  f.Concurrency,
		UserAgent:    f.UserAgent,
		AllowPrivate: f.AllowPrivate,
		Logger:       log,
	}
}

// PollOptions maps the fetch.* config keys to the poller's options.
func PollOptions(f config.Fetch, log *slog.Logger) poll.Options {
	return poll.Options{
		Interval:    f.Interval,
		MinInterval: f.MinInterval,
		MaxInterval: f.MaxInterval,
		MaxFailures: f.MaxFailures,
		Workers:     f.Concurrency,
		Logger:      log,
	}
}

// SlackConfig maps the slack section of the config file (slack.bot_token,
// slack.signing_secret, slack.app_token, slack.admins, slack.api_url) onto
// the adapter's Config. The adapter's other settings keep their defaults.
func SlackConfig(c config.Slack, log *slog.Logger) slack.Config {
	return slack.Config{
		BotToken:      c.BotToken,
		SigningSecret: c.SigningSecret,
		AppToken:      c.AppToken,
		Admins:        c.Admins,
		APIURL:        c.APIURL,
		Logger:        log,
	}
}

// DiscordConfig maps the config file's discord section onto the Discord
// adapter's own configuration. Settings the file does not have (timeouts,
// the clock) keep the adapter's defaults.
func DiscordConfig(c config.Discord, log *slog.Logger) discord.Config {
	return discord.Config{
		Mode:          c.Mode,
		BotToken:      c.BotToken,
		ApplicationID: c.ApplicationID,
		PublicKey:     c.PublicKey,
		AdminRoles:    c.AdminRoles,
		APIURL:        c.APIURL,
		ShardID:       c.ShardID,
		ShardCount:    c.ShardCount,
		Logger:        log,
	}
}

// SourceStore is what SyncSources needs from a store.
type SourceStore interface {
	Sources(context.Context) ([]feeds.Source, error)
	AddSource(context.Context, feeds.Source) error
	RemoveSource(context.Context, string) error
}

// SyncSources makes the store's config-file sources match the config: each
// listed source is added (or updated) with Origin "config", and sources
// the file no longer lists are removed. Sources added from the command
// line, OPML or chat are left alone. Relative paths are made absolute.
func SyncSources(ctx context.Context, store SourceStore, list []config.Source) error {
	want := map[string]bool{}
	for _, s := range list {
		src := feeds.Source{Name: s.Name, URL: s.URL, Path: s.Path, FullText: s.FullText, Origin: bot.OriginConfig}
		if src.Path != "" {
			if abs, err := filepath.Abs(src.Path); err == nil {
				src.Path = abs
			}
		}
		if src.Name == "" {
			src.Name = DefaultSourceName(src)
		}
		want[src.Locator()] = true
		if err := store.AddSource(ctx, src); err != nil {
			return fmt.Errorf("sources from config: %w", err)
		}
	}
	have, err := store.Sources(ctx)
	if err != nil {
		return fmt.Errorf("sources from config: %w", err)
	}
	for _, s := range have {
		if s.Origin == bot.OriginConfig && !want[s.Locator()] {
			if err := store.RemoveSource(ctx, s.Locator()); err != nil && !errors.Is(err, bot.ErrNotFound) {
				return fmt.Errorf("sources from config: %w", err)
			}
		}
	}
	return nil
}

// DefaultSourceName names a source that was given none: the URL's host, or
// the folder's base name.
func DefaultSourceName(s feeds.Source) string {
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err == nil && u.Host != "" {
			return strings.TrimPrefix(u.Hostname(), "www.")
		}
		return s.URL
	}
	return filepath.Base(strings.TrimRight(s.Path, "/"))
}

// Check finds the problems config.Validate cannot see because they belong
// to the parts that use the settings: a storage.dsn the stores cannot
// open ([CheckDSN]), the Slack and Discord adapters' own checks, and
// topics and subscriptions the bot would refuse (it syncs them into a
// throw-away in-memory store). Time zones that do not load are left to
// config.Validate, which names their keys; the bot checks the rest with
// UTC in their place. It makes no network calls and opens nothing.
func Check(ctx context.Context, cfg config.Config) error {
	var errs []error
	if err := CheckDSN(cfg.Storage.DSN); err != nil {
		errs = append(errs, err)
	}
	discard := slog.New(slog.DiscardHandler)
	if cfg.Slack.Enabled() {
		if _, err := slack.New(SlackConfig(cfg.Slack, discard)); err != nil {
			errs = append(errs, err)
		}
	}
	if cfg.Discord.Enabled() {
		if _, err := discord.New(DiscordConfig(cfg.Discord, discard)); err != nil {
			errs = append(errs, err)
		}
	}
	cfg = withoutBadZones(cfg)
	topics, subs, err := Declared(cfg)
	if err != nil {
		errs = append(errs, err)
	}
	if b, err := bot.New(memory.New(), BotConfig(cfg, discard)); err != nil {
		errs = append(errs, err)
	} else if _, err := b.SyncDeclared(ctx, topics, subs); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// withoutBadZones returns cfg with the time zones that do not load
// (schedule.timezone, subscriptions[i].tz) set to UTC and to the default,
// so that config.Validate alone reports them, under their keys, and the
// bot's checks still run on everything else.
func withoutBadZones(cfg config.Config) config.Config {
	if _, err := time.LoadLocation(cfg.Schedule.TimeZone); err != nil || cfg.Schedule.TimeZone == "" {
		cfg.Schedule.TimeZone = "UTC"
	}
	subs := make([]config.Subscription, len(cfg.Subscriptions))
	for i, s := range cfg.Subscriptions {
		if _, err := time.LoadLocation(s.TimeZone); err != nil {
			s.TimeZone = ""
		}
		subs[i] = s
	}
	cfg.Subscriptions = subs
	return cfg
}

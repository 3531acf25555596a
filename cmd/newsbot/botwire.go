package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/jobs"
	"github.com/newsbot/newsbot/storage/sqlite"
)

// botConfig maps the config file's sections onto the bot's own config.
func botConfig(cfg config.Config, log *slog.Logger) bot.Config {
	return bot.Config{
		Window:    cfg.Briefing.Window,
		Budget:    briefing.Budget{Stories: cfg.Briefing.Stories, Sentences: cfg.Briefing.Sentences, Chars: cfg.Briefing.Chars},
		TimeZone:  cfg.Schedule.TimeZone,
		Grace:     cfg.Schedule.Grace,
		PostEmpty: cfg.Schedule.PostEmpty,
		Limits:    postLimits,
		Logger:    log,
	}
}

// postLimits are the posting rates the bot keeps to on its own, below the
// platforms' documented limits (Discord: 50 requests/s per bot; Slack:
// about 1 message/s per channel with bursts, a few hundred a minute per
// workspace). A 429 pauses the platform for its Retry-After either way.
var postLimits = map[string]bot.RateLimit{
	"discord": {PerSecond: 40, Burst: 10},
	"slack":   {PerSecond: 4, Burst: 4},
}

// declared maps the config file's topics and subscriptions onto the bot's
// types.
func declared(cfg config.Config) ([]bot.Topic, []bot.Subscription, error) {
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

// botRuntime is the bot with its store and digest queue, as `chat` (and
// `serve`) run it.
type botRuntime struct {
	store   *sqlite.Store
	bot     *bot.Bot
	queueDB *sql.DB
	queue   *jobs.Queue
}

// startBot opens the store at storage.dsn, makes the bot posting through
// platforms, syncs the config file's topics and subscriptions into the
// store, and prepares the digest queue on the same database. Close it when
// done (after the queue's Run has returned).
func startBot(ctx context.Context, cfg config.Config, log *slog.Logger, platforms ...bot.Platform) (rt *botRuntime, err error) {
	rt = &botRuntime{}
	defer func() {
		if err != nil {
			rt.Close()
		}
	}()
	if rt.store, err = sqlite.Open(ctx, cfg.Storage.DSN, sqlite.Options{Logger: log}); err != nil {
		return nil, err
	}
	if rt.bot, err = bot.New(rt.store, botConfig(cfg, log), platforms...); err != nil {
		return nil, err
	}
	topics, subs, err := declared(cfg)
	if err != nil {
		return nil, err
	}
	rep, err := rt.bot.SyncDeclared(ctx, topics, subs)
	if err != nil {
		return nil, err
	}
	log.Debug("config topics and subscriptions synced", slog.Any("changes", rep))
	if rt.queueDB, err = jobs.OpenSQLite(cfg.Storage.DSN); err != nil {
		return nil, err
	}
	if err = jobs.Migrate(ctx, rt.queueDB, log); err != nil {
		return nil, err
	}
	if rt.queue, err = jobs.New(rt.queueDB, rt.bot, jobs.Config{Logger: log, SoftStopTimeout: shutdownTimeout(cfg)}); err != nil {
		return nil, err
	}
	return rt, nil
}

func shutdownTimeout(cfg config.Config) time.Duration {
	if cfg.HTTP.ShutdownTimeout > 0 {
		return cfg.HTTP.ShutdownTimeout
	}
	return 10 * time.Second
}

// Close closes the queue's database and the store.
func (rt *botRuntime) Close() error {
	var errs []error
	if rt.queueDB != nil {
		errs = append(errs, rt.queueDB.Close())
	}
	if rt.store != nil {
		errs = append(errs, rt.store.Close())
	}
	return errors.Join(errs...)
}

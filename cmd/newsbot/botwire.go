package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/newsbot/newsbot/app"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/jobs"
)

// botRuntime is the bot with its store and digest queue, as `chat` (and
// `serve`) run it.
type botRuntime struct {
	store   app.Store
	bot     *bot.Bot
	queueDB *jobs.DB
	queue   *jobs.Queue
}

// startBot opens the store at storage.dsn, makes the bot posting through
// platforms, syncs the config file's topics and subscriptions into the
// store, and prepares the digest queue on the same database. Close it when
// done (after the queue's Run has returned).
func startBot(ctx context.Context, cfg config.Config, log *slog.Logger, platforms ...bot.Platform) (_ *botRuntime, err error) {
	rt := &botRuntime{}
	defer func() {
		if err != nil {
			rt.Close()
		}
	}()
	if rt.store, err = app.OpenStore(ctx, cfg.Storage.DSN, app.StoreOptions{Logger: log}); err != nil {
		return nil, err
	}
	if rt.bot, err = bot.New(rt.store, app.BotConfig(cfg, log), platforms...); err != nil {
		return nil, err
	}
	topics, subs, err := app.Declared(cfg)
	if err != nil {
		return nil, err
	}
	rep, err := rt.bot.SyncDeclared(ctx, topics, subs)
	if err != nil {
		return nil, err
	}
	log.Debug("config topics and subscriptions synced", slog.Any("changes", rep))
	if rt.queueDB, err = jobs.Open(ctx, cfg.Storage.DSN); err != nil {
		return nil, err
	}
	if err = rt.queueDB.Migrate(ctx, log); err != nil {
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

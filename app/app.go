// Package app wires newsbot's parts into the running service that
// `newsbot serve` starts: the store, feed ingestion, the bot, the durable
// digest queue, the Slack, Discord and console adapters, and one HTTP
// server with the platforms' endpoints, health checks and metrics.
//
// Dependencies point inward: app knows every package; no package knows app.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"github.com/newsbot/newsbot/adapters/console"
	"github.com/newsbot/newsbot/adapters/discord"
	"github.com/newsbot/newsbot/adapters/slack"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/feeds/fetch"
	"github.com/newsbot/newsbot/feeds/poll"
	"github.com/newsbot/newsbot/jobs"
	"github.com/newsbot/newsbot/storage/postgres"
)

// Options configures an [App].
type Options struct {
	// Config is the loaded, validated configuration.
	Config config.Config
	// Logger receives every component's logs (default: discarded).
	Logger *slog.Logger
	// Console, if set, adds a terminal platform that reads commands from
	// Console.In and prints replies and digests to Console.Out.
	Console *ConsoleOptions
	// Listener, if set, serves HTTP on it instead of listening on
	// Config.HTTP.Addr (tests pass 127.0.0.1:0).
	Listener net.Listener
	// Registry receives the metrics (default: a new registry).
	Registry *prometheus.Registry
	// Version is reported as newsbot_build_info{version}.
	Version string
	// PruneEvery is how often old articles are pruned (default 1h).
	PruneEvery time.Duration
	// TakeOverEvery is how often a replica that does not poll the feeds
	// tries to take over (default 15s). On PostgreSQL, one of the
	// processes sharing the database polls the feeds and prunes: the one
	// holding an advisory lock. On SQLite every process does.
	TakeOverEvery time.Duration
	// Now is the clock of ingestion, the bot and the digest planner
	// (default time.Now). Tests move it; the platforms' request signing and
	// the job queue's own timing use the real clock.
	Now func() time.Time
	// Queue tunes the digest queue (zero: its defaults; the logger and
	// soft-stop timeout are filled in from Logger and the config).
	Queue jobs.Config
}

// ConsoleOptions configures serve's terminal platform.
type ConsoleOptions struct {
	In  io.Reader
	Out io.Writer
	// Admin lets the console user change settings.
	Admin bool
}

// App is newsbot serve: every part, wired. Make it with [New], run it with
// [App.Run], then [App.Close] it.
type App struct {
	cfg  config.Config
	log  *slog.Logger
	reg  *prometheus.Registry
	met  *metrics
	opts Options

	store     Store
	tryLock   tryLockFunc // nil: no other process to share ingestion with
	bot       *bot.Bot
	queueDB   *jobs.DB
	queue     *jobs.Queue
	fetcher   *fetch.Client
	poller    *poll.Poller
	slack     *slack.Adapter
	discord   *discord.Adapter
	console   *console.Platform
	platforms []bot.Platform

	ln     net.Listener
	server *http.Server
}

// Interface checks: the bot answers Discord's topic autocomplete.
var _ discord.TopicLister = (*bot.Bot)(nil)

// New opens the store (migrating it), syncs the config file's sources,
// topics and subscriptions into it, and builds every configured part. It
// makes no network calls to Slack or Discord; it does bind the HTTP
// listener, so that a port in use fails here. On error, everything opened
// so far is closed.
func New(ctx context.Context, opts Options) (_ *App, err error) {
	cfg := opts.Config
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	reg := opts.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	a := &App{cfg: cfg, log: log, reg: reg, opts: opts}
	defer func() {
		if err != nil {
			a.Close() // a, not the nil result: close what was opened
		}
	}()
	a.met = newMetrics(reg, opts.Version)

	if a.store, err = OpenStore(ctx, cfg.Storage.DSN, StoreOptions{Logger: log}); err != nil {
		return nil, err
	}
	if pg, ok := a.store.(*postgres.Store); ok {
		a.tryLock = func(ctx context.Context) (heldLock, error) {
			l, err := pg.TryLock(ctx, "ingest")
			if l == nil {
				return nil, err
			}
			return l, nil
		}
	}
	if err = SyncSources(ctx, a.store, cfg.Sources); err != nil {
		return nil, err
	}

	if cfg.Slack.Enabled() {
		if a.slack, err = slack.New(SlackConfig(cfg.Slack, log)); err != nil {
			return nil, err
		}
		a.platforms = append(a.platforms, a.slack)
	}
	if cfg.Discord.Enabled() {
		if a.discord, err = discord.New(DiscordConfig(cfg.Discord, log)); err != nil {
			return nil, err
		}
		a.platforms = append(a.platforms, a.discord)
	}
	if c := opts.Console; c != nil {
		a.console = console.New(c.In, c.Out, console.Options{Admin: c.Admin, Now: opts.Now})
		a.platforms = append(a.platforms, a.console)
	}

	bcfg := BotConfig(cfg, log.With(slog.String("component", "bot")))
	bcfg.Observer = a.met
	bcfg.Now = opts.Now
	if a.bot, err = bot.New(a.store, bcfg, a.platforms...); err != nil {
		return nil, err
	}
	topics, subs, err := Declared(cfg)
	if err != nil {
		return nil, err
	}
	if _, err = a.bot.SyncDeclared(ctx, topics, subs); err != nil {
		return nil, err
	}

	if len(a.platforms) > 0 {
		if a.queueDB, err = jobs.Open(ctx, cfg.Storage.DSN); err != nil {
			return nil, err
		}
		qlog := log
		if err = a.queueDB.Migrate(ctx, qlog); err != nil {
			return nil, err
		}
		qcfg := opts.Queue
		qcfg.Logger = qlog
		qcfg.Now = opts.Now
		if qcfg.SoftStopTimeout <= 0 {
			qcfg.SoftStopTimeout = cfg.HTTP.ShutdownTimeout
		}
		if a.queue, err = jobs.New(a.queueDB, a.bot, qcfg); err != nil {
			return nil, err
		}
		a.met.queueDepth.depth = a.queue.Depth
		a.met.queueDepth.log = log
	}

	flog := log.With(slog.String("component", "feeds"))
	a.fetcher = fetch.New(FetchOptions(cfg.Fetch, flog))
	popts := PollOptions(cfg.Fetch, flog)
	popts.OnResult = a.met.fetchDone
	popts.Now = opts.Now
	if a.poller, err = poll.New(a.store, a.fetcher, popts); err != nil {
		return nil, err
	}

	a.ln = opts.Listener
	if a.ln == nil {
		if a.ln, err = net.Listen("tcp", cfg.HTTP.Addr); err != nil {
			return nil, fmt.Errorf("http.addr: %w", err)
		}
	}
	a.server = &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return a, nil
}

// Addr returns the address the HTTP server listens on.
func (a *App) Addr() string { return a.ln.Addr().String() }

// Handler returns the HTTP handler with every route: /slack/commands and
// /slack/events (when Slack is configured), /discord/interactions (when
// Discord is), /healthz, /readyz and /metrics.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	if a.slack != nil {
		h := a.slack.HTTPHandler(a.bot)
		mux.Handle("POST /slack/commands", h)
		mux.Handle("POST /slack/events", h)
	}
	if a.discord != nil {
		mux.Handle("POST /discord/interactions", a.discord.HTTPHandler(a.bot))
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", a.serveReady)
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{Registry: a.reg}))
	return mux
}

// connector is implemented by adapters that know whether they are
// connected to their platform.
type connector interface{ Connected() bool }

// Ready reports what keeps the service from being ready: the store not
// answering, or a platform not connected. It returns nil when ready.
func (a *App) Ready(ctx context.Context) error {
	var errs []error
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := a.store.Ping(ctx); err != nil {
		errs = append(errs, fmt.Errorf("store: %w", err))
	}
	for _, p := range a.platforms {
		if c, ok := p.(connector); ok && !c.Connected() {
			errs = append(errs, fmt.Errorf("%s: not connected", p.Name()))
		}
	}
	return errors.Join(errs...)
}

func (a *App) serveReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := a.Ready(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "not ready:\n%s\n", err)
		return
	}
	fmt.Fprintln(w, "ready")
}

// Run serves until ctx is done, then shuts down gracefully: the HTTP server
// stops taking requests and lets those in flight finish, the adapters
// finish deferred replies, the queue lets running deliveries finish (an
// interrupted one is retried after a restart), all within
// http.shutdown_timeout. Run returns nil on a clean stop, or the first
// component's failure (after stopping the rest). If the console platform
// is on, the console's input ending (Ctrl-D, "quit") stops the service too.
func (a *App) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	platforms := append([]string{}, a.bot.Platforms()...) // [] rather than null in JSON logs
	a.log.InfoContext(ctx, "newsbot serving", slog.String("addr", a.Addr()),
		slog.Any("platforms", platforms), slog.String("store", config.RedactDSN(a.cfg.Storage.DSN)))
	if len(a.platforms) == 0 {
		a.log.WarnContext(ctx, "no chat platform is configured: newsbot ingests the sources and serves /healthz, /readyz "+
			"and /metrics, but nobody can ask it for news; run newsbot serve --console to answer /news in this terminal, "+
			"or configure slack (slack.bot_token) or discord (discord.bot_token)")
	}

	g.Go(func() error {
		if err := a.server.Serve(a.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		sctx, scancel := context.WithTimeout(context.Background(), a.cfg.HTTP.ShutdownTimeout)
		defer scancel()
		if err := a.server.Shutdown(sctx); err != nil {
			a.log.Warn("http requests still in flight at shutdown were cut off", slog.Any("error", err))
		}
		return nil
	})
	for _, p := range a.platforms {
		g.Go(func() error {
			err := p.Run(gctx, a.bot)
			if p == bot.Platform(a.console) && err == nil {
				cancel() // the console user left: stop serving
			}
			if err != nil {
				return fmt.Errorf("%s: %w", p.Name(), err)
			}
			return nil
		})
	}
	if a.queue != nil {
		g.Go(func() error { return a.queue.Run(gctx) })
	}
	g.Go(func() error { return a.ingest(gctx) })
	err := g.Wait()
	a.log.Info("newsbot stopped")
	return err
}

// ingest polls the feeds and prunes old articles until ctx is done: on
// SQLite always, on PostgreSQL while this process holds the ingestion
// lock, so that replicas sharing the database fetch each feed once.
func (a *App) ingest(ctx context.Context) error {
	work := func(ctx context.Context) error {
		g, gctx := errgroup.WithContext(ctx)
		g.Go(func() error { return a.poller.Run(gctx) })
		g.Go(func() error { a.prune(gctx); return nil })
		return g.Wait()
	}
	if a.tryLock == nil {
		a.met.leader.Set(1)
		return work(ctx)
	}
	every := a.opts.TakeOverEvery
	if every <= 0 {
		every = 15 * time.Second
	}
	setLeader := func(on bool) {
		v := 0.0
		if on {
			v = 1
		}
		a.met.leader.Set(v)
	}
	return runExclusive(ctx, a.tryLock, every, a.log.With(slog.String("component", "feeds")), setLeader, work)
}

// prune deletes articles older than storage.retention, now and then every
// PruneEvery, until ctx is done.
func (a *App) prune(ctx context.Context) {
	every := a.opts.PruneEvery
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := a.store.Prune(ctx, a.opts.Now(), a.cfg.Storage.Retention)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Warn("pruning old articles failed", slog.Any("error", err))
		case n > 0:
			a.log.Info("pruned old articles", slog.Int("articles", n), slog.Duration("retention", a.cfg.Storage.Retention))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close releases everything New opened. Call it after Run has returned.
func (a *App) Close() error {
	var errs []error
	if a.ln != nil {
		// Run's shutdown closed it already if Run ran.
		if err := a.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	if a.fetcher != nil {
		a.fetcher.Close()
	}
	if a.queueDB != nil {
		errs = append(errs, a.queueDB.Close())
	}
	if a.store != nil {
		errs = append(errs, a.store.Close())
	}
	return errors.Join(errs...)
}

// Bot returns the bot (for tests and the demo).
func (a *App) Bot() *bot.Bot { return a.bot }

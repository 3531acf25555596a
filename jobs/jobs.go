// Package jobs runs newsbot's scheduled digests on a durable job queue:
// River (github.com/riverqueue/river) in the same database as the rest of
// newsbot's data: the SQLite file through riversqlite, or PostgreSQL
// through riverpgxv5 (a pgx pool, so that River gets LISTEN/NOTIFY and
// several processes share one queue). See [Open].
//
// A [Queue] ticks: each tick asks the bot which subscription slots are due
// soon ([bot.Bot.Plan]) and inserts one delivery job per (subscription,
// slot), unique by those arguments, scheduled at the slot. A worker runs
// [bot.Bot.Deliver] for the job. Jobs live in the database, so a digest
// whose process died mid-delivery is rescued and retried by the next
// process; the bot's delivery records and the platform's idempotency key
// make the retry post nothing twice. Rate limits snooze a job for the
// platform's Retry-After; other failures retry with exponential back-off.
//
// River and the SQL driver stay inside this package; package bot knows
// nothing of them.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/newsbot/newsbot/bot"
)

// Bot is what the queue needs from the bot; *bot.Bot implements it.
type Bot interface {
	// Platforms names the platforms this process posts to; the queue
	// works only their jobs.
	Platforms() []string
	// Plan returns the deliveries due up to until.
	Plan(ctx context.Context, until time.Time) ([]bot.Due, error)
	// Deliver settles one delivery; see bot.Bot.Deliver.
	Deliver(ctx context.Context, subscriptionID string, scheduled time.Time) error
}

// Defaults of [Config].
const (
	DefaultWorkers           = 20
	DefaultTickInterval      = 30 * time.Second
	DefaultLookahead         = 2 * time.Minute
	DefaultJobTimeout        = 3 * time.Minute
	DefaultFetchCooldown     = 10 * time.Millisecond
	DefaultFetchPollInterval = 50 * time.Millisecond
	DefaultSoftStopTimeout   = 10 * time.Second
	// MaxAttempts bounds a delivery's failed attempts; the bot's grace
	// period normally settles it (as skipped) long before.
	MaxAttempts = 25
)

// Config configures a [Queue]. Zero fields take the defaults.
type Config struct {
	// Workers is how many deliveries run at once per platform.
	Workers int
	// TickInterval is how often the bot is asked for due slots, and
	// Lookahead how far ahead of a slot its job is inserted (it must exceed
	// TickInterval so that no slot is planned late).
	TickInterval time.Duration
	Lookahead    time.Duration
	// JobTimeout bounds one delivery attempt. RescueAfter is how long a
	// job may stay running before it counts as stuck (its process died)
	// and is retried (default JobTimeout + 1m; must exceed JobTimeout).
	JobTimeout  time.Duration
	RescueAfter time.Duration
	// FetchCooldown and FetchPollInterval tune River's job fetching;
	// River's defaults cap throughput near 1,000 jobs/s.
	FetchCooldown     time.Duration
	FetchPollInterval time.Duration
	// SoftStopTimeout is how long Run lets running deliveries finish after
	// its context is done before cancelling them.
	SoftStopTimeout time.Duration
	// Logger receives the queue's logs; River's own go to it at warn level
	// and above (default: discarded).
	Logger *slog.Logger
	// Now is the clock used for planning (default time.Now).
	Now func() time.Time
	// TestOnly turns off River's start-up jitter; for tests.
	TestOnly bool
}

func (c *Config) withDefaults() (Config, error) {
	out := *c
	if out.Workers <= 0 {
		out.Workers = DefaultWorkers
	}
	if out.TickInterval <= 0 {
		out.TickInterval = DefaultTickInterval
	}
	if out.Lookahead <= 0 {
		out.Lookahead = DefaultLookahead
	}
	if out.JobTimeout <= 0 {
		out.JobTimeout = DefaultJobTimeout
	}
	if out.RescueAfter <= 0 {
		out.RescueAfter = out.JobTimeout + time.Minute
	}
	if out.FetchCooldown <= 0 {
		out.FetchCooldown = DefaultFetchCooldown
	}
	if out.FetchPollInterval <= 0 {
		out.FetchPollInterval = DefaultFetchPollInterval
	}
	if out.SoftStopTimeout <= 0 {
		out.SoftStopTimeout = DefaultSoftStopTimeout
	}
	if out.Logger == nil {
		out.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if out.Now == nil {
		out.Now = time.Now
	}
	var errs []error
	if out.Lookahead <= out.TickInterval {
		errs = append(errs, fmt.Errorf("lookahead %s must exceed the tick interval %s", out.Lookahead, out.TickInterval))
	}
	if out.RescueAfter <= out.JobTimeout {
		errs = append(errs, fmt.Errorf("rescue-after %s must exceed the job timeout %s", out.RescueAfter, out.JobTimeout))
	}
	return out, errors.Join(errs...)
}

// DeliveryArgs are a delivery job's arguments: one subscription slot.
// Jobs are unique by them.
type DeliveryArgs struct {
	SubscriptionID string    `json:"subscription_id"`
	Scheduled      time.Time `json:"scheduled"`
}

// Kind implements river.JobArgs.
func (DeliveryArgs) Kind() string { return "newsbot_digest_delivery" }

// QueueName returns the River queue of a platform's deliveries.
func QueueName(platform string) string { return "digests_" + platform }

func insertOpts(d bot.Due) *river.InsertOpts {
	return &river.InsertOpts{
		Queue:       QueueName(d.Platform),
		ScheduledAt: d.Scheduled,
		MaxAttempts: MaxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
}

// riverClient is what the queue uses of a River client; river.Client
// implements it whatever its driver's transaction type.
type riverClient interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// Queue plans and runs digest deliveries. It is safe for concurrent use.
type Queue struct {
	db     *DB
	client riverClient
	bot    Bot
	cfg    Config
	log    *slog.Logger
}

// New returns a queue over db (opened with [Open] and migrated with
// [DB.Migrate]) delivering through b. It returns an error for an invalid
// config or a bot without platforms.
func New(db *DB, b Bot, cfg Config) (*Queue, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("jobs config: %w", err)
	}
	platforms := b.Platforms()
	if len(platforms) == 0 {
		return nil, errors.New("jobs: the bot has no platforms to deliver to")
	}
	if db == nil {
		return nil, errors.New("jobs: no database")
	}
	log := cfg.Logger.With(slog.String("component", "jobs"))
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &deliveryWorker{bot: b, log: log}); err != nil {
		return nil, fmt.Errorf("jobs: add worker: %w", err)
	}
	queues := make(map[string]river.QueueConfig, len(platforms))
	for _, p := range platforms {
		queues[QueueName(p)] = river.QueueConfig{MaxWorkers: cfg.Workers}
	}
	rcfg := &river.Config{
		Queues:               queues,
		Workers:              workers,
		Logger:               slog.New(minLevel{h: cfg.Logger.Handler(), min: slog.LevelWarn}).With(slog.String("component", "river")),
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchCooldown:        cfg.FetchCooldown,
		FetchPollInterval:    cfg.FetchPollInterval,
		MaxAttempts:          MaxAttempts,
		TestOnly:             cfg.TestOnly,
	}
	var client riverClient
	if db.pool != nil {
		client, err = newClient(riverpgxv5.New(db.pool), rcfg)
	} else {
		client, err = newClient(riversqlite.New(db.sql), rcfg)
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: river client: %w", err)
	}
	return &Queue{db: db, client: client, bot: b, cfg: cfg, log: log}, nil
}

func newClient[TTx any](d riverdriver.Driver[TTx], cfg *river.Config) (riverClient, error) {
	return river.NewClient(d, cfg)
}

// Run starts working deliveries and ticks the planner until ctx is done.
// Then it stops taking new jobs, lets running deliveries finish for up to
// Config.SoftStopTimeout, cancels the rest (they are retried by the next
// process) and returns nil on a clean stop.
func (q *Queue) Run(ctx context.Context) error {
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	q.log.InfoContext(ctx, "digest queue started", slog.Any("queues", q.bot.Platforms()))
	tick := time.NewTicker(q.cfg.TickInterval)
	defer tick.Stop()
	for {
		if _, err := q.Tick(ctx); err != nil && ctx.Err() == nil {
			q.log.ErrorContext(ctx, "planning digests failed; retrying at the next tick", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return q.stop()
		case <-tick.C:
		}
	}
}

func (q *Queue) stop() error {
	soft, cancel := context.WithTimeout(context.Background(), q.cfg.SoftStopTimeout)
	defer cancel()
	err := q.client.Stop(soft)
	if errors.Is(err, context.DeadlineExceeded) {
		q.log.Warn("deliveries still running at shutdown; cancelling them (they are retried after restart)")
		hard, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = q.client.StopAndCancel(hard)
	}
	if err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}

// Depth returns how many delivery jobs are waiting or running, by River
// job state ("available", "scheduled", "retryable", "running"). States with
// no job are present with 0.
func (q *Queue) Depth(ctx context.Context) (map[string]int, error) {
	depth := map[string]int{"available": 0, "scheduled": 0, "retryable": 0, "running": 0}
	rows, err := q.db.sql.QueryContext(ctx, `SELECT state, count(*) FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable', 'running') GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("jobs: depth: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("jobs: depth: %w", err)
		}
		depth[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: depth: %w", err)
	}
	return depth, nil
}

// Tick plans once: it inserts a job for every slot due within the
// lookahead and returns how many were new.
func (q *Queue) Tick(ctx context.Context) (int, error) {
	dues, err := q.bot.Plan(ctx, q.cfg.Now().Add(q.cfg.Lookahead))
	if err != nil {
		return 0, err
	}
	return q.Enqueue(ctx, dues)
}

// enqueueBatch is how many jobs one insert transaction carries.
const enqueueBatch = 500

// Enqueue inserts a delivery job per due slot, skipping slots that already
// have one, and returns how many it inserted.
func (q *Queue) Enqueue(ctx context.Context, dues []bot.Due) (int, error) {
	// River refuses a batch holding one unique key twice.
	seen := make(map[DeliveryArgs]bool, len(dues))
	uniq := dues[:0:0]
	for _, d := range dues {
		k := DeliveryArgs{SubscriptionID: d.SubscriptionID, Scheduled: d.Scheduled.UTC()}
		if !seen[k] {
			seen[k] = true
			uniq = append(uniq, d)
		}
	}
	dues = uniq
	inserted := 0
	for start := 0; start < len(dues); start += enqueueBatch {
		batch := dues[start:min(start+enqueueBatch, len(dues))]
		params := make([]river.InsertManyParams, len(batch))
		for i, d := range batch {
			params[i] = river.InsertManyParams{
				Args:       DeliveryArgs{SubscriptionID: d.SubscriptionID, Scheduled: d.Scheduled.UTC()},
				InsertOpts: insertOpts(d),
			}
		}
		res, err := q.client.InsertMany(ctx, params)
		if err != nil {
			return inserted, fmt.Errorf("jobs: insert deliveries: %w", err)
		}
		for _, r := range res {
			if !r.UniqueSkippedAsDuplicate {
				inserted++
			}
		}
	}
	if inserted > 0 {
		q.log.DebugContext(ctx, "digest deliveries enqueued", slog.Int("jobs", inserted), slog.Int("due", len(dues)))
	}
	return inserted, nil
}

// deliveryWorker runs one delivery job.
type deliveryWorker struct {
	river.WorkerDefaults[DeliveryArgs]
	bot Bot
	log *slog.Logger
}

// Work implements river.Worker.
func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[DeliveryArgs]) error {
	err := w.bot.Deliver(ctx, job.Args.SubscriptionID, job.Args.Scheduled)
	var rl *bot.RateLimitError
	if errors.As(err, &rl) {
		return river.JobSnooze(max(rl.RetryAfter, time.Second))
	}
	if err != nil {
		w.log.WarnContext(ctx, "delivery failed; retrying with back-off", slog.String("subscription", job.Args.SubscriptionID),
			slog.Time("scheduled", job.Args.Scheduled), slog.Int("attempt", job.Attempt), slog.Any("error", err))
	}
	return err
}

// NextRetry implements river.Worker: 5 s doubling per attempt, at most 5
// minutes, so that a short outage delays a digest by seconds, not hours.
func (w *deliveryWorker) NextRetry(job *river.Job[DeliveryArgs]) time.Time {
	return time.Now().Add(Backoff(job.Attempt))
}

// Backoff returns the wait before retry number attempt (1-based).
func Backoff(attempt int) time.Duration {
	const base, ceiling = 5 * time.Second, 5 * time.Minute
	if attempt < 1 {
		attempt = 1
	}
	if attempt > 7 {
		return ceiling
	}
	return min(base<<(attempt-1), ceiling)
}

// minLevel drops records below min.
type minLevel struct {
	h   slog.Handler
	min slog.Level
}

// Enabled implements slog.Handler.
func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.h.Enabled(ctx, l)
}

// Handle implements slog.Handler.
func (m minLevel) Handle(ctx context.Context, r slog.Record) error { return m.h.Handle(ctx, r) }

// WithAttrs implements slog.Handler.
func (m minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h: m.h.WithAttrs(as), min: m.min}
}

// WithGroup implements slog.Handler.
func (m minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h: m.h.WithGroup(name), min: m.min}
}

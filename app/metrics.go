package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/feeds/poll"
)

// metrics holds newsbot's Prometheus collectors. Every name starts with
// newsbot_.
type metrics struct {
	commands   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	digests    *prometheus.CounterVec
	limited    *prometheus.CounterVec
	limitWait  *prometheus.CounterVec
	fetches    *prometheus.CounterVec
	ingested   prometheus.Counter
	leader     prometheus.Gauge
	queueDepth *queueCollector
}

// newMetrics registers newsbot's collectors, plus the Go runtime and
// process collectors, on reg.
func newMetrics(reg prometheus.Registerer, version string) *metrics {
	m := &metrics{
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsbot_commands_total",
			Help: "Commands answered, by platform, verb and outcome (ok, user_error, refused, error).",
		}, []string{"platform", "verb", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "newsbot_reply_duration_seconds",
			Help:    "Time the bot took to answer a command, by platform.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"platform"}),
		digests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsbot_digests_total",
			Help: "Scheduled digest delivery attempts, by platform and outcome (posted, empty, skipped, failed, retry).",
		}, []string{"platform", "outcome"}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsbot_platform_rate_limited_total",
			Help: "Digest posts a platform answered with a rate limit (429), by platform; the bot waited and retried.",
		}, []string{"platform"}),
		limitWait: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsbot_platform_rate_limit_wait_seconds_total",
			Help: "Seconds platforms asked the bot to wait (Retry-After) after a rate limit, by platform.",
		}, []string{"platform"}),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsbot_feed_fetches_total",
			Help: "Source fetches, by outcome (ok, not_modified, error, skipped).",
		}, []string{"outcome"}),
		ingested: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "newsbot_articles_ingested_total",
			Help: "New articles stored.",
		}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "newsbot_ingest_leader",
			Help: "1 while this process polls the feeds and prunes old articles (on PostgreSQL one replica at a time does), else 0.",
		}),
		queueDepth: &queueCollector{desc: prometheus.NewDesc("newsbot_queue_jobs",
			"Digest delivery jobs waiting or running, by state (available, scheduled, retryable, running).",
			[]string{"state"}, nil)},
	}
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "newsbot_build_info",
		Help:        "Always 1; the version label says which newsbot is running.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	info.Set(1)
	reg.MustRegister(m.commands, m.latency, m.digests, m.limited, m.limitWait, m.fetches, m.ingested, m.leader, m.queueDepth, info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// CommandDone implements bot.Observer.
func (m *metrics) CommandDone(platform, verb, outcome string, took time.Duration) {
	m.commands.WithLabelValues(platform, verb, outcome).Inc()
	m.latency.WithLabelValues(platform).Observe(took.Seconds())
}

// DeliveryDone implements bot.Observer.
func (m *metrics) DeliveryDone(platform, outcome string) {
	m.digests.WithLabelValues(platform, outcome).Inc()
}

// RateLimited implements bot.RateLimitObserver.
func (m *metrics) RateLimited(platform string, retryAfter time.Duration) {
	m.limited.WithLabelValues(platform).Inc()
	m.limitWait.WithLabelValues(platform).Add(retryAfter.Seconds())
}

var (
	_ bot.Observer          = (*metrics)(nil)
	_ bot.RateLimitObserver = (*metrics)(nil)
)

// fetchDone counts one source's turn (poll.Options.OnResult).
func (m *metrics) fetchDone(r poll.Result) {
	outcome := "ok"
	switch {
	case r.Skipped:
		outcome = "skipped"
	case r.Err != nil:
		outcome = "error"
	case r.NotModified:
		outcome = "not_modified"
	}
	m.fetches.WithLabelValues(outcome).Inc()
	if r.Added > 0 {
		m.ingested.Add(float64(r.Added))
	}
}

// queueCollector reads the job queue's depth when Prometheus scrapes.
type queueCollector struct {
	desc  *prometheus.Desc
	depth func(context.Context) (map[string]int, error)
	log   *slog.Logger
}

// Describe implements prometheus.Collector.
func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	if c.depth == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	d, err := c.depth(ctx)
	if err != nil {
		if c.log != nil {
			c.log.Warn("reading the queue depth for metrics failed", slog.Any("error", err))
		}
		return
	}
	for state, n := range d {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), state)
	}
}

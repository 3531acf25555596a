package app_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/newsbot/newsbot/app"
	"github.com/newsbot/newsbot/storage/postgres/pgtest"
)

// metric returns the value of the sample named exactly name (with its
// labels) in a /metrics page, or 0 if it is absent.
func metric(t *testing.T, page, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(page)
	if m == nil {
		return 0
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// TestReplicasShareOnePostgres runs two newsbots on one PostgreSQL
// database, as a team with two replicas behind a load balancer does: both
// answer /news, each channel gets exactly one digest, only one of them
// polls the feed (one fetch per interval), and when it stops the other
// takes over.
func TestReplicasShareOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: starts two services")
	}
	dsn := pgtest.Schema(t, "app_test")
	e := newE2E(t)
	e.cfg.Storage.DSN = dsn
	const interval = time.Second
	e.cfg.Fetch.Interval, e.cfg.Fetch.MinInterval = interval, interval
	// The slot comes 4 s after the start and is planned a second before,
	// so that the feed is in the store and both replicas run by then.
	e.jumpTo(e.slot.Add(-4 * time.Second))
	e.tune = func(o *app.Options) {
		o.TakeOverEvery = 200 * time.Millisecond
		o.Queue.Lookahead = time.Second
	}
	logs := &syncBuf{}
	defer func() {
		if t.Failed() {
			t.Logf("newsbot logs:\n%s", logs.String())
		}
	}()
	// The digests are held at the platforms' doors until both replicas
	// have answered /news, so that both queues plan the due slots while
	// they are in flight.
	e.slackG.close()
	e.discG.close()

	ctxA, stopA := context.WithCancel(context.Background())
	defer stopA()
	a, doneA := e.start(t, ctxA, logs)
	baseA := "http://" + a.Addr()
	waitFor(t, 10*time.Second, "replica A to poll the feeds", func() bool {
		return metric(t, get(t, baseA+"/metrics"), "newsbot_ingest_leader") == 1
	})
	ctxB, stopB := context.WithCancel(context.Background())
	defer stopB()
	b, doneB := e.start(t, ctxB, logs)
	baseB := "http://" + b.Addr()

	// Both answer /news.
	for _, base := range []string{baseA, baseB} {
		if reply := e.askSlack(t, base); !strings.Contains(reply, g20Headline) {
			t.Errorf("%s: no G20 story in %s", base, reply)
		}
	}

	// Each channel gets exactly one digest, though both replicas plan it.
	for i := 0; i < 2; i++ {
		select {
		case <-e.slackG.arrived:
		case <-e.discG.arrived:
		case <-time.After(15 * time.Second):
			t.Fatalf("digests posted: %d of 2 after 15s", i)
		}
	}
	e.slackG.release()
	e.discG.release()
	waitFor(t, 5*time.Second, "the digests to land", func() bool {
		return len(e.slack.Messages(slackChannel)) == 1 && len(e.discord.Messages(discordChan)) == 1
	})

	// Only A polls: the feed is fetched once per interval, not twice.
	fetches := func() int { return e.feed.Counts("/world.xml").Total }
	const span = 4 * interval
	before := fetches()
	time.Sleep(span)
	if n := fetches() - before; n < 2 || n > 5 {
		t.Errorf("the feed was fetched %d times in %s with a %s interval; want about 4 (8 means both replicas poll)", n, span, interval)
	}
	pageA, pageB := get(t, baseA+"/metrics"), get(t, baseB+"/metrics")
	if metric(t, pageA, "newsbot_ingest_leader") != 1 || metric(t, pageB, "newsbot_ingest_leader") != 0 {
		t.Errorf("newsbot_ingest_leader: A %v, B %v; want 1 and 0",
			metric(t, pageA, "newsbot_ingest_leader"), metric(t, pageB, "newsbot_ingest_leader"))
	}
	if n := metric(t, pageB, `newsbot_feed_fetches_total{outcome="ok"}`) + metric(t, pageB, `newsbot_feed_fetches_total{outcome="not_modified"}`); n != 0 {
		t.Errorf("replica B fetched %v times while A polled", n)
	}

	// A stops; B takes over the polling, still once per interval.
	stopA()
	if err := <-doneA; err != nil {
		t.Errorf("replica A's Run = %v", err)
	}
	a.Close()
	waitFor(t, 5*time.Second, "replica B to take over the polling", func() bool {
		return metric(t, get(t, baseB+"/metrics"), "newsbot_ingest_leader") == 1
	})
	before = fetches()
	time.Sleep(span)
	if n := fetches() - before; n < 2 || n > 5 {
		t.Errorf("after the take-over the feed was fetched %d times in %s; want about 4", n, span)
	}
	if !strings.Contains(logs.String(), "another replica polls the feeds; this one stands by") {
		t.Error("replica B never logged that it stood by")
	}
	stopB()
	if err := <-doneB; err != nil {
		t.Errorf("replica B's Run = %v", err)
	}
	b.Close()

	// One delivery job per (subscription, slot), whichever replica
	// planned it first.
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var jobs int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'newsbot_digest_delivery'`).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if jobs != 2 {
		t.Errorf("%d delivery jobs in River, want 2 (one per channel's slot)", jobs)
	}
	if n := len(e.slack.Messages(slackChannel)); n != 1 {
		t.Errorf("Slack channel has %d digests, want exactly 1", n)
	}
	if n := len(e.discord.Messages(discordChan)); n != 1 {
		t.Errorf("Discord channel has %d digests, want exactly 1", n)
	}
}

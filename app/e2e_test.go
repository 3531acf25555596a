package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/newsbot/newsbot/adapters/discord/discordfake"
	"github.com/newsbot/newsbot/adapters/slack/slackfake"
	"github.com/newsbot/newsbot/app"
	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/feeds/feedtest"
	"github.com/newsbot/newsbot/jobs"
)

const (
	signingSecret = "e2e-signing-secret"
	slackChannel  = "C0NEWS"
	discordChan   = "200"
	g20Headline   = "Trump and Putin to meet at G20 summit in Hamburg"
)

// gate is a reverse proxy in front of a fake platform. While closed it
// holds the posts it matches, then forwards them even if the bot gave up
// waiting: the platform got the message but the bot never heard back, the
// hardest case for exactly-once delivery.
type gate struct {
	proxy *httputil.ReverseProxy
	match func(*http.Request) bool

	mu      sync.Mutex
	closed  bool
	held    int
	arrived chan struct{}
	open    chan struct{}
}

func newGate(t *testing.T, target string, match func(*http.Request) bool) (*gate, string) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{proxy: httputil.NewSingleHostReverseProxy(u), match: match, arrived: make(chan struct{}, 16), open: make(chan struct{})}
	srv := &http.Server{Handler: g}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return g, "http://" + ln.Addr().String()
}

func (g *gate) close() { g.mu.Lock(); g.closed = true; g.mu.Unlock() }

// release forwards the held posts and lets later ones through.
func (g *gate) release() {
	g.mu.Lock()
	g.closed = false
	g.mu.Unlock()
	close(g.open)
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	hold := g.closed && g.match(r)
	if hold {
		g.held++
	}
	g.mu.Unlock()
	if hold {
		body, _ := io.ReadAll(r.Body)
		g.arrived <- struct{}{}
		<-g.open
		// Forward what the bot sent, whether or not it still waits.
		r = r.Clone(context.WithoutCancel(r.Context()))
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &discardWriter{h: http.Header{}}
		g.proxy.ServeHTTP(rec, r)
		if rec.status != 0 {
			w.WriteHeader(rec.status)
		}
		return
	}
	g.proxy.ServeHTTP(w, r)
}

type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(s int)           { d.status = s }

// e2e is one test's world: fake Slack, fake Discord, a feed server, and the
// config of a newsbot serving them.
type e2e struct {
	slack   *slackfake.Server
	discord *discordfake.Server
	signer  *discordfake.Signer
	slackG  *gate
	discG   *gate
	feed    *feedtest.Server
	cfg     config.Config
	now     func() time.Time
	slot    time.Time    // the digest slot, on the test clock
	offset  atomic.Int64 // test clock minus real clock, in ns
	// tune, if set, adjusts each newsbot's options before it starts.
	tune func(*app.Options)
}

// jumpTo sets the test clock to t.
func (e *e2e) jumpTo(t time.Time) { e.offset.Store(int64(t.Sub(time.Now()))) }

func newE2E(t *testing.T) *e2e {
	t.Helper()
	e := &e2e{slack: slackfake.Start(t), discord: discordfake.New(t), signer: discordfake.NewSigner()}
	var slackURL, discordURL string
	e.slackG, slackURL = newGate(t, e.slack.URL(), func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/chat.postMessage") })
	e.discG, discordURL = newGate(t, e.discord.URL(), func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/v9/channels/")
	})

	// The clock of ingestion, the bot and the planner runs a day behind,
	// ten minutes before the digest slot; the test moves it to just before
	// the slot once the feed is in. The slot is then in the queue's (real)
	// past, so its delivery runs as soon as it is planned.
	slot := time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Minute).Add(time.Minute)
	e.slot = slot
	e.jumpTo(slot.Add(-10 * time.Minute))
	e.now = func() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) }

	feed := feedtest.NewServer()
	t.Cleanup(feed.Close)
	e.feed = feed
	pub := e.now().Add(-time.Hour)
	feed.Set("/world.xml", feedtest.Feed{Body: feedtest.RSS("Wire", "https://wire.example/", feedtest.Item{
		GUID: "https://wire.example/g20", Link: "https://wire.example/g20", Title: g20Headline, Published: pub,
		Description: "<p>Donald Trump and Vladimir Putin will meet at the G20 summit in Hamburg on Friday, the White House said.</p>" +
			"<p>The two leaders spoke by telephone on Tuesday about Syria and North Korea. " +
			"Officials said the meeting would last about an hour. Protests are expected near the venue.</p>",
	}, feedtest.Item{
		GUID: "https://wire.example/rates", Link: "https://wire.example/rates", Title: "Central bank holds interest rates", Published: pub,
		Description: "<p>The central bank kept its main interest rate unchanged on Wednesday, citing slowing inflation.</p>",
	})})

	cfg, err := config.Load(writeConfig(t, fmt.Sprintf(`
http:
  shutdown_timeout: 1s
storage:
  dsn: %q
sources:
  - name: Wire
    url: %q
fetch:
  allow_private: true
topics:
  - channel: "slack:%s"
    name: g20
    query: g20
  - channel: "discord:%s"
    name: g20
    query: g20
subscriptions:
  - channel: "slack:%s"
    topic: g20
    at: %q
    tz: UTC
  - channel: "discord:%s"
    topic: g20
    at: %q
    tz: UTC
slack:
  bot_token: xoxb-e2e-token
  signing_secret: %s
  api_url: %s/api/
discord:
  bot_token: e2e-discord-token
  application_id: "1"
  public_key: %s
  api_url: %s/api/v9/
`, filepath.Join(t.TempDir(), "newsbot.db"), feed.URL("/world.xml"),
		slackChannel, discordChan, slackChannel, slot.Format("15:04"), discordChan, slot.Format("15:04"),
		signingSecret, slackURL, e.signer.PublicKeyHex(), discordURL)))
	if err != nil {
		t.Fatal(err)
	}
	e.cfg = cfg
	return e
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "newsbot.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// start runs a newsbot on loopback until ctx is done; the returned channel
// yields Run's result.
func (e *e2e) start(t *testing.T, ctx context.Context, logs io.Writer) (*app.App, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.cfg
	cfg.Log.Level, cfg.Log.Format = "debug", "text"
	opts := app.Options{
		Config: cfg, Logger: app.NewLogger(logs, cfg),
		Listener: ln, Now: e.now,
		Queue: jobs.Config{TickInterval: 200 * time.Millisecond, Lookahead: time.Minute, TestOnly: true},
	}
	if e.tune != nil {
		e.tune(&opts)
	}
	a, err := app.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	return a, done
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

func waitFor(t *testing.T, timeout time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// askSlack sends a signed `/news g20` to the newsbot at base until the
// answer (the response, and what reached the response_url since the first
// try) holds the G20 story, and returns it.
func (e *e2e) askSlack(t *testing.T, base string) string {
	t.Helper()
	var reply string
	// Answers sent to the response_url before now came from elsewhere.
	calls := len(e.slack.Calls(slackfake.MethodResponseURL))
	waitFor(t, 10*time.Second, "a Slack briefing with the G20 story from "+base, func() bool {
		form := e.slack.SlashCommand("g20")
		req, err := slackfake.SignedSlashCommand(base+"/slack/commands", signingSecret, time.Now(), form)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if took := time.Since(start); took > 2500*time.Millisecond {
			t.Fatalf("Slack waited %s for the answer; it gives up at 3s", took)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("signed /news g20: %d %s", resp.StatusCode, body)
		}
		reply = string(body)
		for _, c := range e.slack.Calls(slackfake.MethodResponseURL)[calls:] {
			reply += string(c.JSON)
		}
		return strings.Contains(reply, g20Headline)
	})
	return reply
}

// TestServeEndToEnd runs the real serve wiring on loopback against fakes of
// Slack, Discord and a feed server: ingest, /news g20 on both platforms, a
// scheduled digest on both, SIGTERM while both digests are in flight, a
// restart, and exactly one digest per channel.
func TestServeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: starts the whole service twice")
	}
	e := newE2E(t)
	logs := &syncBuf{}
	defer func() {
		if t.Failed() {
			t.Logf("newsbot logs:\n%s", logs.String())
		}
	}()
	// SIGTERM reaches this test as it reaches `newsbot serve`: through
	// signal.NotifyContext.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	e.slackG.close()
	e.discG.close()
	a, done := e.start(t, ctx, logs)
	base := "http://" + a.Addr()

	// Health and readiness.
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s = %d", path, resp.StatusCode)
		}
	}

	// /news g20 on Slack, once the feed is ingested.
	slackReply := e.askSlack(t, base)
	if !strings.Contains(slackReply, "in_channel") {
		t.Errorf("the briefing is not shown to the channel: %s", slackReply)
	}

	// A forged Slack request changes nothing.
	form := e.slack.SlashCommand("topic add evil evil")
	req, _ := slackfake.SignedSlashCommand(base+"/slack/commands", "wrong-secret", time.Now(), form)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged request: %v %v", resp, err)
	}

	// Metrics count what happened.
	metrics := get(t, base+"/metrics")
	for _, want := range []string{
		`newsbot_commands_total{outcome="ok",platform="slack",verb="brief"}`,
		`newsbot_feed_fetches_total{outcome="ok"}`,
		`newsbot_articles_ingested_total 2`,
		`newsbot_reply_duration_seconds_count{platform="slack"}`,
		`newsbot_queue_jobs{state=`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// /news brief query:g20 on Discord.
	in := discordfake.News(discordfake.Sub("brief", discordfake.Str("query", "g20")))
	in.ChannelID = discordChan
	status, body, err := e.discord.Deliver(context.Background(), base+"/discord/interactions", e.signer, in.JSON())
	if err != nil || status != http.StatusOK {
		t.Fatalf("discord interaction: %d %s %v", status, body, err)
	}
	var resp struct {
		Type int `json:"type"`
	}
	json.Unmarshal(body, &resp)
	discordReply := string(body)
	if resp.Type == 5 { // deferred: the edited original holds the briefing
		waitFor(t, 5*time.Second, "the deferred Discord reply", func() bool {
			calls := e.discord.CallsTo("PATCH webhooks/{app}/{token}/messages/@original")
			return len(calls) > 0
		})
		for _, c := range e.discord.Calls() {
			discordReply += string(c.Body)
		}
	}
	if !strings.Contains(discordReply, g20Headline) || !strings.Contains(discordReply, `"allowed_mentions":{"parse":[]`) {
		t.Errorf("Discord reply lacks the G20 story or safe mentions: %s", discordReply)
	}

	// The digest slot comes (the lookahead plans it now); both posts reach
	// the platforms' doors and are held there.
	// SIGTERM then: newsbot stops within its shutdown timeout, without
	// hearing back from either platform.
	e.jumpTo(e.slot.Add(-time.Second))
	for i := 0; i < 2; i++ {
		select {
		case <-e.slackG.arrived:
		case <-e.discG.arrived:
		case <-time.After(15 * time.Second):
			t.Fatalf("digests in flight: %d of 2 after 15s", i)
		}
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after SIGTERM = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("newsbot did not stop within 10s of SIGTERM")
	}
	a.Close()
	e.slackG.release() // the platforms receive what was in flight
	e.discG.release()
	waitFor(t, 5*time.Second, "the held posts to land", func() bool {
		return len(e.slack.Messages(slackChannel)) == 1 && len(e.discord.Messages(discordChan)) == 1
	})

	// Restart: the interrupted deliveries are retried, and must not post a
	// second digest anywhere.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	a2, done2 := e.start(t, ctx2, logs)
	waitFor(t, 30*time.Second, "the retried deliveries to settle", func() bool {
		return strings.Count(logs.String(), "digest was posted before an interruption") >= 1 &&
			strings.Count(logs.String(), `msg="digest posted"`) >= 2
	})
	cancel2()
	if err := <-done2; err != nil {
		t.Errorf("second Run = %v", err)
	}
	a2.Close()

	// No secret reached the logs, even at debug level.
	for _, secret := range []string{"xoxb-e2e-token", signingSecret, "e2e-discord-token", "fake-interaction-token"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the logs show a secret: %s", secret)
		}
	}
	if n := len(e.slack.Messages(slackChannel)); n != 1 {
		t.Errorf("Slack channel has %d digests, want exactly 1", n)
	}
	if n := len(e.discord.Messages(discordChan)); n != 1 {
		t.Errorf("Discord channel has %d digests, want exactly 1", n)
	}
	for _, m := range e.slack.Messages(slackChannel) {
		if !strings.Contains(string(m.Blocks), g20Headline) {
			t.Errorf("the Slack digest lacks the G20 story: %s", m.Blocks)
		}
	}
	for _, m := range e.discord.Messages(discordChan) {
		if !strings.Contains(string(m.Body), g20Headline) {
			t.Errorf("the Discord digest lacks the G20 story: %s", m.Body)
		}
	}
}

package slack_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/newsbot/newsbot/adapters/slack"
	"github.com/newsbot/newsbot/adapters/slack/slackfake"
	"github.com/newsbot/newsbot/bot"
)

// signedBodies pre-signs n distinct slash commands (each needs its own
// signature: the endpoint refuses replays), so the benchmark measures the
// endpoint, not the client's HMAC.
func signedBodies(fake *slackfake.Server, n int, text string) (bodies [][]byte, ts []string, sigs []string) {
	now := time.Now()
	base := fake.SlashCommand(text)
	for i := range n {
		f := url.Values{}
		for k, v := range base {
			f[k] = v
		}
		f.Set("trigger_id", strconv.Itoa(i))
		f.Set("user_id", "U"+strconv.Itoa(i%50)) // 50 users: users.info cache hits
		body := []byte(f.Encode())
		bodies = append(bodies, body)
		ts = append(ts, strconv.FormatInt(now.Unix(), 10))
		sigs = append(sigs, slackfake.Sign(testSecret, now.Unix(), body))
	}
	return bodies, ts, sigs
}

func benchAdapter(b *testing.B, fake *slackfake.Server) *slack.Adapter {
	a, err := slack.New(slack.Config{
		BotToken: testToken, SigningSecret: testSecret, APIURL: fake.APIURL(),
		Logger: slog.New(slog.DiscardHandler), AdminCacheTTL: time.Hour,
	})
	if err != nil {
		b.Fatal(err)
	}
	return a
}

var benchReplies = map[string]bot.Handler{
	// help: a short ephemeral text reply, the cheapest answer.
	"help": bot.HandlerFunc(func(context.Context, bot.Command) (bot.Reply, error) {
		return bot.Reply{Text: "Usage: `/news <query>`\n• `/news g20`", Ephemeral: true}, nil
	}),
	// briefing: the G20 briefing rendered to Block Kit inline.
	"briefing": bot.HandlerFunc(func(context.Context, bot.Command) (bot.Reply, error) {
		return bot.Reply{Briefing: g20()}, nil
	}),
}

// BenchmarkCommandEndpoint measures the /slack/commands handler in
// process: read the body, verify the signature, refuse replays, parse, run
// a ready handler and write the reply.
//
//	go test ./adapters/slack -run '^$' -bench CommandEndpoint -benchmem -cpu 1,2
func BenchmarkCommandEndpoint(b *testing.B) {
	for _, name := range []string{"help", "briefing"} {
		b.Run(name, func(b *testing.B) {
			fake := slackfake.New()
			defer fake.Close()
			h := benchAdapter(b, fake).HTTPHandler(benchReplies[name])
			bodies, ts, sigs := signedBodies(fake, b.N, "g20")
			var next int64
			var mu sync.Mutex
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			defer func() { b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/1000/float64(b.N), "cpu-µs/op") }()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					mu.Lock()
					i := next
					next++
					mu.Unlock()
					req := httptest.NewRequest(http.MethodPost, slack.CommandsPath, bytes.NewReader(bodies[i]))
					req.Header.Set("X-Slack-Request-Timestamp", ts[i])
					req.Header.Set("X-Slack-Signature", sigs[i])
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
			})
		})
	}
}

// BenchmarkCommandEndpointHTTP measures the endpoint over loopback HTTP
// with 16 concurrent clients, and reports throughput and latency
// percentiles as seen by the clients.
//
//	go test ./adapters/slack -run '^$' -bench CommandEndpointHTTP -benchtime 20000x -cpu 2
func BenchmarkCommandEndpointHTTP(b *testing.B) {
	for _, name := range []string{"help", "briefing"} {
		b.Run(name, func(b *testing.B) {
			fake := slackfake.New()
			defer fake.Close()
			srv := httptest.NewServer(benchAdapter(b, fake).HTTPHandler(benchReplies[name]))
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			bodies, ts, sigs := signedBodies(fake, b.N, "g20")
			target := srv.URL + slack.CommandsPath
			var (
				mu        sync.Mutex
				next      int
				latencies = make([]time.Duration, 0, b.N)
			)
			b.SetParallelism(8) // 8 x GOMAXPROCS client goroutines
			b.ResetTimer()
			cpu0 := cpuTime()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				local := make([]time.Duration, 0, 1024)
				for pb.Next() {
					mu.Lock()
					i := next
					next++
					mu.Unlock()
					req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(bodies[i]))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("X-Slack-Request-Timestamp", ts[i])
					req.Header.Set("X-Slack-Signature", sigs[i])
					t0 := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					local = append(local, time.Since(t0))
					if resp.StatusCode != http.StatusOK {
						b.Fatalf("status %d", resp.StatusCode)
					}
				}
				mu.Lock()
				latencies = append(latencies, local...)
				mu.Unlock()
			})
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/req")
			slices.Sort(latencies)
			pct := func(p float64) float64 {
				return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(pct(1), "max-ms")
			if testing.Verbose() {
				fmt.Printf("%s: %d requests in %v\n", name, b.N, elapsed)
			}
		})
	}
}

// BenchmarkCommandEndpointOpenLoop offers a fixed rate of signed
// commands over loopback HTTP (an open loop: requests are sent on
// schedule whether or not earlier ones have been answered) and reports the
// achieved throughput and the latency percentiles, measured from each
// request's scheduled send time so that stalls are not hidden. The target
// is p99 < 20 ms at 2,000 requests/s.
//
//	go test ./adapters/slack -run '^$' -bench CommandEndpointOpenLoop -benchtime 20000x -cpu 2
func BenchmarkCommandEndpointOpenLoop(b *testing.B) {
	for _, rps := range []int{500, 1000, 2000, 4000} {
		b.Run(fmt.Sprintf("help/%drps", rps), func(b *testing.B) {
			fake := slackfake.New()
			defer fake.Close()
			srv := httptest.NewServer(benchAdapter(b, fake).HTTPHandler(benchReplies["help"]))
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
			bodies, ts, sigs := signedBodies(fake, b.N, "g20")
			target := srv.URL + slack.CommandsPath
			interval := time.Second / time.Duration(rps)
			latencies := make([]time.Duration, b.N)
			var wg sync.WaitGroup
			var failed sync.Once
			var failure error
			b.ResetTimer()
			cpu0 := cpuTime()
			start := time.Now()
			sent := 0
			for sent < b.N {
				due := min(b.N, int(time.Since(start)/interval)+1)
				for ; sent < due; sent++ {
					i := sent
					scheduled := start.Add(time.Duration(i) * interval)
					wg.Go(func() {
						req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(bodies[i]))
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						req.Header.Set("X-Slack-Request-Timestamp", ts[i])
						req.Header.Set("X-Slack-Signature", sigs[i])
						resp, err := client.Do(req)
						if err == nil {
							_, _ = io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							if resp.StatusCode != http.StatusOK {
								err = fmt.Errorf("status %d", resp.StatusCode)
							}
						}
						if err != nil {
							failed.Do(func() { failure = err })
						}
						latencies[i] = time.Since(scheduled)
					})
				}
				time.Sleep(interval / 2)
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/req")
			if failure != nil {
				b.Fatal(failure)
			}
			slices.Sort(latencies)
			pct := func(p float64) float64 {
				return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(pct(1), "max-ms")
		})
	}
}

// BenchmarkRenderBriefing measures the pure Block Kit translation of a
// briefing.
func BenchmarkRenderBriefing(b *testing.B) {
	fake := slackfake.New()
	defer fake.Close()
	h := benchReplies["briefing"]
	cmd := bot.Command{Text: "g20"}
	b.ReportAllocs()
	for b.Loop() {
		r, _ := h.HandleCommand(context.Background(), cmd)
		_ = slack.RenderReplyForTest(r)
	}
}

// cpuTime is the CPU time (user + system) the test process has used: the
// client's and the server's together, so cpu-µs/req overstates the
// endpoint's own cost.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

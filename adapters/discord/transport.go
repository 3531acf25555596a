package discord

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// rewriteTransport sends discordgo's requests, which always address
// discordgo.EndpointAPI (https://discord.com/api/v9/), to the configured
// API base instead, and tells the limiter about global rate limits it sees.
// It is how tests aim discordgo at a local fake without touching
// discordgo's package variables.
type rewriteTransport struct {
	base    http.RoundTripper
	target  *url.URL // the configured API base, ending in "/"
	from    string   // discordgo's API base
	limiter *limiter
}

func newRewriteTransport(base http.RoundTripper, apiURL string, l *limiter) (*rewriteTransport, error) {
	if base == nil {
		base = http.DefaultTransport
	}
	u, err := url.Parse(apiURL)
	if err != nil {
		return nil, err
	}
	return &rewriteTransport{base: base, target: u, from: discordgo.EndpointAPI, limiter: l}, nil
}

// RoundTrip implements http.RoundTripper.
func (t *rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if s := r.URL.String(); strings.HasPrefix(s, t.from) && t.target.String() != t.from {
		u, err := url.Parse(t.target.String() + strings.TrimPrefix(s, t.from))
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.URL = u
		r.Host = u.Host
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	// Peek at the 429 body for a global limit, then hand it on unchanged.
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr == nil {
		if rl := parseRateLimit(resp.Header, body); rl.global {
			t.limiter.block("", rl.retryAfter, true)
		}
	}
	return resp, nil
}

// defaultRetry is the wait assumed when a 429 does not say how long.
const defaultRetry = time.Second

// rateLimit is what a 429 response says.
type rateLimit struct {
	retryAfter time.Duration
	global     bool
}

// parseRateLimit reads a 429 response: the JSON body's retry_after (seconds,
// fractional) and global flag, falling back to the Retry-After header, and
// the X-RateLimit-Global / X-RateLimit-Scope headers. A missing or
// unparsable wait becomes one second.
func parseRateLimit(h http.Header, body []byte) rateLimit {
	var b struct {
		RetryAfter float64 `json:"retry_after"`
		Global     bool    `json:"global"`
	}
	_ = json.Unmarshal(body, &b)
	rl := rateLimit{global: b.Global}
	if h.Get("X-RateLimit-Global") != "" || strings.EqualFold(h.Get("X-RateLimit-Scope"), "global") {
		rl.global = true
	}
	secs := b.RetryAfter
	if secs <= 0 {
		secs, _ = strconv.ParseFloat(h.Get("Retry-After"), 64)
	}
	if secs <= 0 || secs > 24*3600 {
		rl.retryAfter = defaultRetry
		return rl
	}
	rl.retryAfter = time.Duration(secs * float64(time.Second))
	return rl
}

// limiter remembers the waits Discord asked for, per route and globally,
// so that the adapter answers "wait" itself instead of sending requests
// that would be refused (Discord bans clients that keep hitting 429s).
// It is safe for concurrent use.
type limiter struct {
	now    func() time.Time
	mu     sync.Mutex
	global time.Time
	routes map[string]time.Time
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, routes: map[string]time.Time{}}
}

// wait returns how long requests to route must still wait (0 if none).
func (l *limiter) wait(route string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	until := l.global
	if r, ok := l.routes[route]; ok {
		if !r.After(now) {
			delete(l.routes, route)
		} else if r.After(until) {
			until = r
		}
	}
	if until.After(now) {
		return until.Sub(now)
	}
	return 0
}

// block records that route (or every route, when global) must wait d.
func (l *limiter) block(route string, d time.Duration, global bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	until := now.Add(d)
	if global {
		if until.After(l.global) {
			l.global = until
		}
		return
	}
	if len(l.routes) > 1024 {
		for k, v := range l.routes {
			if !v.After(now) {
				delete(l.routes, k)
			}
		}
	}
	if until.After(l.routes[route]) {
		l.routes[route] = until
	}
}

// unreachable rewrites a transport error so that it names the API base the
// request really went to (discordgo's URL always says discord.com) and no
// request URL. Other errors are returned unchanged.
func unreachable(err error, apiURL string) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	base := apiURL
	if u, perr := url.Parse(apiURL); perr == nil {
		base = u.Scheme + "://" + u.Host
	}
	return fmt.Errorf("cannot reach the Discord API at %s: %w", base, ue.Err)
}

// Package fetch is newsbot's polite, guarded HTTP client for feeds and
// article pages. It sends conditional requests (If-None-Match,
// If-Modified-Since) and reports 304 as [feeds.ErrNotModified], reads
// Cache-Control and Retry-After hints, bounds every request in time and
// size, accepts gzip, follows a bounded number of redirects, limits the
// requests in flight per host and overall, and refuses, at dial time, to
// connect to loopback, private, link-local (cloud metadata), multicast and
// other non-public addresses unless told to allow them.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/newsbot/newsbot/feeds"
)

// DefaultUserAgent is sent when Options.UserAgent is empty.
const DefaultUserAgent = "newsbot/1 (+https://github.com/newsbot/newsbot)"

// Defaults for zero Options fields.
const (
	DefaultTimeout      = 20 * time.Second
	DefaultMaxBodyBytes = 10 << 20
	DefaultPerHost      = 2
	DefaultConcurrency  = 16
	DefaultMaxRedirects = 5
)

// AcceptFeed is the Accept header sent for feeds.
const AcceptFeed = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"

// AcceptHTML is the Accept header sent for article pages.
const AcceptHTML = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"

// Options configures a [Client]. Zero fields take the defaults above.
type Options struct {
	// Timeout bounds one request, from connecting to the last body byte.
	Timeout time.Duration
	// MaxBodyBytes caps a response body (after gzip decoding).
	MaxBodyBytes int64
	// PerHost is the most requests in flight to one host.
	PerHost int
	// Concurrency is the most requests in flight overall.
	Concurrency int
	// MaxRedirects is the most redirects followed for one request.
	MaxRedirects int
	// UserAgent identifies newsbot to servers.
	UserAgent string
	// AllowPrivate allows loopback, private, link-local and other
	// non-public addresses (never multicast, broadcast or unspecified).
	AllowPrivate bool
	// Resolver looks up host names (default net.DefaultResolver). Tests
	// use it to point names at a local server.
	Resolver Resolver
	// Dial connects to an address the guard has checked (default a
	// net.Dialer whose Control hook checks the address again). Tests use
	// it to reach a local server whatever the address.
	Dial DialFunc
	// Now is the clock used for Retry-After dates (default time.Now).
	Now func() time.Time
	// Logger receives debug logs of requests (default: discarded).
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.PerHost <= 0 {
		o.PerHost = DefaultPerHost
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Client fetches URLs politely and safely. It is safe for concurrent use.
type Client struct {
	opts   Options
	tr     *http.Transport
	global chan struct{}
	hosts  *hostLimiter
}

// New returns a Client for opts.
func New(opts Options) *Client {
	opts = opts.withDefaults()
	g := &guard{allowPrivate: opts.AllowPrivate, resolver: opts.Resolver, dial: opts.Dial}
	if g.dial == nil {
		d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: g.control}
		g.dial = d.DialContext
	}
	tr := &http.Transport{
		Proxy:                  nil, // a proxy would bypass the address guard
		DialContext:            g.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    opts.PerHost,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  opts.Timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
	}
	return &Client{
		opts:   opts,
		tr:     tr,
		global: make(chan struct{}, opts.Concurrency),
		hosts:  &hostLimiter{n: opts.PerHost, sems: map[string]*hostSem{}},
	}
}

// Close releases idle connections.
func (c *Client) Close() { c.tr.CloseIdleConnections() }

// MaxBodyBytes returns the body size cap in force.
func (c *Client) MaxBodyBytes() int64 { return c.opts.MaxBodyBytes }

// Request is one GET.
type Request struct {
	URL string
	// ETag and LastModified are the validators of an earlier response;
	// when set they are sent as If-None-Match and If-Modified-Since.
	ETag         string
	LastModified string
	// Accept is the Accept header (default AcceptFeed).
	Accept string
}

// Response is a successful (2xx) or not-modified (304) answer.
type Response struct {
	// URL is the final URL, after redirects.
	URL string
	// MovedTo is set when every redirect followed was permanent (301,
	// 308): the URL the source should be updated to.
	MovedTo string
	// Status is the HTTP status code.
	Status int
	// ContentType is the Content-Type header.
	ContentType string
	// ETag and LastModified are the response's validators.
	ETag         string
	LastModified string
	// MaxAge is the Cache-Control max-age (or Expires) freshness hint; 0
	// when the server gave none or said no-cache/no-store.
	MaxAge time.Duration
	// Body is the decoded body (empty for 304).
	Body []byte
}

// StatusError is returned for a response that is neither 2xx nor 304.
type StatusError struct {
	Code   int
	Status string
	// RetryAfter is the server's Retry-After hint (429, 503), or 0.
	RetryAfter time.Duration
}

// Error describes the status in plain words, with any Retry-After hint.
func (e *StatusError) Error() string {
	s := e.Status
	if s == "" {
		s = strconv.Itoa(e.Code) + " " + http.StatusText(e.Code)
	}
	msg := "server answered " + s
	if e.RetryAfter > 0 {
		msg += "; retry after " + e.RetryAfter.String()
	}
	return msg
}

// TooLargeError is returned when a body exceeds the size cap.
type TooLargeError struct {
	Limit int64
}

// Error names the limit and the config key that sets it.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("response is larger than the %s limit (fetch.max_body_bytes); not read", humanBytes(e.Limit))
}

// TimeoutError is returned when a request runs out of its time budget.
type TimeoutError struct {
	After time.Duration
	Err   error
}

// Error names the time budget and the config key that sets it.
func (e *TimeoutError) Error() string {
	return fmt.Sprintf("timed out after %s (fetch.timeout)", e.After)
}

// Unwrap returns the underlying network or context error.
func (e *TimeoutError) Unwrap() error { return e.Err }

// Get fetches req.URL. It returns the response and nil for 2xx; the
// response (validators and cache hints, no body) and an error wrapping
// [feeds.ErrNotModified] for 304; and nil and an error otherwise: a
// *RefusedError for a refused address, a *StatusError, a *TooLargeError,
// a *TimeoutError, or a network error. Errors are wrapped with the URL.
func (c *Client) Get(ctx context.Context, req Request) (*Response, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, fmt.Errorf("get %q: %w", req.URL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("get %q: not an http(s) URL", req.URL)
	}
	release, err := c.acquire(ctx, strings.ToLower(u.Host))
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", req.URL, err)
	}
	defer release()

	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	resp, err := c.do(ctx, u, req)
	if err != nil {
		// The transport's own header timeout can fire just before the
		// context's deadline does (they are equal); both are our timeout.
		var ne net.Error
		timedOut := ctx.Err() == context.DeadlineExceeded || (errors.As(err, &ne) && ne.Timeout())
		if timedOut && !errors.As(err, new(*RefusedError)) {
			err = &TimeoutError{After: c.opts.Timeout, Err: err}
		}
		return resp, fmt.Errorf("get %s: %w", req.URL, err)
	}
	return resp, nil
}

func (c *Client) do(ctx context.Context, u *url.URL, req Request) (*Response, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("User-Agent", c.opts.UserAgent)
	accept := req.Accept
	if accept == "" {
		accept = AcceptFeed
	}
	hreq.Header.Set("Accept", accept)
	if req.ETag != "" {
		hreq.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hreq.Header.Set("If-Modified-Since", req.LastModified)
	}
	permanent, redirects := true, 0
	hc := &http.Client{
		Transport: c.tr,
		CheckRedirect: func(r *http.Request, via []*http.Request) error {
			if len(via) > c.opts.MaxRedirects {
				return fmt.Errorf("stopped after %d redirects (the most allowed)", c.opts.MaxRedirects)
			}
			if r.URL.Scheme != "http" && r.URL.Scheme != "https" {
				return fmt.Errorf("redirect to %q: not an http(s) URL", r.URL.String())
			}
			redirects++
			if r.Response != nil && r.Response.StatusCode != http.StatusMovedPermanently &&
				r.Response.StatusCode != http.StatusPermanentRedirect {
				permanent = false
			}
			return nil
		},
	}
	hresp, err := hc.Do(hreq)
	if err != nil {
		return nil, unwrapURLError(err)
	}
	defer hresp.Body.Close()
	c.opts.Logger.DebugContext(ctx, "fetched", slog.String("url", u.String()), slog.Int("status", hresp.StatusCode))

	resp := &Response{
		URL:          hresp.Request.URL.String(),
		Status:       hresp.StatusCode,
		ContentType:  hresp.Header.Get("Content-Type"),
		ETag:         hresp.Header.Get("ETag"),
		LastModified: hresp.Header.Get("Last-Modified"),
		MaxAge:       maxAge(hresp.Header, c.opts.Now()),
	}
	if redirects > 0 && permanent {
		resp.MovedTo = resp.URL
	}
	switch {
	case hresp.StatusCode == http.StatusNotModified:
		drain(hresp.Body)
		if resp.ETag == "" {
			resp.ETag = req.ETag
		}
		if resp.LastModified == "" {
			resp.LastModified = req.LastModified
		}
		return resp, feeds.ErrNotModified
	case hresp.StatusCode < 200 || hresp.StatusCode > 299:
		drain(hresp.Body)
		return nil, &StatusError{
			Code:       hresp.StatusCode,
			Status:     hresp.Status,
			RetryAfter: retryAfter(hresp.Header.Get("Retry-After"), c.opts.Now()),
		}
	}
	max := c.opts.MaxBodyBytes
	if hresp.ContentLength > max {
		return nil, &TooLargeError{Limit: max}
	}
	body, err := io.ReadAll(io.LimitReader(hresp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > max {
		return nil, &TooLargeError{Limit: max}
	}
	resp.Body = body
	return resp, nil
}

// acquire takes a per-host slot and then a global one, in that order, so
// that requests queued behind a busy host do not hold global slots.
func (c *Client) acquire(ctx context.Context, host string) (release func(), err error) {
	hs := c.hosts.get(host)
	select {
	case hs.ch <- struct{}{}:
	case <-ctx.Done():
		c.hosts.put(host, hs)
		return nil, ctx.Err()
	}
	select {
	case c.global <- struct{}{}:
	case <-ctx.Done():
		<-hs.ch
		c.hosts.put(host, hs)
		return nil, ctx.Err()
	}
	return func() {
		<-c.global
		<-hs.ch
		c.hosts.put(host, hs)
	}, nil
}

// hostLimiter hands out one semaphore per host, dropping it when unused so
// that fetching many article hosts does not grow the map forever.
type hostLimiter struct {
	n    int
	mu   sync.Mutex
	sems map[string]*hostSem
}

type hostSem struct {
	ch   chan struct{}
	refs int
}

func (h *hostLimiter) get(host string) *hostSem {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.sems[host]
	if s == nil {
		s = &hostSem{ch: make(chan struct{}, h.n)}
		h.sems[host] = s
	}
	s.refs++
	return s
}

func (h *hostLimiter) put(host string, s *hostSem) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s.refs--
	if s.refs == 0 {
		delete(h.sems, host)
	}
}

// unwrapURLError drops net/http's `Get "url":` wrapper; Get adds its own.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func drain(r io.Reader) { _, _ = io.Copy(io.Discard, io.LimitReader(r, 64<<10)) }

// maxAge reads the freshness lifetime from Cache-Control (max-age), else
// from Expires minus Date. no-cache and no-store give 0.
func maxAge(h http.Header, now time.Time) time.Duration {
	if cc := h.Get("Cache-Control"); cc != "" {
		var age time.Duration
		found := false
		for _, d := range strings.Split(cc, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(k) {
			case "no-cache", "no-store":
				return 0
			case "max-age":
				if n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64); err == nil && n > 0 {
					age, found = time.Duration(min(n, 365*24*3600))*time.Second, true
				}
			}
		}
		if found {
			return age
		}
	}
	if exp := h.Get("Expires"); exp != "" {
		t, err := http.ParseTime(exp)
		if err != nil {
			return 0
		}
		base := now
		if d, err := http.ParseTime(h.Get("Date")); err == nil {
			base = d
		}
		if t.After(base) {
			return t.Sub(base)
		}
	}
	return 0
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, 7*24*3600)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d byte", n)
}

// Describe returns err as one line of plain words for a source's health
// (State.LastError) and for chat: the refusal, HTTP status, size or time
// limit in question, or the underlying network error without Go's
// wrapping noise.
func Describe(err error) string {
	if err == nil {
		return ""
	}
	var (
		re *RefusedError
		se *StatusError
		te *TooLargeError
		to *TimeoutError
		de *net.DNSError
		oe *net.OpError
	)
	switch {
	case errors.As(err, &re):
		return re.Error()
	case errors.As(err, &se):
		return se.Error()
	case errors.As(err, &te):
		return te.Error()
	case errors.As(err, &to):
		return to.Error()
	case errors.As(err, &de):
		if de.IsNotFound {
			return "no such host: " + de.Name
		}
		return "cannot look up " + de.Name + ": " + de.Err
	case errors.As(err, &oe) && oe.Op == "dial":
		return "cannot connect: " + oe.Err.Error()
	}
	return err.Error()
}

package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsbot/newsbot/feeds"
)

// fakeResolver answers from a map and fails for unknown names, so tests
// never do real DNS.
type fakeResolver map[string][]string

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	ips, ok := r[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []netip.Addr
	for _, s := range ips {
		out = append(out, netip.MustParseAddr(s))
	}
	return out, nil
}

// toServer dials srv whatever address the guard approved: the network a
// test "reaches" is always the local test server.
func toServer(srv *httptest.Server) DialFunc {
	var d net.Dialer
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, srv.Listener.Addr().String())
	}
}

// publicHost is a name the fake resolver maps to a public address.
const publicHost = "news.example.com"

func publicClient(srv *httptest.Server, opts Options) *Client {
	opts.Resolver = fakeResolver{publicHost: {"93.184.216.34"}}
	opts.Dial = toServer(srv)
	return New(opts)
}

func publicURL(srv *httptest.Server, path string) string {
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return "http://" + publicHost + ":" + port + path
}

func TestRefusesLoopbackUnlessAllowed(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(srv.Close)

	_, err := New(Options{}).Get(t.Context(), Request{URL: srv.URL})
	var re *RefusedError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a RefusedError", err)
	}
	want := "refused: 127.0.0.1 is a loopback address; set fetch.allow_private to allow it"
	if Describe(err) != want {
		t.Errorf("Describe = %q, want %q", Describe(err), want)
	}
	if hits.Load() != 0 {
		t.Errorf("server was reached %d times", hits.Load())
	}

	resp, err := New(Options{AllowPrivate: true}).Get(t.Context(), Request{URL: srv.URL})
	if err != nil || string(resp.Body) != "ok" {
		t.Fatalf("allowed: resp %v, err %v", resp, err)
	}
}

func TestRedirectToPrivateRefused(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-loopback":
			_, port, _ := net.SplitHostPort(r.Host)
			http.Redirect(w, r, "http://127.0.0.1:"+port+"/internal", http.StatusFound)
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/to-ipv6-loopback":
			http.Redirect(w, r, "http://[::1]/x", http.StatusMovedPermanently)
		case "/latest/meta-data/", "/internal":
			fmt.Fprint(w, "secret")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	tests := []struct {
		path, want string
	}{
		{"/to-loopback", "refused: 127.0.0.1 is a loopback address; set fetch.allow_private to allow it"},
		{"/to-metadata", "refused: 169.254.169.254 is the cloud metadata address (link-local); set fetch.allow_private to allow it"},
		{"/to-ipv6-loopback", "refused: ::1 is a loopback address; set fetch.allow_private to allow it"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			c := publicClient(srv, Options{})
			resp, err := c.Get(t.Context(), Request{URL: publicURL(srv, tc.path)})
			if err == nil {
				t.Fatalf("redirect followed: %q", resp.Body)
			}
			if got := Describe(err); got != tc.want {
				t.Errorf("Describe = %q\nwant %q", got, tc.want)
			}
		})
	}
	t.Run("allowed", func(t *testing.T) {
		t.Parallel()
		// With allow_private the redirect is followed; the test dialer
		// sends it to the local server, never to 169.254.169.254.
		c := publicClient(srv, Options{AllowPrivate: true})
		resp, err := c.Get(t.Context(), Request{URL: publicURL(srv, "/to-metadata")})
		if err != nil {
			t.Fatal(err)
		}
		if string(resp.Body) != "secret" || resp.URL != "http://169.254.169.254/latest/meta-data/" {
			t.Errorf("got %q from %s", resp.Body, resp.URL)
		}
	})
}

func TestRefusesNamesResolvingToPrivate(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	t.Cleanup(srv.Close)
	res := fakeResolver{
		"rebind.example": {"10.0.0.7"},
		"mixed.example":  {"93.184.216.34", "127.0.0.1"},
	}
	c := New(Options{Resolver: res, Dial: toServer(srv)})
	tests := []struct{ host, want string }{
		{"rebind.example", "refused: rebind.example resolves to 10.0.0.7, a private address; set fetch.allow_private to allow it"},
		{"mixed.example", "refused: mixed.example resolves to 127.0.0.1, a loopback address; set fetch.allow_private to allow it"},
		{"unknown.example", "no such host: unknown.example"},
	}
	for _, tc := range tests {
		_, err := c.Get(t.Context(), Request{URL: "http://" + tc.host + "/feed"})
		if got := Describe(err); got != tc.want {
			t.Errorf("%s: Describe = %q, want %q", tc.host, got, tc.want)
		}
	}
}

func TestConditionalGet(t *testing.T) {
	t.Parallel()
	var full, notModified atomic.Int32
	const etag = `"v1"`
	const lastMod = "Mon, 23 Nov 2026 10:00:00 GMT"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == lastMod {
			notModified.Add(1)
			w.Header().Set("Cache-Control", "max-age=900")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		w.Header().Set("Cache-Control", "public, max-age=600")
		fmt.Fprint(w, "<rss/>")
	}))
	t.Cleanup(srv.Close)
	c := New(Options{AllowPrivate: true})
	resp, err := c.Get(t.Context(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if resp.ETag != etag || resp.LastModified != lastMod || resp.MaxAge != 10*time.Minute {
		t.Errorf("validators %q %q max-age %s", resp.ETag, resp.LastModified, resp.MaxAge)
	}
	for _, req := range []Request{
		{URL: srv.URL, ETag: resp.ETag, LastModified: resp.LastModified},
		{URL: srv.URL, LastModified: resp.LastModified},
	} {
		again, err := c.Get(t.Context(), req)
		if !errors.Is(err, feeds.ErrNotModified) {
			t.Fatalf("err = %v, want ErrNotModified", err)
		}
		if again == nil || again.Status != 304 || len(again.Body) != 0 || again.MaxAge != 15*time.Minute ||
			again.LastModified != lastMod {
			t.Errorf("304 response = %+v", again)
		}
	}
	if full.Load() != 1 || notModified.Load() != 2 {
		t.Errorf("server saw %d full and %d conditional answers, want 1 and 2", full.Load(), notModified.Load())
	}
}

func TestHeadersAndGzip(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("<item>gzip me</item>", 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("User-Agent") != "test-agent/1" {
			http.Error(w, "bad agent "+r.Header.Get("User-Agent"), http.StatusBadRequest)
			return
		}
		if !strings.Contains(r.Header.Get("Accept"), "application/rss+xml") {
			http.Error(w, "bad accept", http.StatusBadRequest)
			return
		}
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			http.Error(w, "no gzip", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		fmt.Fprint(zw, body)
		zw.Close()
	}))
	t.Cleanup(srv.Close)
	resp, err := New(Options{AllowPrivate: true, UserAgent: "test-agent/1"}).Get(t.Context(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != body {
		t.Errorf("body %d bytes, want the %d decoded bytes", len(resp.Body), len(body))
	}
}

func TestSizeCap(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("x"), 2<<20)
	var zbuf bytes.Buffer
	zw := gzip.NewWriter(&zbuf)
	zw.Write(big)
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/length":
			w.Write(big)
		case "/chunked":
			for i := 0; i < len(big); i += 64 << 10 {
				w.Write(big[i : i+64<<10])
				w.(http.Flusher).Flush()
			}
		case "/gzip-bomb":
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(zbuf.Bytes())
		case "/fits":
			w.Write(big[:1<<20])
		}
	}))
	t.Cleanup(srv.Close)
	c := New(Options{AllowPrivate: true, MaxBodyBytes: 1 << 20})
	for _, path := range []string{"/length", "/chunked", "/gzip-bomb"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			_, err := c.Get(t.Context(), Request{URL: srv.URL + path})
			var te *TooLargeError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want TooLargeError", err)
			}
			if want := "response is larger than the 1 MiB limit (fetch.max_body_bytes); not read"; Describe(err) != want {
				t.Errorf("Describe = %q, want %q", Describe(err), want)
			}
		})
	}
	resp, err := c.Get(t.Context(), Request{URL: srv.URL + "/fits"})
	if err != nil || len(resp.Body) != 1<<20 {
		t.Fatalf("a body of exactly the limit: err %v", err)
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow-body" {
			w.Write([]byte("<rss>"))
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(srv.Close)
	c := New(Options{AllowPrivate: true, Timeout: 150 * time.Millisecond})
	for _, path := range []string{"/slow-headers", "/slow-body"} {
		_, err := c.Get(t.Context(), Request{URL: srv.URL + path})
		var to *TimeoutError
		if !errors.As(err, &to) {
			t.Fatalf("%s: err = %v, want TimeoutError", path, err)
		}
		if Describe(err) != "timed out after 150ms (fetch.timeout)" {
			t.Errorf("Describe = %q", Describe(err))
		}
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/moved":
			http.Redirect(w, r, "/moved2", http.StatusMovedPermanently)
		case "/moved2":
			http.Redirect(w, r, "/feed", http.StatusPermanentRedirect)
		case "/temp":
			http.Redirect(w, r, "/moved2", http.StatusFound)
		case "/ftp":
			http.Redirect(w, r, "ftp://example.com/feed", http.StatusFound)
		case "/feed":
			fmt.Fprint(w, "feed")
		}
	}))
	t.Cleanup(srv.Close)
	c := New(Options{AllowPrivate: true, MaxRedirects: 3})
	_, err := c.Get(t.Context(), Request{URL: srv.URL + "/loop"})
	if err == nil || !strings.Contains(err.Error(), "stopped after 3 redirects") {
		t.Errorf("loop: err = %v", err)
	}
	_, err = c.Get(t.Context(), Request{URL: srv.URL + "/ftp"})
	if err == nil || !strings.Contains(err.Error(), "not an http(s) URL") {
		t.Errorf("ftp: err = %v", err)
	}
	resp, err := c.Get(t.Context(), Request{URL: srv.URL + "/moved"})
	if err != nil || resp.MovedTo != srv.URL+"/feed" || string(resp.Body) != "feed" {
		t.Errorf("permanent: %+v, %v", resp, err)
	}
	resp, err = c.Get(t.Context(), Request{URL: srv.URL + "/temp"})
	if err != nil || resp.MovedTo != "" || resp.URL != srv.URL+"/feed" {
		t.Errorf("temporary: %+v, %v", resp, err)
	}
}

func TestStatusErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/busy":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/limited":
			w.Header().Set("Retry-After", "Mon, 23 Nov 2026 10:05:00 GMT")
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	c := New(Options{AllowPrivate: true, Now: func() time.Time { return now }})
	tests := []struct {
		path  string
		code  int
		after time.Duration
		desc  string
	}{
		{"/gone", 404, 0, "server answered 404 Not Found"},
		{"/busy", 503, 2 * time.Minute, "server answered 503 Service Unavailable; retry after 2m0s"},
		{"/limited", 429, 5 * time.Minute, "server answered 429 Too Many Requests; retry after 5m0s"},
	}
	for _, tc := range tests {
		_, err := c.Get(t.Context(), Request{URL: srv.URL + tc.path})
		var se *StatusError
		if !errors.As(err, &se) || se.Code != tc.code || se.RetryAfter != tc.after {
			t.Errorf("%s: err = %#v", tc.path, err)
			continue
		}
		if Describe(err) != tc.desc {
			t.Errorf("%s: Describe = %q, want %q", tc.path, Describe(err), tc.desc)
		}
	}
}

func TestMaxAge(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"none", http.Header{}, 0},
		{"max-age", http.Header{"Cache-Control": {"max-age=300"}}, 5 * time.Minute},
		{"no-cache wins", http.Header{"Cache-Control": {"max-age=300, no-cache"}}, 0},
		{"zero", http.Header{"Cache-Control": {"max-age=0"}}, 0},
		{"garbage", http.Header{"Cache-Control": {"max-age=soon"}}, 0},
		{"expires", http.Header{"Expires": {"Mon, 23 Nov 2026 11:00:00 GMT"}, "Date": {"Mon, 23 Nov 2026 10:30:00 GMT"}}, 30 * time.Minute},
		{"expires no date", http.Header{"Expires": {"Mon, 23 Nov 2026 11:00:00 GMT"}}, time.Hour},
		{"expired", http.Header{"Expires": {"Mon, 23 Nov 2026 09:00:00 GMT"}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := maxAge(tc.h, now); got != tc.want {
				t.Errorf("maxAge = %s, want %s", got, tc.want)
			}
		})
	}
}

// inFlight is a handler that records the most requests it held at once.
type inFlight struct {
	mu       sync.Mutex
	cur, max int
	hold     time.Duration
}

func (f *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.cur++
	f.max = max(f.max, f.cur)
	f.mu.Unlock()
	time.Sleep(f.hold)
	f.mu.Lock()
	f.cur--
	f.mu.Unlock()
	fmt.Fprint(w, "ok")
}

func TestConcurrencyLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                 string
		perHost, concurrency int
		hosts                int
		want                 int
	}{
		{"per host", 2, 16, 1, 2},
		{"global", 10, 3, 6, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := &inFlight{hold: 30 * time.Millisecond}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			res := fakeResolver{}
			for i := range tc.hosts {
				res[fmt.Sprintf("h%d.example", i)] = []string{"93.184.216.34"}
			}
			c := New(Options{PerHost: tc.perHost, Concurrency: tc.concurrency, Resolver: res, Dial: toServer(srv)})
			var wg sync.WaitGroup
			for i := range 12 {
				wg.Go(func() {
					if _, err := c.Get(t.Context(), Request{URL: fmt.Sprintf("http://h%d.example/", i%tc.hosts)}); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if h.max > tc.want {
				t.Errorf("%d requests in flight at once, limit %d", h.max, tc.want)
			}
			if h.max < tc.want {
				t.Logf("only %d in flight at once (limit %d): the machine may be slow", h.max, tc.want)
			}
			c.hosts.mu.Lock()
			if n := len(c.hosts.sems); n != 0 {
				t.Errorf("%d host semaphores left after all requests", n)
			}
			c.hosts.mu.Unlock()
		})
	}
}

func TestBadURL(t *testing.T) {
	t.Parallel()
	c := New(Options{})
	for _, u := range []string{"ftp://x/feed", "file:///etc/passwd", "/relative", "http://"} {
		if _, err := c.Get(t.Context(), Request{URL: u}); err == nil || !strings.Contains(err.Error(), "not an http(s) URL") {
			t.Errorf("%q: err = %v", u, err)
		}
	}
}

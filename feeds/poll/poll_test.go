package poll

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
	"github.com/newsbot/newsbot/feeds/feedtest"
	"github.com/newsbot/newsbot/feeds/fetch"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// testLogger sends logs to t.Log.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

func newPoller(t *testing.T, store feeds.Store, clk *clock, opts Options) *Poller {
	t.Helper()
	opts.Now = clk.Now
	opts.Logger = testLogger(t)
	c := fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second})
	t.Cleanup(c.Close)
	p, err := New(store, c, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func items(base string, n int, when time.Time) []feedtest.Item {
	var out []feedtest.Item
	for i := range n {
		out = append(out, feedtest.Item{
			GUID: fmt.Sprintf("%s-%d", base, i), Title: fmt.Sprintf("Story %d from %s", i, base),
			Link:        fmt.Sprintf("https://%s.example/story/%d", base, i),
			Description: fmt.Sprintf("<p>Text of story %d.</p>", i), Published: when.Add(-time.Duration(i) * time.Hour),
		})
	}
	return out
}

func TestIngestOncePerURLAndOne304(t *testing.T) {
	t.Parallel()
	srv := feedtest.NewServer()
	t.Cleanup(srv.Close)
	clk := newClock()
	srv.Set("/a.xml", feedtest.Feed{Body: feedtest.RSS("A", "https://a.example/", items("a", 3, clk.Now())...)})
	srv.Set("/b.xml", feedtest.Feed{Body: feedtest.RSS("B", "https://b.example/", items("b", 2, clk.Now())...)})
	store := feedtest.NewStore(
		feeds.Source{Name: "Alpha", URL: srv.URL("/a.xml")},
		feeds.Source{Name: "Beta", URL: srv.URL("/b.xml")},
		feeds.Source{Name: "Alpha again", URL: srv.URL("/a.xml"), Origin: "chat:slack:U1"},
	)
	p := newPoller(t, store, clk, Options{})

	var calls []string
	res, err := p.Ingest(t.Context(), func(done, total int, r Result) {
		calls = append(calls, fmt.Sprintf("%d/%d", done, total))
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || strings.Join(calls, ",") != "1/2,2/2" {
		t.Fatalf("%d results, progress %v; want 2 distinct sources", len(res), calls)
	}
	if got := strings.Join(res[0].Names, ","); got != "Alpha,Alpha again" {
		t.Errorf("names sharing a.xml: %s", got)
	}
	if c := srv.Counts("/a.xml"); c.Total != 1 {
		t.Errorf("a.xml fetched %d times for 2 sources, want 1", c.Total)
	}
	if n := len(store.Articles()); n != 5 {
		t.Errorf("%d articles stored, want 5", n)
	}
	for _, a := range store.Articles() {
		if strings.HasPrefix(a.Title, "Story") && strings.Contains(a.URL, "a.example") && a.Source != "Alpha" {
			t.Errorf("article source %q, want the first source's name", a.Source)
		}
		if !a.Fetched.Equal(clk.Now()) {
			t.Errorf("fetched %s", a.Fetched)
		}
	}
	st := store.StateOf(srv.URL("/a.xml"))
	if st.LastStatus != 200 || st.LastItems != 3 || st.LastNew != 3 || st.ETag == "" || st.Failures != 0 ||
		!st.LastFetch.Equal(clk.Now()) || !st.LastSuccess.Equal(clk.Now()) {
		t.Errorf("state after first fetch: %+v", st)
	}
	if d := st.NextFetch.Sub(clk.Now()); d <= 15*time.Minute/2 || d > 3*15*time.Minute/2 {
		t.Errorf("next fetch in %s, want within half to one and a half intervals", d)
	}

	// Unchanged feeds cost exactly one conditional request each, answered 304.
	clk.Advance(20 * time.Minute)
	before := srv.Total()
	res, err = p.Ingest(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	after := srv.Total()
	if after.Total-before.Total != 2 || after.NotModified-before.NotModified != 2 {
		t.Errorf("second pass: %d requests, %d answered 304; want 2 and 2", after.Total-before.Total, after.NotModified-before.NotModified)
	}
	for _, r := range res {
		if !r.NotModified || r.Added != 0 || r.Err != nil {
			t.Errorf("%s: %+v", r.Source.Name, r)
		}
	}
	st = store.StateOf(srv.URL("/a.xml"))
	if st.LastStatus != 304 || st.LastItems != 3 || st.LastNew != 0 || !st.LastSuccess.Equal(clk.Now()) {
		t.Errorf("state after 304: %+v", st)
	}
	if ua := srv.UserAgents(); len(ua) != 1 || !strings.HasPrefix(ua[0], "newsbot/") {
		t.Errorf("user agents %v", ua)
	}
}

func TestUpdatedItemsAreNotNew(t *testing.T) {
	t.Parallel()
	srv := feedtest.NewServer()
	t.Cleanup(srv.Close)
	clk := newClock()
	v1 := items("a", 3, clk.Now())
	srv.Set("/a.xml", feedtest.Feed{Body: feedtest.RSS("A", "https://a.example/", v1...)})
	store := feedtest.NewStore(feeds.Source{Name: "A", URL: srv.URL("/a.xml")})
	p := newPoller(t, store, clk, Options{})
	if _, err := p.Ingest(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	// v2: one item edited (new title, text and date), items reordered,
	// tracking parameters on a link, and one genuinely new item.
	v2 := append([]feedtest.Item(nil), v1...)
	v2[0].Title += " (updated)"
	v2[0].Description = "<p>Corrected text.</p>"
	v2[0].Published = clk.Now().Add(time.Hour)
	v2[1].Link += "?utm_source=rss"
	v2[0], v2[2] = v2[2], v2[0]
	v2 = append(v2, feedtest.Item{GUID: "a-new", Title: "Fresh", Link: "https://a.example/fresh"})
	srv.Set("/a.xml", feedtest.Feed{Body: feedtest.RSS("A", "https://a.example/", v2...), Modified: clk.Now()})
	clk.Advance(time.Hour)
	res, err := p.Ingest(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Added != 1 || res[0].Items != 4 {
		t.Errorf("added %d of %d items, want 1 of 4", res[0].Added, res[0].Items)
	}
}

func TestUnstableGUIDs(t *testing.T) {
	t.Parallel()
	srv := feedtest.NewServer()
	t.Cleanup(srv.Close)
	clk := newClock()
	feed := func(rev int) []byte {
		var its []feedtest.Item
		for i := range 3 {
			its = append(its, feedtest.Item{
				// A CMS that puts the revision into every GUID.
				GUID:  fmt.Sprintf("story-%d-rev-%d", i, rev),
				Title: fmt.Sprintf("Story %d", i), Link: fmt.Sprintf("https://u.example/story/%d", i),
			})
		}
		// Items linking to the home page keep their own GUIDs.
		its = append(its, feedtest.Item{GUID: fmt.Sprintf("home-%d", rev), Title: fmt.Sprintf("Brief %d", rev), Link: "https://u.example/"})
		return feedtest.RSS("U", "https://u.example/", its...)
	}
	srv.Set("/u.xml", feedtest.Feed{Body: feed(1)})
	store := feedtest.NewStore(feeds.Source{Name: "U", URL: srv.URL("/u.xml")})
	p := newPoller(t, store, clk, Options{})
	for rev := 1; rev <= 3; rev++ {
		srv.Set("/u.xml", feedtest.Feed{Body: feed(rev)})
		res, err := p.Ingest(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		want := 1 // only the new home-page brief
		if rev == 1 {
			want = 4
		}
		if res[0].Added != want {
			t.Errorf("revision %d: %d new, want %d", rev, res[0].Added, want)
		}
		clk.Advance(time.Hour)
	}
}

func TestBackoffAndPause(t *testing.T) {
	t.Parallel()
	srv := feedtest.NewServer()
	t.Cleanup(srv.Close)
	srv.Set("/broken.xml", feedtest.Feed{Status: http.StatusInternalServerError})
	clk := newClock()
	store := feedtest.NewStore(feeds.Source{Name: "Broken", URL: srv.URL("/broken.xml")})
	const interval = 10 * time.Minute
	p := newPoller(t, store, clk, Options{Interval: interval, MinInterval: time.Minute, MaxInterval: time.Hour, MaxFailures: 4})
	wantDelays := []time.Duration{interval, 2 * interval, 4 * interval}
	for i, want := range wantDelays {
		res, err := p.PollDue(t.Context())
		if err != nil || len(res) != 1 || res[0].Err == nil {
			t.Fatalf("turn %d: %+v, %v", i+1, res, err)
		}
		st := store.StateOf(srv.URL("/broken.xml"))
		if st.Failures != i+1 || st.Paused || st.LastStatus != 500 || st.LastError != "server answered 500 Internal Server Error" {
			t.Errorf("turn %d: state %+v", i+1, st)
		}
		d := st.NextFetch.Sub(clk.Now())
		if d < want || d > want+want/10 {
			t.Errorf("turn %d: retry in %s, want %s plus at most 10%%", i+1, d, want)
		}
		// Not due yet: nothing happens.
		clk.Set(st.NextFetch.Add(-time.Second))
		if res, _ := p.PollDue(t.Context()); len(res) != 0 {
			t.Errorf("turn %d: fetched before due", i+1)
		}
		clk.Set(st.NextFetch)
	}
	if _, err := p.PollDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	st := store.StateOf(srv.URL("/broken.xml"))
	if !st.Paused || st.PausedReason != "4 failures in a row; last: server answered 500 Internal Server Error" {
		t.Fatalf("after 4 failures: paused %v, reason %q", st.Paused, st.PausedReason)
	}
	// A paused source is not fetched, not even by Ingest.
	clk.Advance(48 * time.Hour)
	before := srv.Counts("/broken.xml").Total
	res, _ := p.Ingest(t.Context(), nil)
	if len(res) != 1 || !res[0].Skipped || !strings.Contains(res[0].Reason, "4 failures in a row") {
		t.Errorf("ingest of paused source: %+v", res)
	}
	if res, _ := p.PollDue(t.Context()); len(res) != 1 || !res[0].Skipped {
		t.Errorf("poll of paused source: %+v", res)
	}
	if srv.Counts("/broken.xml").Total != before {
		t.Error("paused source was fetched")
	}
	// Resumed, and fixed, it works again.
	srv.Set("/broken.xml", feedtest.Feed{Body: feedtest.RSS("Fixed", "https://f.example/", items("f", 1, clk.Now())...)})
	if err := p.Resume(t.Context(), srv.URL("/broken.xml")); err != nil {
		t.Fatal(err)
	}
	if res, _ := p.PollDue(t.Context()); len(res) != 1 || res[0].Err != nil || res[0].Added != 1 {
		t.Errorf("after resume: %+v", res)
	}
	if st := store.StateOf(srv.URL("/broken.xml")); st.Paused || st.Failures != 0 || st.LastError != "" {
		t.Errorf("after resume: %+v", st)
	}
}

func TestFailureKinds(t *testing.T) {
	t.Parallel()
	srv := feedtest.NewServer()
	t.Cleanup(srv.Close)
	srv.Set("/gone.xml", feedtest.Feed{Status: http.StatusGone})
	srv.Set("/busy.xml", feedtest.Feed{Status: http.StatusServiceUnavailable, Header: http.Header{"Retry-After": {"7200"}}})
	srv.Set("/page.html", feedtest.Feed{Body: []byte("<!DOCTYPE html><html><body>home</body></html>"), ContentType: "text/html"})
	srv.Set("/huge.xml", feedtest.Feed{Body: []byte("<rss>" + strings.Repeat("x", 2<<20) + "</rss>")})
	srv.Set("/truncated.xml", feedtest.Feed{Body: []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</title><item><title>Half`)})
	clk := newClock()
	store := feedtest.NewStore(
		feeds.Source{Name: "Gone", URL: srv.URL("/gone.xml")},
		feeds.Source{Name: "Busy", URL: srv.URL("/busy.xml")},
		feeds.Source{Name: "Page", URL: srv.URL("/page.html")},
		feeds.Source{Name: "Huge", URL: srv.URL("/huge.xml")},
		feeds.Source{Name: "Truncated", URL: srv.URL("/truncated.xml")},
	)
	c := fetch.New(fetch.Options{AllowPrivate: true, MaxBodyBytes: 1 << 20})
	p, err := New(store, c, Options{Now: clk.Now, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Ingest(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	gone := store.StateOf(srv.URL("/gone.xml"))
	if !gone.Paused || !strings.Contains(gone.PausedReason, "gone (410 Gone)") {
		t.Errorf("410: %+v", gone)
	}
	busy := store.StateOf(srv.URL("/busy.xml"))
	if d := busy.NextFetch.Sub(clk.Now()); d < 2*time.Hour || busy.Paused {
		t.Errorf("503 with Retry-After 2h: retry in %s", d)
	}
	if page := store.StateOf(srv.URL("/page.html")); page.LastError != "parse feed: not an RSS, Atom or JSON feed (got an HTML page)" || page.LastStatus != 200 {
		t.Errorf("HTML page: %+v", page)
	}
	if cut := store.StateOf(srv.URL("/truncated.xml")); cut.LastError != "parse feed: XML syntax error on line 1: unexpected EOF" ||
		cut.Failures != 1 || cut.ETag != "" {
		t.Errorf("truncated feed: %+v", cut)
	}
	if len(store.Articles()) != 0 {
		t.Errorf("%d articles stored from broken feeds", len(store.Articles()))
	}
	if huge := store.StateOf(srv.URL("/huge.xml")); huge.LastError != "response is larger than the 1 MiB limit (fetch.max_body_bytes); not read" {
		t.Errorf("huge: %q", huge.LastError)
	}
}

func TestRefusedSourceSaysWhy(t *testing.T) {
	t.Parallel()
	srv := feedtest.NewServer()
	t.Cleanup(srv.Close)
	srv.Set("/a.xml", feedtest.Feed{Body: feedtest.RSS("A", "https://a.example/")})
	clk := newClock()
	store := feedtest.NewStore(feeds.Source{Name: "Local", URL: srv.URL("/a.xml")})
	p, err := New(store, fetch.New(fetch.Options{}), Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := p.Ingest(t.Context(), nil)
	want := "refused: 127.0.0.1 is a loopback address; set fetch.allow_private to allow it"
	if res[0].State.LastError != want || store.StateOf(srv.URL("/a.xml")).LastError != want {
		t.Errorf("LastError %q, want %q", res[0].State.LastError, want)
	}
	if srv.Total().Total != 0 {
		t.Error("the refused server was reached")
	}
}

func TestCacheHints(t *testing.T) {
	t.Parallel()
	srv := feedtest.NewServer()
	t.Cleanup(srv.Close)
	ttlFeed := func(min int) []byte {
		return []byte(fmt.Sprintf(`<rss version="2.0"><channel><title>T</title><ttl>%d</ttl><item><title>x</title><link>https://t.example/x</link></item></channel></rss>`, min))
	}
	srv.Set("/maxage.xml", feedtest.Feed{Body: feedtest.RSS("M", "https://m.example/"), Header: http.Header{"Cache-Control": {"max-age=3600"}}})
	srv.Set("/short-ttl.xml", feedtest.Feed{Body: ttlFeed(1)})
	srv.Set("/long-ttl.xml", feedtest.Feed{Body: ttlFeed(60 * 24 * 7)})
	clk := newClock()
	store := feedtest.NewStore(
		feeds.Source{Name: "M", URL: srv.URL("/maxage.xml")},
		feeds.Source{Name: "S", URL: srv.URL("/short-ttl.xml")},
		feeds.Source{Name: "L", URL: srv.URL("/long-ttl.xml")},
	)
	p := newPoller(t, store, clk, Options{Interval: 15 * time.Minute, MinInterval: 5 * time.Minute, MaxInterval: 6 * time.Hour})
	if _, err := p.Ingest(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path   string
		period time.Duration
	}{
		{"/maxage.xml", time.Hour},
		{"/short-ttl.xml", 5 * time.Minute}, // raised to min_interval
		{"/long-ttl.xml", 6 * time.Hour},    // cut to max_interval
	}
	for _, tc := range tests {
		d := store.StateOf(srv.URL(tc.path)).NextFetch.Sub(clk.Now())
		if d <= tc.period/2 || d > 3*tc.period/2 {
			t.Errorf("%s: next fetch in %s, want about %s", tc.path, d, tc.period)
		}
	}
}

func TestNextFetchSpreads(t *testing.T) {
	t.Parallel()
	clk := newClock()
	const interval = 15 * time.Minute
	p := newPoller(t, feedtest.NewStore(), clk, Options{Interval: interval})
	now := clk.Now()
	const n = 1000
	buckets := make([]int, 15)
	for i := range n {
		u := fmt.Sprintf("https://feeds%d.example.com/rss", i)
		next := p.nextFetch(now, 0, u)
		d := next.Sub(now)
		if d <= interval/2 || d > 3*interval/2 {
			t.Fatalf("%s: next in %s", u, d)
		}
		buckets[next.Sub(now.Truncate(interval))/time.Minute%15]++
		// On its slot, a feed is next due exactly one interval later.
		if again := p.nextFetch(next.Add(2*time.Second), 0, u); again.Sub(next) != interval {
			t.Fatalf("%s: steady period %s", u, again.Sub(next))
		}
	}
	// 1000 feeds over 15 one-minute buckets: about 67 each, none empty or
	// crowded (a burst would put them all in one).
	for i, c := range buckets {
		if c < 30 || c > 110 {
			t.Errorf("minute %d holds %d of %d fetches: %v", i, c, n, buckets)
		}
	}
}

func TestStoreFailureLosesNothing(t *testing.T) {
	t.Parallel()
	srv := feedtest.NewServer()
	t.Cleanup(srv.Close)
	clk := newClock()
	srv.Set("/a.xml", feedtest.Feed{Body: feedtest.RSS("A", "https://a.example/", items("a", 2, clk.Now())...)})
	store := feedtest.NewStore(feeds.Source{Name: "A", URL: srv.URL("/a.xml")})
	fail := true
	var mu sync.Mutex
	store.AddArticlesFunc = func(context.Context, []briefing.Article) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return errors.New("disk full")
		}
		return nil
	}
	p := newPoller(t, store, clk, Options{})
	res, _ := p.Ingest(t.Context(), nil)
	st := store.StateOf(srv.URL("/a.xml"))
	if res[0].Err == nil || st.ETag != "" || st.Failures != 0 || st.LastError != "store articles: disk full" {
		t.Fatalf("store failure: result %v, state %+v", res[0].Err, st)
	}
	mu.Lock()
	fail = false
	mu.Unlock()
	clk.Set(st.NextFetch)
	res, _ = p.PollDue(t.Context())
	if len(res) != 1 || res[0].Added != 2 || srv.Counts("/a.xml").NotModified != 0 {
		t.Errorf("retry after store failure: %+v", res)
	}
}

func TestLocalSource(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "one.txt"), []byte("One\nbody"), 0o644)
	clk := newClock()
	store := feedtest.NewStore(feeds.Source{Name: "Desk", Path: dir})
	p := newPoller(t, store, clk, Options{LocalInterval: time.Minute})
	res, _ := p.Ingest(t.Context(), nil)
	if res[0].Err != nil || res[0].Added != 1 {
		t.Fatalf("first read: %+v", res[0])
	}
	clk.Advance(time.Minute)
	res, _ = p.PollDue(t.Context())
	if len(res) != 1 || !res[0].NotModified {
		t.Fatalf("unchanged folder: %+v", res)
	}
	os.WriteFile(filepath.Join(dir, "two.md"), []byte("# Two\nbody"), 0o644)
	clk.Advance(time.Minute)
	res, _ = p.PollDue(t.Context())
	if len(res) != 1 || res[0].Added != 1 || res[0].Items != 2 {
		t.Fatalf("new file: %+v", res)
	}
	if got := store.Articles()[1]; got.Title != "Two" || got.Source != "Desk" {
		t.Errorf("article %+v", got)
	}
}

func TestFullText(t *testing.T) {
	t.Parallel()
	srv := feedtest.NewServer()
	t.Cleanup(srv.Close)
	clk := newClock()
	body := strings.Repeat("<p>The full article carries every paragraph of the story, with quotes and numbers.</p>", 12)
	srv.Set("/story", feedtest.Feed{Body: []byte("<html><body><article><h1>Story</h1>" + body + "</article></body></html>"), ContentType: "text/html"})
	feed := func(extra ...feedtest.Item) []byte {
		its := append([]feedtest.Item{{GUID: "s1", Title: "Story", Link: srv.URL("/story"), Description: "A teaser…"}}, extra...)
		return feedtest.RSS("T", srv.URL("/"), its...)
	}
	srv.Set("/t.xml", feedtest.Feed{Body: feed()})
	store := feedtest.NewStore(feeds.Source{Name: "T", URL: srv.URL("/t.xml"), FullText: true})
	p := newPoller(t, store, clk, Options{})
	res, _ := p.Ingest(t.Context(), nil)
	if res[0].Err != nil || len(res[0].Problems) != 0 {
		t.Fatalf("%+v", res[0])
	}
	got := store.Articles()[0].Text
	if !strings.Contains(got, "The full article carries every paragraph") || strings.Count(got, "\n\n") < 5 {
		t.Errorf("text is not the full article: %q", got)
	}
	// A changed feed is fetched again, but pages of known items are not.
	srv.Set("/t.xml", feedtest.Feed{Body: feed(feedtest.Item{GUID: "s2", Title: "Other", Link: srv.URL("/missing"), Description: "short"})})
	clk.Advance(time.Hour)
	res, _ = p.Ingest(t.Context(), nil)
	if n := srv.Counts("/story").Total; n != 1 {
		t.Errorf("article page fetched %d times, want 1", n)
	}
	if res[0].Added != 1 || len(res[0].Problems) != 1 || store.Articles()[1].Text != "short" {
		t.Errorf("a failed full-text fetch keeps the teaser and is reported: %+v", res[0])
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	srv := feedtest.NewServer()
	t.Cleanup(srv.Close)
	srv.Set("/a.xml", feedtest.Feed{Body: feedtest.RSS("A", "https://a.example/", items("a", 1, time.Now())...)})
	srv.Set("/b.xml", feedtest.Feed{Body: feedtest.RSS("B", "https://b.example/", items("b", 1, time.Now())...)})
	store := feedtest.NewStore(
		feeds.Source{Name: "A1", URL: srv.URL("/a.xml")},
		feeds.Source{Name: "A2", URL: srv.URL("/a.xml")},
		feeds.Source{Name: "A3", URL: srv.URL("/a.xml")},
		feeds.Source{Name: "B", URL: srv.URL("/b.xml")},
	)
	c := fetch.New(fetch.Options{AllowPrivate: true})
	const every = time.Second
	p, err := New(store, c, Options{Interval: every, MinInterval: every, MaxInterval: every, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3500*time.Millisecond)
	defer cancel()
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	a, b := srv.Counts("/a.xml").Total, srv.Counts("/b.xml").Total
	// In 3.5 s at one fetch a second per URL: the first fetch plus 2-4 more.
	if a < 2 || a > 5 || b < 2 || b > 5 {
		t.Errorf("fetched a.xml %d and b.xml %d times in 3.5 s at a 1 s interval", a, b)
	}
	if len(store.Articles()) != 2 {
		t.Errorf("%d articles", len(store.Articles()))
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	c := fetch.New(fetch.Options{})
	if _, err := New(feedtest.NewStore(), c, Options{MinInterval: time.Hour, MaxInterval: time.Minute}); err == nil ||
		!strings.Contains(err.Error(), "min interval 1h0m0s is above max interval 1m0s") {
		t.Errorf("err = %v", err)
	}
	if _, err := New(nil, c, Options{}); err == nil {
		t.Error("nil store accepted")
	}
}

func TestOnResult(t *testing.T) {
	t.Parallel()
	srv := feedtest.NewServer()
	t.Cleanup(srv.Close)
	clk := newClock()
	srv.Set("/a.xml", feedtest.Feed{Body: feedtest.RSS("A", "https://a.example/", items("a", 2, clk.Now())...)})
	store := feedtest.NewStore(
		feeds.Source{Name: "Alpha", URL: srv.URL("/a.xml")},
		feeds.Source{Name: "Broken", URL: srv.URL("/missing.xml")},
	)
	var mu sync.Mutex
	seen := map[string]Result{}
	p := newPoller(t, store, clk, Options{OnResult: func(r Result) {
		mu.Lock()
		defer mu.Unlock()
		seen[r.Source.Name] = r
	}})
	if _, err := p.Ingest(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 {
		t.Fatalf("OnResult saw %d sources, want 2", len(seen))
	}
	if r := seen["Alpha"]; r.Err != nil || r.Added != 2 {
		t.Errorf("Alpha: err %v, added %d", r.Err, r.Added)
	}
	if r := seen["Broken"]; r.Err == nil {
		t.Errorf("Broken: no error reported")
	}
}

// TestRunWatchesLocalFolders: Run reads a local folder soon after a file
// appears in it (or in a subfolder made later), long before its
// LocalInterval; a single-file source is read when that file changes.
func TestRunWatchesLocalFolders(t *testing.T) {
	t.Parallel()
	dir, other := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(dir, "one.txt"), []byte("One\nThe first article."), 0o644)
	single := filepath.Join(other, "desk.jsonl")
	os.WriteFile(single, []byte(`{"id":"d1","title":"Desk one","text":"Desk text."}`+"\n"), 0o644)
	store := feedtest.NewStore(feeds.Source{Name: "Folder", Path: dir}, feeds.Source{Name: "Desk", Path: single})
	p, err := New(store, fetch.New(fetch.Options{}), Options{LocalInterval: time.Hour, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	titles := func() map[string]bool {
		m := map[string]bool{}
		for _, a := range store.Articles() {
			m[a.Title] = true
		}
		return m
	}
	waitFor := func(what string, ok func(map[string]bool) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !ok(titles()) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not read within 10 s (LocalInterval is an hour); have %v", what, titles())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("first pass", func(m map[string]bool) bool { return m["One"] && m["Desk one"] })

	os.WriteFile(filepath.Join(dir, "two.md"), []byte("# Two\nThe second article."), 0o644)
	waitFor("a new file", func(m map[string]bool) bool { return m["Two"] })

	os.Mkdir(filepath.Join(dir, "later"), 0o755)
	time.Sleep(watchSettle) // the new folder is watched once its event is seen
	os.WriteFile(filepath.Join(dir, "later", "three.txt"), []byte("Three\nIn a folder made later."), 0o644)
	waitFor("a file in a new subfolder", func(m map[string]bool) bool { return m["Three"] })

	f, _ := os.OpenFile(single, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"id":"d2","title":"Desk two","text":"More desk text."}` + "\n")
	f.Close()
	waitFor("a line added to a single-file source", func(m map[string]bool) bool { return m["Desk two"] })
	if n := len(store.Articles()); n != 5 {
		t.Errorf("%d articles stored, want 5 (each once)", n)
	}
}

package poll

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/newsbot/newsbot/feeds"
	"github.com/newsbot/newsbot/feeds/feedtest"
	"github.com/newsbot/newsbot/feeds/fetch"
)

// loopbackResolver answers 127.0.0.1 for every name, so that each feed can
// have its own host name (and its own per-host limit) on one test server.
type loopbackResolver struct{}

func (loopbackResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
}

// BenchmarkRefresh1000Feeds refreshes 1,000 feeds (20 items each, on 1,000
// host names served by one local server) with the default limits: 16
// requests in flight, 2 per host. Each iteration is a first pass (1,000
// full responses parsed and stored) and a second pass in which every feed
// is unchanged and must cost exactly one request answered 304.
func BenchmarkRefresh1000Feeds(b *testing.B) {
	const n = 1000
	srv := feedtest.NewServer()
	defer srv.Close()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	var srcs []feeds.Source
	for i := range n {
		path := fmt.Sprintf("/feed/%d.xml", i)
		srv.Set(path, feedtest.Feed{Body: feedtest.RSS(fmt.Sprintf("Feed %d", i), "https://example.com/", items(fmt.Sprintf("f%d", i), 20, now)...)})
		srcs = append(srcs, feeds.Source{Name: fmt.Sprintf("Feed %d", i), URL: fmt.Sprintf("http://feed%d.bench.test:%s%s", i, port, path)})
	}
	client := fetch.New(fetch.Options{AllowPrivate: true, Resolver: loopbackResolver{}})
	defer client.Close()
	var first, second time.Duration
	for b.Loop() {
		store := feedtest.NewStore(srcs...)
		p, err := New(store, client, Options{Now: func() time.Time { return now }})
		if err != nil {
			b.Fatal(err)
		}
		before := srv.Total()
		start := time.Now()
		res, err := p.Ingest(b.Context(), nil)
		if err != nil {
			b.Fatal(err)
		}
		first += time.Since(start)
		for _, r := range res {
			if r.Err != nil || r.Added != 20 {
				b.Fatalf("%s: added %d, err %v", r.Source.Name, r.Added, r.Err)
			}
		}
		mid := srv.Total()
		start = time.Now()
		if _, err := p.Ingest(b.Context(), nil); err != nil {
			b.Fatal(err)
		}
		second += time.Since(start)
		after := srv.Total()
		if got := mid.Total - before.Total; got != n {
			b.Fatalf("first pass made %d requests for %d feeds", got, n)
		}
		if got, nm := after.Total-mid.Total, after.NotModified-mid.NotModified; got != n || nm != n {
			b.Fatalf("unchanged pass made %d requests, %d answered 304; want %d and %d", got, nm, n, n)
		}
	}
	b.ReportMetric(first.Seconds()/float64(b.N), "s/first-pass")
	b.ReportMetric(second.Seconds()/float64(b.N), "s/304-pass")
	b.ReportMetric(float64(n), "feeds")
}

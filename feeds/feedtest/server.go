package feedtest

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Feed is what the Server answers for one path.
type Feed struct {
	// Body is served with status 200 unless Status is set.
	Body        []byte
	ContentType string
	// Status, if not 0 or 200, is answered instead of the body.
	Status int
	// Header adds response headers (Cache-Control, Retry-After, Location).
	Header http.Header
	// NoValidators turns off the ETag and Last-Modified headers, which are
	// otherwise derived from the body and Modified.
	NoValidators bool
	// Modified is the Last-Modified time (default: the Server's start).
	Modified time.Time
	// Delay holds the response back (a slow server); it stops early if
	// the client goes away.
	Delay time.Duration
}

// Counts are the requests a path received.
type Counts struct {
	// Total counts every request; NotModified those answered 304.
	Total, NotModified int
	// Conditional counts requests that carried a validator.
	Conditional int
}

// Server serves feeds over HTTP and counts requests. Paths without a feed
// answer 404. It answers conditional requests with 304 when a validator
// matches, and gzips bodies for clients that accept it.
type Server struct {
	*httptest.Server
	start time.Time

	mu     sync.Mutex
	feeds  map[string]Feed
	counts map[string]*Counts
	agents map[string]bool
}

// NewServer starts a Server; stop it with Close.
func NewServer() *Server {
	s := &Server{
		start:  time.Now().UTC().Truncate(time.Second),
		feeds:  map[string]Feed{},
		counts: map[string]*Counts{},
		agents: map[string]bool{},
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Set makes path answer f.
func (s *Server) Set(path string, f Feed) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.feeds[path] = f
}

// URL returns the absolute URL of path.
func (s *Server) URL(path string) string { return s.Server.URL + path }

// Counts returns the requests path received so far.
func (s *Server) Counts(path string) Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.counts[path]; c != nil {
		return *c
	}
	return Counts{}
}

// Total returns the counts summed over every path.
func (s *Server) Total() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	var t Counts
	for _, c := range s.counts {
		t.Total += c.Total
		t.NotModified += c.NotModified
		t.Conditional += c.Conditional
	}
	return t
}

// UserAgents returns the distinct User-Agent headers seen.
func (s *Server) UserAgents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for a := range s.agents {
		out = append(out, a)
	}
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f, ok := s.feeds[r.URL.Path]
	c := s.counts[r.URL.Path]
	if c == nil {
		c = &Counts{}
		s.counts[r.URL.Path] = c
	}
	c.Total++
	inm, ims := r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
	if inm != "" || ims != "" {
		c.Conditional++
	}
	s.agents[r.Header.Get("User-Agent")] = true
	s.mu.Unlock()

	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if f.Status != 0 && f.Status != http.StatusOK {
		w.WriteHeader(f.Status)
		return
	}
	if !f.NoValidators {
		sum := sha256.Sum256(f.Body)
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		mod := f.Modified
		if mod.IsZero() {
			mod = s.start
		}
		lm := mod.UTC().Format(http.TimeFormat)
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lm)
		if (inm != "" && inm == etag) || (inm == "" && ims == lm) {
			s.mu.Lock()
			c.NotModified++
			s.mu.Unlock()
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/rss+xml; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") && len(f.Body) > 1024 {
		w.Header().Set("Content-Encoding", "gzip")
		zw, _ := gzipWriters.Get().(*gzip.Writer)
		if zw == nil {
			zw = gzip.NewWriter(w)
		} else {
			zw.Reset(w)
		}
		zw.Write(f.Body)
		zw.Close()
		gzipWriters.Put(zw)
		return
	}
	w.Write(f.Body)
}

// gzipWriters recycles compressors (about 800 KB each), so that benchmarks
// measure the client rather than the test server's allocations.
var gzipWriters sync.Pool

// Item is one item of a feed built by RSS.
type Item struct {
	GUID, Title, Link, Description string
	Published                      time.Time
}

// RSS renders an RSS 2.0 feed. Fields are escaped; Description may hold
// HTML, which is escaped into the XML as feeds do.
func RSS(title, link string, items ...Item) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<rss version="2.0"><channel><title>%s</title><link>%s</link>`+"\n",
		html.EscapeString(title), html.EscapeString(link))
	for _, it := range items {
		b.WriteString("<item>")
		if it.GUID != "" {
			fmt.Fprintf(&b, `<guid isPermaLink="false">%s</guid>`, html.EscapeString(it.GUID))
		}
		fmt.Fprintf(&b, "<title>%s</title><link>%s</link>", html.EscapeString(it.Title), html.EscapeString(it.Link))
		if !it.Published.IsZero() {
			fmt.Fprintf(&b, "<pubDate>%s</pubDate>", it.Published.UTC().Format(time.RFC1123Z))
		}
		if it.Description != "" {
			fmt.Fprintf(&b, "<description>%s</description>", html.EscapeString(it.Description))
		}
		b.WriteString("</item>\n")
	}
	b.WriteString("</channel></rss>\n")
	return []byte(b.String())
}

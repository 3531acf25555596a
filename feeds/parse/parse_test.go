package parse

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newsbot/newsbot/briefing"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// want describes one expected article; Text is a substring.
type want struct {
	Title, URL, Text string
	Published        time.Time
}

func TestParseFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, contentType string
		title, source     string
		ttl               time.Duration
		dropped           int
		arts              []want
	}{
		{
			file: "rss-latin1.xml", title: "Le Monde & Co – International", source: "Le Monde & Co – International", ttl: 30 * time.Minute,
			arts: []want{
				// A date a week in the future is not trusted: it becomes the fetch time.
				{Title: "Programme de la semaine prochaine", URL: "https://www.example.fr/international/agenda", Published: now},
				{Title: "Sommet du G20 à Rio : les dirigeants s’accordent sur le climat",
					URL:       "https://www.example.fr/international/article/2026/11/23/sommet-g20?utm_source=rss&utm_medium=feed",
					Text:      "Les dirigeants du G20 réunis à Rio ont signé un accord.\n\nLe texte prévoit un fonds climat.",
					Published: time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC)},
				// Escaped HTML in the title is stripped; a relative link resolves against the site.
				{Title: "EN DIRECT Guerre en Ukraine : les négociations reprennent",
					URL:       "https://www.example.fr/international/live/2026/11/22/ukraine",
					Text:      "Les délégations se retrouvent à Genève & à Istanbul.",
					Published: time.Date(2026, 11, 22, 17, 30, 0, 0, time.UTC)},
				{Title: "Brève sans date", URL: "https://www.example.fr/international/breve"},
				// 1970 is not a plausible date: treated as missing.
				{Title: "Archive mal datée", URL: "https://www.example.fr/international/archive"},
			},
		},
		{
			file: "rss-mislabeled.xml", title: "Daily Gazette •", source: "Daily Gazette •",
			arts: []want{{Title: "“Historic” deal reached in café talks", URL: "https://gazette.example.com/2026/deal",
				Text: "Negotiators met at a café – and agreed.", Published: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}},
		},
		{
			file: "atom.xml", title: "Tech & Policy", source: "Tech & Policy",
			arts: []want{
				{Title: "Analysis: what the G20 deal means", URL: "https://policy.example.org/2026/11/g20-analysis",
					Text: "First paragraph of the analysis.\n\nSecond paragraph, with a link.", Published: time.Date(2026, 11, 23, 6, 30, 0, 0, time.UTC)},
				{Title: "Only updated, never published", URL: "https://policy.example.org/2026/11/updated-only",
					Text: "Body & more.", Published: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)},
				{Title: "An entry without a title whose first line becomes the headline because feeds sometimes omit titles…",
					URL: "https://policy.example.org/2026/11/untitled", Published: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)},
			},
		},
		{
			file: "jsonfeed.json", title: "Numbers Weekly", source: "Numbers Weekly",
			arts: []want{
				{Title: "Rates held", URL: "https://numbers.example.net/2026/rates", Text: "The bank held rates.", Published: now},
				// content_text is plain text: its "<" and "&" survive.
				{Title: "Inflation <3% for the first time", URL: "https://numbers.example.net/2026/inflation",
					Text: "Prices rose 2.9% in October.\n\nEconomists said x<y & y<z held.", Published: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)},
			},
		},
		{
			file: "rss-dup-guids.xml", title: "Lazy CMS", source: "Lazy CMS", dropped: 2,
			arts: []want{
				{Title: "Second story", URL: "https://lazy.example.com/b", Published: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)},
				{Title: "First story", URL: "https://lazy.example.com/a", Published: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)},
				{Title: "Third story", URL: "https://lazy.example.com/c"},
				{Title: "A description only", Text: "A description only"},
			},
		},
		{
			// No XML declaration; the charset is in the HTTP header only.
			file: "rss-header-charset.xml", contentType: "application/rss+xml; charset=ISO-8859-1", title: "Zürich Zeitung", source: "Zürich Zeitung",
			arts: []want{{Title: "Grüezi: Gespräche in Zürich", URL: "https://zz.example.ch/gespraeche"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			f, err := Parse(read(t, tc.file), Options{URL: "https://feeds.example.com/feed", ContentType: tc.contentType, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if f.Title != tc.title || f.TTL != tc.ttl || f.Dropped != tc.dropped {
				t.Errorf("feed title %q ttl %s dropped %d; want %q %s %d", f.Title, f.TTL, f.Dropped, tc.title, tc.ttl, tc.dropped)
			}
			if len(f.Articles) != len(tc.arts) {
				for _, a := range f.Articles {
					t.Logf("got %q %s", a.Title, a.URL)
				}
				t.Fatalf("%d articles, want %d", len(f.Articles), len(tc.arts))
			}
			for i, w := range tc.arts {
				a := f.Articles[i]
				if a.Title != w.Title || a.URL != w.URL || !strings.Contains(a.Text, w.Text) || !a.Published.Equal(w.Published) {
					t.Errorf("article %d:\n got %q %q %s\n  text %q\nwant %q %q %s\n  text %q", i, a.Title, a.URL, a.Published, a.Text, w.Title, w.URL, w.Published, w.Text)
				}
				if a.Source != tc.source {
					t.Errorf("article %d source %q, want %q", i, a.Source, tc.source)
				}
			}
		})
	}
}

func TestParseSourceName(t *testing.T) {
	t.Parallel()
	f, err := Parse(read(t, "atom.xml"), Options{Source: "Policy desk", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range f.Articles {
		if a.Source != "Policy desk" {
			t.Errorf("source %q, want the configured name", a.Source)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    []byte
		notFeed bool
		msg     string
	}{
		{"html page", read(t, "not-a-feed.html"), true, "parse feed: not an RSS, Atom or JSON feed (got an HTML page)"},
		{"empty", nil, true, "parse feed: not an RSS, Atom or JSON feed"},
		{"garbage", []byte("\x00\x01garbage"), true, "parse feed: not an RSS, Atom or JSON feed"},
		{"truncated", read(t, "truncated.xml"), false, "parse feed: XML syntax error on line 1: unexpected EOF"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := Parse(tc.body, Options{Now: now})
			if err == nil {
				t.Fatalf("no error; %d articles", len(f.Articles))
			}
			if errors.Is(err, ErrNotFeed) != tc.notFeed || err.Error() != tc.msg {
				t.Errorf("err = %q (not feed %v), want %q", err, errors.Is(err, ErrNotFeed), tc.msg)
			}
			if len(f.Articles) != 0 {
				t.Errorf("partial feed with %d articles", len(f.Articles))
			}
		})
	}
}

// TestKeysStableAcrossUpdates checks that an item whose updated date,
// text or title changed keeps its key, so it is never posted again, and
// that item order does not matter.
func TestKeysStableAcrossUpdates(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, v1, v2 string }{
		{"atom updated", `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><id>tag:x.example,2026:1</id><title>Original</title><link href="https://x.example/1"/><published>2026-11-20T10:00:00Z</published><updated>2026-11-20T10:00:00Z</updated><content>v1</content></entry>
<entry><id>tag:x.example,2026:2</id><title>Other</title><link href="https://x.example/2"/><updated>2026-11-21T10:00:00Z</updated></entry></feed>`,
			`<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><id>tag:x.example,2026:2</id><title>Other</title><link href="https://x.example/2"/><updated>2026-11-22T10:00:00Z</updated></entry>
<entry><id>tag:x.example,2026:1</id><title>Original (updated)</title><link href="https://x.example/1?utm_source=feed"/><published>2026-11-20T10:00:00Z</published><updated>2026-11-23T09:00:00Z</updated><content>v2, corrected</content></entry></feed>`},
		{"rss opaque guid, tracking params", `<rss version="2.0"><channel><title>T</title>
<item><guid isPermaLink="false">123</guid><title>A</title><link>https://x.example/a?id=5</link><pubDate>Fri, 20 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>`,
			`<rss version="2.0"><channel><title>T</title>
<item><guid isPermaLink="false">123</guid><title>A, updated</title><link>https://X.example/a?utm_medium=rss&amp;id=5#top</link><pubDate>Sun, 22 Nov 2026 10:00:00 GMT</pubDate><description>new text</description></item></channel></rss>`},
		{"rss no guid", `<rss version="2.0"><channel><title>T</title>
<item><title>A</title><link>https://x.example/a</link><pubDate>Fri, 20 Nov 2026 10:00:00 GMT</pubDate><description>one</description></item></channel></rss>`,
			`<rss version="2.0"><channel><title>T</title>
<item><title>A (update)</title><link>https://x.example/a/</link><pubDate>Sat, 21 Nov 2026 10:00:00 GMT</pubDate><description>two</description></item></channel></rss>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k1 := keys(t, tc.v1)
			k2 := keys(t, tc.v2)
			if len(k1) == 0 || len(k1) != len(k2) {
				t.Fatalf("keys %v vs %v", k1, k2)
			}
			for k := range k1 {
				if !k2[k] {
					t.Errorf("key %s changed between versions (%v -> %v)", k, k1, k2)
				}
			}
		})
	}
}

func keys(t *testing.T, feed string) map[string]bool {
	t.Helper()
	f, err := Parse([]byte(feed), Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, a := range f.Articles {
		out[a.Key()] = true
	}
	return out
}

func TestToUTF8(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, ct, want string
	}{
		{"valid untouched", "café", "", "café"},
		{"latin1 bytes", "caf\xe9 \x93q\x94", "", "café “q”"},
		{"mixed", "caf\xe9 and café", "", "café and café"},
		{"header charset", "Gr\xfc\xdfe", "text/xml; charset=iso-8859-1", "Grüße"},
		{"declared encoding left to the parser", `<?xml version="1.0" encoding="ISO-8859-1"?>caf` + "\xe9", "", `<?xml version="1.0" encoding="ISO-8859-1"?>caf` + "\xe9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := string(toUTF8([]byte(tc.in), tc.ct)); got != tc.want {
				t.Errorf("toUTF8(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.*"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		feed, err := Parse(body, Options{URL: "https://feeds.example.com/rss", Now: now})
		if err != nil {
			if len(feed.Articles) != 0 {
				t.Fatalf("error %v with %d articles", err, len(feed.Articles))
			}
			return
		}
		seen := map[string]bool{}
		for _, a := range feed.Articles {
			checkArticle(t, a)
			k := a.Key()
			if seen[k] {
				t.Fatalf("duplicate key %s", k)
			}
			seen[k] = true
		}
	})
}

func checkArticle(t *testing.T, a briefing.Article) {
	t.Helper()
	if a.Title == "" && a.URL == "" {
		t.Fatalf("article with neither title nor URL: %+v", a)
	}
	if strings.ContainsAny(a.Title, "\n\r\t") || a.Title != strings.TrimSpace(a.Title) {
		t.Fatalf("title not one clean line: %q", a.Title)
	}
	if a.URL != "" && !strings.HasPrefix(a.URL, "http://") && !strings.HasPrefix(a.URL, "https://") {
		t.Fatalf("non-http URL %q", a.URL)
	}
	if a.Published.After(now.Add(MaxSkew)) {
		t.Fatalf("published in the future: %s", a.Published)
	}
	if !a.Published.IsZero() && a.Published.Before(oldest) {
		t.Fatalf("implausible date kept: %s", a.Published)
	}
	for _, s := range []string{a.Title, a.Text, a.Source} {
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8: %q", s)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	body := bigFeed(1 << 20)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var items int
	for b.Loop() {
		f, err := Parse(body, Options{Now: now})
		if err != nil {
			b.Fatal(err)
		}
		items = len(f.Articles)
	}
	b.ReportMetric(float64(items)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// bigFeed builds an RSS feed of about size bytes with HTML descriptions.
func bigFeed(size int) []byte {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Big</title><link>https://big.example.com/</link>`)
	for i := 0; sb.Len() < size; i++ {
		sb.WriteString("<item><title>Story number ")
		sb.WriteString(strings.Repeat("x", i%7))
		sb.WriteString(" &amp; more</title><link>https://big.example.com/story/")
		sb.WriteString(time.Duration(i).String())
		sb.WriteString("</link><guid>https://big.example.com/story/")
		sb.WriteString(time.Duration(i).String())
		sb.WriteString("</guid><pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate><description><![CDATA[<p>Leaders of the G20 met in Rio on Monday and agreed on a <b>climate</b> fund.</p><p>The talks ran late.</p>]]></description></item>")
	}
	sb.WriteString("</channel></rss>")
	return []byte(sb.String())
}

package opml

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/feeds"
)

func TestImport(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/feedreader-export.opml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	srcs, skipped, err := Import(f, "opml")
	if err != nil {
		t.Fatal(err)
	}
	want := []feeds.Source{
		{Name: "BBC World", URL: "https://feeds.bbci.co.uk/news/world/rss.xml", Origin: "opml"},
		{Name: "Le Monde & Co", URL: "https://www.lemonde.fr/international/rss_full.xml", Origin: "opml"},
		{Name: "Title only", URL: "https://title.example.com/feed", Origin: "opml"},
		{Name: "Policy", URL: "https://policy.example.org/feed.atom", FullText: true, Origin: "opml"},
		{Name: "Desk", Path: "/srv/newsbot/desk", Origin: "opml"},
	}
	if !reflect.DeepEqual(srcs, want) {
		t.Errorf("got  %+v\nwant %+v", srcs, want)
	}
	var reasons []string
	for _, s := range skipped {
		reasons = append(reasons, s.Error())
	}
	wantSkipped := []string{
		`"BBC again": https://feeds.bbci.co.uk/news/world/rss.xml is listed twice`,
		`"Gopher": "gopher://old.example/feed" is not an http(s) URL`,
		`"A note without a feed": no xmlUrl`,
	}
	if !reflect.DeepEqual(reasons, wantSkipped) {
		t.Errorf("skipped %q\nwant    %q", reasons, wantSkipped)
	}
}

func TestImportLatin1(t *testing.T) {
	t.Parallel()
	doc := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><opml version=\"2.0\"><body><outline text=\"Z\xfcrich\" xmlUrl=\"https://zz.example.ch/rss\"/></body></opml>"
	srcs, _, err := Import(strings.NewReader(doc), "")
	if err != nil || len(srcs) != 1 || srcs[0].Name != "Zürich" {
		t.Fatalf("%+v, %v", srcs, err)
	}
}

func TestImportNotOPML(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{"", "not xml", `<rss version="2.0"></rss>`} {
		if _, _, err := Import(strings.NewReader(doc), ""); err == nil {
			t.Errorf("%q: no error", doc)
		}
	}
}

func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	srcs := []feeds.Source{
		{Name: "BBC World", URL: "https://feeds.bbci.co.uk/news/world/rss.xml?a=1&b=2"},
		{Name: `Quotes "and" <angles>`, URL: "https://q.example/feed", FullText: true},
		{Name: "Desk", Path: "/srv/desk"},
	}
	var buf bytes.Buffer
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	if err := Export(&buf, "newsbot sources", now, srcs); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		`<?xml version="1.0" encoding="UTF-8"?>`,
		`<opml version="2.0">`,
		`<title>newsbot sources</title>`,
		`<dateCreated>Mon, 23 Nov 2026 10:00:00 +0000</dateCreated>`,
		`<outline text="BBC World" title="BBC World" type="rss" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml?a=1&amp;b=2"></outline>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("export lacks %s:\n%s", want, out)
		}
	}
	back, skipped, err := Import(&buf, "")
	if err != nil || len(skipped) != 0 {
		t.Fatalf("re-import: %v, skipped %v", err, skipped)
	}
	if !reflect.DeepEqual(back, srcs) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, srcs)
	}
}

func FuzzImport(f *testing.F) {
	b, err := os.ReadFile("testdata/feedreader-export.opml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`<opml><body><outline xmlUrl="http://a/b"><outline xmlUrl="http://a/b"/></outline></body></opml>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		srcs, _, err := Import(bytes.NewReader(doc), "fuzz")
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, s := range srcs {
			if (s.URL == "") == (s.Path == "") {
				t.Fatalf("source needs exactly one of URL and path: %+v", s)
			}
			if s.URL != "" && checkURL(s.URL) != nil {
				t.Fatalf("bad URL kept: %q", s.URL)
			}
			if s.Name == "" || strings.ContainsAny(s.Name, "\n\t") {
				t.Fatalf("bad name %q", s.Name)
			}
			if seen[s.Locator()] {
				t.Fatalf("duplicate %s", s.Locator())
			}
			seen[s.Locator()] = true
		}
		// What was imported exports and imports back unchanged.
		var buf bytes.Buffer
		if err := Export(&buf, "t", time.Time{}, srcs); err != nil {
			t.Fatal(err)
		}
		back, _, err := Import(&buf, "fuzz")
		if err != nil {
			t.Fatalf("re-import: %v\n%s", err, buf.String())
		}
		if len(back) != len(srcs) {
			t.Fatalf("round trip kept %d of %d sources", len(back), len(srcs))
		}
		for i := range back {
			if back[i] != srcs[i] {
				t.Fatalf("round trip changed %+v into %+v", srcs[i], back[i])
			}
		}
	})
}

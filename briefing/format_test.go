package briefing_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newsbot/newsbot/briefing"
)

func init() {
	// Rewrite the golden files with go test ./briefing -update. Another
	// test file in this test binary may define the flag already.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata/")
	}
}

// updating reports whether the tests run with -update.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./briefing -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (review, then go test ./briefing -update):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

var formatNow = time.Date(2017, 5, 3, 10, 5, 0, 0, time.UTC)

// formatCases are briefings that exercise the renderers.
var formatCases = []struct {
	name  string
	width int
	b     briefing.Briefing
}{
	{name: "typical", width: 72, b: briefing.Briefing{
		Title: "g20", Query: "g20", Generated: formatNow, More: 2,
		Items: []briefing.Item{
			{
				Headline:  "Trump and Putin plan face-to-face meeting at G20 in Germany",
				URL:       "https://www.harbourpost.example/world/trump-putin",
				Summary:   []string{"Donald Trump and Vladimir Putin have agreed to try to meet up for face-to-face talks in Germany in the summer.", "The two leaders have spoken by telephone on subjects including how to best tackle terrorism and relations with North Korea."},
				Sources:   []briefing.Link{{Name: "Harbour Post", URL: "https://www.harbourpost.example/world/trump-putin"}, {Name: "Northern Ledger", URL: "https://www.northernledger.example/news/call"}, {Name: "The Daily Courier", URL: "https://www.dailycourier.example/politics/g20"}, {Name: "Sample Wire"}},
				Published: formatNow.Add(-3*time.Hour - 35*time.Minute),
			},
			{
				Headline:  "Hamburg plans its biggest police operation for G20 summit",
				URL:       "https://www.meridian.example/europe/hamburg-g20",
				Summary:   []string{"Hamburg is preparing the largest police operation in its post-war history for the G20 summit in July."},
				Sources:   []briefing.Link{{Name: "Meridian News", URL: "https://www.meridian.example/europe/hamburg-g20"}, {Name: "Capital Wire", URL: "https://www.capitalwire.example/world/g20-protest"}, {Name: "Pacific Herald", URL: "https://www.pacificherald.example/g20"}},
				Published: formatNow.Add(-2 * time.Hour),
			},
			{
				Headline:  "G20 finance ministers meet in Baden-Baden",
				Summary:   []string{},
				Sources:   []briefing.Link{{Name: "Capital Wire", URL: "https://www.capitalwire.example/markets/g20-finance"}},
				Published: formatNow.Add(-50 * time.Hour),
			},
		},
	}},
	{name: "empty", width: 72, b: briefing.Briefing{Title: "g20", Query: "g20 -sport", Generated: formatNow}},
	{name: "narrow", width: 24, b: briefing.Briefing{
		Title: "Morning digest: technology", Generated: formatNow,
		Items: []briefing.Item{{
			Headline: "Ticket site Tixly says hackers stole data of two million customers",
			URL:      "https://www.bytejournal.example/security/2017/05/02/tixly-breach-two-million-customers-europe-north-america",
			Summary:  []string{"Online ticket seller Tixly said on Tuesday that hackers had stolen names, email addresses and partial card numbers."},
			Sources:  []briefing.Link{{Name: "Byte Journal"}},
		}},
	}},
	{name: "untrusted", width: 60, b: briefing.Briefing{
		Title: "news *now*\n", Generated: formatNow,
		Items: []briefing.Item{{
			Headline: "Breaking:\x1b[31m red\x1b[0m [alert] <b>bold</b> _and_ `code` #1",
			URL:      "javascript:alert(1)",
			Summary:  []string{"- not a list item, and a | pipe", "1. not a numbered item either."},
			Sources: []briefing.Link{
				{Name: "Wiki (Parens)", URL: "https://en.wikipedia.example/wiki/Foo_(bar) x"},
				{Name: "Evil", URL: "data:text/html,<script>alert(1)</script>"},
			},
		}},
	}},
}

func TestFormatGolden(t *testing.T) {
	for _, tc := range formatCases {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, filepath.Join("format", tc.name+".txt.golden"), briefing.FormatText(tc.b, tc.width))
			golden(t, filepath.Join("format", tc.name+".md.golden"), briefing.FormatMarkdown(tc.b))
		})
	}
}

// The text renderer keeps every word whole, keeps lines within the width
// unless a single word is longer, and prints no control characters.
func TestFormatTextWrapsBetweenWords(t *testing.T) {
	t.Parallel()
	for _, tc := range formatCases {
		for _, width := range []int{10, 24, 40, 80} {
			out := briefing.FormatText(tc.b, width)
			words := map[string]bool{}
			for _, w := range strings.Fields(out) {
				words[w] = true
			}
			for _, it := range tc.b.Items {
				for _, w := range strings.Fields(strings.Map(func(r rune) rune {
					if r < ' ' {
						return ' '
					}
					return r
				}, it.Headline+" "+strings.Join(it.Summary, " "))) {
					if !words[w] {
						t.Errorf("%s at width %d: word %q was cut or lost", tc.name, width, w)
					}
				}
			}
			for _, line := range strings.Split(out, "\n") {
				if utf8.RuneCountInString(line) > width && len(strings.Fields(line)) > 1 && !strings.HasPrefix(strings.TrimSpace(line), strings.Fields(line)[0]) {
					t.Errorf("%s at width %d: line over the width: %q", tc.name, width, line)
				}
				for _, r := range line {
					if r < ' ' && r != '\t' {
						t.Errorf("%s: control character %q in output", tc.name, r)
					}
				}
			}
		}
	}
}

func TestFormatTextAge(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		published time.Time
		want      string
	}{
		{now.Add(-30 * time.Second), "just now"},
		{now.Add(-5 * time.Hour), "5 hours ago"},
		{now.Add(-3 * 24 * time.Hour), "3 days ago"},
		{time.Date(2026, 5, 2, 9, 0, 0, 0, time.UTC), "2 May"},
		{time.Date(2017, 5, 2, 9, 0, 0, 0, time.UTC), "2 May 2017"},
	}
	for _, tc := range cases {
		b := briefing.Briefing{Title: "t", Generated: now, Items: []briefing.Item{{
			Headline: "H", Sources: []briefing.Link{{Name: "Wire"}}, Published: tc.published,
		}}}
		if out := briefing.FormatText(b, 80); !strings.Contains(out, "Source: Wire · "+tc.want+"\n") {
			t.Errorf("published %s: want %q in\n%s", tc.published, tc.want, out)
		}
	}
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/feeds"
)

// TestSourcesAddChecksTheAddress: a feed URL the fetcher would refuse is
// refused when it is added, with the fetcher's reason and the setting
// that allows it, and nothing is stored.
func TestSourcesAddChecksTheAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		config  string
		url     string
		wantErr string // "" when the source is added
	}{
		{"loopback", "", "http://127.0.0.1:8080/feed.xml",
			"http://127.0.0.1:8080/feed.xml: refused: 127.0.0.1 is a loopback address; set fetch.allow_private to allow it"},
		{"loopback v6", "", "http://[::1]:8080/feed.xml", "::1 is a loopback address; set fetch.allow_private"},
		{"private", "", "https://10.1.2.3/rss", "10.1.2.3 is a private address; set fetch.allow_private"},
		{"cloud metadata", "", "http://169.254.169.254/latest/", "the cloud metadata address"},
		{"never, even when allowed", "fetch:\n  allow_private: true\n", "http://224.0.0.1/feed", "224.0.0.1 is a multicast address; feeds cannot be fetched from it"},
		{"allowed", "fetch:\n  allow_private: true\n", "http://127.0.0.1:8080/feed.xml", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := feedConfig(t, tc.config)
			out, _, err := runCLI(t, "--config", cfg, "sources", "add", "Local", tc.url)
			list, _, lerr := runCLI(t, "--config", cfg, "sources", "list")
			if lerr != nil {
				t.Fatal(lerr)
			}
			if tc.wantErr == "" {
				if err != nil || !strings.Contains(out, "Added Local") || !strings.Contains(list, tc.url) {
					t.Errorf("add: %v\n%s\nlist:\n%s", err, out, list)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
			if !strings.Contains(list, "No sources yet") {
				t.Errorf("a refused source was stored:\n%s", list)
			}
		})
	}
}

func TestNextFetch(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		next time.Time
		want string
	}{
		{now.Add(12 * time.Minute), "in 12m"},
		{now.Add(30 * time.Second), "in 30s"},
		{now, "due now"},
		{now.Add(-20 * time.Second), "due now"},
		{now.Add(-3 * time.Minute), "overdue 3m"},
		{now.Add(-2*time.Hour - 5*time.Minute), "overdue 2h05m"},
	}
	for _, tc := range tests {
		if got := nextFetch(now, tc.next); got != tc.want {
			t.Errorf("nextFetch(%s) = %q, want %q", now.Sub(tc.next), got, tc.want)
		}
	}
}

func TestWriteSourceTable(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC)
	srcs := []feeds.Source{
		{Name: "Wire", URL: "https://wire.example/rss"},
		{Name: "Late", URL: "https://late.example/rss"},
		{Name: "Sports", URL: "https://sports.example/rss"},
		{Name: "New", URL: "https://new.example/rss"},
	}
	states := map[string]feeds.State{
		"https://wire.example/rss": {LastFetch: now.Add(-4 * time.Minute), LastSuccess: now.Add(-4 * time.Minute), LastItems: 1, LastNew: 1, NextFetch: now.Add(11 * time.Minute)},
		"https://late.example/rss": {LastFetch: now.Add(-time.Hour), LastSuccess: now.Add(-time.Hour), LastItems: 12, LastStatus: 304, NextFetch: now.Add(-3 * time.Minute)},
		"https://sports.example/rss": {LastFetch: now.Add(-time.Hour), Failures: 10, Paused: true, PausedReason: "10 failures in a row: no such host",
			NextFetch: now.Add(-50 * time.Minute)},
	}
	var b bytes.Buffer
	writeSourceTable(&b, srcs, states, now)
	want := `NAME    SOURCE                      HEALTH         LAST FETCH  ITEMS  NEW  NEXT
Wire    https://wire.example/rss    ok             4m ago      1      1    in 11m
Late    https://late.example/rss    ok, unchanged  1h00m ago   12     0    overdue 3m
Sports  https://sports.example/rss  paused         1h00m ago   -      -    -
New     https://new.example/rss     never fetched  -           -      -    -

Sports: paused: 10 failures in a row: no such host
`
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestSourcesImportChecksTheAddresses: an OPML file's feeds go through the
// same address check as sources add; a refused one is skipped with its
// reason and the others are imported.
func TestSourcesImportChecksTheAddresses(t *testing.T) {
	t.Parallel()
	cfg := feedConfig(t, "")
	opmlPath := filepath.Join(t.TempDir(), "in.opml")
	os.WriteFile(opmlPath, []byte(`<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
<outline text="Router" type="rss" xmlUrl="http://192.168.1.1/feed.xml"/>
<outline text="Loopback" type="rss" xmlUrl="http://127.0.0.1:9/feed.xml"/>
<outline text="World" type="rss" xmlUrl="http://93.184.216.34/world.xml"/>
</body></opml>`), 0o644)
	out, _, err := runCLI(t, "--config", cfg, "sources", "import", opmlPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Imported 1 source; 0 already present; 2 skipped.",
		`skipped "Router": http://192.168.1.1/feed.xml: refused: 192.168.1.1 is a private address; set fetch.allow_private to allow it`,
		`skipped "Loopback": http://127.0.0.1:9/feed.xml: refused: 127.0.0.1 is a loopback address`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	list, _, _ := runCLI(t, "--config", cfg, "sources", "list")
	if !strings.Contains(list, "World") || strings.Contains(list, "Router") || strings.Contains(list, "Loopback") {
		t.Errorf("after import:\n%s", list)
	}
}

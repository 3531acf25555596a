package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/storage/sqlite"
)

// searchFixture writes a config whose database holds a few articles and
// returns the config's path.
func searchFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "news.db")
	cfg := filepath.Join(dir, "newsbot.yaml")
	if err := os.WriteFile(cfg, []byte("storage:\n  dsn: "+db+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := sqlite.Open(ctx, db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now().UTC().Truncate(time.Minute)
	day := 24 * time.Hour
	arts := []briefing.Article{
		{GUID: "urn:1", URL: "https://world.example/g20-rio", Title: "G20 leaders meet in Rio",
			Text: "The G20 summit opened. Climate finance was discussed.", Source: "World",
			Published: time.Date(2026, 11, 18, 7, 30, 0, 0, time.UTC), Fetched: now.Add(-10 * day)},
		{GUID: "urn:2", URL: "https://bbc.example/climate", Title: "Climate summit ends\n  with a deal",
			Text: "The climate summit ended with a deal. Climate, climate, climate.", Source: "BBC",
			Published: time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC), Fetched: now.Add(-2 * day)},
		{GUID: "urn:3", URL: "https://sport.example/summit", Title: "Sport summit",
			Text: "A summit about sport.", Source: "Sport", Fetched: time.Date(2026, 11, 21, 9, 5, 0, 0, time.UTC)},
	}
	if _, err := s.AddArticles(ctx, arts, time.Time{}); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func runSearchCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCmd(strings.NewReader(""), &out, &errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(t.Context())
	return out.String(), err
}

func TestSearchCommand(t *testing.T) {
	t.Parallel()
	cfg := searchFixture(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{
			name: "newest first",
			args: []string{"summit"},
			want: `3 articles for summit, newest first:

Sport summit
  Sport · 2026-11-21 09:05 UTC
  https://sport.example/summit

Climate summit ends with a deal
  BBC · 2026-11-20 18:00 UTC
  https://bbc.example/climate

G20 leaders meet in Rio
  World · 2026-11-18 07:30 UTC
  https://world.example/g20-rio
`,
		},
		{
			name: "query syntax over several arguments",
			args: []string{"summit", "-sport", "-g20"},
			want: `1 article for summit -sport -g20, newest first:

Climate summit ends with a deal
  BBC · 2026-11-20 18:00 UTC
  https://bbc.example/climate
`,
		},
		{
			name: "relevance and limit",
			args: []string{"--sort", "relevance", "-n", "1", "climate"},
			want: `1 article for climate, most relevant first (the first 1; --limit shows more):

Climate summit ends with a deal
  BBC · 2026-11-20 18:00 UTC
  https://bbc.example/climate
`,
		},
		{
			name: "source",
			args: []string{"--source", "World", "summit OR deal"},
			want: `1 article for summit OR deal, newest first:

G20 leaders meet in Rio
  World · 2026-11-18 07:30 UTC
  https://world.example/g20-rio
`,
		},
		{
			name: "since",
			args: []string{"--since", "72h", `"climate summit"`},
			want: `1 article for "climate summit", newest first:

Climate summit ends with a deal
  BBC · 2026-11-20 18:00 UTC
  https://bbc.example/climate
`,
		},
		{
			name: "no match",
			args: []string{"volcano"},
			want: "No stored article matches volcano.\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := runSearchCLI(t, append([]string{"--config", cfg, "search"}, tc.args...)...)
			if err != nil {
				t.Fatalf("search %q: %v", tc.args, err)
			}
			if got != tc.want {
				t.Errorf("search %q printed:\n%s\nwant:\n%s", tc.args, got, tc.want)
			}
		})
	}
}

func TestSearchCommandJSON(t *testing.T) {
	t.Parallel()
	cfg := searchFixture(t)
	out, err := runSearchCLI(t, "--config", cfg, "search", "--json", "g20 OR sport")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(lines), out)
	}
	var first searchJSON
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.Title != "Sport summit" || first.URL != "https://sport.example/summit" || first.Score <= 0 || first.Fetched.IsZero() {
		t.Errorf("first line = %+v", first)
	}
}

func TestSearchCommandErrors(t *testing.T) {
	t.Parallel()
	cfg := searchFixture(t)
	dir := t.TempDir()
	pg := filepath.Join(dir, "pg.yaml")
	if err := os.WriteFile(pg, []byte("storage:\n  dsn: postgres://nobody@127.0.0.1:1/news?connect_timeout=2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unbalanced quote", []string{"--config", cfg, "search", `"climate summit`}, "unbalanced quote"},
		{"only exclusions", []string{"--config", cfg, "search", "--", "-sport"}, "no words to look for"},
		{"bad limit", []string{"--config", cfg, "search", "-n", "0", "g20"}, "--limit must be at least 1"},
		{"bad sort", []string{"--config", cfg, "search", "--sort", "best", "g20"}, "--sort is newest or relevance"},
		{"no query", []string{"--config", cfg, "search"}, "requires at least 1 arg"},
		{"postgres unreachable", []string{"--config", pg, "search", "g20"}, "open postgres"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := runSearchCLI(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("search %q: err = %v, want one containing %q", tc.args, err, tc.want)
			}
		})
	}
}

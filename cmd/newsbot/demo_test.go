package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func init() {
	// Another test file of this package may define -update already.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata/")
	}
}

// updating reports whether the tests run with -update.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func TestDemoGolden(t *testing.T) {
	t.Parallel()
	stdout, stderr, err := execCLI(t, nil, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if stderr != "" {
		t.Errorf("demo wrote to stderr: %q", stderr)
	}
	path := filepath.Join("testdata", "demo.golden")
	if updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/newsbot -run TestDemo -update creates it)", err)
	}
	if stdout != string(want) {
		t.Errorf("demo output differs from %s (review, then -update):\n%s", path, stdout)
	}
}

// Whatever the golden file says, the demo answers /news g20 with the
// fixture's story first, two or three sentences of its text, and leaves
// the football out of the digest.
func TestDemoContent(t *testing.T) {
	t.Parallel()
	stdout, _, err := execCLI(t, nil, "demo")
	if err != nil {
		t.Fatal(err)
	}
	news, digest, ok := strings.Cut(stdout, "> Morning digest")
	if !ok {
		t.Fatalf("no morning digest:\n%s", stdout)
	}
	_, first, ok := strings.Cut(news, "\n1. ")
	if !ok || !strings.HasPrefix(first, "Trump and Putin plan face-to-face meeting at G20 in Germany\n") {
		t.Fatalf("/news g20 does not lead with the G20 fixture:\n%s", news)
	}
	first, _, _ = strings.Cut(first, "   Source")
	summary := strings.Join(strings.Fields(strings.SplitN(first, "\n", 2)[1]), " ")
	if n := strings.Count(summary, ". ") + 1; n < 2 || n > 3 || !strings.HasPrefix(summary, "Donald Trump and Vladimir Putin") {
		t.Errorf("summary is not 2-3 sentences of the fixture: %q", summary)
	}
	if strings.Contains(digest, "Real Madrid") || strings.Contains(digest, "Atletico") {
		t.Errorf("the digest excludes sport, but shows the football:\n%s", digest)
	}
	if !strings.Contains(digest, "more stor") {
		t.Errorf("the digest is cut to 3 stories and should say how many more:\n%s", digest)
	}
}

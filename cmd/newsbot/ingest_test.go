package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/feeds/feedtest"
)

// runCLI runs newsbot with args in process and returns its output.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCmd(strings.NewReader(""), &out, &errOut)
	root.SetArgs(args)
	err = root.ExecuteContext(t.Context())
	return out.String(), errOut.String(), err
}

// feedConfig writes a config file with a fresh database and the given
// extra YAML, and returns its path.
func feedConfig(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "newsbot.yaml")
	cfg := "storage:\n  dsn: " + filepath.Join(dir, "newsbot.db") + "\n" + extra
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func newFeedServer(t *testing.T) *feedtest.Server {
	t.Helper()
	srv := feedtest.NewServer()
	t.Cleanup(srv.Close)
	now := time.Now()
	srv.Set("/world.xml", feedtest.Feed{Body: feedtest.RSS("World", "https://world.example/",
		feedtest.Item{GUID: "w1", Title: "G20 leaders meet", Link: "https://world.example/g20", Published: now.Add(-time.Hour)},
		feedtest.Item{GUID: "w2", Title: "Talks <b>resume</b>", Link: "https://world.example/talks", Published: now.Add(-2 * time.Hour)},
	)})
	srv.Set("/tech.xml", feedtest.Feed{Body: feedtest.RSS("Tech", "https://tech.example/",
		feedtest.Item{GUID: "t1", Title: "Chips", Link: "https://tech.example/chips", Published: now.Add(-time.Hour)},
	)})
	return srv
}

func TestIngestCommand(t *testing.T) {
	t.Parallel()
	srv := newFeedServer(t)
	cfg := feedConfig(t, "fetch:\n  allow_private: true\nsources:\n  - name: World\n    url: "+srv.URL("/world.xml")+
		"\n  - name: Tech\n    url: "+srv.URL("/tech.xml")+"\n")
	out, _, err := runCLI(t, "--config", cfg, "ingest")
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	for _, want := range []string{"World: 2 items, 2 new", "Tech: 1 item, 1 new", "Done: 2 sources, 2 ok; 3 new articles in "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// A second pass: both feeds unchanged, one 304 each.
	out, _, err = runCLI(t, "--config", cfg, "ingest")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "World: unchanged") || !strings.Contains(out, "Done: 2 sources, 2 ok (2 unchanged); 0 new articles") {
		t.Errorf("second pass:\n%s", out)
	}
	for _, p := range []string{"/world.xml", "/tech.xml"} {
		if c := srv.Counts(p); c.Total != 2 || c.NotModified != 1 {
			t.Errorf("%s: %+v, want 2 requests of which one 304", p, c)
		}
	}
	out, _, err = runCLI(t, "--config", cfg, "sources", "list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "NAME") || !strings.Contains(out, "ok, unchanged") || !strings.Contains(out, srv.URL("/world.xml")) {
		t.Errorf("sources list:\n%s", out)
	}
}

func TestIngestRefusedSaysWhy(t *testing.T) {
	t.Parallel()
	srv := newFeedServer(t)
	cfg := feedConfig(t, "sources:\n  - name: World\n    url: "+srv.URL("/world.xml")+"\n")
	out, _, err := runCLI(t, "--config", cfg, "ingest")
	if err == nil || err.Error() != "the only source failed" {
		t.Errorf("err = %v", err)
	}
	want := "World: failed: refused: 127.0.0.1 is a loopback address; set fetch.allow_private to allow it"
	if !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	if srv.Total().Total != 0 {
		t.Error("the refused server was reached")
	}
	out, _, _ = runCLI(t, "--config", cfg, "sources", "list")
	if !strings.Contains(out, "failing (1)") || !strings.Contains(out, "World: refused: 127.0.0.1 is a loopback address") {
		t.Errorf("sources list:\n%s", out)
	}
}

func TestSourcesCommands(t *testing.T) {
	t.Parallel()
	srv := newFeedServer(t)
	desk := t.TempDir()
	os.WriteFile(filepath.Join(desk, "note.txt"), []byte("Desk note\nBody."), 0o644)
	cfg := feedConfig(t, "fetch:\n  allow_private: true\nsources:\n  - name: World\n    url: "+srv.URL("/world.xml")+"\n")

	steps := []struct {
		args    []string
		want    string
		wantErr string
	}{
		{[]string{"sources", "add", "Tech", srv.URL("/tech.xml"), "--full-text"}, "Added Tech (" + srv.URL("/tech.xml") + ")", ""},
		{[]string{"sources", "add", "Desk", desk}, "Added Desk (" + desk + ")", ""},
		{[]string{"sources", "add", "Again", srv.URL("/tech.xml")}, "", "is already a source, named \"Tech\""},
		{[]string{"sources", "add", "tech", srv.URL("/other.xml")}, "", "the name \"Tech\" is taken"},
		{[]string{"sources", "add", "Bad", "ftp://x.example/feed"}, "", "\"ftp://x.example/feed\" is not an http(s) URL"},
		{[]string{"sources", "add", "Nowhere", filepath.Join(desk, "missing")}, "", "is neither an http(s) URL nor a readable folder or file"},
		{[]string{"sources", "remove", "World"}, "", "World comes from the config file; remove it from sources: there"},
		{[]string{"sources", "remove", "nobody"}, "", "no source named or located at \"nobody\""},
		{[]string{"ingest"}, "Done: 3 sources, 3 ok; 4 new articles", ""},
		{[]string{"sources", "list"}, "Desk", ""},
	}
	for _, s := range steps {
		out, _, err := runCLI(t, append([]string{"--config", cfg}, s.args...)...)
		if s.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), s.wantErr) {
				t.Errorf("%v: err = %v, want %q", s.args, err, s.wantErr)
			}
			continue
		}
		if err != nil || !strings.Contains(out, s.want) {
			t.Errorf("%v: err %v, output:\n%s\nwant %q", s.args, err, out, s.want)
		}
	}

	// Export, remove, import back.
	opmlPath := filepath.Join(t.TempDir(), "sources.opml")
	if _, _, err := runCLI(t, "--config", cfg, "sources", "export", opmlPath); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(opmlPath)
	if !strings.Contains(string(b), `fullText="true"`) || !strings.Contains(string(b), `type="newsbot-path"`) {
		t.Errorf("export:\n%s", b)
	}
	for _, name := range []string{"Tech", "Desk"} {
		if out, _, err := runCLI(t, "--config", cfg, "sources", "remove", name); err != nil || !strings.Contains(out, "Removed "+name) {
			t.Errorf("remove %s: %v %s", name, err, out)
		}
	}
	out, _, err := runCLI(t, "--config", cfg, "sources", "import", opmlPath)
	if err != nil || !strings.Contains(out, "Imported 2 sources; 1 already present; 0 skipped.") {
		t.Errorf("import: %v\n%s", err, out)
	}
	out, _, _ = runCLI(t, "--config", cfg, "sources", "list")
	for _, want := range []string{"Tech", "Desk", "World"} {
		if !strings.Contains(out, want) {
			t.Errorf("after import, list lacks %s:\n%s", want, out)
		}
	}
}

func TestSyncConfigSources(t *testing.T) {
	t.Parallel()
	srv := newFeedServer(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "newsbot.db")
	write := func(yaml string) string {
		p := filepath.Join(dir, "newsbot.yaml")
		os.WriteFile(p, []byte("storage:\n  dsn: "+db+"\n"+yaml), 0o644)
		return p
	}
	cfg := write("sources:\n  - name: World\n    url: " + srv.URL("/world.xml") + "\n  - url: " + srv.URL("/tech.xml") + "\n")
	out, _, err := runCLI(t, "--config", cfg, "sources", "list")
	if err != nil || !strings.Contains(out, "World") || !strings.Contains(out, "127.0.0.1") {
		t.Fatalf("%v\n%s", err, out)
	}
	// Dropped from the file: dropped from the store.
	cfg = write("sources:\n  - name: World\n    url: " + srv.URL("/world.xml") + "\n")
	out, _, _ = runCLI(t, "--config", cfg, "sources", "list")
	if strings.Contains(out, srv.URL("/tech.xml")) {
		t.Errorf("source removed from config still listed:\n%s", out)
	}
}

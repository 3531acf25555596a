package feeds

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/newsbot/newsbot/briefing"
)

func TestParseText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, title, text string
		wantErr               bool
	}{
		{"first line is the title", "Title here\n\nBody one.\n\nBody two.\n", "Title here", "Body one.\n\nBody two.", false},
		{"leading blank lines and BOM", "\ufeff\n\n  Title\r\nBody", "Title", "Body", false},
		{"markdown heading mark", "# Title\nBody", "Title", "Body", false},
		{"latin1", "Caf\xe9 opens\n\x93Quoted\x94 text", "Café opens", "“Quoted” text", false},
		{"empty", " \n\n ", "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := ParseText(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if a.Title != tc.title || a.Text != tc.text {
				t.Errorf("got %q / %q, want %q / %q", a.Title, a.Text, tc.title, tc.text)
			}
		})
	}
}

func TestParseMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     briefing.Article
	}{
		{"front matter", "---\ntitle: \"G20 *summit* opens\"\ndate: 2026-11-23\nurl: https://x.example/g20\n---\n\nLeaders **met** in [Rio](https://rio.example).\n\n## Outcome\n\n> A `fund` was agreed.\n",
			briefing.Article{Title: "G20 summit opens", URL: "https://x.example/g20", Published: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
				Text: "Leaders met in Rio.\n\nOutcome\n\nA fund was agreed."}},
		{"no front matter", "# Heading title\n\nText with ![img](a.png)an image and a [ref][1].\n\n[1]: https://x.example\n\n```\ncode  kept\n```\n",
			briefing.Article{Title: "Heading title", Text: "Text with an image and a ref.\n\ncode  kept"}},
		{"snake_case survives", "Title\n\nthe file_name_here and 2*3*4 stay", briefing.Article{Title: "Title", Text: "the file_name_here and 2*3*4 stay"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := ParseMarkdown(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if a.Title != tc.want.Title || a.Text != tc.want.Text || a.URL != tc.want.URL || !a.Published.Equal(tc.want.Published) {
				t.Errorf("got  %q %q %s\n     %q\nwant %q %q %s\n     %q", a.Title, a.URL, a.Published, a.Text, tc.want.Title, tc.want.URL, tc.want.Published, tc.want.Text)
			}
		})
	}
}

func TestReadArticles(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"b.txt":          {Data: []byte("Second file\nIts text.")},
		"a.md":           {Data: []byte("---\ntitle: From front matter\n---\nBody.")},
		"c.jsonl":        {Data: []byte(`{"id":"1","title":"Line one","text":"x","published":"2026-11-23T10:00:00Z"}` + "\nnot json\n" + `{"id":"3"}` + "\n")},
		"empty.txt":      {Data: []byte("\n\n")},
		"notes.csv":      {Data: []byte("ignored")},
		".hidden/x.txt":  {Data: []byte("Hidden\nignored")},
		"sub/deeper.txt": {Data: []byte("Deeper\ntext")},
	}
	arts, problems, err := ReadArticles(fsys, ".", "folder")
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, a := range arts {
		titles = append(titles, a.Title)
		if a.Source != "folder" {
			t.Errorf("%q: source %q", a.Title, a.Source)
		}
	}
	if got, want := strings.Join(titles, "|"), "From front matter|Second file|Line one|Deeper"; got != want {
		t.Errorf("titles %s, want %s", got, want)
	}
	if len(problems) != 3 {
		t.Errorf("problems %v, want 3 (bad JSON line, line without title/text, empty file)", problems)
	}
}

func TestReadLocal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string, mtime time.Time) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	write("one.txt", "First\nbody", t0)
	src := Source{Name: "Desk", Path: dir}

	s1, err := ReadLocal(t.Context(), src, "")
	if err != nil || len(s1.Articles) != 1 || s1.Version == "" {
		t.Fatalf("first read: %+v, %v", s1, err)
	}
	if want := "file:" + filepath.Join(dir, "one.txt"); s1.Articles[0].GUID != want {
		t.Errorf("GUID %q, want %q", s1.Articles[0].GUID, want)
	}
	if _, err := ReadLocal(t.Context(), src, s1.Version); !errors.Is(err, ErrNotModified) {
		t.Fatalf("unchanged folder: err = %v, want ErrNotModified", err)
	}

	// An edit (new mtime) is a change, but the edited article keeps its key.
	write("one.txt", "First, corrected\nbody", t0.Add(time.Minute))
	write("two.md", "# Second\nmore", t0.Add(time.Minute))
	s2, err := ReadLocal(t.Context(), src, s1.Version)
	if err != nil || len(s2.Articles) != 2 || s2.Version == s1.Version {
		t.Fatalf("after edit: %d articles, version %q, err %v", len(s2.Articles), s2.Version, err)
	}
	if s2.Articles[0].Key() != s1.Articles[0].Key() {
		t.Errorf("edited file changed key")
	}

	// The same file name in another folder is a different article.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "one.txt"), []byte("First\nbody"), 0o644)
	s3, err := ReadLocal(t.Context(), Source{Name: "Other", Path: other}, "")
	if err != nil || s3.Articles[0].Key() == s1.Articles[0].Key() {
		t.Errorf("same name in two folders shares a key (err %v)", err)
	}

	// A single file works as a source too.
	s4, err := ReadLocal(t.Context(), Source{Name: "One", Path: filepath.Join(dir, "two.md")}, "")
	if err != nil || len(s4.Articles) != 1 || s4.Articles[0].Title != "Second" {
		t.Errorf("single file: %+v, %v", s4, err)
	}
	if _, err := ReadLocal(t.Context(), Source{Name: "Gone", Path: filepath.Join(dir, "missing")}, ""); err == nil {
		t.Error("missing path: no error")
	}
}

func FuzzParseJSONL(f *testing.F) {
	f.Add([]byte(`{"id":"1","title":"T","text":"x","published":"2026-11-23T10:00:00Z"}` + "\n"))
	f.Add([]byte("{\"title\":\"caf\xe9\"}\n\n{bad"))
	f.Fuzz(func(t *testing.T, b []byte) {
		arts, _ := ParseJSONL(strings.NewReader(string(b)), "src")
		for _, a := range arts {
			if a.Title == "" && a.Text == "" {
				t.Fatalf("empty article %+v", a)
			}
			if a.Source == "" {
				t.Fatalf("article without source")
			}
		}
	})
}

func FuzzParseMarkdown(f *testing.F) {
	f.Add("---\ntitle: T\n---\nbody **b** [l](u)")
	f.Add("# h\n\n```\ncode\n```")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseMarkdown(s)
		if err != nil {
			return
		}
		if a.Title == "" {
			t.Fatalf("no title and no error for %q", s)
		}
		if strings.Contains(a.Text, "\n\n\n") {
			t.Fatalf("more than one blank line in %q", a.Text)
		}
	})
}

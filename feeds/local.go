package feeds

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/newsbot/newsbot/briefing"
)

// maxLocalFile bounds the size of one local article file.
const maxLocalFile = 10 << 20

// ReadArticles reads every article under root in fsys: .txt files (the
// first non-empty line is the title, the rest the text), .md files (the
// same, or a front matter title; see [ParseMarkdown]) and .jsonl
// files (one JSON object per line with id, title, text and optionally url,
// source, published). Files are read in name order. source names articles
// that do not name their own source. A file that cannot be parsed is
// skipped and reported in the returned problems, never fatal.
func ReadArticles(fsys fs.FS, root, source string) (arts []briefing.Article, problems []error, err error) {
	var names []string
	err = fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		switch strings.ToLower(path.Ext(p)) {
		case ".txt", ".md", ".jsonl":
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read articles: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", name, err))
			continue
		}
		if len(b) > maxLocalFile {
			problems = append(problems, fmt.Errorf("%s: %d bytes is over the %d byte limit", name, len(b), maxLocalFile))
			continue
		}
		if strings.EqualFold(path.Ext(name), ".jsonl") {
			got, probs := ParseJSONL(bytes.NewReader(b), source)
			arts = append(arts, got...)
			for _, p := range probs {
				problems = append(problems, fmt.Errorf("%s: %w", name, p))
			}
			continue
		}
		var a briefing.Article
		if strings.EqualFold(path.Ext(name), ".md") {
			a, err = ParseMarkdown(string(b))
		} else {
			a, err = ParseText(string(b))
		}
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", name, err))
			continue
		}
		a.ID = name
		a.GUID = "file:" + name
		if a.Source == "" {
			a.Source = source
		}
		arts = append(arts, a)
	}
	return arts, problems, nil
}

// ParseText parses a plain-text article: the first non-empty line is the
// title (a leading Markdown "# " is dropped) and the rest is the text.
// Text that is not valid UTF-8 is read as Windows-1252 (Latin-1), the
// usual encoding of such files.
func ParseText(s string) (briefing.Article, error) {
	s = fixUTF8(s)
	s = strings.TrimPrefix(strings.ReplaceAll(s, "\r\n", "\n"), "\ufeff")
	s = strings.TrimLeft(s, " \t\n")
	title, body, _ := strings.Cut(s, "\n")
	title = strings.TrimSpace(strings.TrimLeft(title, "# "))
	if title == "" {
		return briefing.Article{}, fmt.Errorf("no title: the first line must be the headline")
	}
	return briefing.Article{Title: title, Text: strings.TrimSpace(body)}, nil
}

// jsonArticle is one line of a .jsonl article file.
type jsonArticle struct {
	ID        string `json:"id"`
	GUID      string `json:"guid"`
	URL       string `json:"url"`
	Title     string `json:"title"`
	Text      string `json:"text"`
	Source    string `json:"source"`
	Publisher string `json:"publisher"`
	Published string `json:"published"`
}

// ParseJSONL reads one article per line. Lines that are not valid JSON or
// lack both title and text are skipped and reported.
func ParseJSONL(r io.Reader, source string) (arts []briefing.Article, problems []error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLocalFile)
	line := 0
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		if !utf8.Valid(raw) {
			raw = []byte(fixUTF8(string(raw)))
		}
		var j jsonArticle
		if err := json.Unmarshal(raw, &j); err != nil {
			problems = append(problems, fmt.Errorf("line %d: %w", line, err))
			continue
		}
		if j.Title == "" && j.Text == "" {
			problems = append(problems, fmt.Errorf("line %d: no title and no text", line))
			continue
		}
		a := briefing.Article{ID: j.ID, GUID: j.GUID, URL: j.URL, Title: j.Title, Text: j.Text, Source: j.Publisher}
		if j.Source != "" && a.Source == "" {
			a.Source = j.Source
		}
		if a.Source == "" {
			a.Source = source
		}
		if j.Published != "" {
			if t, err := parseTime(j.Published); err == nil {
				a.Published = t
			} else {
				problems = append(problems, fmt.Errorf("line %d: published: %w", line, err))
			}
		}
		arts = append(arts, a)
	}
	if err := sc.Err(); err != nil {
		problems = append(problems, fmt.Errorf("line %d: %w", line+1, err))
	}
	return arts, problems
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", s)
}

// fixUTF8 returns s with every byte that is not part of a valid UTF-8
// sequence decoded as Windows-1252.
func fixUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			b.WriteRune(charmap.Windows1252.DecodeByte(s[i]))
			i++
			continue
		}
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}

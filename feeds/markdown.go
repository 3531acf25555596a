package feeds

import (
	"regexp"
	"strings"

	"github.com/newsbot/newsbot/briefing"
)

// ParseMarkdown parses a Markdown article. An optional front matter block
// (between "---" lines, as static site generators write) may give title,
// date (RFC 3339 or YYYY-MM-DD), url (or link) and source; without a
// title the first non-empty line is the title, as for [ParseText]. The
// body is turned into plain text: link and image syntax, emphasis,
// inline code marks, heading marks, quote marks and code fences are
// removed; paragraphs stay separated by blank lines.
func ParseMarkdown(s string) (briefing.Article, error) {
	s = strings.TrimPrefix(strings.ReplaceAll(fixUTF8(s), "\r\n", "\n"), "\ufeff")
	meta, body := frontMatter(s)
	var a briefing.Article
	if meta["title"] != "" {
		a.Title = mdInline(meta["title"])
		a.Text = mdText(body)
	} else {
		var err error
		if a, err = ParseText(body); err != nil {
			return briefing.Article{}, err
		}
		a.Title = mdInline(a.Title)
		a.Text = mdText(a.Text)
	}
	a.URL = meta["url"]
	if a.URL == "" {
		a.URL = meta["link"]
	}
	a.Source = meta["source"]
	if d := meta["date"]; d != "" {
		if t, err := parseTime(d); err == nil {
			a.Published = t
		}
	}
	return a, nil
}

// frontMatter splits off a leading "---" block of "key: value" lines.
func frontMatter(s string) (map[string]string, string) {
	rest, ok := strings.CutPrefix(strings.TrimLeft(s, "\n"), "---\n")
	if !ok {
		return nil, s
	}
	block, body, ok := strings.Cut(rest, "\n---\n")
	if !ok {
		if block, ok = strings.CutSuffix(rest, "\n---"); !ok {
			return nil, s
		}
		body = ""
	}
	meta := map[string]string{}
	for _, line := range strings.Split(block, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(line, " ") {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		meta[strings.ToLower(strings.TrimSpace(k))] = v
	}
	return meta, body
}

var (
	mdImage    = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	mdLink     = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)
	mdRefLink  = regexp.MustCompile(`\[([^\]]+)\]\[[^\]]*\]`)
	mdStrong   = regexp.MustCompile(`(\*\*|__)(\S(?:.*?\S)?)(\*\*|__)`)
	mdEmph     = regexp.MustCompile(`(^|[\s(])\*(\S(?:[^*]*?\S)?)\*`)
	mdCode     = regexp.MustCompile("`([^`]+)`")
	mdHeading  = regexp.MustCompile(`^#{1,6}\s+`)
	mdQuote    = regexp.MustCompile(`^(>\s?)+`)
	mdRefDef   = regexp.MustCompile(`^\s*\[[^\]]+\]:\s+\S+`)
	mdRule     = regexp.MustCompile(`^\s*([-*_]\s*){3,}$`)
	blankLines = regexp.MustCompile(`\n{3,}`)
)

// mdInline removes inline Markdown syntax from one line.
func mdInline(s string) string {
	s = mdImage.ReplaceAllString(s, "")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdRefLink.ReplaceAllString(s, "$1")
	s = mdStrong.ReplaceAllString(s, "$2")
	s = mdEmph.ReplaceAllString(s, "$1$2")
	s = mdCode.ReplaceAllString(s, "$1")
	return strings.TrimSpace(s)
}

// mdText turns a Markdown body into plain text paragraphs.
func mdText(s string) string {
	var out []string
	fence := false
	for _, line := range strings.Split(s, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = !fence
			continue
		}
		if fence {
			out = append(out, strings.TrimRight(line, " \t"))
			continue
		}
		if mdRefDef.MatchString(line) || mdRule.MatchString(line) {
			out = append(out, "")
			continue
		}
		if mdHeading.MatchString(trimmed) {
			// A heading is a paragraph of its own.
			out = append(out, "", mdInline(mdHeading.ReplaceAllString(trimmed, "")), "")
			continue
		}
		out = append(out, mdInline(mdQuote.ReplaceAllString(trimmed, "")))
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(out, "\n"), "\n\n"))
}

// Package parse turns a fetched feed (RSS 2.0, RSS 1.0, Atom or JSON Feed,
// through github.com/mmcdole/gofeed) into [briefing.Article] values: plain
// text titles and bodies, absolute http(s) links, trustworthy dates and
// identities that stay stable from one fetch to the next. It tolerates
// what real feeds do: HTML in titles, entities escaped twice, bodies in
// Latin-1 declared as UTF-8, missing or future dates, items out of order,
// duplicate GUIDs.
//
// Functions are pure (the caller passes the time) and safe for concurrent
// use.
package parse

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds/htmltext"
)

// Options describe where a feed came from.
type Options struct {
	// Source names the articles' publisher (Article.Source); when empty
	// the feed's own title is used.
	Source string
	// URL is the feed's URL, the base for relative links.
	URL string
	// ContentType is the HTTP Content-Type header, for its charset.
	ContentType string
	// Now is the fetch time. Dates after Now (beyond a small clock skew)
	// are not trusted.
	Now time.Time
}

// Feed is a parsed feed.
type Feed struct {
	// Title is the feed's title, plain text.
	Title string
	// SiteURL is the feed's home page, if it names one.
	SiteURL string
	// TTL is the RSS <ttl> hint (how long the feed may be cached), or 0.
	TTL time.Duration
	// Articles are the usable items, newest first, one per Key.
	Articles []briefing.Article
	// Dropped counts items without a title, text or link, and duplicates.
	Dropped int
}

// ErrNotFeed is returned (wrapped) when the body is not a feed at all.
var ErrNotFeed = errors.New("not an RSS, Atom or JSON feed")

// MaxSkew is how far in the future a date may be before it is distrusted
// and replaced by the fetch time.
const MaxSkew = 15 * time.Minute

// oldest is the earliest plausible publication date; earlier ones (the
// Unix epoch, year 1) are treated as missing.
var oldest = time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC)

// Parse parses body. It returns a wrapped ErrNotFeed for input that is not
// a feed (an HTML page, an empty body), or the parser's error for a broken
// one; it never returns a partial feed.
func Parse(body []byte, opts Options) (Feed, error) {
	body = toUTF8(body, opts.ContentType)
	p := gofeed.NewParser()
	p.KeepOriginalFeed = true
	f, err := p.Parse(bytes.NewReader(body))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			if looksHTML(body) {
				return Feed{}, fmt.Errorf("parse feed: %w (got an HTML page)", ErrNotFeed)
			}
			return Feed{}, fmt.Errorf("parse feed: %w", ErrNotFeed)
		}
		return Feed{}, fmt.Errorf("parse feed: %w", err)
	}
	out := Feed{Title: htmltext.Line(f.Title)}
	base, _ := url.Parse(opts.URL)
	if site := absURL(base, f.Link); site != "" {
		out.SiteURL = site
	}
	// Relative item links resolve against the site's home page (what CMSs
	// that emit them mean; gofeed does not expose xml:base), else against
	// the feed URL.
	if out.SiteURL != "" {
		base, _ = url.Parse(out.SiteURL)
	}
	plainText := map[*gofeed.Item]bool{}
	switch orig := f.OriginalFeed().(type) {
	case *rss.Feed:
		if n, err := strconv.Atoi(strings.TrimSpace(orig.TTL)); err == nil && n > 0 {
			out.TTL = time.Duration(min(n, 7*24*60)) * time.Minute
		}
	case *jsonfeed.Feed:
		for i, it := range orig.Items {
			if i < len(f.Items) && it.ContentHTML == "" && it.ContentText != "" {
				plainText[f.Items[i]] = true
			}
		}
	}
	source := opts.Source
	if source == "" {
		source = out.Title
	}
	if source == "" && base != nil {
		source = base.Hostname()
	}
	arts := make([]briefing.Article, 0, len(f.Items))
	for _, it := range f.Items {
		a, ok := article(it, base, source, opts.Now, plainText[it])
		if !ok {
			out.Dropped++
			continue
		}
		arts = append(arts, a)
	}
	arts = fixGUIDs(arts)
	// Newest first; items without a date keep their feed order after
	// the dated ones.
	slices.SortStableFunc(arts, func(a, b briefing.Article) int {
		return b.Published.Compare(a.Published)
	})
	seen := make(map[string]bool, len(arts))
	for _, a := range arts {
		k := a.Key()
		if seen[k] {
			out.Dropped++
			continue
		}
		seen[k] = true
		out.Articles = append(out.Articles, a)
	}
	return out, nil
}

// article converts one item; ok is false if it has nothing to show.
func article(it *gofeed.Item, base *url.URL, source string, now time.Time, plain bool) (briefing.Article, bool) {
	a := briefing.Article{
		GUID:   strings.TrimSpace(it.GUID),
		Title:  htmltext.Line(it.Title),
		Source: source,
	}
	a.URL = absURL(base, it.Link)
	for _, l := range it.Links {
		if a.URL != "" {
			break
		}
		a.URL = absURL(base, l)
	}
	if a.URL == "" && (strings.HasPrefix(a.GUID, "http://") || strings.HasPrefix(a.GUID, "https://")) {
		a.URL = absURL(nil, a.GUID) // an RSS permalink GUID
	}
	content, desc := it.Content, it.Description
	if plain {
		// JSON Feed content_text is text, not HTML: keep its "<" and "&".
		a.Text = textParagraphs(content)
	} else {
		a.Text = htmltext.Text(content)
	}
	if d := htmltext.Text(desc); len(d) > len(a.Text) {
		a.Text = d
	}
	if a.Title == "" {
		a.Title = headline(a.Text)
	}
	if a.Title == "" && a.URL == "" {
		return a, false
	}
	a.Published = date(it.PublishedParsed, now)
	if a.Published.IsZero() {
		a.Published = date(it.UpdatedParsed, now)
	}
	return a, true
}

// date returns t if it is plausible: zero for missing or absurdly old
// dates, now for dates in the future.
func date(t *time.Time, now time.Time) time.Time {
	if t == nil || t.Before(oldest) {
		return time.Time{}
	}
	if !now.IsZero() && t.After(now.Add(MaxSkew)) {
		return now.UTC()
	}
	return t.UTC()
}

// fixGUIDs drops GUIDs shared by items with different links: such a GUID
// (a feed that gives every item the same "guid") identifies nothing, so
// those items fall back to their URL for identity.
func fixGUIDs(arts []briefing.Article) []briefing.Article {
	urls := map[string]string{}
	shared := map[string]bool{}
	for _, a := range arts {
		if a.GUID == "" {
			continue
		}
		c := briefing.CanonicalURL(a.URL)
		if prev, ok := urls[a.GUID]; ok && prev != c {
			shared[a.GUID] = true
		}
		urls[a.GUID] = c
	}
	if len(shared) == 0 {
		return arts
	}
	for i := range arts {
		if shared[arts[i].GUID] && arts[i].URL != "" {
			arts[i].GUID = ""
		}
	}
	return arts
}

// absURL resolves ref against base and returns it if it is an absolute
// http(s) URL, else "".
func absURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil && base.Host != "" {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// headline makes a title for an untitled item from the start of its text:
// the first line, cut at a word boundary to about 100 characters.
func headline(text string) string {
	line, _, _ := strings.Cut(text, "\n")
	if utf8.RuneCountInString(line) <= 100 {
		return line
	}
	r := []rune(line)[:100]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > 40 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:-") + "…"
}

// textParagraphs normalises plain text: lines trimmed, runs of spaces
// collapsed, blank lines between paragraphs kept (at most one).
func textParagraphs(s string) string {
	var paras []string
	for _, p := range blankLines.Split(strings.ReplaceAll(s, "\r\n", "\n"), -1) {
		var lines []string
		for _, l := range strings.Split(p, "\n") {
			if l = htmltext.Line(htmlEscape(l)); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) > 0 {
			paras = append(paras, strings.Join(lines, "\n"))
		}
	}
	return strings.Join(paras, "\n\n")
}

// htmlEscape escapes the characters htmltext would read as markup, so that
// plain text goes through its whitespace and control-character cleaning
// unchanged.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;").Replace(s)
}

var blankLines = regexp.MustCompile(`\n\s*\n`)

var xmlEncoding = regexp.MustCompile(`^\s*(?:\x{feff})?<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// toUTF8 makes body valid UTF-8 when gofeed would otherwise reject it:
// a body that declares a non-UTF-8 encoding in its XML declaration is left
// to gofeed; one that does not, but whose Content-Type names a charset, is
// decoded from that charset; remaining invalid bytes (Latin-1 or
// Windows-1252 text in a feed that claims UTF-8, a common mistake) are
// decoded as Windows-1252, keeping every valid UTF-8 sequence.
func toUTF8(body []byte, contentType string) []byte {
	if utf8.Valid(body) {
		return body
	}
	head := body[:min(len(body), 512)]
	if m := xmlEncoding.FindSubmatch(head); m != nil && !isUTF8Label(string(m[1])) {
		return body
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		if cs := params["charset"]; cs != "" && !isUTF8Label(cs) {
			if enc, _ := charset.Lookup(cs); enc != nil {
				if out, err := enc.NewDecoder().Bytes(body); err == nil {
					return out
				}
			}
		}
	}
	out := make([]byte, 0, len(body)+len(body)/8)
	for len(body) > 0 {
		r, size := utf8.DecodeRune(body)
		if r == utf8.RuneError && size <= 1 {
			out = utf8.AppendRune(out, charmap.Windows1252.DecodeByte(body[0]))
			body = body[1:]
			continue
		}
		out = append(out, body[:size]...)
		body = body[size:]
	}
	return out
}

func isUTF8Label(s string) bool {
	s = strings.ToLower(s)
	return s == "utf-8" || s == "utf8"
}

func looksHTML(b []byte) bool {
	head := bytes.ToLower(b[:min(len(b), 1024)])
	return bytes.Contains(head, []byte("<!doctype html")) || bytes.Contains(head, []byte("<html"))
}

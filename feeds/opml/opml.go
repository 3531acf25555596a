// Package opml reads and writes source lists as OPML 2.0, the format feed
// readers import and export subscriptions in.
//
// Feed sources are <outline type="rss" text=... xmlUrl=...> elements;
// nested outlines (folders) are flattened. newsbot's own extras ride on
// attributes other readers ignore: fullText="true" for sources that fetch
// article pages, and local folders as <outline type="newsbot-path"
// path=...>, so that an export imports back without loss.
package opml

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html/charset"

	"github.com/newsbot/newsbot/feeds"
)

// document is the subset of OPML newsbot reads and writes.
type document struct {
	XMLName xml.Name  `xml:"opml"`
	Version string    `xml:"version,attr"`
	Title   string    `xml:"head>title,omitempty"`
	Created string    `xml:"head>dateCreated,omitempty"`
	Body    []outline `xml:"body>outline"`
}

type outline struct {
	Text     string    `xml:"text,attr"`
	Title    string    `xml:"title,attr,omitempty"`
	Type     string    `xml:"type,attr,omitempty"`
	XMLURL   string    `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string    `xml:"htmlUrl,attr,omitempty"`
	Path     string    `xml:"path,attr,omitempty"`
	FullText string    `xml:"fullText,attr,omitempty"`
	Children []outline `xml:"outline"`
	// Attrs catches attribute spellings other writers use (xmlURL, xmlurl).
	Attrs []xml.Attr `xml:",any,attr"`
}

// MaxBytes bounds the size of an OPML document Import reads.
const MaxBytes = 8 << 20

// Import reads an OPML document and returns its sources in document
// order, and a list of outlines it skipped with the reason (no URL, not an
// http(s) URL, a duplicate). It returns an error only if the document is
// not OPML at all. Sources get Origin origin.
func Import(r io.Reader, origin string) (srcs []feeds.Source, skipped []error, err error) {
	var doc document
	dec := xml.NewDecoder(io.LimitReader(r, MaxBytes))
	dec.Strict = false
	dec.CharsetReader = charset.NewReaderLabel
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("read opml: %w", err)
	}
	seen := map[string]bool{}
	var walk func(os []outline, depth int)
	walk = func(os []outline, depth int) {
		if depth > 32 {
			skipped = append(skipped, errors.New("outlines nested deeper than 32 levels"))
			return
		}
		for _, o := range os {
			name := strings.TrimSpace(o.Text)
			if name == "" {
				name = strings.TrimSpace(o.Title)
			}
			s := feeds.Source{Name: oneLine(name), Origin: origin, FullText: strings.EqualFold(o.FullText, "true")}
			feedURL := strings.TrimSpace(o.XMLURL)
			for _, a := range o.Attrs {
				if feedURL == "" && strings.EqualFold(a.Name.Local, "xmlurl") {
					feedURL = strings.TrimSpace(a.Value)
				}
			}
			switch {
			case strings.EqualFold(o.Type, "newsbot-path") && strings.TrimSpace(o.Path) != "":
				s.Path = strings.TrimSpace(o.Path)
			case feedURL != "":
				if err := checkURL(feedURL); err != nil {
					skipped = append(skipped, fmt.Errorf("%q: %w", name, err))
					walk(o.Children, depth+1)
					continue
				}
				s.URL = feedURL
			default:
				if len(o.Children) == 0 && name != "" {
					skipped = append(skipped, fmt.Errorf("%q: no xmlUrl", name))
				}
				walk(o.Children, depth+1)
				continue
			}
			if s.Name == "" {
				s.Name = s.Locator()
			}
			if seen[s.Locator()] {
				skipped = append(skipped, fmt.Errorf("%q: %s is listed twice", s.Name, s.Locator()))
			} else {
				seen[s.Locator()] = true
				srcs = append(srcs, s)
			}
			walk(o.Children, depth+1)
		}
	}
	walk(doc.Body, 0)
	return srcs, skipped, nil
}

// Export writes srcs as an OPML 2.0 document titled title, created at now.
func Export(w io.Writer, title string, now time.Time, srcs []feeds.Source) error {
	doc := document{Version: "2.0", Title: title, Created: now.UTC().Format(time.RFC1123Z)}
	for _, s := range srcs {
		o := outline{Text: s.Name, Title: s.Name}
		if s.FullText {
			o.FullText = "true"
		}
		if s.URL != "" {
			o.Type, o.XMLURL = "rss", s.URL
		} else {
			o.Type, o.Path = "newsbot-path", s.Path
		}
		doc.Body = append(doc.Body, o)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write opml: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write opml: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write opml: %w", err)
	}
	return nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Package fulltext fetches an article's web page and extracts its body as
// plain text, for feeds that carry only a teaser. Extraction uses
// codeberg.org/readeck/go-readability/v2; the page is fetched through the
// same guarded, size-capped [fetch.Client] as feeds.
package fulltext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"

	"github.com/newsbot/newsbot/feeds/fetch"
	"github.com/newsbot/newsbot/feeds/htmltext"
)

// TeaserRunes is the length below which a feed item's text counts as a
// teaser worth replacing with the full article.
const TeaserRunes = 600

// IsTeaser reports whether text looks like a teaser rather than a whole
// article: short, or ending in an ellipsis or a "read more" link.
func IsTeaser(text string) bool {
	t := strings.TrimSpace(text)
	if utf8.RuneCountInString(t) < TeaserRunes {
		return true
	}
	lower := strings.ToLower(t)
	for _, end := range []string{"…", "...", "[…]", "[...]", "read more", "continue reading", "weiterlesen", "lire la suite"} {
		if strings.HasSuffix(lower, end) {
			return true
		}
	}
	return false
}

// ErrNotArticle is returned (wrapped) when a page is not HTML or has no
// readable article body.
var ErrNotArticle = errors.New("no readable article on the page")

// Extractor fetches pages and extracts their article text. It is safe for
// concurrent use.
type Extractor struct {
	client *fetch.Client
}

// New returns an Extractor that fetches through c.
func New(c *fetch.Client) *Extractor { return &Extractor{client: c} }

// Extract fetches pageURL and returns its article body as plain text with
// paragraphs separated by blank lines. Errors are those of
// [fetch.Client.Get], or a wrapped ErrNotArticle.
func (e *Extractor) Extract(ctx context.Context, pageURL string) (string, error) {
	resp, err := e.client.Get(ctx, fetch.Request{URL: pageURL, Accept: fetch.AcceptHTML})
	if err != nil {
		return "", fmt.Errorf("full text: %w", err)
	}
	return FromHTML(resp.Body, resp.ContentType, resp.URL)
}

// FromHTML extracts the article body from an HTML page fetched from
// pageURL with the given Content-Type.
func FromHTML(page []byte, contentType, pageURL string) (string, error) {
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err == nil && mt != "text/html" && mt != "application/xhtml+xml" {
			return "", fmt.Errorf("full text: %s is %s: %w", pageURL, mt, ErrNotArticle)
		}
	}
	u, err := url.Parse(pageURL)
	if err != nil {
		return "", fmt.Errorf("full text: %w", err)
	}
	art, err := readability.FromReader(bytes.NewReader(page), u)
	if err != nil {
		return "", fmt.Errorf("full text: %s: %w: %w", pageURL, ErrNotArticle, err)
	}
	if art.Node == nil {
		return "", fmt.Errorf("full text: %s: %w", pageURL, ErrNotArticle)
	}
	var buf bytes.Buffer
	if err := art.RenderHTML(&buf); err != nil {
		return "", fmt.Errorf("full text: render %s: %w", pageURL, err)
	}
	text := htmltext.Text(buf.String())
	if text == "" {
		return "", fmt.Errorf("full text: %s: %w", pageURL, ErrNotArticle)
	}
	return text, nil
}

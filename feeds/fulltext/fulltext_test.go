package fulltext

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/feeds/feedtest"
	"github.com/newsbot/newsbot/feeds/fetch"
)

func TestExtract(t *testing.T) {
	t.Parallel()
	page, err := os.ReadFile("testdata/article.html")
	if err != nil {
		t.Fatal(err)
	}
	srv := feedtest.NewServer()
	t.Cleanup(srv.Close)
	srv.Set("/article", feedtest.Feed{Body: page, ContentType: "text/html; charset=utf-8"})
	srv.Set("/image", feedtest.Feed{Body: []byte("GIF89a"), ContentType: "image/gif"})
	srv.Set("/huge", feedtest.Feed{Body: []byte(strings.Repeat("<p>x</p>", 1<<16)), ContentType: "text/html"})

	e := New(fetch.New(fetch.Options{AllowPrivate: true, MaxBodyBytes: 256 << 10}))
	text, err := e.Extract(t.Context(), srv.URL("/article"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Leaders of the G20 met in Rio de Janeiro on Monday",
		"officials said, and will be reviewed every two years",
		"The next summit will be held in Johannesburg",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "member states.\n\nCritics said") {
		t.Errorf("paragraphs not separated by a blank line:\n%s", text)
	}
	for _, junk := range []string{"ADVERTISEMENT", "cookies", "Celebrity", "Share on", "Post comment", "All rights reserved", "trackPageView"} {
		if strings.Contains(text, junk) {
			t.Errorf("junk %q leaked:\n%s", junk, text)
		}
	}

	if _, err := e.Extract(t.Context(), srv.URL("/image")); !errors.Is(err, ErrNotArticle) {
		t.Errorf("image: err = %v, want ErrNotArticle", err)
	}
	var tooLarge *fetch.TooLargeError
	if _, err := e.Extract(t.Context(), srv.URL("/huge")); !errors.As(err, &tooLarge) {
		t.Errorf("huge page: err = %v, want the size cap", err)
	}
	var se *fetch.StatusError
	if _, err := e.Extract(t.Context(), srv.URL("/missing")); !errors.As(err, &se) || se.Code != http.StatusNotFound {
		t.Errorf("missing page: err = %v", err)
	}
	// The guard applies to article pages too.
	strict := New(fetch.New(fetch.Options{}))
	var re *fetch.RefusedError
	if _, err := strict.Extract(t.Context(), srv.URL("/article")); !errors.As(err, &re) {
		t.Errorf("loopback page without allow_private: err = %v", err)
	}
}

func TestIsTeaser(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("A full sentence of an article. ", 40)
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"empty", "", true},
		{"short", "The bank held rates.", true},
		{"long", long, false},
		{"long with ellipsis", long + "and then…", true},
		{"long with read more", long + "Read more", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := IsTeaser(tc.text); got != tc.want {
				t.Errorf("IsTeaser = %v, want %v", got, tc.want)
			}
		})
	}
}

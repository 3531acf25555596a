package briefing_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/briefing"
)

// FuzzCanonicalURL checks properties of briefing.CanonicalURL, which
// ingestion relies on for stable article keys.
func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{
		"https://Example.COM:443/a/b/?utm_source=rss&b=2&a=1#frag",
		"http://example.com:80/",
		"https://user:pw@example.com/x?fbclid=1",
		"http://[::1]:8080/p",
		"/relative/path",
		"https://example.com/%7Euser/a%2Fb?q=a+b&q=%20",
		"HTTPS://www.lemonde.fr/international/article/2026/11/23/sommet-g20?utm_medium=feed",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c := briefing.CanonicalURL(raw)
		if again := briefing.CanonicalURL(c); again != c {
			t.Fatalf("not idempotent: %q -> %q -> %q", raw, c, again)
		}
		u, err := url.Parse(c)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return // not an http(s) URL with a host: returned trimmed or empty
		}
		if u.Fragment != "" || u.User != nil {
			t.Fatalf("%q kept a fragment or user info: %q", raw, c)
		}
		if u.Scheme != strings.ToLower(u.Scheme) || u.Host != strings.ToLower(u.Host) {
			t.Fatalf("%q: scheme or host not lowercase: %q", raw, c)
		}
		for k := range u.Query() {
			if strings.HasPrefix(strings.ToLower(k), "utm_") {
				t.Fatalf("%q kept tracking parameter %q: %q", raw, k, c)
			}
		}
	})
}

func TestCanonicalURL(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"https://Example.COM:443/a/b/?utm_source=rss&b=2&a=1#frag", "https://example.com/a/b?a=1&b=2"},
		{"http://example.com:80/", "http://example.com"},
		{"http://example.com:8080/x", "http://example.com:8080/x"},
		{"https://user:pw@example.com/x?fbclid=1", "https://example.com/x"},
		{"http://0///", "http://0"},
		{"http://[::1]:8080/p/", "http://[::1]:8080/p"},
		{"a://::", "a://::"},
		{"/relative/path", "/relative/path"},
		{"  ", ""},
		{"https://example.com/a%2Fb/", "https://example.com/a%2Fb"},
	}
	for _, tc := range cases {
		if got := briefing.CanonicalURL(tc.in); got != tc.want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

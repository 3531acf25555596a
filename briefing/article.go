package briefing

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Article is one news item as the engine sees it: plain text, no markup.
type Article struct {
	// ID is the caller's identifier (a store row, an input line's id). It is
	// carried through untouched and may be empty.
	ID string
	// GUID is the feed's own identifier for the item, if any.
	GUID string
	// URL is the article's link.
	URL string
	// Title is the headline, plain text.
	Title string
	// Text is the body as plain text; paragraphs are separated by blank lines.
	Text string
	// Source is the human name of the publisher or feed ("BBC News").
	Source string
	// Published is when the publisher says the article appeared; zero if unknown.
	Published time.Time
	// Fetched is when newsbot first stored the article; zero if unknown.
	// Unlike Published it never lies or lies in the future, so digests use
	// it to decide what is new.
	Fetched time.Time
}

// Key returns a stable identity for the article, used to recognise an item
// seen before. In order of preference it is derived from the GUID (combined
// with the canonical URL when the GUID alone is not globally unique), the
// canonical URL, or a hash of title and text. Keys are opaque strings with a
// one-letter kind prefix ("g:", "u:", "h:").
func (a Article) Key() string {
	guid := strings.TrimSpace(a.GUID)
	canon := CanonicalURL(a.URL)
	switch {
	case guid != "" && (canon == "" || globalGUID(guid)):
		return "g:" + digest(guid)
	case guid != "":
		return "g:" + digest(guid+"|"+canon)
	case canon != "":
		return "u:" + digest(canon)
	default:
		return "h:" + digest(strings.TrimSpace(a.Title)+"\x00"+strings.TrimSpace(a.Text))
	}
}

// globalGUID reports whether a GUID is globally unique on its own: a URL, a
// tag: or urn: URI, or something UUID-like. Opaque short GUIDs such as "1234"
// are only unique within one feed, so they are combined with the URL.
func globalGUID(g string) bool {
	lg := strings.ToLower(g)
	if strings.HasPrefix(lg, "http://") || strings.HasPrefix(lg, "https://") ||
		strings.HasPrefix(lg, "tag:") || strings.HasPrefix(lg, "urn:") {
		return true
	}
	return len(g) >= 32
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// CanonicalURL normalises an article URL so that the same page reached
// through different links compares equal: it lowercases scheme and host,
// drops default ports, the fragment, tracking parameters (utm_*, fbclid,
// gclid, ...) and a trailing slash, and sorts the remaining query parameters.
// It returns "" for an empty or unparsable URL, and the trimmed input for
// anything but an http(s) URL with a host.
func CanonicalURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return raw
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") && !strings.HasPrefix(u.Host, "[") {
		return raw // a colon in a host that is not a bracketed IPv6 literal
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		u.Host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		u.Host = "[" + host + "]"
	} else {
		u.Host = host
	}
	u.User = nil
	u.Fragment = ""
	u.RawFragment = ""
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if isTrackingParam(k) {
				q.Del(k)
			}
		}
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			vs := q[k]
			sort.Strings(vs)
			for _, v := range vs {
				if b.Len() > 0 {
					b.WriteByte('&')
				}
				b.WriteString(url.QueryEscape(k))
				b.WriteByte('=')
				b.WriteString(url.QueryEscape(v))
			}
		}
		u.RawQuery = b.String()
	}
	u.ForceQuery = false
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u.String()
}

func isTrackingParam(k string) bool {
	k = strings.ToLower(k)
	if strings.HasPrefix(k, "utm_") {
		return true
	}
	switch k {
	case "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga", "ocid", "cmpid":
		return true
	}
	return false
}

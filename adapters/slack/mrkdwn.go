package slack

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Slack treats &, < and > as control characters in message text: "<!channel>"
// pings a whole channel and "<url|title>" is a link. Every string that does
// not come from this package is passed through escape before it is put into
// a message, and links are built only by link.

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape replaces exactly &, < and > with their entities, as Slack asks.
func escape(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	return escaper.Replace(s)
}

// unescape reverses escape; Slack sends text typed by users escaped.
var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

func unescape(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return unescaper.Replace(s)
}

// textLen counts s the way Slack's limits are counted: in UTF-16 code
// units (so it never undercounts characters).
func textLen(s string) int {
	n := 0
	for _, r := range s {
		if l := utf16.RuneLen(r); l > 0 {
			n += l
		} else {
			n++
		}
	}
	return n
}

// escapedLen is textLen(escape(s)) without building the string.
func escapedLen(s string) int {
	n := 0
	for _, r := range s {
		switch r {
		case '&':
			n += 5
		case '<', '>':
			n += 4
		default:
			if l := utf16.RuneLen(r); l > 0 {
				n += l
			} else {
				n++
			}
		}
	}
	return n
}

// cleanInline makes an article string safe to embed in one line of mrkdwn:
// runs of whitespace and control characters become one space, invalid
// UTF-8 is dropped, and
// backticks (which would open a code span across the surrounding links)
// become a look-alike. It does not escape; see escape.
func cleanInline(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	space := false
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			continue // invalid UTF-8
		case unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			space = sb.Len() > 0
			continue
		case r == '`':
			r = 'ˋ'
		case r == utf16ReplacementGuard:
			continue
		}
		if space {
			sb.WriteByte(' ')
			space = false
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// utf16ReplacementGuard drops byte-order marks, which Slack shows as
// boxes.
const utf16ReplacementGuard = '\uFEFF'

// ellipsis ends a string cut by cutWords.
const ellipsis = "…"

// cutWords returns s if its escaped length is at most max. Otherwise it
// returns the longest prefix of s that ends at a word boundary and whose
// escaped length plus an ellipsis fits in max, followed by the ellipsis. It
// returns "" when not even the first word fits: it never cuts inside a word
// or an entity.
func cutWords(s string, max int) string {
	if escapedLen(s) <= max {
		return s
	}
	budget := max - textLen(ellipsis)
	if budget <= 0 {
		return ""
	}
	n, lastEnd, prevCJK := 0, -1, false
	for i, r := range s {
		if (unicode.IsSpace(r) || prevCJK) && n <= budget {
			lastEnd = i
		}
		n += escapedLen(string(r))
		if n > budget {
			break
		}
		prevCJK = unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
	}
	if lastEnd <= 0 {
		return ""
	}
	kept := strings.TrimRightFunc(s[:lastEnd], func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && !strings.ContainsRune(`)"'»”’]`, r)
	})
	if kept == "" {
		return ""
	}
	return kept + ellipsis
}

// maxLinkURL is the longest URL rendered as a link; a longer one is left
// out and its title shown as text, so one odd feed cannot use up a
// section's 3,000 characters.
const maxLinkURL = 500

// safeURL returns u ready to put between < and | in a Slack link, or false
// when u is not an absolute http(s) URL of reasonable length. Characters
// that would end the link early are percent-encoded and & is escaped.
func safeURL(u string) (string, bool) {
	u = strings.TrimSpace(u)
	if u == "" || len(u) > maxLinkURL {
		return "", false
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "", false
	}
	var sb strings.Builder
	for _, r := range u {
		switch {
		case r == '&':
			sb.WriteString("&amp;")
		case r == '<':
			sb.WriteString("%3C")
		case r == '>':
			sb.WriteString("%3E")
		case r == '|':
			sb.WriteString("%7C")
		case r == '"':
			sb.WriteString("%22")
		case r == ' ':
			sb.WriteString("%20")
		case unicode.IsSpace(r) || unicode.IsControl(r):
			return "", false
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String(), true
}

// linkTitle prepares a link's visible text: cleaned, with | and > removed
// (Slack ends the title at either), * as the look-alike ∗ (a headline is
// a bold link, and a * of the article's would end the bold early or start
// another), then escaped.
func linkTitle(title string) string {
	title = strings.Map(func(r rune) rune {
		switch r {
		case '|', '>', '<':
			return ' '
		case '*':
			return '∗'
		}
		return r
	}, title)
	return escape(cleanInline(title))
}

// link renders <url|title>, or just the escaped title when url is not a
// safe http(s) URL.
func link(u, title string) string {
	t := linkTitle(title)
	su, ok := safeURL(u)
	if !ok {
		return t
	}
	if t == "" {
		return "<" + su + ">"
	}
	return "<" + su + "|" + t + ">"
}

// replyMrkdwn translates a bot.Reply's Text to Slack mrkdwn. The bot's
// conventions (`code` spans, lines starting with "• ") are Slack's too, so
// the translation escapes the text, normalises line endings and list
// markers ("- " and "* " become "• "), and drops control characters.
func replyMrkdwn(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\r\n", "\n")
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		line = strings.Map(func(r rune) rune {
			if r == '\t' {
				return ' '
			}
			if unicode.IsControl(r) || r == utf16ReplacementGuard {
				return -1
			}
			return r
		}, line)
		trimmed := strings.TrimLeft(line, " ")
		indent := line[:len(line)-len(trimmed)]
		if strings.HasPrefix(trimmed, "- ") || strings.HasPrefix(trimmed, "* ") {
			trimmed = "• " + trimmed[2:]
		}
		lines[i] = indent + escape(trimmed)
	}
	return strings.Join(lines, "\n")
}

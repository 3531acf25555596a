package briefing

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// FormatText renders a briefing for a terminal: a header line, then each
// story numbered, with its headline, summary, sources (with how long ago
// the story moved) and link, and a closing line counting the stories left
// out. Lines are wrapped at width (0 means 80) between words, never inside
// one; a word longer than the width gets a line of its own. Control
// characters in the briefing are shown as spaces.
func FormatText(b Briefing, width int) string {
	if width <= 0 {
		width = 80
	}
	var sb strings.Builder
	writeWrapped(&sb, "", "", headerLine(b), width)
	if len(b.Items) == 0 {
		sb.WriteString("\n" + noStoriesLine(b) + "\n")
	}
	for i, it := range b.Items {
		num := fmt.Sprintf("%d. ", i+1)
		indent := strings.Repeat(" ", len(num))
		sb.WriteByte('\n')
		writeWrapped(&sb, num, indent, it.Headline, width)
		if len(it.Summary) > 0 {
			writeWrapped(&sb, indent, indent, strings.Join(it.Summary, " "), width)
		}
		if line := sourcesLine(it.Sources, func(l Link) string { return l.Name }); line != "" {
			if age := ageText(b.Generated, it.Published); age != "" {
				line += " · " + age
			}
			writeWrapped(&sb, indent, indent, line, width)
		}
		if u := itemURL(it); u != "" {
			writeWrapped(&sb, indent, indent, u, width)
		}
	}
	if b.More > 0 {
		fmt.Fprintf(&sb, "\n%s\n", moreLine(b.More))
	}
	return sb.String()
}

// FormatMarkdown renders a briefing as CommonMark: a heading, one section
// per story with the headline linked, the summary, and the sources as
// links, then a line counting the stories left out. Text is escaped, and
// only http and https links are linked.
func FormatMarkdown(b Briefing) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "## %s\n", escapeMarkdown(headerLine(b)))
	if len(b.Items) == 0 {
		sb.WriteString("\n" + escapeMarkdown(noStoriesLine(b)) + "\n")
	}
	for _, it := range b.Items {
		sb.WriteByte('\n')
		headline := escapeMarkdown(it.Headline)
		if u := markdownURL(itemURL(it)); u != "" {
			fmt.Fprintf(&sb, "### [%s](%s)\n", headline, u)
		} else {
			fmt.Fprintf(&sb, "### %s\n", headline)
		}
		if len(it.Summary) > 0 {
			fmt.Fprintf(&sb, "\n%s\n", escapeMarkdown(strings.Join(it.Summary, " ")))
		}
		line := sourcesLine(it.Sources, func(l Link) string {
			name := escapeMarkdown(l.Name)
			if u := markdownURL(l.URL); u != "" {
				return "[" + name + "](" + u + ")"
			}
			return name
		})
		if line != "" {
			if age := ageText(b.Generated, it.Published); age != "" {
				line += " · " + age
			}
			fmt.Fprintf(&sb, "\n%s\n", line)
		}
	}
	if b.More > 0 {
		fmt.Fprintf(&sb, "\n*%s*\n", moreLine(b.More))
	}
	return sb.String()
}

// headerLine is the one-line title of a briefing:
// "g20: 3 stories (3 May 2017 10:05 UTC)".
func headerLine(b Briefing) string {
	n := len(b.Items) + b.More
	title := strings.Join(strings.Fields(clean(b.Title)), " ")
	if title == "" {
		title = "Briefing"
	}
	line := fmt.Sprintf("%s: %s", title, plural(n, "story", "stories"))
	if !b.Generated.IsZero() {
		line += " (" + b.Generated.UTC().Format("2 Jan 2006 15:04") + " UTC)"
	}
	return line
}

func noStoriesLine(b Briefing) string {
	if q := strings.Join(strings.Fields(clean(b.Query)), " "); q != "" {
		return fmt.Sprintf("No stories match %q.", q)
	}
	return "No stories match."
}

// maxNamedSources is how many sources a story names before counting the
// rest ("Sources: Sky News, BBC +2 sources"); three are named when there
// are only three.
const maxNamedSources = 2

// sourcesLine names the sources, rendering each with name, and counts
// those not named. It returns "" when there are none.
func sourcesLine(sources []Link, name func(Link) string) string {
	if len(sources) == 0 {
		return ""
	}
	named := len(sources)
	if named > maxNamedSources+1 {
		named = maxNamedSources
	}
	names := make([]string, 0, named)
	for _, s := range sources[:named] {
		names = append(names, name(Link{Name: clean(s.Name), URL: s.URL}))
	}
	line := "Sources: " + strings.Join(names, ", ")
	if len(sources) == 1 {
		line = "Source: " + names[0]
	}
	if rest := len(sources) - named; rest > 0 {
		line += " +" + plural(rest, "source", "sources")
	}
	return line
}

// itemURL is the item's link, or the first source link when the lead has
// none.
func itemURL(it Item) string {
	if it.URL != "" {
		return it.URL
	}
	for _, s := range it.Sources {
		if s.URL != "" {
			return s.URL
		}
	}
	return ""
}

// ageText says how long before the briefing a story last moved ("5 hours
// ago", "5 days ago"; the date for anything older than two weeks: "2 May"
// this year, "2 May 2017" before); "" when either time is unknown or the
// story is from the future.
func ageText(generated, published time.Time) string {
	if generated.IsZero() || published.IsZero() {
		return ""
	}
	d := generated.Sub(published)
	switch {
	case d < 0:
		return ""
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute", "minutes") + " ago"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour", "hours") + " ago"
	case d < 14*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day", "days") + " ago"
	case published.Year() == generated.Year():
		return published.UTC().Format("2 Jan")
	}
	return published.UTC().Format("2 Jan 2006")
}

func moreLine(n int) string { return "+" + plural(n, "more story", "more stories") }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// clean replaces control characters (newlines, escape sequences) with
// spaces, so that text from feeds cannot break the layout or drive a
// terminal.
func clean(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// writeWrapped writes text wrapped at width, the first line prefixed by
// first and the rest by indent. Words are never split: a word longer than
// the line gets a line of its own.
func writeWrapped(sb *strings.Builder, first, indent, text string, width int) {
	sb.WriteString(first)
	lineLen := utf8.RuneCountInString(first)
	empty := true
	for _, w := range strings.Fields(clean(text)) {
		wl := utf8.RuneCountInString(w)
		if !empty && lineLen+1+wl > width {
			sb.WriteString("\n" + indent)
			lineLen, empty = utf8.RuneCountInString(indent), true
		}
		if !empty {
			sb.WriteByte(' ')
			lineLen++
		}
		sb.WriteString(w)
		lineLen += wl
		empty = false
	}
	sb.WriteByte('\n')
}

var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "`", "\\`", "<", `\<`, ">", `\>`, "#", `\#`, "|", `\|`)

// escapeMarkdown escapes s so that it renders as the text it is: inline
// markup characters get a backslash, and so does a start that would make
// a list item or a heading underline.
func escapeMarkdown(s string) string {
	s = mdEscaper.Replace(strings.Join(strings.Fields(clean(s)), " "))
	switch {
	case strings.HasPrefix(s, "- "), strings.HasPrefix(s, "+ "), strings.HasPrefix(s, "="):
		return `\` + s
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && (s[i] == '.' || s[i] == ')') {
		return s[:i] + `\` + s[i:]
	}
	return s
}

// markdownURL returns u fit to be a link target: only http(s) URLs, with
// spaces, parentheses and angle brackets percent-encoded so that they
// cannot end the link early. It returns "" for anything else.
func markdownURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E").Replace(p.String())
}

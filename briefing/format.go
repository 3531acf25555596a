package briefing

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// FormatText renders a briefing for a terminal: numbered stories with
// wrapped summaries, their sources and link, and a closing line for stories
// left out. width is the wrap column (0 means 80).
func FormatText(b Briefing, width int) string {
	if width <= 0 {
		width = 80
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s\n", headerLine(b))
	if len(b.Items) == 0 {
		sb.WriteString("\nNo stories match.\n")
		return sb.String()
	}
	for i, it := range b.Items {
		num := fmt.Sprintf("%d. ", i+1)
		indent := strings.Repeat(" ", len(num))
		sb.WriteByte('\n')
		writeWrapped(&sb, num, indent, it.Headline, width)
		if len(it.Summary) > 0 {
			writeWrapped(&sb, indent, indent, strings.Join(it.Summary, " "), width)
		}
		if src := sourcesLine(it, 3); src != "" {
			writeWrapped(&sb, indent, indent, src, width)
		}
		if it.URL != "" {
			sb.WriteString(indent + it.URL + "\n")
		}
	}
	if b.More > 0 {
		fmt.Fprintf(&sb, "\n%s\n", moreLine(b.More))
	}
	return sb.String()
}

// FormatMarkdown renders a briefing as CommonMark: a heading, one section per
// story with the headline linked, the summary, and the sources as links.
func FormatMarkdown(b Briefing) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "## %s\n", escapeMarkdown(headerLine(b)))
	if len(b.Items) == 0 {
		sb.WriteString("\nNo stories match.\n")
		return sb.String()
	}
	for _, it := range b.Items {
		sb.WriteByte('\n')
		if it.URL != "" {
			fmt.Fprintf(&sb, "### [%s](%s)\n", escapeMarkdown(it.Headline), it.URL)
		} else {
			fmt.Fprintf(&sb, "### %s\n", escapeMarkdown(it.Headline))
		}
		if len(it.Summary) > 0 {
			fmt.Fprintf(&sb, "\n%s\n", escapeMarkdown(strings.Join(it.Summary, " ")))
		}
		if len(it.Sources) > 0 {
			links := make([]string, 0, len(it.Sources))
			for _, s := range it.Sources {
				if s.URL != "" {
					links = append(links, fmt.Sprintf("[%s](%s)", escapeMarkdown(s.Name), s.URL))
				} else {
					links = append(links, escapeMarkdown(s.Name))
				}
			}
			fmt.Fprintf(&sb, "\nSources: %s\n", strings.Join(links, ", "))
		}
	}
	if b.More > 0 {
		fmt.Fprintf(&sb, "\n*%s*\n", moreLine(b.More))
	}
	return sb.String()
}

// headerLine is the one-line title of a briefing: "g20: 3 stories".
func headerLine(b Briefing) string {
	n := len(b.Items) + b.More
	title := b.Title
	if title == "" {
		title = "Briefing"
	}
	line := fmt.Sprintf("%s: %s", title, plural(n, "story", "stories"))
	if !b.Generated.IsZero() {
		line += " (" + b.Generated.UTC().Format(time.DateTime) + " UTC)"
	}
	return line
}

// sourcesLine names up to max sources and counts the rest.
func sourcesLine(it Item, max int) string {
	if len(it.Sources) == 0 {
		return ""
	}
	names := make([]string, 0, max)
	for i, s := range it.Sources {
		if i == max {
			break
		}
		names = append(names, s.Name)
	}
	line := "Sources: " + strings.Join(names, ", ")
	if rest := len(it.Sources) - len(names); rest > 0 {
		line += fmt.Sprintf(" +%s", plural(rest, "source", "sources"))
	}
	return line
}

func moreLine(n int) string { return "+" + plural(n, "more story", "more stories") }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// writeWrapped writes text wrapped at width, the first line prefixed by
// first and the rest by indent. Words are never split.
func writeWrapped(sb *strings.Builder, first, indent, text string, width int) {
	line := first
	lineLen := utf8.RuneCountInString(first)
	empty := true
	for _, w := range strings.Fields(text) {
		wl := utf8.RuneCountInString(w)
		if !empty && lineLen+1+wl > width {
			sb.WriteString(line + "\n")
			line, lineLen, empty = indent, utf8.RuneCountInString(indent), true
		}
		if !empty {
			line += " "
			lineLen++
		}
		line += w
		lineLen += wl
		empty = false
	}
	sb.WriteString(line + "\n")
}

var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "`", "\\`", "<", `\<`, ">", `\>`, "#", `\#`)

func escapeMarkdown(s string) string { return mdEscaper.Replace(s) }

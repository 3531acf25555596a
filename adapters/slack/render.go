package slack

import (
	"fmt"
	"strings"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	slackapi "github.com/slack-go/slack"
)

// Slack's limits, and the budgets this package keeps under them.
const (
	// maxBlocks is Slack's limit of blocks per message.
	maxBlocks = 50
	// maxSectionText is Slack's limit for a section's text.
	maxSectionText = 3000
	// maxHeaderText is Slack's limit for a header's plain text.
	maxHeaderText = 150
	// maxTotalText bounds the text of all blocks of one message. Slack has
	// refused messages of about 13,000 characters of blocks
	// (msg_blocks_too_long) even when every block was within its limit.
	maxTotalText = 10000
	// maxFallbackText bounds the plain-text fallback of a briefing.
	maxFallbackText = 3000
	// maxReplyText bounds a text-only reply (Slack truncates above 40,000).
	maxReplyText = 35000
	// maxHeadline and maxSourceName bound one headline and one source name.
	maxHeadline   = 250
	maxSourceName = 60
	// sourcesShown is how many sources are named before "+N sources".
	sourcesShown = 3
	// minCutSentence is the least room worth filling with a cut sentence.
	minCutSentence = 80
)

// Response types of a reply to a slash command.
const (
	responseEphemeral = "ephemeral"
	responseInChannel = "in_channel"
)

// message is a Slack message body in the shape chat.postMessage,
// response_url and the immediate slash-command response share.
type message struct {
	// ResponseType is "ephemeral" or "in_channel" for command replies and
	// empty for posts.
	ResponseType string `json:"response_type,omitempty"`
	// Text is the plain-text fallback (notifications, old clients) or, for
	// text-only replies, the message itself in mrkdwn.
	Text   string           `json:"text"`
	Blocks []slackapi.Block `json:"blocks,omitempty"`
}

// renderReply translates a command reply to a Slack message.
func renderReply(r bot.Reply) message {
	var m message
	if r.Briefing != nil {
		m = renderBriefing(*r.Briefing, r.Text)
	} else {
		m = renderText(r.Text)
	}
	m.ResponseType = responseInChannel
	if r.Ephemeral {
		m.ResponseType = responseEphemeral
	}
	return m
}

// renderMessage translates a message the bot posts on its own (a digest).
func renderMessage(bm bot.Message) message {
	if bm.Briefing != nil {
		return renderBriefing(*bm.Briefing, bm.Text)
	}
	return renderText(bm.Text)
}

// renderText renders a text-only reply: the text translated to mrkdwn, no
// blocks.
func renderText(s string) message {
	if strings.TrimSpace(s) == "" {
		s = "Done."
	}
	if cut := cutWords(s, maxReplyText); cut != "" {
		s = cut
	}
	return message{Text: replyMrkdwn(s)}
}

// renderBriefing renders a briefing as Block Kit: an optional intro, a
// header, a context line, one section per story and "+N more stories" when
// stories are left out, whether by the briefing's budget or by Slack's
// limits. Stories are cut whole, summaries by whole sentences; article text
// is escaped throughout.
func renderBriefing(b briefing.Briefing, intro string) message {
	var (
		blocks   []slackapi.Block
		total    int
		fallback []string
	)
	add := func(bl slackapi.Block, n int) {
		blocks = append(blocks, bl)
		total += n
	}

	if intro = strings.TrimSpace(intro); intro != "" {
		if cut := cutWords(intro, maxSectionText); cut != "" {
			t := replyMrkdwn(cut)
			add(section(t), textLen(t))
			fallback = append(fallback, t)
		}
	}

	title, count := headerParts(b)
	head := plainText(title) + count
	add(slackapi.NewHeaderBlock(slackapi.NewTextBlockObject(slackapi.PlainTextType, head, true, false)), textLen(head))
	fallback = append(fallback, escape(title)+count)

	if ctx := contextText(b); ctx != "" {
		add(contextBlock(ctx), textLen(ctx))
	}

	more := b.More
	if len(b.Items) == 0 && more == 0 {
		const none = "No stories match."
		add(section(none), textLen(none))
		fallback = append(fallback, none)
	}
	// Room kept for the "+N more stories" line.
	const moreReserve = 40
	for i, it := range b.Items {
		room := min(maxSectionText, maxTotalText-total-moreReserve)
		text, ok := storyText(it, room)
		if !ok || len(blocks) >= maxBlocks-1 {
			more += len(b.Items) - i
			break
		}
		add(section(text), textLen(text))
		fallback = append(fallback, "• "+escape(cutWords(headline(it), maxHeadline)))
	}
	if more > 0 {
		line := "+" + plural(more, "more story", "more stories")
		add(contextBlock(line), textLen(line))
		fallback = append(fallback, line)
	}
	return message{Text: fallbackText(fallback), Blocks: blocks}
}

// headerParts returns the header's title (cleaned, not escaped) and its
// ": N stories" suffix; together they fit the header limit whether the
// title is escaped or not.
func headerParts(b briefing.Briefing) (title, count string) {
	n := len(b.Items) + b.More
	count = ": " + plural(n, "story", "stories")
	title = cleanInline(b.Title)
	if title == "" {
		title = "Briefing"
	}
	// cutWords measures the escaped length, never less than the plain one.
	if title = cutWords(title, maxHeaderText-textLen(count)); title == "" {
		title = "Briefing"
	}
	return title, count
}

// plainText prepares text for a plain_text object, which Slack shows
// without parsing mentions or links. Angle brackets become look-alike
// quotes so that the text reads the same whether or not Slack decodes
// entities there, and no "<!channel>" appears anywhere in a message.
var plainReplacer = strings.NewReplacer("<", "‹", ">", "›")

func plainText(s string) string { return plainReplacer.Replace(s) }

// contextText is the line under the header: when the briefing was made
// and the query it answers.
func contextText(b briefing.Briefing) string {
	var parts []string
	if !b.Generated.IsZero() {
		parts = append(parts, b.Generated.UTC().Format(time.DateTime[:16])+" UTC")
	}
	if q := cleanInline(b.Query); q != "" && q != cleanInline(b.Title) {
		if cut := cutWords(q, 200); cut != "" {
			parts = append(parts, "query `"+escape(cut)+"`")
		}
	}
	return strings.Join(parts, " · ")
}

// headline is the item's cleaned headline, never empty.
func headline(it briefing.Item) string {
	h := cleanInline(it.Headline)
	if h == "" {
		return "(untitled)"
	}
	return h
}

// storyText renders one story in at most room characters: the headline
// (linked), as many whole summary sentences as fit, and the sources line.
// It reports false when not even the headline and sources fit.
func storyText(it briefing.Item, room int) (string, bool) {
	h := cutWords(headline(it), maxHeadline)
	if h == "" {
		h = "(untitled)"
	}
	head := "*" + link(it.URL, h) + "*"
	src := sourcesText(it)
	fixed := textLen(head)
	if src != "" {
		fixed += 1 + textLen(src)
	}
	if fixed > room {
		return "", false
	}
	// Whole sentences while they fit; a first sentence too long on its own
	// is cut at a word boundary.
	left := room - fixed - 1
	var summary []string
	used := 0
	for i, s := range it.Summary {
		s = cleanInline(s)
		if s == "" {
			continue
		}
		need := escapedLen(s)
		if len(summary) > 0 {
			need++
		}
		if used+need > left {
			if i == 0 && left >= minCutSentence {
				if cut := cutWords(s, left); cut != "" {
					summary = append(summary, escape(cut))
				}
			}
			break
		}
		summary = append(summary, escape(s))
		used += need
	}
	lines := []string{head}
	if len(summary) > 0 {
		lines = append(lines, strings.Join(summary, " "))
	}
	if src != "" {
		lines = append(lines, src)
	}
	return strings.Join(lines, "\n"), true
}

// sourcesText is "Sources: <u|A>, <u|B>, <u|C> +2 sources".
func sourcesText(it briefing.Item) string {
	if len(it.Sources) == 0 {
		return ""
	}
	names := make([]string, 0, sourcesShown)
	for _, s := range it.Sources {
		if len(names) == sourcesShown {
			break
		}
		name := cutWords(cleanInline(s.Name), maxSourceName)
		if name == "" {
			name = hostName(s.URL)
		}
		if name == "" {
			continue
		}
		names = append(names, link(s.URL, name))
	}
	if len(names) == 0 {
		return ""
	}
	line := "Sources: " + strings.Join(names, ", ")
	if rest := len(it.Sources) - len(names); rest > 0 {
		line += " +" + plural(rest, "source", "sources")
	}
	return line
}

// hostName returns u's host, or "" when u is not a safe URL.
func hostName(u string) string {
	if _, ok := safeURL(u); !ok {
		return ""
	}
	rest := u[strings.Index(u, "//")+2:]
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return strings.TrimPrefix(rest, "www.")
}

// fallbackText joins the fallback lines within maxFallbackText, dropping
// whole lines from the end.
func fallbackText(lines []string) string {
	var sb strings.Builder
	n := 0
	for _, l := range lines {
		ln := textLen(l) + 1
		if n+ln > maxFallbackText {
			break
		}
		if sb.Len() > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(l)
		n += ln
	}
	return sb.String()
}

func section(mrkdwn string) *slackapi.SectionBlock {
	return slackapi.NewSectionBlock(&slackapi.TextBlockObject{Type: slackapi.MarkdownType, Text: mrkdwn, Verbatim: true}, nil, nil)
}

func contextBlock(mrkdwn string) *slackapi.ContextBlock {
	return slackapi.NewContextBlock("", &slackapi.TextBlockObject{Type: slackapi.MarkdownType, Text: mrkdwn, Verbatim: true})
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

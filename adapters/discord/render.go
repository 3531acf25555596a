package discord

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
)

// Discord's message limits, in characters (counted as UTF-16 code units,
// the way Discord's clients count them, which is never less than runes).
const (
	maxContent       = 2000
	maxEmbeds        = 10
	maxEmbedsTotal   = 6000
	maxTitle         = 256
	maxDescription   = 4096
	maxFields        = 25
	maxFieldName     = 256
	maxFieldValue    = 1024
	maxFooter        = 2048
	maxAuthorName    = 256
	maxSourceLinks   = 3
	maxSourceNameLen = 80
	embedColor       = 0x2B6CB0
)

// message is the JSON body of everything the adapter sends: a channel
// message, an interaction response's data, a webhook edit or a follow-up.
// AllowedMentions is always set to an explicit empty parse list.
type message struct {
	Content         string                            `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Flags           discordgo.MessageFlags            `json:"flags,omitempty"`
	Nonce           string                            `json:"nonce,omitempty"`
	EnforceNonce    bool                              `json:"enforce_nonce,omitempty"`
}

// noMentions allows no mentions at all. The empty, non-nil slice matters:
// it serialises as "parse":[] whereas a nil slice would be null.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// renderReply translates a bot reply into a message.
func renderReply(r bot.Reply) message {
	var m message
	if r.Briefing != nil {
		m = renderBriefing(r.Text, *r.Briefing)
	} else {
		m = renderText(r.Text)
	}
	if r.Ephemeral {
		m.Flags = discordgo.MessageFlagsEphemeral
	}
	return m
}

// renderPost translates a message the bot posts on its own (a digest).
// The message key becomes a nonce that Discord enforces, so a retried post
// is not posted twice within Discord's nonce window, and a small tag
// derived from it ([postTag]) that [Adapter.Posted] finds in the channel's
// history later: in the last embed's footer, or as a subtext line under a
// message without embeds.
func renderPost(pm bot.Message) message {
	tag := ""
	if pm.Key != "" {
		tag = postTag(pm.Key)
	}
	var m message
	if pm.Briefing != nil {
		m = renderBriefingTagged(pm.Text, *pm.Briefing, tag)
	} else {
		m = renderTextTagged(pm.Text, tag)
	}
	if pm.Key != "" {
		m.Nonce = nonce(pm.Key)
		m.EnforceNonce = true
	}
	return m
}

// postTag is the mark a posted digest carries so that it can be found
// again: "newsbot digest · " and 12 hex digits of the key's hash. It reads
// as a discreet footer and is the same for every retry of a delivery.
func postTag(key string) string {
	return "newsbot digest · " + digest(key)[:12]
}

// carriesTag reports whether a message holds tag in its content or in an
// embed's footer.
func carriesTag(m *discordgo.Message, tag string) bool {
	if strings.Contains(m.Content, tag) {
		return true
	}
	for _, e := range m.Embeds {
		if e != nil && e.Footer != nil && strings.Contains(e.Footer.Text, tag) {
			return true
		}
	}
	return false
}

// subtext renders a line in Discord's small grey subtext.
func subtext(s string) string { return "-# " + s }

// renderText renders a plain reply: help, confirmations, errors. The text
// keeps its `code` spans and "• " lines (Discord shows both as they are);
// mentions are neutralised. Text longer than a message's content moves
// into embed descriptions, split at line breaks; text beyond what a
// message can hold is cut at a line break and says how much is missing.
func renderText(text string) message { return renderTextTagged(text, "") }

// renderTextTagged is renderText with a tag (see [postTag]) added: a
// subtext line after the content, or the footer of the last embed.
func renderTextTagged(text, tag string) message {
	text = strings.TrimSpace(neutralize(text))
	if text == "" {
		text = "Done."
	}
	if tag == "" && textLen(text) <= maxContent {
		return message{Content: text, AllowedMentions: noMentions()}
	}
	if tag != "" && textLen(text)+1+textLen(subtext(tag)) <= maxContent {
		return message{Content: text + "\n" + subtext(tag), AllowedMentions: noMentions()}
	}
	lines := strings.Split(text, "\n")
	note := func(n int) string { return fmt.Sprintf("… (%s did not fit)", plural(n, "more line", "more lines")) }
	reserve := textLen(note(len(lines))) + 1 + textLen(tag)
	var chunks []string
	var cur strings.Builder
	curLen, total := 0, 0
	for i, line := range lines {
		line = cutWords(line, maxDescription-reserve)
		n := textLen(line)
		add := n
		if cur.Len() > 0 {
			add++
		}
		split := cur.Len() > 0 && curLen+add > maxDescription-reserve
		if split {
			add = n
		}
		if total+add > maxEmbedsTotal-reserve || (split && len(chunks)+2 > maxEmbeds) {
			if cur.Len() > 0 {
				cur.WriteByte('\n')
			}
			cur.WriteString(note(len(lines) - i))
			break
		}
		if split {
			chunks = append(chunks, cur.String())
			cur.Reset()
			curLen = 0
		} else if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(line)
		curLen += add
		total += add
	}
	if cur.Len() > 0 {
		chunks = append(chunks, cur.String())
	}
	m := message{AllowedMentions: noMentions()}
	for _, c := range chunks {
		m.Embeds = append(m.Embeds, &discordgo.MessageEmbed{Description: c, Color: embedColor})
	}
	if tag != "" && len(m.Embeds) > 0 {
		m.Embeds[len(m.Embeds)-1].Footer = &discordgo.MessageEmbedFooter{Text: tag}
	}
	return m
}

// renderBriefing renders a briefing: a content line (the intro, or the
// briefing's title and story count) and one embed per story, whose title
// links the lead article, whose description holds the summary and the
// sources as links. Stories are cut whole to fit Discord's limits (10
// embeds, 6,000 characters across them); those left out are added to the
// "+N more stories" footer.
func renderBriefing(intro string, b briefing.Briefing) message {
	return renderBriefingTagged(intro, b, "")
}

// renderBriefingTagged is renderBriefing with a tag (see [postTag]) in the
// last story's footer, or as a subtext line when there is no story.
func renderBriefingTagged(intro string, b briefing.Briefing, tag string) message {
	m := message{AllowedMentions: noMentions()}
	title := fit(b.Title, maxTitle)
	if title == "" {
		title = "Briefing"
	}
	intro = strings.TrimSpace(neutralize(intro))
	if len(b.Items) == 0 {
		room := maxContent - 50
		if tag != "" {
			room -= textLen(subtext(tag)) + 1
		}
		if intro != "" {
			m.Content = cutWords(intro, room) + "\nNo stories match."
		} else {
			m.Content = fmt.Sprintf("No stories match **%s**.", title)
		}
		if b.More > 0 {
			m.Content += " " + moreLine(b.More)
		}
		if tag != "" {
			m.Content += "\n" + subtext(tag)
		}
		return m
	}
	if intro != "" {
		m.Content = cutWords(intro, maxContent)
	} else {
		m.Content = fmt.Sprintf("**%s**: %s", title, plural(len(b.Items)+b.More, "story", "stories"))
	}

	// The footer's size depends on how many stories are cut; reserve room
	// for the longest it can be. Stories are rendered only until one does
	// not fit.
	reserve := textLen(moreLine(b.More + len(b.Items)))
	if tag != "" {
		reserve += textLen(tag) + textLen(footerSep)
	}
	stories := make([]*discordgo.MessageEmbed, 0, min(len(b.Items), maxEmbeds))
	total, n := 0, 0
	for n < len(b.Items) && n < maxEmbeds {
		e := storyEmbed(b.Items[n])
		size := embedLen(e)
		if total+size+reserve > maxEmbedsTotal {
			break
		}
		stories = append(stories, e)
		total += size
		n++
	}
	m.Embeds = stories
	var footer []string
	if more := b.More + len(b.Items) - n; more > 0 {
		footer = append(footer, moreLine(more))
	}
	if tag != "" {
		footer = append(footer, tag)
	}
	if len(footer) > 0 && n > 0 {
		m.Embeds[n-1].Footer = &discordgo.MessageEmbedFooter{Text: strings.Join(footer, footerSep)}
	}
	return m
}

// footerSep separates the parts of a footer.
const footerSep = " · "

// storyEmbed renders one story. Every part is within its own limit: the
// headline is cut at a word boundary, the summary by whole sentences.
func storyEmbed(it briefing.Item) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Color: embedColor}
	headline := it.Headline
	if cleanLine(clip(headline, maxTitle)) == "" {
		headline = "(untitled)"
	}
	e.Title = fit(headline, maxTitle)
	e.URL = safeURL(it.URL)
	if !it.Published.IsZero() {
		e.Timestamp = it.Published.UTC().Format(time.RFC3339)
	}
	sources := sourcesLine(it)
	room := maxDescription
	if sources != "" {
		room -= textLen(sources) + 2 // a blank line between summary and sources
	}
	var summary strings.Builder
	used := 0
	for _, s := range it.Summary {
		s, cut := fitCut(s, room)
		if s == "" {
			continue
		}
		n := textLen(s)
		if summary.Len() > 0 {
			n++
		}
		if summary.Len() > 0 && (cut || used+n > room) {
			break // whole sentences only, after the first
		}
		if summary.Len() > 0 {
			summary.WriteByte(' ')
		}
		summary.WriteString(s)
		used += n
	}
	switch {
	case summary.Len() > 0 && sources != "":
		e.Description = summary.String() + "\n\n" + sources
	case summary.Len() > 0:
		e.Description = summary.String()
	default:
		e.Description = sources
	}
	return e
}

// sourcesLine renders up to maxSourceLinks sources as links and counts the
// rest: "Sources: [Reuters](…) · [BBC](…) · [AP](…) +2 sources".
func sourcesLine(it briefing.Item) string {
	if len(it.Sources) == 0 {
		return ""
	}
	parts := make([]string, 0, maxSourceLinks)
	for i, s := range it.Sources {
		if i == maxSourceLinks {
			break
		}
		name := fit(s.Name, maxSourceNameLen)
		if name == "" {
			name = "source"
		}
		if u := safeURL(s.URL); u != "" {
			parts = append(parts, "["+name+"]("+u+")")
		} else {
			parts = append(parts, name)
		}
	}
	line := "Sources: " + strings.Join(parts, " · ")
	if rest := len(it.Sources) - len(parts); rest > 0 {
		line += " +" + plural(rest, "source", "sources")
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

// embedLen is an embed's size as Discord counts it towards the 6,000
// characters a message's embeds may hold.
func embedLen(e *discordgo.MessageEmbed) int {
	n := textLen(e.Title) + textLen(e.Description)
	if e.Footer != nil {
		n += textLen(e.Footer.Text)
	}
	if e.Author != nil {
		n += textLen(e.Author.Name)
	}
	for _, f := range e.Fields {
		n += textLen(f.Name) + textLen(f.Value)
	}
	return n
}

// checkLimits reports the first of Discord's message limits m breaks.
func checkLimits(m message) error {
	if textLen(m.Content) > maxContent {
		return fmt.Errorf("content is %d characters (limit %d)", textLen(m.Content), maxContent)
	}
	if m.Content == "" && len(m.Embeds) == 0 {
		return fmt.Errorf("message is empty")
	}
	if len(m.Embeds) > maxEmbeds {
		return fmt.Errorf("%d embeds (limit %d)", len(m.Embeds), maxEmbeds)
	}
	if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 {
		return fmt.Errorf("allowed_mentions must have an empty parse list")
	}
	total := 0
	for i, e := range m.Embeds {
		switch {
		case textLen(e.Title) > maxTitle:
			return fmt.Errorf("embed %d: title is %d characters (limit %d)", i, textLen(e.Title), maxTitle)
		case textLen(e.Description) > maxDescription:
			return fmt.Errorf("embed %d: description is %d characters (limit %d)", i, textLen(e.Description), maxDescription)
		case len(e.Fields) > maxFields:
			return fmt.Errorf("embed %d: %d fields (limit %d)", i, len(e.Fields), maxFields)
		case e.Footer != nil && textLen(e.Footer.Text) > maxFooter:
			return fmt.Errorf("embed %d: footer is %d characters (limit %d)", i, textLen(e.Footer.Text), maxFooter)
		case e.Author != nil && textLen(e.Author.Name) > maxAuthorName:
			return fmt.Errorf("embed %d: author is %d characters (limit %d)", i, textLen(e.Author.Name), maxAuthorName)
		}
		for j, f := range e.Fields {
			if textLen(f.Name) > maxFieldName || textLen(f.Value) > maxFieldValue {
				return fmt.Errorf("embed %d: field %d is over its limits", i, j)
			}
		}
		if e.Title == "" && e.Description == "" && len(e.Fields) == 0 {
			return fmt.Errorf("embed %d is empty", i)
		}
		total += embedLen(e)
	}
	if total > maxEmbedsTotal {
		return fmt.Errorf("embeds hold %d characters (limit %d)", total, maxEmbedsTotal)
	}
	return nil
}

// textLen counts s the way Discord does: in UTF-16 code units.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		if r > 0xFFFF {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// cutWords shortens s to at most max characters (textLen), ending with
// "…". It cuts at the last space that leaves room, so no word is split;
// only a single word longer than max is cut inside.
func cutWords(s string, max int) string {
	if textLen(s) <= max {
		return s
	}
	if max <= 1 {
		return ""
	}
	// The longest prefix that leaves room for the ellipsis.
	n, end := 0, 0
	for i, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if n+w > max-1 {
			break
		}
		n += w
		end = i + utf8.RuneLen(r)
	}
	prefix := s[:end]
	if !unicode.IsSpace(firstRune(s[end:])) {
		// The cut falls inside a word: back up to the last space.
		if i := strings.LastIndexFunc(prefix, unicode.IsSpace); i > 0 {
			prefix = prefix[:i]
		}
	}
	prefix = strings.TrimRightFunc(prefix, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:-–—", r)
	})
	// Never leave a dangling escape character.
	for strings.HasSuffix(prefix, `\`) && !strings.HasSuffix(prefix, `\\`) {
		prefix = prefix[:len(prefix)-1]
	}
	return prefix + "…"
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// fit prepares article text for a field of max characters: whitespace
// collapsed to single spaces, Markdown escaped, mentions neutralised, and
// cut at a word boundary with "…" when too long. Huge input is clipped
// first, so the work stays proportional to max.
func fit(s string, max int) string {
	out, _ := fitCut(s, max)
	return out
}

// fitCut is fit, also reporting whether the text had to be cut.
func fitCut(s string, max int) (string, bool) {
	c := clip(s, max)
	full := escapeMarkdown(cleanLine(c))
	out := cutWords(full, max)
	cut := out != full
	if len(c) < len(s) && !cut && out != "" {
		out, cut = cutWords(out+" …", max), true
	}
	return out, cut
}

// clip shortens s to about 8*max bytes, at a rune boundary; more than
// that cannot fit in max characters even after whitespace is collapsed.
func clip(s string, max int) string {
	n := 8*max + 64
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// cleanLine collapses every run of whitespace (newlines included) into one
// space, so article text cannot start Markdown blocks on new lines.
func cleanLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// escapeMarkdown makes article text show literally: it backslash-escapes
// Discord's inline Markdown (* _ ~ ` | [ ] \) and a block marker at the
// start (# > - + or "1."), and neutralises mentions.
func escapeMarkdown(s string) string {
	s = neutralize(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, r := range s {
		switch r {
		case '\\', '*', '_', '~', '`', '|', '[', ']':
			b.WriteByte('\\')
		case '#', '>', '-', '+':
			if i == 0 {
				b.WriteByte('\\')
			}
		case '.':
			if isDigits(s[:i]) && i > 0 {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// neutralize defuses mentions in text the bot relays: a zero-width space
// after the @ of @everyone and @here (any case), and after the < of <@user>,
// <@!user>, <@&role> and <#channel>. allowed_mentions already stops the
// pings; this keeps the text harmless when quoted or copied elsewhere.
func neutralize(s string) string {
	if !strings.ContainsAny(s, "@<") {
		return s
	}
	const zwsp = "\u200b"
	var b strings.Builder
	b.Grow(len(s) + 6)
	for i := 0; i < len(s); i++ {
		c := s[i]
		b.WriteByte(c)
		switch c {
		case '@':
			rest := s[i+1:]
			if hasPrefixFold(rest, "everyone") || hasPrefixFold(rest, "here") {
				b.WriteString(zwsp)
			}
		case '<':
			if i+1 < len(s) && (s[i+1] == '@' || s[i+1] == '#') {
				b.WriteString(zwsp)
			}
		}
	}
	return b.String()
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// safeURL returns u when it is an absolute http(s) URL Discord will accept
// (Markdown-breaking characters percent-encoded), and "" otherwise.
func safeURL(u string) string {
	u = strings.TrimSpace(u)
	if u == "" || len(u) > 2048 {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil {
		return ""
	}
	return urlEscaper.Replace(p.String())
}

// urlEscaper percent-encodes the characters that would end a Markdown link
// early or confuse Discord's link parser. It is read-only after init.
var urlEscaper = strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E", "[", "%5B", "]", "%5D", "|", "%7C")

// nonce derives a message nonce from a message key. Discord nonces are at
// most 25 characters, so longer keys are hashed; the same key always gives
// the same nonce.
func nonce(key string) string {
	if len(key) <= 25 && isNonceSafe(key) {
		return key
	}
	return "k" + digest(key)[:24]
}

func isNonceSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == ':' || c == '.') {
			return false
		}
	}
	return true
}

// digest is a short stable hash of s, in hex.
func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

package discord

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

var published = time.Date(2017, 7, 7, 9, 30, 0, 0, time.UTC)

// g20Briefing is a briefing like the bot makes for /news g20.
func g20Briefing() briefing.Briefing {
	return briefing.Briefing{
		Title:     "g20",
		Query:     "g20",
		Generated: published.Add(2 * time.Hour),
		Items: []briefing.Item{
			{
				StoryID:  "u:1",
				Headline: "Trump and Putin plan face-to-face meeting at G20 in Germany",
				URL:      "https://example.com/news/g20-trump-putin",
				Summary: []string{
					"US President Donald Trump and Russian President Vladimir Putin will meet on the sidelines of the G20 summit in Hamburg.",
					"It will be their first face-to-face meeting.",
				},
				Sources: []briefing.Link{
					{Name: "Reuters", URL: "https://example.com/news/g20-trump-putin"},
					{Name: "BBC News", URL: "https://bbc.example/g20"},
					{Name: "AP", URL: "https://ap.example/g20"},
					{Name: "Deutsche Welle", URL: "https://dw.example/g20"},
					{Name: "Le Monde", URL: "https://lemonde.example/g20"},
				},
				Published: published,
			},
			{
				StoryID:   "u:2",
				Headline:  "Protesters gather in Hamburg ahead of the summit",
				URL:       "https://example.org/hamburg-protests",
				Summary:   []string{"Thousands of protesters marched through Hamburg on Thursday evening."},
				Sources:   []briefing.Link{{Name: "Der Spiegel", URL: "https://example.org/hamburg-protests"}},
				Published: published.Add(-3 * time.Hour),
			},
			{
				StoryID:  "u:3",
				Headline: "Leaders to discuss climate (with or without the US)",
				Summary:  []string{"Climate is expected to dominate the second day of talks."},
				Sources:  []briefing.Link{{Name: "Climate Desk"}},
			},
		},
		More: 4,
	}
}

// longBriefing has more and longer stories than one message can hold.
func longBriefing() briefing.Briefing {
	b := briefing.Briefing{Title: "Morning digest: climate"}
	sentence := strings.Repeat("Negotiators worked through the night on the wording of the final declaration ", 5) + "and agreed."
	for i := range 12 {
		b.Items = append(b.Items, briefing.Item{
			StoryID:  fmt.Sprintf("u:%d", i),
			Headline: fmt.Sprintf("Story %d: climate talks continue into the night", i+1),
			URL:      fmt.Sprintf("https://example.com/climate/%d", i+1),
			Summary:  []string{sentence, sentence, sentence},
			Sources:  []briefing.Link{{Name: "Reuters", URL: fmt.Sprintf("https://example.com/climate/%d", i+1)}},
		})
	}
	b.More = 3
	return b
}

func injectionBriefing() briefing.Briefing {
	return briefing.Briefing{
		Title: "@everyone news",
		Items: []briefing.Item{{
			StoryID:  "u:x",
			Headline: "Breaking @everyone: <@123> and <@!124> meet <@&456> in <#789> @here",
			URL:      "https://example.com/a_(b)",
			Summary: []string{
				"Click [here](https://evil.example) for **free** ~~stuff~~ and `code` || spoilers ||.",
				"# Not a heading\n> not a quote\n- not a list",
			},
			Sources: []briefing.Link{
				{Name: "[Evil](https://evil.example)", URL: "javascript:alert(1)"},
				{Name: "@here", URL: "https://example.com/a b"},
			},
		}},
	}
}

func overlongBriefing() briefing.Briefing {
	return briefing.Briefing{
		Title: "overlong",
		Items: []briefing.Item{{
			StoryID:  "u:long",
			Headline: strings.Repeat("Extraordinarily long headline words ", 12),
			URL:      "https://example.com/long",
			Summary:  []string{strings.Repeat("A single enormous sentence that never seems to end ", 100) + "finally."},
		}},
	}
}

func helpText() string {
	return "newsbot answers `/news <query>` with a briefing.\n" +
		"• `/news brief query:g20`: a briefing on g20\n" +
		"• `/news topic add name:g20 query:g20 summit`: add a topic (admins)\n" +
		"• `/news subscribe topic:g20 at:08:00 tz:Europe/Berlin`: a daily digest (admins)"
}

func longText(lines int) string {
	var b strings.Builder
	for i := range lines {
		fmt.Fprintf(&b, "• source %03d: https://feeds.example.com/%03d/rss.xml fetched 5 minutes ago, 0 failures\n", i, i)
	}
	return b.String()
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	g20 := g20Briefing()
	empty := briefing.Briefing{Title: "quantum gravity"}
	long, inject, overlong := longBriefing(), injectionBriefing(), overlongBriefing()
	tests := []struct {
		name string
		got  message
	}{
		{"briefing_g20", renderReply(bot.Reply{Briefing: &g20})},
		{"briefing_intro", renderReply(bot.Reply{Text: "Here is what I found for g20:", Briefing: &g20})},
		{"briefing_empty", renderReply(bot.Reply{Briefing: &empty})},
		{"briefing_cut", renderReply(bot.Reply{Briefing: &long})},
		{"briefing_mentions", renderReply(bot.Reply{Briefing: &inject})},
		{"briefing_overlong", renderReply(bot.Reply{Briefing: &overlong})},
		{"text_help", renderReply(bot.Reply{Text: helpText(), Ephemeral: true})},
		{"text_mentions", renderReply(bot.Reply{Text: "Added topic `@everyone` for <@123> in <#9>."})},
		{"text_long", renderReply(bot.Reply{Text: longText(40)})},
		{"text_too_long", renderReply(bot.Reply{Text: longText(120)})},
		{"digest_post", renderPost(bot.Message{Key: "digest:discord::200:g20:2017-07-07T08:00:00Z", Text: "Morning digest: g20", Briefing: &g20})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := checkLimits(tc.got); err != nil {
				t.Fatalf("limits: %v", err)
			}
			golden(t, filepath.Join("testdata", tc.name+".json"), indentJSON(t, tc.got))
		})
	}
}

// indentJSON encodes v for a golden file: indented, and without escaping
// <, > and & so that the file reads like what Discord shows.
func indentJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

func TestRenderBriefing(t *testing.T) {
	t.Parallel()
	g20 := g20Briefing()
	m := renderReply(bot.Reply{Briefing: &g20})
	if m.Content != "**g20**: 7 stories" {
		t.Errorf("content = %q", m.Content)
	}
	if len(m.Embeds) != 3 {
		t.Fatalf("%d embeds, want one per story (3)", len(m.Embeds))
	}
	lead := m.Embeds[0]
	if lead.Title != "Trump and Putin plan face-to-face meeting at G20 in Germany" || lead.URL != "https://example.com/news/g20-trump-putin" {
		t.Errorf("lead headline not linked: title %q url %q", lead.Title, lead.URL)
	}
	for _, want := range []string{
		"will meet on the sidelines of the G20 summit in Hamburg. It will be their first face-to-face meeting.",
		"Sources: [Reuters](https://example.com/news/g20-trump-putin) · [BBC News](https://bbc.example/g20) · [AP](https://ap.example/g20) +2 sources",
	} {
		if !strings.Contains(lead.Description, want) {
			t.Errorf("lead description lacks %q:\n%s", want, lead.Description)
		}
	}
	if lead.Timestamp != "2017-07-07T09:30:00Z" {
		t.Errorf("timestamp = %q", lead.Timestamp)
	}
	if m.Embeds[2].URL != "" || !strings.HasSuffix(m.Embeds[2].Description, "Sources: Climate Desk") {
		t.Errorf("story without URLs: url %q description %q", m.Embeds[2].URL, m.Embeds[2].Description)
	}
	if f := m.Embeds[2].Footer; f == nil || f.Text != "+4 more stories" {
		t.Errorf("last embed footer = %+v, want +4 more stories", f)
	}
	if m.Embeds[0].Footer != nil || m.Embeds[1].Footer != nil {
		t.Error("only the last embed may carry the footer")
	}
}

func TestRenderBriefingCutsWholeStories(t *testing.T) {
	t.Parallel()
	b := longBriefing()
	m := renderBriefing("", b)
	if err := checkLimits(m); err != nil {
		t.Fatal(err)
	}
	n := len(m.Embeds)
	if n == 0 || n >= len(b.Items) {
		t.Fatalf("%d embeds for %d stories: expected a cut", n, len(b.Items))
	}
	for i, e := range m.Embeds {
		// Every story kept is whole: all three sentences and the sources.
		if strings.Count(e.Description, "and agreed.") != 3 || !strings.Contains(e.Description, "Sources: ") {
			t.Errorf("story %d was not kept whole: %q", i, e.Description)
		}
	}
	want := fmt.Sprintf("+%d more stories", b.More+len(b.Items)-n)
	if f := m.Embeds[n-1].Footer; f == nil || f.Text != want {
		t.Errorf("footer = %+v, want %q", f, want)
	}
}

func TestRenderTenEmbedsAtMost(t *testing.T) {
	t.Parallel()
	var b briefing.Briefing
	for i := range 15 {
		b.Items = append(b.Items, briefing.Item{Headline: fmt.Sprintf("Short story %d", i), Summary: []string{"Short."}})
	}
	m := renderBriefing("", b)
	if len(m.Embeds) != maxEmbeds {
		t.Fatalf("%d embeds, want %d", len(m.Embeds), maxEmbeds)
	}
	if f := m.Embeds[9].Footer; f == nil || f.Text != "+5 more stories" {
		t.Errorf("footer = %+v", f)
	}
}

func TestRenderOverlong(t *testing.T) {
	t.Parallel()
	b := overlongBriefing()
	m := renderBriefing("", b)
	if err := checkLimits(m); err != nil {
		t.Fatal(err)
	}
	e := m.Embeds[0]
	cutAtWord := func(what, got, full string) {
		t.Helper()
		kept, ok := strings.CutSuffix(got, "…")
		if !ok || !strings.HasPrefix(full, kept) || full[len(kept)] != ' ' {
			t.Errorf("%s not cut after a whole word: ...%q", what, got[max(0, len(got)-40):])
		}
	}
	cutAtWord("title", e.Title, b.Items[0].Headline)
	cutAtWord("summary", e.Description, b.Items[0].Summary[0])
	if textLen(e.Title) > maxTitle || textLen(e.Description) < maxDescription-50 {
		t.Errorf("title %d, description %d characters: want near the limits", textLen(e.Title), textLen(e.Description))
	}
}

func TestRenderTextLong(t *testing.T) {
	t.Parallel()
	for _, lines := range []int{10, 40, 120, 1000} {
		text := longText(lines)
		m := renderText(text)
		if err := checkLimits(m); err != nil {
			t.Fatalf("%d lines: %v", lines, err)
		}
		var all strings.Builder
		all.WriteString(m.Content)
		for _, e := range m.Embeds {
			all.WriteString("\n" + e.Description)
		}
		shown := strings.Count(all.String(), "• source")
		if shown == lines {
			continue
		}
		// A cut must say how much is missing, and lose whole lines only.
		note := fmt.Sprintf("… (%d more lines did not fit)", lines-shown)
		if !strings.Contains(all.String(), note) {
			t.Errorf("%d lines, %d shown: missing %q", lines, shown, note)
		}
		if strings.Count(all.String(), "0 failures") != shown {
			t.Errorf("%d lines: a line was cut inside", lines)
		}
	}
}

func TestAllowedMentionsJSON(t *testing.T) {
	t.Parallel()
	g20 := g20Briefing()
	msgs := map[string]message{
		"reply":     renderReply(bot.Reply{Text: "hi"}),
		"ephemeral": renderReply(bot.Reply{Text: "hi", Ephemeral: true}),
		"briefing":  renderReply(bot.Reply{Briefing: &g20}),
		"post":      renderPost(bot.Message{Key: "k", Briefing: &g20}),
		"long text": renderText(longText(100)),
	}
	for name, m := range msgs {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(`"allowed_mentions":{"parse":[]`)) {
			t.Errorf("%s: no empty parse list in %s", name, b)
		}
	}
	// The reason the explicit empty slice matters.
	b, _ := json.Marshal(discordgo.MessageAllowedMentions{})
	if !bytes.Contains(b, []byte(`"parse":null`)) {
		t.Fatalf("zero MessageAllowedMentions = %s; the test premise changed", b)
	}
}

func TestNeutralize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"hello", "hello"},
		{"@everyone look", "@\u200beveryone look"},
		{"@EveryOne and @here", "@\u200bEveryOne and @\u200bhere"},
		{"mail me@example.com", "mail me@example.com"},
		{"<@123> <@!124> <@&456> <#789>", "<\u200b@123> <\u200b@!124> <\u200b@&456> <\u200b#789>"},
		{"a < b and c <= d", "a < b and c <= d"},
		{"<", "<"},
		{"@", "@"},
	}
	for _, tc := range tests {
		if got := neutralize(tc.in); got != tc.want {
			t.Errorf("neutralize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEscapeMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"**bold** _it_ ~~s~~ `c` ||sp||", `\*\*bold\*\* \_it\_ \~\~s\~\~ \` + "`c\\`" + ` \|\|sp\|\|`},
		{"[x](https://e.example)", `\[x\](https://e.example)`},
		{"# title", `\# title`},
		{"> quote", `\> quote`},
		{"- item", `\- item`},
		{"1. first", `1\. first`},
		{"a - b # c", "a - b # c"},
		{`back\slash`, `back\\slash`},
	}
	for _, tc := range tests {
		if got := escapeMarkdown(tc.in); got != tc.want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCutWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"the quick brown fox", 12, "the quick…"},
		{"the quick brown fox", 10, "the quick…"},
		{"the quick, brown fox", 12, "the quick…"},
		{"supercalifragilistic", 8, "superca…"},
		{"日本語のテキスト です", 6, "日本語のテ…"},
		{"emoji 😀😀😀 here", 9, "emoji…"},
		{`a \*b\* c`, 6, `a…`},
	}
	for _, tc := range tests {
		got := cutWords(tc.in, tc.max)
		if got != tc.want {
			t.Errorf("cutWords(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
		if textLen(got) > tc.max {
			t.Errorf("cutWords(%q, %d) = %q is too long", tc.in, tc.max, got)
		}
	}
}

func TestTextLenCountsUTF16(t *testing.T) {
	t.Parallel()
	if n := textLen("a😀é"); n != 4 {
		t.Errorf("textLen = %d, want 4 (😀 is two UTF-16 units)", n)
	}
}

func TestSafeURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://example.com/a", "https://example.com/a"},
		{"http://example.com/a_(b)", "http://example.com/a_%28b%29"},
		{"https://example.com/a b", "https://example.com/a%20b"},
		{"javascript:alert(1)", ""},
		{"/relative", ""},
		{"https://user:pw@example.com/", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := safeURL(tc.in); got != tc.want {
			t.Errorf("safeURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNonce(t *testing.T) {
	t.Parallel()
	long := "digest:discord:100:200:g20:2017-07-07T08:00:00Z"
	if n := nonce(long); len(n) > 25 || n != nonce(long) || n == nonce(long+"x") {
		t.Errorf("nonce(%q) = %q: want at most 25 characters, stable, distinct", long, n)
	}
	if n := nonce("job-42"); n != "job-42" {
		t.Errorf("short safe key should be its own nonce, got %q", n)
	}
}

var rawMention = regexp.MustCompile(`(?i)@(everyone|here)|<[@#]`)

// FuzzRenderBriefing checks the properties every rendered briefing has,
// whatever the article text: within Discord's limits, no live mention, no
// broken UTF-8, and every story either shown or counted.
func FuzzRenderBriefing(f *testing.F) {
	for _, b := range []briefing.Briefing{g20Briefing(), injectionBriefing(), overlongBriefing()} {
		it := b.Items[0]
		src := it.Sources
		name, u := "", ""
		if len(src) > 0 {
			name, u = src[0].Name, src[0].URL
		}
		f.Add(b.Title, it.Headline, strings.Join(it.Summary, "\n"), name, u, 3)
	}
	f.Add("", "", "", "", "", 0)
	f.Fuzz(func(t *testing.T, title, headline, summary, source, link string, n int) {
		n = min(max(n, 0), 30)
		b := briefing.Briefing{Title: title}
		for range n {
			b.Items = append(b.Items, briefing.Item{
				Headline: headline, URL: link, Summary: strings.Split(summary, "\n"),
				Sources: []briefing.Link{{Name: source, URL: link}, {Name: source + "2"}},
			})
		}
		if err := checkLimits(renderBriefing(summary, b)); err != nil {
			t.Fatalf("with intro: %v", err)
		}
		tagged := renderBriefingTagged(summary, b, postTag(title))
		if err := checkLimits(tagged); err != nil {
			t.Fatalf("tagged: %v", err)
		}
		if !carriesTag(asPosted(tagged), postTag(title)) {
			t.Fatalf("tagged briefing lost its tag: %+v", tagged)
		}
		m := renderBriefing("", b)
		if err := checkLimits(m); err != nil {
			t.Fatal(err)
		}
		shown := len(m.Embeds)
		more := 0
		if shown > 0 {
			if f := m.Embeds[shown-1].Footer; f != nil {
				fmt.Sscanf(f.Text, "+%d", &more)
			}
		}
		if shown+more != n {
			t.Fatalf("%d stories: %d shown + %d counted", n, shown, more)
		}
		check := func(s string) {
			if !utf8.ValidString(s) && utf8.ValidString(title+headline+summary+source+link) {
				t.Fatalf("invalid UTF-8 out of valid input: %q", s)
			}
			if rawMention.MatchString(s) {
				t.Fatalf("live mention in %q", s)
			}
		}
		check(m.Content)
		for _, e := range m.Embeds {
			check(e.Title)
			check(e.Description)
		}
	})
}

// FuzzRenderText checks plain replies the same way.
func FuzzRenderText(f *testing.F) {
	f.Add(helpText())
	f.Add(longText(50))
	f.Add("@everyone <@1>")
	f.Fuzz(func(t *testing.T, text string) {
		tagged := renderTextTagged(text, postTag(text))
		if err := checkLimits(tagged); err != nil {
			t.Fatalf("tagged: %v", err)
		}
		if !carriesTag(asPosted(tagged), postTag(text)) {
			t.Fatalf("tagged text lost its tag: %+v", tagged)
		}
		m := renderText(text)
		if err := checkLimits(m); err != nil {
			t.Fatal(err)
		}
		if rawMention.MatchString(m.Content) {
			t.Fatalf("live mention in %q", m.Content)
		}
		for _, e := range m.Embeds {
			if rawMention.MatchString(e.Description) {
				t.Fatalf("live mention in %q", e.Description)
			}
		}
	})
}

func TestSummaryWholeSentences(t *testing.T) {
	t.Parallel()
	giant := "Then " + strings.Repeat("x", 5000) + " ended."
	e := storyEmbed(briefing.Item{Headline: "h", Summary: []string{"First sentence.", giant, "Third."}})
	if e.Description != "First sentence." {
		t.Errorf("description = %q, want only the first sentence (the second does not fit whole)", e.Description)
	}
	// A lone first sentence too long for the description is cut, at a word
	// boundary: here that leaves only its first word.
	e = storyEmbed(briefing.Item{Headline: "h", Summary: []string{giant}})
	if e.Description != "Then…" {
		t.Errorf("description = %.40q…, want the sentence cut before the giant word", e.Description)
	}
}

// asPosted is the message Discord would keep for m.
func asPosted(m message) *discordgo.Message {
	return &discordgo.Message{Content: m.Content, Embeds: m.Embeds}
}

// TestPostTag: every digest carries a tag a reader does not mind and
// Posted can find, whatever its shape, within Discord's limits.
func TestPostTag(t *testing.T) {
	t.Parallel()
	g20 := g20Briefing()
	empty := briefing.Briefing{Title: "g20 digest"}
	key := bot.DeliveryKey("discord::200/g20", time.Date(2027, 3, 15, 7, 0, 0, 0, time.UTC))
	tag := postTag(key)
	if tag != postTag(key) || tag == postTag(key+"x") || !strings.HasPrefix(tag, "newsbot digest · ") || textLen(tag) > 40 {
		t.Fatalf("tag %q: want a short, stable mark per key", tag)
	}
	cases := []struct {
		name string
		msg  bot.Message
		// where the tag is: "footer" of the last embed or "content".
		where string
	}{
		{"digest", bot.Message{Key: key, Text: "Your g20 digest", Briefing: &g20}, "footer"},
		{"digest cut to limits", bot.Message{Key: key, Briefing: func() *briefing.Briefing { b := overlongBriefing(); return &b }()}, "footer"},
		{"nothing new", bot.Message{Key: key, Text: "Nothing new on g20 since Mon 08:00."}, "content"},
		{"empty briefing", bot.Message{Key: key, Text: "Your g20 digest", Briefing: &empty}, "content"},
		{"long text", bot.Message{Key: key, Text: longText(100)}, "footer"},
		{"text that just fits a message", bot.Message{Key: key, Text: strings.Repeat("a", maxContent)}, "footer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := renderPost(tc.msg)
			if err := checkLimits(m); err != nil {
				t.Fatal(err)
			}
			if !carriesTag(asPosted(m), tag) {
				t.Fatalf("no tag in %+v", m)
			}
			if carriesTag(asPosted(m), postTag("another delivery")) {
				t.Fatal("carries another delivery's tag")
			}
			switch tc.where {
			case "footer":
				last := m.Embeds[len(m.Embeds)-1]
				if last.Footer == nil || !strings.HasSuffix(last.Footer.Text, tag) || strings.Contains(m.Content, tag) {
					t.Errorf("tag not (only) in the last footer: content %q, footer %+v", m.Content, last.Footer)
				}
			case "content":
				if !strings.HasSuffix(m.Content, "\n-# "+tag) {
					t.Errorf("content %q does not end with the tag as subtext", m.Content)
				}
			}
		})
	}
	// Replies carry no tag.
	if r := renderReply(bot.Reply{Text: "hi", Briefing: &g20}); strings.Contains(fmt.Sprint(r.Embeds[len(r.Embeds)-1].Footer), "newsbot digest") {
		t.Error("a reply carries a digest tag")
	}
}

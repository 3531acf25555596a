package slack

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

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var generated = time.Date(2017, 5, 2, 18, 0, 0, 0, time.UTC)

// g20Briefing is a typical /news g20 answer.
func g20Briefing() briefing.Briefing {
	return briefing.Briefing{
		Title:     "g20",
		Query:     "g20",
		Generated: generated,
		Items: []briefing.Item{
			{
				Headline: "Trump and Putin to meet at G20 summit in Hamburg",
				URL:      "https://www.reuters.com/article/us-g20-germany-trump-putin-idUSKBN19P1XY",
				Summary: []string{
					"U.S. President Donald Trump will meet Russian President Vladimir Putin on the sidelines of the G20 summit in Hamburg next week, the White House said.",
					"It will be their first face-to-face meeting.",
				},
				Sources: []briefing.Link{
					{Name: "Reuters", URL: "https://www.reuters.com/article/us-g20-germany-trump-putin-idUSKBN19P1XY"},
					{Name: "AP", URL: "https://apnews.com/g20-trump-putin"},
					{Name: "BBC", URL: "https://www.bbc.com/news/world-40478562"},
					{Name: "Der Spiegel", URL: "https://www.spiegel.de/politik/g20-trump-putin"},
					{Name: "Le Monde", URL: "https://www.lemonde.fr/g20/trump-poutine"},
				},
			},
			{
				Headline: "Hamburg braces for protests as G20 leaders arrive",
				URL:      "https://apnews.com/hamburg-protests",
				Summary:  []string{"Thousands of police officers were deployed across Hamburg on Thursday."},
				Sources:  []briefing.Link{{Name: "AP", URL: "https://apnews.com/hamburg-protests"}},
			},
			{
				Headline: "G20 finance ministers agree on climate wording",
				Sources:  []briefing.Link{{Name: "", URL: "https://www.ft.com/content/g20-climate"}},
			},
		},
		More: 2,
	}
}

// injectionBriefing carries markup and mentions in every article string.
func injectionBriefing() briefing.Briefing {
	return briefing.Briefing{
		Title:     "<!here> & friends",
		Query:     "breaking `rm -rf` <@U123>",
		Generated: generated,
		Items: []briefing.Item{{
			Headline: "Breaking <!channel> & <@U123>",
			URL:      "https://example.com/a?x=1&y=<b>|c",
			Summary: []string{
				"Readers were told to <!everyone> click <https://evil.example|here> now.",
				"The page said *bold* _it_ ~strike~ and ```code``` & <#C0GENERAL> <!subteam^S1|team>.",
			},
			Sources: []briefing.Link{
				{Name: "<!here> News | Daily >", URL: "javascript:alert(1)"},
				{Name: "Good & Co", URL: "https://good.example/a b"},
			},
		}},
	}
}

func longSentence(words int) string {
	var sb strings.Builder
	for i := range words {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "word%d", i)
	}
	return sb.String() + "."
}

// bigBriefing has more and longer stories than one message can hold.
func bigBriefing() briefing.Briefing {
	b := briefing.Briefing{Title: "Morning digest: climate", Generated: generated, More: 7}
	for i := range 40 {
		b.Items = append(b.Items, briefing.Item{
			Headline: fmt.Sprintf("Story %d about the climate talks", i+1),
			URL:      fmt.Sprintf("https://news.example/%d", i+1),
			Summary:  []string{longSentence(60), longSentence(60), longSentence(60)},
			Sources:  []briefing.Link{{Name: "Example News", URL: fmt.Sprintf("https://news.example/%d", i+1)}},
		})
	}
	return b
}

// hugeSentenceBriefing has one first sentence longer than a section.
func hugeSentenceBriefing() briefing.Briefing {
	return briefing.Briefing{Title: "long", Generated: generated, Items: []briefing.Item{{
		Headline: longSentence(80),
		URL:      "https://news.example/long",
		Summary:  []string{longSentence(900), "Second sentence."},
		Sources:  []briefing.Link{{Name: "Example", URL: "https://news.example/long"}},
	}}}
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	b := g20Briefing()
	inj := injectionBriefing()
	big := bigBriefing()
	huge := hugeSentenceBriefing()
	tests := []struct {
		name string
		got  message
	}{
		{"g20", renderReply(bot.Reply{Briefing: &b})},
		{"g20_intro_ephemeral", renderReply(bot.Reply{Text: "Preview of topic `g20`:", Briefing: &b, Ephemeral: true})},
		{"mention_injection", renderReply(bot.Reply{Briefing: &inj})},
		{"empty", renderReply(bot.Reply{Briefing: &briefing.Briefing{Title: "nothing", Generated: generated}})},
		{"cut_to_limits", renderMessage(bot.Message{Key: "k", Briefing: &big})},
		{"huge_sentence", renderMessage(bot.Message{Briefing: &huge})},
		{"help_text", renderReply(bot.Reply{Ephemeral: true, Text: "Usage:\n• `/news <query>`: a briefing, e.g. `/news g20`\n- `/news topics`: this channel's topics\n\tTabs & <tags> are escaped"})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(tc.got); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			path := filepath.Join("testdata", tc.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; run go test ./adapters/slack -update and review the diff.\ngot:\n%s", path, got)
			}
			checkLimits(t, tc.got)
		})
	}
}

func TestRenderProperties(t *testing.T) {
	t.Parallel()
	b := g20Briefing()
	m := renderReply(bot.Reply{Briefing: &b})
	if m.ResponseType != responseInChannel {
		t.Errorf("briefing response_type = %q, want in_channel", m.ResponseType)
	}
	j := mustJSON(t, m)
	for _, want := range []string{
		`"type":"header"`, `g20: 5 stories`,
		`*\u003chttps://www.reuters.com/article/us-g20-germany-trump-putin-idUSKBN19P1XY|Trump and Putin to meet at G20 summit in Hamburg\u003e*`,
		`Sources: \u003chttps://www.reuters.com/article/us-g20-germany-trump-putin-idUSKBN19P1XY|Reuters\u003e, \u003chttps://apnews.com/g20-trump-putin|AP\u003e, \u003chttps://www.bbc.com/news/world-40478562|BBC\u003e +2 sources`,
		`+2 more stories`, `2017-05-02 18:00 UTC`,
		`\u003chttps://www.ft.com/content/g20-climate|ft.com\u003e`,
	} {
		if !strings.Contains(j, want) {
			t.Errorf("rendered briefing lacks %s\n%s", want, j)
		}
	}
	if !strings.Contains(m.Text, "Trump and Putin to meet") {
		t.Errorf("fallback text lacks the lead headline: %q", m.Text)
	}

	inj := injectionBriefing()
	m = renderReply(bot.Reply{Briefing: &inj})
	j = mustJSON(t, m)
	for _, bad := range []string{"<!", "\\u003c!", "\\u003c@", "\\u003c#", "javascript:"} {
		if strings.Contains(j, bad) {
			t.Errorf("injection briefing contains %q:\n%s", bad, j)
		}
	}
	for _, want := range []string{"Breaking \u0026lt;!channel\u0026gt; \u0026amp; \u0026lt;@U123\u0026gt;", "https://example.com/a?x=1\u0026amp;y=%3Cb%3E%7Cc|", "ˋˋˋcodeˋˋˋ", "https://good.example/a%20b|Good \u0026amp; Co"} {
		if !strings.Contains(jsonUnescape(j), want) {
			t.Errorf("injection briefing lacks %q:\n%s", want, jsonUnescape(j))
		}
	}

	big := bigBriefing()
	m = renderMessage(bot.Message{Briefing: &big})
	sections := 0
	for _, bl := range m.Blocks {
		if bl.BlockType() == "section" {
			sections++
		}
	}
	if sections == 0 || sections >= len(big.Items) {
		t.Fatalf("big briefing shows %d of %d stories; want a cut", sections, len(big.Items))
	}
	wantMore := fmt.Sprintf("+%d more stories", len(big.Items)-sections+big.More)
	if !strings.Contains(mustJSON(t, m), wantMore) {
		t.Errorf("big briefing lacks %q", wantMore)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// jsonUnescape undoes encoding/json's HTML escaping of <, > and &.
func jsonUnescape(s string) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(s)
}

// linkRE matches the only angle-bracket sequences a rendered message may
// contain: links built by link().
var linkRE = regexp.MustCompile(`<https?://[^<>|\s]+(\|[^<>|]*)?>`)

// entityRE matches the only entities escape produces.
var entityRE = regexp.MustCompile(`&(amp|lt|gt);`)

// checkLimits asserts Slack's limits and the escaping invariants on m.
func checkLimits(t *testing.T, m message) {
	t.Helper()
	if len(m.Blocks) > maxBlocks {
		t.Errorf("%d blocks, limit %d", len(m.Blocks), maxBlocks)
	}
	total := 0
	texts := []string{m.Text}
	var raw []map[string]any
	if err := json.Unmarshal([]byte(mustJSON(t, m.Blocks)), &raw); err != nil && len(m.Blocks) > 0 {
		t.Fatal(err)
	}
	for _, bl := range raw {
		switch bl["type"] {
		case "header":
			// plain_text: never parsed, but must not carry brackets either.
			txt := bl["text"].(map[string]any)["text"].(string)
			if textLen(txt) > maxHeaderText {
				t.Errorf("header of %d characters: %q", textLen(txt), txt)
			}
			if strings.ContainsAny(txt, "<>") {
				t.Errorf("header with angle brackets: %q", txt)
			}
			total += textLen(txt)
		case "section":
			txt := bl["text"].(map[string]any)["text"].(string)
			if textLen(txt) > maxSectionText {
				t.Errorf("section of %d characters", textLen(txt))
			}
			total += textLen(txt)
			texts = append(texts, txt)
		case "context":
			for _, el := range bl["elements"].([]any) {
				txt := el.(map[string]any)["text"].(string)
				total += textLen(txt)
				texts = append(texts, txt)
			}
		default:
			t.Errorf("unexpected block type %v", bl["type"])
		}
	}
	if total > maxTotalText {
		t.Errorf("blocks hold %d characters, budget %d", total, maxTotalText)
	}
	for _, txt := range texts {
		rest := linkRE.ReplaceAllString(txt, "")
		if strings.ContainsAny(rest, "<>") {
			t.Errorf("raw < or > outside a link in %q", txt)
		}
		if strings.Contains(entityRE.ReplaceAllString(rest, ""), "&") {
			t.Errorf("raw & in %q", txt)
		}
		if strings.Contains(txt, "\uFFFD") {
			t.Errorf("text cut inside a character: %q", txt)
		}
	}
}

func TestReplyMrkdwn(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "Subscribed.", "Subscribed."},
		{"code kept", "Try `/news g20`", "Try `/news g20`"},
		{"bullets kept", "• one\n• two", "• one\n• two"},
		{"dash bullets", "- one\n  * two", "• one\n  • two"},
		{"escaped", "a < b & c > d <!channel>", "a &lt; b &amp; c &gt; d &lt;!channel&gt;"},
		{"crlf and tabs", "a\r\n\tb\x00", "a\n b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := replyMrkdwn(tc.in); got != tc.want {
				t.Errorf("replyMrkdwn(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCutWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"fits", "short text", 20, "short text"},
		{"cut at space", "alpha beta gamma delta", 12, "alpha beta…"},
		{"punctuation dropped before ellipsis", "alpha, beta gamma", 9, "alpha…"},
		{"entity counted", "a & b & c & d", 9, "a…"},
		{"entity fits", "a & b & c & d", 10, "a & b…"},
		{"single long word", "supercalifragilistic", 10, ""},
		{"cjk", "東京で会議が開かれた", 6, "東京で会議…"},
		{"emoji counted as two", "😀😀 😀😀 😀😀", 10, "😀😀 😀😀…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := cutWords(tc.in, tc.max); got != tc.want {
				t.Errorf("cutWords(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
		})
	}
}

func TestSafeURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"https://a.example/x?y=1&z=2", "https://a.example/x?y=1&amp;z=2", true},
		{"http://a.example/<b>|c", "http://a.example/%3Cb%3E%7Cc", true},
		{"javascript:alert(1)", "", false},
		{"//a.example/x", "", false},
		{"https://", "", false},
		{"https://a.example/" + strings.Repeat("x", maxLinkURL), "", false},
		{"https://a.example/a\nb", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, ok := safeURL(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("safeURL(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// FuzzRenderBriefing renders briefings made of arbitrary strings and checks
// the limits and the escaping invariants.
func FuzzRenderBriefing(f *testing.F) {
	inj := injectionBriefing()
	f.Add(inj.Title, inj.Items[0].Headline, inj.Items[0].Summary[0], inj.Items[0].Sources[0].Name, inj.Items[0].URL, 3)
	f.Add("g20", "Leaders meet", "A sentence.", "Reuters", "https://r.example/a", 40)
	f.Add("", "", "", "", "", 0)
	f.Add("x", longSentence(200), longSentence(2000), strings.Repeat("n", 300), "https://a.example/"+strings.Repeat("p", 480), 60)
	f.Fuzz(func(t *testing.T, title, head, sentence, source, u string, n int) {
		// U+FFFD in the output would mean a cut inside a character; keep
		// it out of the input.
		for _, p := range []*string{&title, &head, &sentence, &source, &u} {
			*p = strings.ReplaceAll(*p, "\uFFFD", "")
		}
		n = max(0, min(n, 80))
		b := briefing.Briefing{Title: title, Query: head, Generated: generated, More: n % 7}
		for i := range n {
			b.Items = append(b.Items, briefing.Item{
				Headline: head, URL: u,
				Summary: []string{sentence, sentence + " again"},
				Sources: []briefing.Link{{Name: source, URL: u}, {Name: source + "2", URL: u}},
			})
			if i%5 == 0 {
				b.Items[i].Summary = nil
			}
		}
		m := renderReply(bot.Reply{Text: sentence, Briefing: &b})
		checkLimits(t, m)
		// Nothing is lost silently: shown + "+N more" = stories.
		shown := 0
		for _, bl := range m.Blocks {
			if bl.BlockType() == "section" {
				shown++
			}
		}
		j := jsonUnescape(mustJSON(t, m))
		total := len(b.Items) + b.More
		if total == 0 {
			return
		}
		shownStories := shown
		if strings.TrimSpace(sentence) != "" && cutWords(strings.TrimSpace(sentence), maxSectionText) != "" {
			shownStories-- // the intro section
		}
		if more := total - shownStories; more > 0 && !strings.Contains(j, fmt.Sprintf("+%s", plural(more, "more story", "more stories"))) {
			t.Fatalf("%d stories, %d shown, no \"+%d more\" line", total, shownStories, more)
		}
	})
}

// FuzzCutWords checks that cutWords returns a word-boundary prefix within
// the budget.
func FuzzCutWords(f *testing.F) {
	f.Add("alpha beta gamma", 8)
	f.Add("a & b & c", 5)
	f.Add("東京で会議が開かれた", 4)
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max % 5000
		got := cutWords(s, max)
		if got == "" {
			return
		}
		if escapedLen(got) > max && got != s {
			t.Fatalf("cutWords(%q, %d) = %q, escaped length %d", s, max, got, escapedLen(got))
		}
		if got != s && !strings.HasPrefix(s, strings.TrimSuffix(got, ellipsis)) {
			t.Fatalf("cutWords(%q, %d) = %q is not a prefix", s, max, got)
		}
	})
}

// TestHeadlineStarsKeepTheBold: a headline is a bold link, so a * of the
// article's own would end the bold early; it is shown as the look-alike ∗.
func TestHeadlineStarsKeepTheBold(t *testing.T) {
	t.Parallel()
	it := briefing.Item{Headline: "G20 *exclusive* deal | 5*3", URL: "https://a.example/g20", Summary: []string{"Leaders met."}}
	got, ok := storyText(it, 3000)
	if !ok {
		t.Fatal("the story did not fit")
	}
	head := strings.SplitN(got, "\n", 2)[0]
	if want := "*<https://a.example/g20|G20 ∗exclusive∗ deal 5∗3>*"; head != want {
		t.Errorf("headline line = %q, want %q", head, want)
	}
	if strings.Count(head, "*") != 2 {
		t.Errorf("the headline has stars besides the bold markers: %q", head)
	}
}

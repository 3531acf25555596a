package discord

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/newsbot/newsbot/adapters/discord/discordfake"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/bottest"
	"github.com/newsbot/newsbot/storage/memory"
)

// discordSpelling is how every /news command the bot writes reads on
// Discord. The bot's help text, usage lines and replies may only suggest
// commands listed here (TestSyntaxCoversTheBot), so a new example in the
// bot shows up as a failing test until its Discord form is checked.
var discordSpelling = map[string]string{
	// Usage lines (bot.Usage, bot.HelpText).
	"/news <query>":                  "/news brief query:<query>",
	"/news brief <query>":            "/news brief query:<query>",
	"/news help [command]":           "/news help [command:<command>]",
	"/news topics":                   "/news topics",
	"/news topic add <name> <query>": "/news topic add name:<name> query:<query>",
	"/news topic remove <name>":      "/news topic remove name:<name>",
	"/news subscribe <topic> [at HH:MM] [tz Area/City] [daily|weekdays|weekends|mon,wed,...] [max N]": "/news subscribe topic:<topic> [at:HH:MM] [tz:Area/City] [days:daily|weekdays|weekends|mon,wed,...] [max:N]",
	"/news unsubscribe <topic>":      "/news unsubscribe topic:<topic>",
	"/news subscriptions":            "/news subscriptions",
	"/news sources":                  "/news sources",
	"/news source add <feed url>":    "/news source add url:<feed url>",
	"/news source remove <feed url>": "/news source remove url:<feed url>",
	"/news health":                   "/news health",
	"/news why <article url>":        "/news why url:<article url>",
	"/news preview <topic>":          "/news preview topic:<topic>",
	"/news help":                     "/news help",
	// Examples in the usage lines.
	"/news g20":                  "/news brief query:g20",
	`/news "climate summit"`:     `/news brief query:"climate summit"`,
	"/news ukraine -sport":       "/news brief query:ukraine -sport",
	"/news tariffs OR sanctions": "/news brief query:tariffs OR sanctions",
	"/news brief health":         "/news brief query:health",
	`/news topic add g20 g20 OR "group of twenty" -football`:       `/news topic add name:g20 query:g20 OR "group of twenty" -football`,
	"/news subscribe g20 at 07:30 tz Europe/Berlin weekdays max 5": "/news subscribe topic:g20 at:07:30 tz:Europe/Berlin days:weekdays max:5",
	// Replies.
	`/news topic add g20 g20 OR "group of twenty"`: `/news topic add name:g20 query:g20 OR "group of twenty"`,
	"/news subscribe g20 at 08:00":                 "/news subscribe topic:g20 at:08:00",
	"/news subscribe g20 at 08:00 weekdays":        "/news subscribe topic:g20 at:08:00 days:weekdays",
	"/news topic remove g20":                       "/news topic remove name:g20",
	"/news topic add climate <query>":              "/news topic add name:climate query:<query>",
	"/news source add <url>":                       "/news source add url:<url>",
	"/news <name>":                                 "/news brief query:<name>",
	"/news climate":                                "/news brief query:climate",
}

func TestSyntaxSpellings(t *testing.T) {
	t.Parallel()
	for slack, want := range discordSpelling {
		t.Run(slack, func(t *testing.T) {
			t.Parallel()
			got, ok := commandSyntax.command(slack)
			if !ok || got != want {
				t.Errorf("command(%q) = %q, %v\n want %q", slack, got, ok, want)
			}
			// Written for Discord, it stays as it is.
			if again, ok := commandSyntax.command(got); ok && again != got {
				t.Errorf("the Discord form %q was rewritten again to %q", got, again)
			}
		})
	}
}

// TestSyntaxRoundTrip types every concrete example into Discord (as the
// interaction Discord would send for the options shown) and checks that
// the bot receives the command it suggested.
func TestSyntaxRoundTrip(t *testing.T) {
	t.Parallel()
	for slack := range discordSpelling {
		if strings.ContainsAny(slack, "<[") {
			continue // a usage line, not a command
		}
		t.Run(slack, func(t *testing.T) {
			t.Parallel()
			want, err := bot.ParseCommand(slack)
			if err != nil {
				t.Fatal(err)
			}
			path, opts, ok := commandSyntax.options(want)
			if !ok {
				t.Fatalf("no Discord form for %+v", want)
			}
			in := decode(t, discordfake.News(interactionOptions(t, path, opts)).JSON())
			cmd, err := toCommand(in, nil)
			if err != nil {
				t.Fatalf("Discord would refuse %s: %v", format(path, opts, nil), err)
			}
			got, err := bot.ParseCommand(cmd.Text)
			if err != nil {
				t.Fatalf("the bot cannot read %q: %v", cmd.Text, err)
			}
			if got.Verb == bot.VerbBrief {
				// A query starting with a command word arrives quoted so that
				// it stays a query ("brief health" -> `"health"`).
				got.Query = unquoteFirstWord(got.Query)
			}
			if got.String() != want.String() {
				t.Errorf("typed as %s, the bot gets %q; want %q", format(path, opts, nil), got.String(), want.String())
			}
		})
	}
}

// interactionOptions builds the options of an interaction for a
// subcommand path and option values, typed as the schema declares them.
func interactionOptions(t *testing.T, path string, opts []option) discordfake.Option {
	t.Helper()
	sub := commandSyntax.subs[path]
	var vals []discordfake.Option
	for _, o := range opts {
		i := slices.IndexFunc(sub.Options, func(x *discordgo.ApplicationCommandOption) bool { return x.Name == o.name })
		if sub.Options[i].Type == discordgo.ApplicationCommandOptionInteger {
			n, err := strconv.Atoi(o.value)
			if err != nil {
				t.Fatalf("option %s: %q is not an integer", o.name, o.value)
			}
			vals = append(vals, discordfake.Int(o.name, n))
			continue
		}
		vals = append(vals, discordfake.Str(o.name, o.value))
	}
	if group, name, ok := strings.Cut(path, " "); ok {
		return discordfake.Group(group, discordfake.Sub(name, vals...))
	}
	return discordfake.Sub(path, vals...)
}

func unquoteFirstWord(q string) string {
	if !strings.HasPrefix(q, `"`) {
		return q
	}
	end := strings.IndexByte(q[1:], '"')
	if end < 0 || strings.Contains(q[1:end+1], " ") {
		return q
	}
	return q[1:end+1] + q[end+2:]
}

// TestSyntaxCoversTheBot runs the bot through its commands, help and
// common mistakes, and checks that every /news command its replies
// suggest has a checked Discord spelling, and that Discord users see it.
func TestSyntaxCoversTheBot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.New()
	b, err := bot.New(store, bot.Config{TimeZone: "UTC", Now: func() time.Time { return time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC) }}, bottest.New(PlatformName))
	if err != nil {
		t.Fatal(err)
	}
	ch := channel("42")
	texts := []string{bot.HelpText("")}
	for _, topic := range helpTopics {
		texts = append(texts, bot.HelpText(topic))
	}
	script := []struct {
		text  string
		admin bool
	}{
		{"topics", false}, {"subscriptions", false}, {"sources", false}, {"health", false},
		{"topic add g20 g20", false}, // refused: not an admin
		{"topic add g20 g20", true}, {"topics", false}, {"brief climate", false}, {"preview climate", false},
		{"subscribe g20 at 08:00", true}, {"unsubscribe g20", true}, {"unsubscribe g20", true},
		{"source add https://example.com/feed.xml", true}, {"source remove https://example.org/x", true},
		{"why https://example.com/a", false},
		{"topic bogus", true}, {"brief", false}, {"subscribe", true}, {"subscribe g20 at 25:00", true},
		{"unsubscribe", true}, {"source add nonsense", true}, {"why", false}, {"help two words", false},
		{"topics now", false}, {"topic add help x", true}, {"preview", false}, {"g20 (", false},
	}
	for _, s := range script {
		rep, err := b.HandleCommand(ctx, bottest.Command(ch, s.text, s.admin))
		if err != nil {
			t.Fatalf("%q: %v", s.text, err)
		}
		texts = append(texts, rep.Text)
	}
	seen := map[string]bool{}
	for _, text := range texts {
		for _, span := range codeSpans(text) {
			if span == "/news" || !strings.HasPrefix(span, "/news ") {
				continue
			}
			seen[span] = true
			want, ok := discordSpelling[span]
			if !ok {
				got, _ := commandSyntax.command(span)
				t.Errorf("the bot suggests `%s`; add its Discord spelling to discordSpelling (now %q)", span, got)
				continue
			}
			if out := localize(bot.Reply{Text: text}).Text; !strings.Contains(out, "`"+want+"`") {
				t.Errorf("a Discord user does not see `%s` in:\n%s", want, out)
			}
		}
		for _, span := range codeSpans(localize(bot.Reply{Text: text}).Text) {
			if strings.HasPrefix(span, "/news ") && !slices.Contains(discordForms(), span) {
				t.Errorf("a Discord user sees `%s`, which is not a checked Discord spelling", span)
			}
		}
	}
	for _, must := range []string{"/news subscribe g20 at 08:00", "/news help [command]", "/news topic add g20 g20 OR \"group of twenty\""} {
		if !seen[must] {
			t.Errorf("the script no longer meets `%s`", must)
		}
	}
}

func discordForms() []string {
	var out []string
	for _, v := range discordSpelling {
		out = append(out, v)
	}
	return out
}

// codeSpans returns the insides of text's `code spans`.
func codeSpans(text string) []string {
	var out []string
	for {
		i := strings.IndexByte(text, '`')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(text[i+1:], '`')
		if j < 0 {
			return out
		}
		out = append(out, text[i+1:i+1+j])
		text = text[i+1+j+1:]
	}
}

func TestSyntaxLeavesOthersAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, want string
	}{
		{"no command", "Topic `g20` added: `g20 -football`.", "Topic `g20` added: `g20 -football`."},
		{"the bare command", "newsbot answers `/news` commands:", "newsbot answers `/news` commands:"},
		{"another command", "Try `/newsletter now` or `/weather`.", "Try `/newsletter now` or `/weather`."},
		{"unreadable command", "Like `/news subscribe` alone.", "Like `/news subscribe` alone."},
		{"unbalanced placeholder", "`/news topic add <name`", "`/news topic add <name`"},
		{"unknown option", "`/news subscribe <topic> [colour red]`", "`/news subscribe <topic> [colour red]`"},
		{"already Discord's", "`/news brief query:g20`", "`/news brief query:g20`"},
		{"unclosed span", "Type `/news g20 to see", "Type `/news g20 to see"},
		{"two spellings, one on Discord", "`/news <query>` or `/news brief <query>`: a briefing",
			"`/news brief query:<query>`: a briefing"},
		{"several in a line", "Brief it with `/news g20`, or schedule it with `/news subscribe g20 at 08:00`.",
			"Brief it with `/news brief query:g20`, or schedule it with `/news subscribe topic:g20 at:08:00`."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := commandSyntax.rewrite(tc.text); got != tc.want {
				t.Errorf("rewrite(%q)\n = %q\nwant %q", tc.text, got, tc.want)
			}
		})
	}
}

// TestHelpTopics: every choice of /news help's command option is a
// subject the bot explains on its own.
func TestHelpTopics(t *testing.T) {
	t.Parallel()
	all := bot.HelpText("")
	for _, topic := range helpTopics {
		if h := bot.HelpText(topic); h == all || !strings.Contains(h, "/news") {
			t.Errorf("help on %q is the whole help", topic)
		}
	}
}

// TestRepliesUseDiscordSyntax: a command answered through the interaction
// endpoint suggests the next command in Discord's syntax.
func TestRepliesUseDiscordSyntax(t *testing.T) {
	t.Parallel()
	store := memory.New()
	b, err := bot.New(store, bot.Config{TimeZone: "UTC"}, bottest.New(PlatformName))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, b)
	in := discordfake.News(discordfake.Group("topic", discordfake.Sub("add", discordfake.Str("name", "g20"), discordfake.Str("query", "g20 summit"))))
	in.Permissions = discordfake.PermManageGuild
	status, r := e.deliver(t, in.JSON())
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	for _, want := range []string{"`/news brief query:g20`", "`/news subscribe topic:g20 at:08:00`"} {
		if !strings.Contains(r.Data.Content, want) {
			t.Errorf("reply %q lacks %s", r.Data.Content, want)
		}
	}
	if strings.Contains(r.Data.Content, "`/news subscribe g20") {
		t.Errorf("reply %q still shows Slack's syntax", r.Data.Content)
	}
}

// FuzzSyntaxRewrite: rewriting never panics, only changes code spans
// that hold /news commands, and is stable (a second pass changes nothing).
func FuzzSyntaxRewrite(f *testing.F) {
	f.Add(bot.HelpText(""))
	for k := range discordSpelling {
		f.Add("Try `" + k + "` now.")
	}
	f.Add("`/news <a> <b> <c> <d> <e>` `[` `/news [x` ``")
	f.Fuzz(func(t *testing.T, text string) {
		out := commandSyntax.rewrite(text)
		if again := commandSyntax.rewrite(out); again != out {
			t.Fatalf("not stable:\n%q\n%q", out, again)
		}
		if !strings.Contains(text, "`/news") && out != text {
			t.Fatalf("changed text without a /news span: %q -> %q", text, out)
		}
		if strings.Count(out, "`") != strings.Count(text, "`") && !strings.Contains(text, "` or `") {
			t.Fatalf("backticks changed: %q -> %q", text, out)
		}
	})
}

// BenchmarkLocalizeHelp is the cost the rewrite adds to the longest reply
// it handles, the full help (about 20 commands).
func BenchmarkLocalizeHelp(b *testing.B) {
	r := bot.Reply{Text: bot.HelpText("")}
	b.ReportAllocs()
	for b.Loop() {
		localize(r)
	}
}

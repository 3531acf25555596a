package discord

import (
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"
	"github.com/newsbot/newsbot/bot"
)

// The bot writes the commands it suggests ("schedule it with `/news
// subscribe g20 at 08:00`") in its own language, which is what Slack and
// the console users type. Discord users fill in the options of /news
// instead: `/news subscribe topic:g20 at:08:00`. A syntax rewrites every
// `code span` of a reply that holds a /news command into that form. It
// reads the command with the bot's own parser ([bot.ParseCommand]) and
// writes it with the option names of the registered command ([Commands]),
// so a suggestion typed as shown does what the bot meant.
//
// Usage lines with placeholders are rewritten too: `/news topic add <name>
// <query>` becomes `/news topic add name:<name> query:<query>`, and an
// optional part `[at HH:MM]` becomes `[at:HH:MM]`. A span it cannot read
// exactly stays as the bot wrote it.
type syntax struct {
	// subs are /news's subcommands by path ("brief", "topic add").
	subs map[string]*discordgo.ApplicationCommandOption
	// names are the option names of all subcommands.
	names map[string]bool
}

// newSyntax indexes the subcommands of the /news command in cmds.
func newSyntax(cmds []*discordgo.ApplicationCommand) *syntax {
	s := &syntax{subs: map[string]*discordgo.ApplicationCommandOption{}, names: map[string]bool{}}
	for _, c := range cmds {
		if c.Name != CommandName {
			continue
		}
		for _, o := range c.Options {
			switch o.Type {
			case discordgo.ApplicationCommandOptionSubCommand:
				s.subs[o.Name] = o
			case discordgo.ApplicationCommandOptionSubCommandGroup:
				for _, sub := range o.Options {
					s.subs[o.Name+" "+sub.Name] = sub
				}
			}
		}
	}
	for _, sub := range s.subs {
		for _, o := range sub.Options {
			s.names[o.Name] = true
		}
	}
	return s
}

// commandSyntax is the syntax of [Commands]. It is read-only.
var commandSyntax = newSyntax(Commands())

// localize rewrites the commands a reply suggests into Discord's syntax.
func localize(r bot.Reply) bot.Reply {
	r.Text = commandSyntax.rewrite(r.Text)
	return r
}

// rewrite rewrites every `code span` of text that holds a /news command.
// When a line offers two spellings that are one on Discord ("`/news
// <query>` or `/news brief <query>`"), it keeps one.
func (s *syntax) rewrite(text string) string {
	if !strings.Contains(text, "`/"+CommandName) {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + len(text)/4)
	var rewritten []string
	rest := text
	for {
		open := strings.IndexByte(rest, '`')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open+1:], '`')
		if end < 0 {
			break
		}
		span := rest[open+1 : open+1+end]
		b.WriteString(rest[:open+1])
		if out, ok := s.command(span); ok {
			b.WriteString(out)
			rewritten = append(rewritten, out)
		} else {
			b.WriteString(span)
		}
		b.WriteByte('`')
		rest = rest[open+1+end+1:]
	}
	b.WriteString(rest)
	out := b.String()
	for _, c := range rewritten {
		out = strings.ReplaceAll(out, "`"+c+"` or `"+c+"`", "`"+c+"`")
	}
	return out
}

// command rewrites one code span if it is a /news command: a concrete one
// ("/news subscribe g20 at 08:00") or a usage line with <placeholders> and
// [optional parts]. ok is false for anything else, for "/news" alone, and
// for a command written with Discord's options already.
func (s *syntax) command(span string) (string, bool) {
	word, rest, _ := strings.Cut(strings.TrimSpace(span), " ")
	if word != "/"+CommandName {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return "", false
	}
	toks, ok := tokenize(rest)
	if !ok {
		return "", false
	}
	template := false
	for _, t := range toks {
		if t.kind != plain {
			template = true
		}
		if name, _, ok := strings.Cut(t.text, ":"); ok && t.kind != placeholder && s.names[name] {
			return "", false // written for Discord already ("query:g20", "[at:HH:MM]")
		}
	}
	if !template {
		r, err := bot.ParseCommand(rest)
		if err != nil {
			return "", false
		}
		path, opts, ok := s.options(r)
		if !ok {
			return "", false
		}
		return format(path, opts, nil), true
	}
	return s.template(toks)
}

// option is one option of a Discord command as shown: name:value.
type option struct{ name, value string }

// format writes a Discord command: "/news topic add name:g20 query:…",
// then the optional parts in brackets.
func format(path string, opts, optional []option) string {
	var b strings.Builder
	b.WriteString("/" + CommandName + " " + path)
	for _, o := range opts {
		b.WriteString(" " + o.name + ":" + o.value)
	}
	for _, o := range optional {
		b.WriteString(" [" + o.name + ":" + o.value + "]")
	}
	return b.String()
}

// options maps a parsed command onto its subcommand and option values, in
// the order the subcommand declares its options. ok is false when the
// request holds something no option of the subcommand takes, or lacks a
// required option: then Discord cannot express it.
func (s *syntax) options(r bot.Request) (path string, opts []option, ok bool) {
	path = string(r.Verb)
	sub, found := s.subs[path]
	if !found {
		return "", nil, false
	}
	days := ""
	if r.Days != nil {
		days = bot.FormatDays(r.Days)
	}
	maxStories := ""
	if r.Max > 0 {
		maxStories = strconv.Itoa(r.Max)
	}
	// Each field of the request, with the option names that carry it.
	fields := []struct {
		names []string
		value string
	}{
		{[]string{"query"}, r.Query},
		{[]string{optName, optTopic}, r.Topic},
		{[]string{"url"}, r.URL},
		{[]string{"at"}, r.At},
		{[]string{"tz"}, r.TimeZone},
		{[]string{"days"}, days},
		{[]string{"max"}, maxStories},
		{[]string{optCommand}, r.Subject},
	}
	values := map[string]string{}
	for _, f := range fields {
		if f.value == "" {
			continue
		}
		carried := false
		for _, n := range f.names {
			if hasOption(sub, n) {
				values[n], carried = f.value, true
				break
			}
		}
		if !carried {
			return "", nil, false
		}
	}
	for _, o := range sub.Options {
		v, set := values[o.Name]
		if !set {
			if o.Required {
				return "", nil, false
			}
			continue
		}
		opts = append(opts, option{o.Name, v})
	}
	return path, opts, true
}

func hasOption(sub *discordgo.ApplicationCommandOption, name string) bool {
	for _, o := range sub.Options {
		if o.Name == name {
			return true
		}
	}
	return false
}

// template rewrites a usage line. Its <placeholders> are replaced by
// stand-ins the parser accepts (a word, or else a URL), the line is
// parsed, and each stand-in is found again in the option that took it.
// Each [optional part] is either an option's name and a placeholder ("at
// HH:MM"), the option's name alone ("command"), or values of one option
// ("daily|weekdays|…"), which a parse tells apart.
func (s *syntax) template(toks []token) (string, bool) {
	var required []token
	var groups []string
	for _, t := range toks {
		if t.kind == group {
			groups = append(groups, t.text)
		} else {
			required = append(required, t)
		}
	}
	var holes []int
	for i, t := range required {
		if t.kind == placeholder {
			holes = append(holes, i)
		}
	}
	if len(holes) > 4 {
		return "", false
	}
	for mask := 0; mask < 1<<len(holes); mask++ {
		words := make([]string, len(required))
		stand := map[string]string{} // stand-in -> placeholder
		for i, t := range required {
			words[i] = t.text
		}
		for j, i := range holes {
			w := "zq" + strconv.Itoa(j) + "q"
			if mask&(1<<j) != 0 {
				w = "https://" + w + ".invalid/"
			}
			stand[w] = required[i].text
			words[i] = w
		}
		probe := strings.Join(words, " ")
		r, err := bot.ParseCommand(probe)
		if err != nil {
			continue
		}
		path, opts, ok := s.options(r)
		if !ok {
			continue
		}
		placed := 0
		for k := range opts {
			for w, ph := range stand {
				if strings.Contains(opts[k].value, w) {
					opts[k].value = strings.ReplaceAll(opts[k].value, w, ph)
					placed++
				}
			}
		}
		if placed != len(stand) {
			continue
		}
		optional, ok := s.optionalParts(path, probe, opts, groups)
		if !ok {
			return "", false
		}
		return format(path, opts, optional), true
	}
	return "", false
}

// optionalParts maps the [optional parts] of a usage line of subcommand
// path onto its options. probe is the line's required part as parsed.
func (s *syntax) optionalParts(path, probe string, required []option, groups []string) ([]option, bool) {
	sub := s.subs[path]
	taken := map[string]bool{}
	for _, o := range required {
		taken[o.name] = true
	}
	var out []option
	for _, g := range groups {
		words := strings.Fields(g)
		if len(words) == 0 {
			return nil, false
		}
		name := strings.ToLower(words[0])
		var o option
		switch {
		case hasOption(sub, name) && len(words) > 1:
			o = option{name, strings.Join(words[1:], " ")} // "at HH:MM"
		case hasOption(sub, name):
			o = option{name, "<" + name + ">"} // "command"
		default:
			// Values of an option: parse the first with the required part
			// and see which option it fills.
			first, _, _ := strings.Cut(g, "|")
			r, err := bot.ParseCommand(probe + " " + strings.TrimSpace(first))
			if err != nil {
				return nil, false
			}
			_, opts, ok := s.options(r)
			if !ok {
				return nil, false
			}
			for _, x := range opts {
				if !taken[x.name] {
					o = option{x.name, g}
					break
				}
			}
			if o.name == "" {
				return nil, false
			}
		}
		if taken[o.name] {
			return nil, false
		}
		taken[o.name] = true
		out = append(out, o)
	}
	return out, true
}

// token is a word of a command span, a <placeholder> or an [optional
// part].
type token struct {
	kind tokenKind
	text string // the whole placeholder ("<feed url>"); a group's inside
}

type tokenKind int

const (
	plain tokenKind = iota
	placeholder
	group
)

// tokenize splits a command span into tokens. ok is false for an
// unbalanced < or [.
func tokenize(s string) ([]token, bool) {
	var toks []token
	for {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			return toks, true
		}
		switch s[0] {
		case '<':
			end := strings.IndexByte(s, '>')
			if end < 0 {
				return nil, false
			}
			toks = append(toks, token{placeholder, s[:end+1]})
			s = s[end+1:]
		case '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, false
			}
			toks = append(toks, token{group, strings.TrimSpace(s[1:end])})
			s = s[end+1:]
		default:
			end := strings.IndexByte(s, ' ')
			if end < 0 {
				end = len(s)
			}
			toks = append(toks, token{plain, s[:end]})
			s = s[end:]
		}
	}
}

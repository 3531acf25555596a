package discord

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"
	"github.com/newsbot/newsbot/bot"
)

// PlatformName is the adapter's [bot.ChannelRef.Platform] and Name.
const PlatformName = "discord"

// usageError is a mistake in a command's options; its text is shown to the
// user as an ephemeral reply.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// keywords are the first words of the bot's command language; a briefing
// query starting with one of them is quoted so that it stays a query.
var keywords = map[string]bool{
	"help": true, "topics": true, "topic": true, "subscribe": true, "unsubscribe": true,
	"subscriptions": true, "sources": true, "source": true, "health": true, "why": true, "preview": true,
}

// toCommand translates an application command interaction into the bot's
// command. It returns a *usageError for options the bot's language cannot
// express (a topic name with spaces, say).
func toCommand(in *discordgo.Interaction, adminRoles map[string]bool) (bot.Command, error) {
	cmd := bot.Command{
		Channel: bot.ChannelRef{Platform: PlatformName, Team: in.GuildID, Channel: in.ChannelID},
		Admin:   isAdmin(in.Member, adminRoles),
	}
	if u := interactionUser(in); u != nil {
		cmd.User = u.ID
		cmd.UserName = u.Username
		if u.GlobalName != "" {
			cmd.UserName = u.GlobalName
		}
	}
	data, ok := in.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok {
		return cmd, usagef("This interaction carries no command.")
	}
	text, err := commandText(data)
	if err != nil {
		return cmd, err
	}
	cmd.Text = text
	return cmd, nil
}

func interactionUser(in *discordgo.Interaction) *discordgo.User {
	if in.Member != nil && in.Member.User != nil {
		return in.Member.User
	}
	return in.User
}

// isAdmin reports whether a guild member may change the channel's
// settings: Manage Server, Administrator, or one of the admin roles. Users
// outside a guild (direct messages) never are.
func isAdmin(m *discordgo.Member, adminRoles map[string]bool) bool {
	if m == nil {
		return false
	}
	if m.Permissions&(discordgo.PermissionManageGuild|discordgo.PermissionAdministrator) != 0 {
		return true
	}
	for _, r := range m.Roles {
		if adminRoles[r] {
			return true
		}
	}
	return false
}

// commandText translates /news and its options into the bot's command
// language: /news brief query:g20 -> "g20", /news topic add name:g20
// query:"g20 summit" -> "topic add g20 g20 summit".
func commandText(data discordgo.ApplicationCommandInteractionData) (string, error) {
	if data.Name != CommandName {
		return "", usagef("Unknown command /%s.", cleanLine(data.Name))
	}
	if len(data.Options) == 0 || data.Options[0] == nil {
		return "", usagef("Choose a subcommand, e.g. `/news brief query:g20` or `/news help`.")
	}
	sub := data.Options[0]
	path := sub.Name
	opts := sub.Options
	if sub.Type == discordgo.ApplicationCommandOptionSubCommandGroup {
		if len(opts) == 0 || opts[0] == nil {
			return "", usagef("Choose what to do with %s, e.g. `/news %s add`.", path, path)
		}
		path += " " + opts[0].Name
		opts = opts[0].Options
	}
	o := optionValues(opts)
	switch path {
	case "brief":
		q := cleanLine(o["query"])
		if q == "" {
			return "", usagef("Say what to look for, e.g. `/news brief query:g20`.")
		}
		first, rest, _ := strings.Cut(q, " ")
		if keywords[strings.ToLower(first)] {
			// Keep it a query rather than the command it looks like.
			q = strings.TrimSpace(`"` + first + `" ` + rest)
		}
		return q, nil
	case "topics", "subscriptions", "sources", "health":
		return path, nil
	case "help":
		if v := strings.TrimSpace(o[optCommand]); v != "" {
			w, err := oneWord(optCommand, v)
			if err != nil {
				return "", err
			}
			return "help " + strings.ToLower(w), nil
		}
		return path, nil
	case "topic add":
		name, err := oneWord(optName, o[optName])
		if err != nil {
			return "", err
		}
		q := cleanLine(o["query"])
		if q == "" {
			return "", usagef("Give the topic a query, e.g. `/news topic add name:g20 query:g20 summit`.")
		}
		return "topic add " + name + " " + q, nil
	case "topic remove":
		name, err := oneWord(optName, o[optName])
		if err != nil {
			return "", err
		}
		return "topic remove " + name, nil
	case "subscribe":
		t, err := oneWord(optTopic, o[optTopic])
		if err != nil {
			return "", err
		}
		text := "subscribe " + t
		for _, k := range []string{"at", "tz"} {
			if v := strings.TrimSpace(o[k]); v != "" {
				w, err := oneWord(k, v)
				if err != nil {
					return "", err
				}
				text += " " + k + " " + w
			}
		}
		if v := strings.Join(strings.Fields(o["days"]), ""); v != "" {
			text += " " + strings.ToLower(v)
		}
		if v := strings.TrimSpace(o["max"]); v != "" {
			text += " max " + v
		}
		return text, nil
	case "unsubscribe", "preview":
		t, err := oneWord(optTopic, o[optTopic])
		if err != nil {
			return "", err
		}
		return path + " " + t, nil
	case "source add", "source remove", "why":
		u, err := oneWord("url", o["url"])
		if err != nil {
			return "", err
		}
		return path + " " + u, nil
	}
	return "", usagef("Unknown subcommand `%s`; see `/news help`.", cleanLine(path))
}

// optionValues flattens options to name -> value as text.
func optionValues(opts []*discordgo.ApplicationCommandInteractionDataOption) map[string]string {
	m := make(map[string]string, len(opts))
	for _, o := range opts {
		if o == nil {
			continue
		}
		switch v := o.Value.(type) {
		case string:
			m[o.Name] = v
		case float64:
			m[o.Name] = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			m[o.Name] = strconv.FormatBool(v)
		}
	}
	return m
}

// oneWord checks that an option the command language takes as one word is
// one word.
func oneWord(name, v string) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return "", usagef("`%s` is required.", name)
	case strings.ContainsFunc(v, isSpace):
		return "", usagef("`%s` must be one word without spaces (got %q).", name, cleanLine(v))
	}
	return v, nil
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0' || r == '\u3000'
}

// focusedOption finds the option being typed in an autocomplete
// interaction: its name and partial value.
func focusedOption(opts []*discordgo.ApplicationCommandInteractionDataOption) (name, value string, ok bool) {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if o.Focused {
			s, _ := o.Value.(string)
			return o.Name, s, true
		}
		if name, value, ok := focusedOption(o.Options); ok {
			return name, value, true
		}
	}
	return "", "", false
}

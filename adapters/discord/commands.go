package discord

import (
	"github.com/bwmarrin/discordgo"
)

// CommandName is the application command the adapter registers and answers.
const CommandName = "news"

// Option names that autocomplete topic names.
const (
	optTopic = "topic"
	optName  = "name"
)

// optCommand is /news help's option naming the command to explain.
const optCommand = "command"

// Commands returns the application commands newsbot registers: /news, whose
// subcommands map one to one onto the bot's command language
// (/news brief query:g20 is "g20", /news topic add name:g20 query:… is
// "topic add g20 …"). Each call returns a fresh value.
func Commands() []*discordgo.ApplicationCommand {
	str := func(name, desc string, required bool) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionString, Name: name, Description: desc, Required: required,
		}
	}
	topic := func(desc string) *discordgo.ApplicationCommandOption {
		o := str(optTopic, desc, true)
		o.Autocomplete = true
		return o
	}
	sub := func(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Description: desc, Options: opts,
		}
	}
	group := func(name, desc string, subs ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionSubCommandGroup, Name: name, Description: desc, Options: subs,
		}
	}
	query := str("query", `What to look for: words, "phrases", -exclude, OR`, true)
	query.MaxLength = 500
	topicName := str(optName, "Topic name, one word (e.g. g20)", true)
	topicName.MaxLength = 32
	removeName := str(optName, "Topic to remove", true)
	removeName.Autocomplete = true
	minMax := 1.0
	max := &discordgo.ApplicationCommandOption{
		Type: discordgo.ApplicationCommandOptionInteger, Name: "max",
		Description: "Most stories per digest", MinValue: &minMax, MaxValue: 20,
	}
	return []*discordgo.ApplicationCommand{{
		Type:        discordgo.ChatApplicationCommand,
		Name:        CommandName,
		Description: "News briefings: /news brief query:g20",
		Options: []*discordgo.ApplicationCommandOption{
			sub("brief", "A briefing on a query from the latest news", query),
			sub("topics", "List this channel's topics"),
			group("topic", "Add or remove a channel topic (admins)",
				sub("add", "Add a topic to this channel", topicName, str("query", `Its query: words, "phrases", -exclude, OR`, true)),
				sub("remove", "Remove a topic from this channel", removeName),
			),
			sub("subscribe", "Post a topic's digest here on a schedule (admins)",
				topic("Topic to post"),
				str("at", "Local time HH:MM (default 08:00)", false),
				str("tz", "IANA time zone, e.g. Europe/Berlin", false),
				str("days", "daily, weekdays, weekends or mon,wed,fri", false),
				max,
			),
			sub("unsubscribe", "Stop a topic's scheduled digest here (admins)", topic("Topic to stop")),
			sub("subscriptions", "List this channel's scheduled digests"),
			sub("sources", "List the news sources"),
			group("source", "Add or remove a news source (admins)",
				sub("add", "Add a feed", str("url", "Feed URL", true)),
				sub("remove", "Remove a feed", str("url", "Feed URL", true)),
			),
			sub("health", "Each source's state: last fetch, failures, paused"),
			sub("why", "Why an article did or did not appear", str("url", "Article URL", true)),
			sub("preview", "A topic's digest as it would post now", topic("Topic to preview")),
			sub("help", "How to use newsbot", helpSubject()),
		},
	}}
}

// helpTopics are the commands /news help can explain one by one: the
// first words of the bot's command language.
var helpTopics = []string{
	"brief", "topics", "topic", "subscribe", "unsubscribe", "subscriptions",
	"preview", "sources", "source", "health", "why", "help",
}

// helpSubject is /news help's optional command option, offered as choices.
func helpSubject() *discordgo.ApplicationCommandOption {
	o := &discordgo.ApplicationCommandOption{
		Type: discordgo.ApplicationCommandOptionString, Name: optCommand,
		Description: "Explain one command only",
	}
	for _, t := range helpTopics {
		o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{Name: t, Value: t})
	}
	return o
}

package bot

import "strings"

// usage holds one usage line per verb.
var usage = map[Verb]string{
	VerbBrief:         "`/news <query>` or `/news brief <query>`: a briefing, e.g. `/news g20`, `/news \"climate summit\"`, `/news ukraine -sport`, `/news tariffs OR sanctions`; a topic name briefs that topic",
	VerbHelp:          "`/news help [command]`: this help",
	VerbTopics:        "`/news topics`: this channel's topics",
	VerbTopicAdd:      "`/news topic add <name> <query>`: add or replace a topic, e.g. `/news topic add g20 g20 OR \"group of twenty\" -football`",
	VerbTopicRemove:   "`/news topic remove <name>`: remove a topic and its subscription",
	VerbSubscribe:     "`/news subscribe <topic> [at HH:MM] [tz Area/City] [daily|weekdays|weekends|mon,wed,...] [max N]`: post the topic's digest on a schedule, e.g. `/news subscribe g20 at 07:30 tz Europe/Berlin weekdays max 5`",
	VerbUnsubscribe:   "`/news unsubscribe <topic>`: stop the topic's digest",
	VerbSubscriptions: "`/news subscriptions`: this channel's scheduled digests",
	VerbSources:       "`/news sources`: the news sources",
	VerbSourceAdd:     "`/news source add <feed url>`: add an RSS, Atom or JSON feed",
	VerbSourceRemove:  "`/news source remove <feed url>`: remove a source",
	VerbHealth:        "`/news health`: each source's state and the channels the bot cannot post to",
	VerbWhy:           "`/news why <article url>`: why an article did or did not appear",
	VerbPreview:       "`/news preview <topic>`: the topic's next digest as it would post now",
}

// helpOrder is the order of verbs in the full help.
var helpOrder = []Verb{
	VerbBrief, VerbTopics, VerbTopicAdd, VerbTopicRemove, VerbSubscribe, VerbUnsubscribe,
	VerbSubscriptions, VerbPreview, VerbSources, VerbSourceAdd, VerbSourceRemove, VerbHealth, VerbWhy, VerbHelp,
}

// Usage returns the one-line usage of a verb ("" for an unknown verb).
func Usage(v Verb) string { return usage[v] }

// HelpText returns the help for subject: the usage of the commands whose
// name starts with it ("topic" gives topic add and topic remove), or the
// whole command list when subject is "" or names no command.
func HelpText(subject string) string {
	subject = strings.ToLower(strings.TrimSpace(subject))
	var lines []string
	if subject != "" {
		switch subject {
		case "sub":
			subject = "subscribe"
		case "unsub":
			subject = "unsubscribe"
		case "subs":
			subject = "subscriptions"
		case "status":
			subject = "health"
		}
		for _, v := range helpOrder {
			if strings.HasPrefix(string(v), subject) {
				lines = append(lines, "• "+usage[v])
			}
		}
		if len(lines) > 0 {
			return strings.Join(lines, "\n")
		}
	}
	var sb strings.Builder
	sb.WriteString("newsbot answers `/news` commands:\n")
	for _, v := range helpOrder {
		sb.WriteString("• " + usage[v] + "\n")
	}
	sb.WriteString("Everyone may read; only admins may change topics, subscriptions and sources.\n")
	sb.WriteString("Queries match whole words in any form (`summits` finds `summit`); to brief a command word, write `/news brief health`.")
	return sb.String()
}

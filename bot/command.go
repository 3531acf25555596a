package bot

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/newsbot/newsbot/briefing"
)

// Verb names one command of the bot's language. The language is the same
// on every platform: adapters pass what the user typed after the slash
// command as [Command.Text] and [ParseCommand] reads it.
type Verb string

// The verbs of the command language.
const (
	VerbBrief         Verb = "brief"         // /news <query> or /news brief <query>
	VerbHelp          Verb = "help"          // /news help [verb]
	VerbTopics        Verb = "topics"        // /news topics
	VerbTopicAdd      Verb = "topic add"     // /news topic add <name> <query>
	VerbTopicRemove   Verb = "topic remove"  // /news topic remove <name>
	VerbSubscribe     Verb = "subscribe"     // /news subscribe <topic> [options]
	VerbUnsubscribe   Verb = "unsubscribe"   // /news unsubscribe <topic>
	VerbSubscriptions Verb = "subscriptions" // /news subscriptions
	VerbSources       Verb = "sources"       // /news sources
	VerbSourceAdd     Verb = "source add"    // /news source add <url>
	VerbSourceRemove  Verb = "source remove" // /news source remove <url>
	VerbHealth        Verb = "health"        // /news health
	VerbWhy           Verb = "why"           // /news why <url>
	VerbPreview       Verb = "preview"       // /news preview <topic>
)

// Admin reports whether the verb changes settings and so needs an admin.
func (v Verb) Admin() bool {
	switch v {
	case VerbTopicAdd, VerbTopicRemove, VerbSubscribe, VerbUnsubscribe, VerbSourceAdd, VerbSourceRemove:
		return true
	}
	return false
}

// Request is one parsed command. Which fields are set depends on Verb; the
// others are zero.
type Request struct {
	Verb Verb
	// Query is the query (or topic name) to brief for VerbBrief, and the
	// topic's query for VerbTopicAdd, as the user typed it.
	Query string
	// Topic is the topic name (lowercase) for the topic, subscribe,
	// unsubscribe and preview verbs.
	Topic string
	// Subject is the verb help was asked about ("subscribe"), if any.
	Subject string
	// URL is the source or article URL for the source and why verbs.
	URL string
	// At is the subscription's time of day as "HH:MM"; "" if not given.
	At string
	// TimeZone is the subscription's IANA zone as typed; "" if not given.
	TimeZone string
	// Days are the subscription's weekdays in order; nil if not given, all
	// seven for "daily".
	Days []time.Weekday
	// Max is the most stories per digest; 0 if not given.
	Max int
}

// Limits of the command language.
const (
	maxCommandLen = 1000
	maxTopicName  = 32
	// MaxStories is the largest `max N` a subscription may ask for.
	MaxStories = 20
)

var (
	topicNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	hhmmRE      = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])$`)
	zoneRE      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9][A-Za-z0-9_+-]*){0,2}$`)
)

// keywords are the words that start a command rather than a query; topic
// names may not be one of them.
var keywords = map[string]bool{
	"brief": true, "help": true, "topics": true, "topic": true, "subscribe": true, "sub": true,
	"unsubscribe": true, "unsub": true, "subscriptions": true, "subs": true, "sources": true,
	"source": true, "health": true, "status": true, "why": true, "preview": true,
}

// ParseCommand reads one command of the bot's language: what the user
// typed after the slash command (a leading "/news" is tolerated). Empty
// text asks for help. A first word that is not a command word makes the
// whole text a query ("g20" is the same as "brief g20").
//
// Every error it returns is an *Error with code EINVALID whose message says
// what is wrong and shows the usage of the command concerned. ParseCommand
// does no IO and is safe for concurrent use.
func ParseCommand(text string) (Request, error) {
	if len(text) > maxCommandLen {
		return Request{}, invalid("", "That command is %d characters long; the limit is %d.", len(text), maxCommandLen)
	}
	if !utf8.ValidString(text) {
		return Request{}, invalid("", "That command is not valid text (UTF-8).")
	}
	text = strings.TrimSpace(text)
	if w, rest := cutWord(text); strings.EqualFold(w, "/news") {
		text = rest
	}
	if text == "" {
		return Request{Verb: VerbHelp}, nil
	}
	word, rest := cutWord(text)
	switch strings.ToLower(word) {
	case "help", "?":
		subject, extra := cutWord(rest)
		if extra != "" {
			return Request{}, invalid(VerbHelp, "help takes at most one word, the command to explain.")
		}
		return Request{Verb: VerbHelp, Subject: strings.ToLower(subject)}, nil
	case "brief":
		if rest == "" {
			return Request{}, invalid(VerbBrief, "brief needs a query or a topic name.")
		}
		return parseBrief(rest)
	case "topics":
		return noArgs(VerbTopics, rest)
	case "subscriptions", "subs":
		return noArgs(VerbSubscriptions, rest)
	case "sources":
		return noArgs(VerbSources, rest)
	case "health", "status":
		return noArgs(VerbHealth, rest)
	case "topic":
		return parseTopic(rest)
	case "subscribe", "sub":
		return parseSubscribe(rest)
	case "unsubscribe", "unsub":
		name, err := oneTopic(VerbUnsubscribe, rest)
		return Request{Verb: VerbUnsubscribe, Topic: name}, err
	case "preview":
		name, err := oneTopic(VerbPreview, rest)
		return Request{Verb: VerbPreview, Topic: name}, err
	case "source":
		return parseSource(rest)
	case "why":
		u, extra := cutWord(rest)
		if u == "" || extra != "" {
			return Request{}, invalid(VerbWhy, "why needs exactly one article URL.")
		}
		clean, err := parseURL(VerbWhy, u)
		return Request{Verb: VerbWhy, URL: clean}, err
	}
	return parseBrief(text)
}

func parseBrief(q string) (Request, error) {
	if _, err := briefing.ParseQuery(q); err != nil {
		return Request{}, invalid(VerbBrief, "I could not read the query %s: %s.", quote(q), err.Error())
	}
	return Request{Verb: VerbBrief, Query: q}, nil
}

func noArgs(v Verb, rest string) (Request, error) {
	if rest != "" {
		return Request{}, invalid(v, "%s takes no arguments.", v)
	}
	return Request{Verb: v}, nil
}

func parseTopic(rest string) (Request, error) {
	sub, rest := cutWord(rest)
	switch strings.ToLower(sub) {
	case "add", "set":
		nameWord, q := cutWord(rest)
		if nameWord == "" || q == "" {
			return Request{}, invalid(VerbTopicAdd, "topic add needs a name and a query.")
		}
		name, err := topicName(VerbTopicAdd, nameWord)
		if err != nil {
			return Request{}, err
		}
		if _, err := briefing.ParseQuery(q); err != nil {
			return Request{}, invalid(VerbTopicAdd, "I could not read the query %s: %s.", quote(q), err.Error())
		}
		return Request{Verb: VerbTopicAdd, Topic: name, Query: q}, nil
	case "remove", "rm", "delete", "del":
		name, err := oneTopic(VerbTopicRemove, rest)
		return Request{Verb: VerbTopicRemove, Topic: name}, err
	case "":
		return Request{}, invalid(VerbTopicAdd, "topic needs add or remove.")
	}
	return Request{}, invalid(VerbTopicAdd, "There is no %s command; use `topic add` or `topic remove` (`topics` lists the topics).", quote("topic "+sub))
}

func parseSource(rest string) (Request, error) {
	sub, rest := cutWord(rest)
	var v Verb
	switch strings.ToLower(sub) {
	case "add":
		v = VerbSourceAdd
	case "remove", "rm", "delete", "del":
		v = VerbSourceRemove
	default:
		return Request{}, invalid(VerbSourceAdd, "source needs add or remove and a feed URL (and sources lists them).")
	}
	u, extra := cutWord(rest)
	if u == "" || extra != "" {
		return Request{}, invalid(v, "%s needs exactly one feed URL.", v)
	}
	clean, err := parseURL(v, u)
	return Request{Verb: v, URL: clean}, err
}

func oneTopic(v Verb, rest string) (string, error) {
	w, extra := cutWord(rest)
	if w == "" || extra != "" {
		return "", invalid(v, "%s needs exactly one topic name.", v)
	}
	return topicName(v, w)
}

func topicName(v Verb, w string) (string, error) {
	name := strings.ToLower(w)
	switch {
	case len(name) > maxTopicName:
		return "", invalid(v, "Topic names are at most %d characters.", maxTopicName)
	case !topicNameRE.MatchString(name):
		return "", invalid(v, "%s is not a topic name: use lowercase letters, digits, - and _.", quote(w))
	case keywords[name]:
		return "", invalid(v, "%s is a command word; pick another topic name.", quote(w))
	}
	return name, nil
}

func parseSubscribe(rest string) (Request, error) {
	nameWord, rest := cutWord(rest)
	if nameWord == "" {
		return Request{}, invalid(VerbSubscribe, "subscribe needs a topic name.")
	}
	name, err := topicName(VerbSubscribe, nameWord)
	if err != nil {
		return Request{}, err
	}
	r := Request{Verb: VerbSubscribe, Topic: name}
	toks := strings.Fields(rest)
	twice := func(what string) error {
		return invalid(VerbSubscribe, "The %s is given twice.", what)
	}
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		low := strings.ToLower(tok)
		next := func() (string, bool) {
			if i+1 >= len(toks) {
				return "", false
			}
			i++
			return toks[i], true
		}
		switch {
		case low == "at" || hhmmRE.MatchString(tok):
			v := tok
			if low == "at" {
				var ok bool
				if v, ok = next(); !ok {
					return Request{}, invalid(VerbSubscribe, "at needs a time of day as HH:MM, for example at 08:00.")
				}
			}
			if r.At != "" {
				return Request{}, twice("time")
			}
			at, err := parseAt(v)
			if err != nil {
				return Request{}, err
			}
			r.At = at
		case low == "tz" || strings.Contains(tok, "/"):
			v := tok
			if low == "tz" {
				var ok bool
				if v, ok = next(); !ok {
					return Request{}, invalid(VerbSubscribe, "tz needs a time zone such as Europe/Berlin.")
				}
			}
			if r.TimeZone != "" {
				return Request{}, twice("time zone")
			}
			if len(v) > 64 || !zoneRE.MatchString(v) {
				return Request{}, invalid(VerbSubscribe, "%s is not a time zone name; use an IANA name such as Europe/Berlin or America/New_York.", quote(v))
			}
			r.TimeZone = v
		case low == "max":
			v, ok := next()
			n, err := strconv.Atoi(v)
			if !ok || err != nil || n < 1 || n > MaxStories {
				return Request{}, invalid(VerbSubscribe, "max needs a number of stories from 1 to %d, for example max 5.", MaxStories)
			}
			if r.Max != 0 {
				return Request{}, twice("max")
			}
			r.Max = n
		default:
			days, ok := parseDays(low)
			if !ok {
				return Request{}, invalid(VerbSubscribe, "I do not understand %s.", quote(tok))
			}
			if r.Days != nil {
				return Request{}, twice("days")
			}
			r.Days = days
		}
	}
	return r, nil
}

func parseAt(v string) (string, error) {
	m := hhmmRE.FindStringSubmatch(v)
	if m == nil {
		return "", invalid(VerbSubscribe, "%s is not a time of day; use HH:MM on a 24-hour clock, for example 08:00 or 17:30.", quote(v))
	}
	h, _ := strconv.Atoi(m[1])
	return fmt.Sprintf("%02d:%s", h, m[2]), nil
}

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"tues": time.Tuesday, "thur": time.Thursday, "thurs": time.Thursday,
}

// parseDays reads "daily", "weekdays", "weekends" or a comma-separated
// list of day names ("mon,wed,fri"). It returns the days in order.
func parseDays(s string) ([]time.Weekday, bool) {
	switch s {
	case "daily", "everyday":
		return []time.Weekday{0, 1, 2, 3, 4, 5, 6}, true
	case "weekdays":
		return []time.Weekday{1, 2, 3, 4, 5}, true
	case "weekends":
		return []time.Weekday{0, 6}, true
	}
	var out []time.Weekday
	for p := range strings.SplitSeq(s, ",") {
		d, ok := dayNames[p]
		if !ok {
			return nil, false
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out, true
}

// FormatDays renders days as the command language writes them: "daily"
// for none or all seven, "weekdays", "weekends", or "mon,wed,fri".
func FormatDays(days []time.Weekday) string {
	var set [7]bool
	n := 0
	for _, d := range days {
		if d >= 0 && d < 7 && !set[d] {
			set[d] = true
			n++
		}
	}
	switch {
	case n == 0 || n == 7:
		return "daily"
	case n == 5 && !set[0] && !set[6]:
		return "weekdays"
	case n == 2 && set[0] && set[6]:
		return "weekends"
	}
	names := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	var parts []string
	for d := 0; d < 7; d++ {
		if set[d] {
			parts = append(parts, names[d])
		}
	}
	return strings.Join(parts, ",")
}

func parseURL(v Verb, s string) (string, error) {
	// Slack sends links as <url> or <url|label>; Discord users write <url>
	// to suppress the preview.
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
		s = s[1 : len(s)-1]
		if i := strings.IndexByte(s, '|'); i >= 0 {
			s = s[:i]
		}
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, "<>| ") {
		return "", invalid(v, "%s is not a web address; give the full http:// or https:// URL.", quote(s))
	}
	return s, nil
}

// String renders the request in the command language, canonically:
// ParseCommand(r.String()) returns r again.
func (r Request) String() string {
	switch r.Verb {
	case VerbBrief:
		return "brief " + r.Query
	case VerbHelp:
		if r.Subject != "" {
			return "help " + r.Subject
		}
		return "help"
	case VerbTopicAdd:
		return "topic add " + r.Topic + " " + r.Query
	case VerbTopicRemove, VerbUnsubscribe, VerbPreview:
		return string(r.Verb) + " " + r.Topic
	case VerbSourceAdd, VerbSourceRemove, VerbWhy:
		return string(r.Verb) + " " + r.URL
	case VerbSubscribe:
		s := "subscribe " + r.Topic
		if r.At != "" {
			s += " at " + r.At
		}
		if r.TimeZone != "" {
			s += " tz " + r.TimeZone
		}
		if r.Days != nil {
			s += " " + FormatDays(r.Days)
		}
		if r.Max != 0 {
			s += " max " + strconv.Itoa(r.Max)
		}
		return s
	}
	return string(r.Verb)
}

// cutWord splits s into its first whitespace-separated word and the
// trimmed rest.
func cutWord(s string) (word, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// quote renders user input for an error message, shortened.
func quote(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max]) + "…"
	}
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

func invalid(v Verb, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if u := Usage(v); u != "" {
		msg += "\nUsage: " + u
	} else {
		msg += "\nType `/news help` for the commands."
	}
	return &Error{Code: EINVALID, Message: msg}
}

package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
)

// brief answers /news <query>; a query that is one of the channel's topic
// names briefs that topic.
func (b *Bot) brief(ctx context.Context, cmd Command, text string) (Reply, error) {
	title, query := strings.TrimSpace(text), strings.TrimSpace(text)
	var sources []string
	if name := strings.ToLower(title); topicNameRE.MatchString(name) {
		t, err := b.findTopic(ctx, cmd.Channel, name)
		switch {
		case err == nil:
			title, query, sources = t.Name, t.Query, t.Sources
		case !errors.Is(err, ErrNotFound):
			return Reply{}, err
		}
	}
	q, err := briefing.ParseQuery(query)
	if err != nil {
		return Reply{}, Errorf(EINVALID, "I could not read the query %s: %s.\nUsage: %s", quote(query), err, Usage(VerbBrief))
	}
	now := b.now()
	arts, err := b.store.SearchArticles(ctx, q, SearchOptions{Since: now.Add(-b.cfg.Window), Sources: sources, Limit: b.cfg.BriefLimit})
	if err != nil {
		return Reply{}, fmt.Errorf("search %q: %w", query, err)
	}
	br := b.eng.Brief(now, title, q, arts, b.cfg.Budget)
	if br.Empty() {
		return Reply{Text: b.noStories(ctx, query)}, nil
	}
	return Reply{Briefing: &br}, nil
}

// noStories says that nothing matched query, and why that may be when the
// bot has no sources to read yet (a fresh install).
func (b *Bot) noStories(ctx context.Context, query string) string {
	msg := fmt.Sprintf("No stories match %s in the last %s.", quote(query), proseDuration(b.cfg.Window))
	srcs, err := b.store.Sources(ctx)
	if err != nil {
		b.log.WarnContext(ctx, "list sources", "err", err)
		return msg
	}
	if len(srcs) == 0 {
		msg += "\nI have no news sources yet: an admin adds a feed with `/news source add <feed url>`" +
			" (or lists them under `sources:` in the config file)."
	}
	return msg
}

func (b *Bot) findTopic(ctx context.Context, ch ChannelRef, name string) (Topic, error) {
	ts, err := b.store.Topics(ctx, ch)
	if err != nil {
		return Topic{}, fmt.Errorf("topics of %s: %w", ch, err)
	}
	for _, t := range ts {
		if t.Name == name {
			return t, nil
		}
	}
	return Topic{}, ErrNotFound
}

func (b *Bot) findSubscription(ctx context.Context, ch ChannelRef, topic string) (Subscription, error) {
	subs, err := b.store.Subscriptions(ctx, ch)
	if err != nil {
		return Subscription{}, fmt.Errorf("subscriptions of %s: %w", ch, err)
	}
	for _, s := range subs {
		if s.Topic == topic && s.Channel == ch {
			return s, nil
		}
	}
	return Subscription{}, ErrNotFound
}

func noTopic(name string) *Error {
	return Errorf(ENOTFOUND, "This channel has no topic `%s`; `/news topics` lists them, and an admin can add it with `/news topic add %s <query>`.", name, name)
}

func (b *Bot) listTopics(ctx context.Context, cmd Command) (Reply, error) {
	ts, err := b.store.Topics(ctx, cmd.Channel)
	if err != nil {
		return Reply{}, fmt.Errorf("topics of %s: %w", cmd.Channel, err)
	}
	if len(ts) == 0 {
		return Reply{Text: "This channel has no topics yet. An admin can add one, e.g. `/news topic add g20 g20 OR \"group of twenty\"`."}, nil
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "Topics in this channel (%d):", len(ts))
	for _, t := range ts {
		fmt.Fprintf(&sb, "\n• `%s`: `%s`", t.Name, t.Query)
		if len(t.Sources) > 0 {
			fmt.Fprintf(&sb, " from %s", strings.Join(t.Sources, ", "))
		}
		if t.Origin == OriginConfig {
			sb.WriteString(" (config file)")
		}
	}
	sb.WriteString("\nBrief one with `/news <name>`.")
	return Reply{Text: sb.String()}, nil
}

// OriginConfig is the Origin of topics and subscriptions declared in the
// config file.
const OriginConfig = "config"

func chatOrigin(cmd Command) string { return "chat:" + cmd.Channel.Platform + ":" + cmd.User }

const configNote = "\nNote: it is declared in the config file, which wins when the bot restarts; run `newsbot config export` to carry this change into the file."

func (b *Bot) addTopic(ctx context.Context, cmd Command, req Request) (Reply, error) {
	old, err := b.findTopic(ctx, cmd.Channel, req.Topic)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Reply{}, err
	}
	exists := err == nil
	t := Topic{Channel: cmd.Channel, Name: req.Topic, Query: req.Query, Sources: old.Sources, Origin: chatOrigin(cmd), Updated: b.now()}
	if err := b.store.PutTopic(ctx, t); err != nil {
		return Reply{}, fmt.Errorf("put topic: %w", err)
	}
	var text string
	if exists {
		text = fmt.Sprintf("Topic `%s` now follows `%s` (it was `%s`).", t.Name, t.Query, old.Query)
	} else {
		text = fmt.Sprintf("Topic `%s` added: `%s`. Brief it with `/news %s`, or schedule it with `/news subscribe %s at 08:00`.", t.Name, t.Query, t.Name, t.Name)
	}
	if old.Origin == OriginConfig {
		text += configNote
	}
	return Reply{Text: text}, nil
}

func (b *Bot) removeTopic(ctx context.Context, cmd Command, name string) (Reply, error) {
	old, err := b.findTopic(ctx, cmd.Channel, name)
	if errors.Is(err, ErrNotFound) {
		return Reply{}, noTopic(name)
	}
	if err != nil {
		return Reply{}, err
	}
	_, subErr := b.findSubscription(ctx, cmd.Channel, name)
	if err := b.store.DeleteTopic(ctx, cmd.Channel, name); errors.Is(err, ErrNotFound) {
		return Reply{}, noTopic(name)
	} else if err != nil {
		return Reply{}, fmt.Errorf("delete topic: %w", err)
	}
	text := fmt.Sprintf("Topic `%s` removed.", name)
	if subErr == nil {
		text = fmt.Sprintf("Topic `%s` and its scheduled digest removed.", name)
	}
	if old.Origin == OriginConfig {
		text += "\nNote: it is declared in the config file and comes back when the bot restarts unless it is removed there too."
	}
	return Reply{Text: text}, nil
}

func (b *Bot) subscribe(ctx context.Context, cmd Command, req Request) (Reply, error) {
	t, err := b.findTopic(ctx, cmd.Channel, req.Topic)
	if errors.Is(err, ErrNotFound) {
		return Reply{}, noTopic(req.Topic)
	}
	if err != nil {
		return Reply{}, err
	}
	old, err := b.findSubscription(ctx, cmd.Channel, req.Topic)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Reply{}, err
	}
	exists := err == nil
	s := Subscription{Channel: cmd.Channel, Topic: t.Name, At: b.cfg.At, TimeZone: b.cfg.TimeZone}
	if exists {
		// Options not given keep their current values.
		s = old
	}
	if req.At != "" {
		s.At = req.At
	}
	if req.TimeZone != "" {
		if _, err := b.location(req.TimeZone); err != nil {
			return Reply{}, Errorf(EINVALID, "I do not know the time zone `%s`; use an IANA name such as Europe/Berlin, America/New_York or UTC (names are case-sensitive).\nUsage: %s", req.TimeZone, Usage(VerbSubscribe))
		}
		s.TimeZone = req.TimeZone
	}
	if req.Days != nil {
		s.Days = normDays(req.Days)
	}
	if req.Max != 0 {
		s.Max = req.Max
	}
	s.Origin, s.Updated = chatOrigin(cmd), b.now()
	sched, err := b.ScheduleOf(s)
	if err != nil {
		return Reply{}, Errorf(EINVALID, "That schedule does not work: %s.\nUsage: %s", err, Usage(VerbSubscribe))
	}
	if err := b.store.PutSubscription(ctx, s); err != nil {
		return Reply{}, fmt.Errorf("put subscription: %w", err)
	}
	verb := "Subscribed"
	if exists {
		verb = "Updated"
	}
	text := fmt.Sprintf("%s: the `%s` digest posts here %s. Next one: %s.", verb, s.Topic, describeSchedule(s, sched, b.cfg.Budget), formatLocal(sched.Next(b.now()), sched.Location()))
	if old.Origin == OriginConfig {
		text += configNote
	}
	return Reply{Text: text}, nil
}

// normDays returns nil for every day, else the days sorted.
func normDays(days []time.Weekday) []time.Weekday {
	var set [7]bool
	var out []time.Weekday
	for _, d := range days {
		if d >= 0 && d < 7 && !set[d] {
			set[d] = true
			out = append(out, d)
		}
	}
	if len(out) == 7 || len(out) == 0 {
		return nil
	}
	slices.Sort(out)
	return out
}

func describeSchedule(s Subscription, sched Schedule, budget briefing.Budget) string {
	days := FormatDays(s.Days)
	switch days {
	case "daily":
		days = "every day"
	case "weekdays", "weekends":
		days = "on " + days
	default:
		days = "on " + days
	}
	n := s.Max
	if n == 0 {
		n = budget.Stories
	}
	if n == 0 {
		n = briefing.DefaultBudget().Stories
	}
	return fmt.Sprintf("%s at %02d:%02d %s, up to %s", days, sched.hour, sched.minute, sched.Location(), plural(n, "story", "stories"))
}

func formatLocal(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "never"
	}
	return t.In(loc).Format("Mon 2 Jan 15:04 MST")
}

func (b *Bot) unsubscribe(ctx context.Context, cmd Command, topic string) (Reply, error) {
	old, err := b.findSubscription(ctx, cmd.Channel, topic)
	if err == nil {
		err = b.store.DeleteSubscription(ctx, cmd.Channel, topic)
	}
	if errors.Is(err, ErrNotFound) {
		return Reply{}, Errorf(ENOTFOUND, "This channel has no scheduled `%s` digest; `/news subscriptions` lists them.", topic)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("delete subscription: %w", err)
	}
	text := fmt.Sprintf("The `%s` digest will no longer post here. The topic stays; `/news topic remove %s` removes it.", topic, topic)
	if old.Origin == OriginConfig {
		text += "\nNote: it is declared in the config file and comes back when the bot restarts unless it is removed there too."
	}
	return Reply{Text: text}, nil
}

func (b *Bot) listSubscriptions(ctx context.Context, cmd Command) (Reply, error) {
	subs, err := b.store.Subscriptions(ctx, cmd.Channel)
	if err != nil {
		return Reply{}, fmt.Errorf("subscriptions of %s: %w", cmd.Channel, err)
	}
	if len(subs) == 0 {
		return Reply{Text: "No digests are scheduled in this channel. An admin can add one, e.g. `/news subscribe g20 at 08:00 weekdays`."}, nil
	}
	now := b.now()
	var sb strings.Builder
	fmt.Fprintf(&sb, "Scheduled digests in this channel (%d):", len(subs))
	for _, s := range subs {
		sched, err := b.ScheduleOf(s)
		if err != nil {
			fmt.Fprintf(&sb, "\n• `%s`: broken schedule (%s)", s.Topic, err)
			continue
		}
		fmt.Fprintf(&sb, "\n• `%s`: %s; next %s", s.Topic, describeSchedule(s, sched, b.cfg.Budget), formatLocal(sched.Next(now), sched.Location()))
		last, err := b.store.LastDelivery(ctx, s.ID())
		switch {
		case err == nil:
			fmt.Fprintf(&sb, "; last %s (%s)", formatLocal(last.Scheduled, sched.Location()), describeDelivery(last))
		case !errors.Is(err, ErrNotFound):
			return Reply{}, fmt.Errorf("last delivery of %s: %w", s.ID(), err)
		}
		if s.Origin == OriginConfig {
			sb.WriteString(" (config file)")
		}
	}
	return Reply{Text: sb.String()}, nil
}

func describeDelivery(d Delivery) string {
	switch d.Status {
	case StatusPosted:
		return "posted, " + plural(d.Stories, "story", "stories")
	case StatusEmpty:
		return "nothing new"
	case StatusSkipped:
		return "skipped: " + d.Error
	case StatusFailed:
		return "failed: " + d.Error
	}
	return d.Status
}

// Delivery statuses (see [Delivery.Status]).
const (
	StatusPosted  = "posted"
	StatusEmpty   = "empty"
	StatusSkipped = "skipped"
	StatusFailed  = "failed"
)

func (b *Bot) listSources(ctx context.Context) (Reply, error) {
	srcs, err := b.store.Sources(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("sources: %w", err)
	}
	if len(srcs) == 0 {
		return Reply{Text: "There are no sources yet. An admin can add a feed with `/news source add <url>`."}, nil
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "Sources (%d):", len(srcs))
	for _, s := range srcs {
		fmt.Fprintf(&sb, "\n• %s: %s", s.Name, s.Locator())
		if s.Origin == OriginConfig {
			sb.WriteString(" (config file)")
		}
	}
	return Reply{Text: sb.String()}, nil
}

func (b *Bot) addSource(ctx context.Context, cmd Command, raw string) (Reply, error) {
	srcs, err := b.store.Sources(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("sources: %w", err)
	}
	canon := briefing.CanonicalURL(raw)
	names := map[string]bool{}
	for _, s := range srcs {
		if s.URL != "" && briefing.CanonicalURL(s.URL) == canon {
			return Reply{}, Errorf(ECONFLICT, "%s is already a source, named %s.", s.URL, s.Name)
		}
		names[s.Name] = true
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Reply{}, Errorf(EINVALID, "%s is not a web address.", quote(raw))
	}
	if b.cfg.CheckSource != nil {
		if err := b.cfg.CheckSource(ctx, raw); err != nil {
			return Reply{}, Errorf(EINVALID, "I cannot add %s: %v.", raw, err)
		}
	}
	name := strings.TrimPrefix(u.Hostname(), "www.")
	if names[name] {
		name = strings.TrimSuffix(name+u.EscapedPath(), "/")
	}
	src := feeds.Source{Name: name, URL: raw, Origin: chatOrigin(cmd)}
	if err := b.store.AddSource(ctx, src); err != nil {
		return Reply{}, fmt.Errorf("add source: %w", err)
	}
	return Reply{Text: fmt.Sprintf("Added the source %s (%s). It is fetched within the next few minutes; `/news health` shows how that goes.", name, raw)}, nil
}

func (b *Bot) removeSource(ctx context.Context, raw string) (Reply, error) {
	srcs, err := b.store.Sources(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("sources: %w", err)
	}
	canon := briefing.CanonicalURL(raw)
	for _, s := range srcs {
		if s.URL == raw || (s.URL != "" && briefing.CanonicalURL(s.URL) == canon) {
			if err := b.store.RemoveSource(ctx, s.Locator()); errors.Is(err, ErrNotFound) {
				break
			} else if err != nil {
				return Reply{}, fmt.Errorf("remove source: %w", err)
			}
			text := fmt.Sprintf("Removed the source %s. Articles already fetched from it stay until they expire.", s.Name)
			if s.Origin == OriginConfig {
				text += "\nNote: it is declared in the config file and comes back when the bot restarts unless it is removed there too."
			}
			return Reply{Text: text}, nil
		}
	}
	return Reply{}, Errorf(ENOTFOUND, "%s is not one of the sources; `/news sources` lists them.", raw)
}

func (b *Bot) health(ctx context.Context, cmd Command) (Reply, error) {
	srcs, err := b.store.Sources(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("sources: %w", err)
	}
	states, err := b.store.States(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("source states: %w", err)
	}
	byLoc := make(map[string]feeds.State, len(states))
	for _, st := range states {
		byLoc[st.Locator] = st
	}
	now := b.now()
	var sb strings.Builder
	if len(srcs) == 0 {
		sb.WriteString("There are no sources yet.")
	} else {
		fmt.Fprintf(&sb, "Sources (%d):", len(srcs))
	}
	for _, s := range srcs {
		fmt.Fprintf(&sb, "\n• %s: %s", s.Name, describeState(byLoc[s.Locator()], now))
	}
	hs, err := b.store.ChannelHealth(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("channel health: %w", err)
	}
	var mine []ChannelHealth
	for _, h := range hs {
		if h.Error != "" && h.Channel.Platform == cmd.Channel.Platform && b.sameTeam(ctx, h.Channel, cmd.Channel) {
			mine = append(mine, h)
		}
	}
	if len(mine) > 0 {
		slices.SortFunc(mine, func(a, b ChannelHealth) int { return strings.Compare(a.Channel.Channel, b.Channel.Channel) })
		sb.WriteString("\nChannels I cannot post to:")
		for _, h := range mine {
			fmt.Fprintf(&sb, "\n• %s (last try %s): %s", h.Channel.Channel, ago(now, h.At), h.Error)
		}
	}
	return Reply{Text: sb.String()}, nil
}

// sameTeam reports whether a reply to a command typed in at may name the
// channel ch: always on single-team platforms; on platforms that serve
// several teams (a TeamResolver), only when ch is the command's own channel
// or the platform says it is in the command's team.
func (b *Bot) sameTeam(ctx context.Context, ch, at ChannelRef) bool {
	tr, multi := b.platforms[ch.Platform].(TeamResolver)
	if !multi || ch == at {
		return true
	}
	team := commandTeam(ctx)
	if team == "" {
		return false
	}
	got, err := tr.ChannelTeam(ctx, ch)
	if err != nil {
		b.log.DebugContext(ctx, "could not tell a channel's team; leaving it out of the reply", slog.String("channel", ch.String()), slog.Any("error", err))
		return false
	}
	return got == team
}

func describeState(st feeds.State, now time.Time) string {
	switch {
	case st.Paused && st.PausedReason != "":
		return "paused: " + st.PausedReason
	case st.Paused:
		return fmt.Sprintf("paused after %d failures in a row: %s", st.Failures, st.LastError)
	case st.LastFetch.IsZero():
		return "not fetched yet"
	case st.Failures > 0:
		s := fmt.Sprintf("failing (%d in a row, last try %s): %s", st.Failures, ago(now, st.LastFetch), st.LastError)
		if !st.LastSuccess.IsZero() {
			s += "; last success " + ago(now, st.LastSuccess)
		}
		return s
	}
	s := fmt.Sprintf("ok, fetched %s (%s, %d new)", ago(now, st.LastFetch), plural(st.LastItems, "item", "items"), st.LastNew)
	if !st.NextFetch.IsZero() {
		switch d := st.NextFetch.Sub(now); {
		case d > 0:
			s += "; next in " + humanDuration(d)
		case d > -time.Minute:
			s += "; due now"
		default:
			s += "; next fetch overdue by " + humanDuration(-d)
		}
	}
	return s
}

// plural renders a count with its noun: "1 item", "3 items".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	if d < time.Minute {
		return "just now"
	}
	return humanDuration(d) + " ago"
}

// proseDuration renders whole days or hours in words ("3 days", "12
// hours"), anything else as humanDuration.
func proseDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d >= 2*time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return humanDuration(d)
}

// humanDuration renders d coarsely: "45s", "12m", "3h", "3h20m", "2d", "2d5h".
func humanDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 || h >= 10 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%dm", h, m)
	}
	days, h := int(d.Hours())/24, int(d.Hours())%24
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd%dh", days, h)
}

func (b *Bot) preview(ctx context.Context, cmd Command, name string) (Reply, error) {
	t, err := b.findTopic(ctx, cmd.Channel, name)
	if errors.Is(err, ErrNotFound) {
		return Reply{}, noTopic(name)
	}
	if err != nil {
		return Reply{}, err
	}
	sub, err := b.findSubscription(ctx, cmd.Channel, name)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Reply{}, err
	}
	subscribed := err == nil
	if !subscribed {
		sub = Subscription{Channel: cmd.Channel, Topic: name}
	}
	now := b.now()
	dg, err := b.buildDigest(ctx, t, sub, now)
	if err != nil {
		return Reply{}, err
	}
	since := "of the last " + proseDuration(now.Sub(dg.since))
	if dg.prev != nil {
		since = "since the last digest (" + ago(now, dg.prev.Scheduled) + ")"
	}
	if dg.briefing.Empty() {
		text := fmt.Sprintf("Nothing new on `%s` %s; a digest now would post nothing.", name, since)
		if b.cfg.PostEmpty {
			text = fmt.Sprintf("Nothing new on `%s` %s; a digest now would post a short \"nothing new\" note.", name, since)
		}
		return Reply{Text: text}, nil
	}
	intro := fmt.Sprintf("Preview of the `%s` digest with the stories %s (nothing was posted):", name, since)
	if !subscribed {
		intro = fmt.Sprintf("Preview of a `%s` digest with the stories %s (the topic has no schedule; nothing was posted):", name, since)
	}
	return Reply{Text: intro, Briefing: &dg.briefing}, nil
}

package bot

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
)

// why explains whether and why an article appears in this channel's
// briefings: not stored (never fetched, or pruned), older than the window,
// outside a topic's sources, excluded by a term, missing a term, grouped
// under another story, or ranked below the budget.
func (b *Bot) why(ctx context.Context, cmd Command, raw string) (Reply, error) {
	now := b.now()
	canon := briefing.CanonicalURL(raw)
	a, err := b.store.ArticleByURL(ctx, canon)
	if errors.Is(err, ErrNotFound) {
		return b.whyUnknown(ctx, raw, now)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("article by url: %w", err)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "“%s” (%s), fetched %s.", a.Title, orUnknown(a.Source), ago(now, a.Fetched))
	inWindow := !a.Fetched.Before(now.Add(-b.cfg.Window))
	if !inWindow {
		fmt.Fprintf(&sb, "\n• It is older than the %s that `/news` looks back over, so it no longer appears.", proseDuration(b.cfg.Window))
	}
	topics, err := b.store.Topics(ctx, cmd.Channel)
	if err != nil {
		return Reply{}, fmt.Errorf("topics of %s: %w", cmd.Channel, err)
	}
	if len(topics) == 0 {
		sb.WriteString("\n• This channel has no topics; `/news <query>` searches every stored article.")
	}
	doc := briefing.NewDoc(a)
	for _, t := range topics {
		fmt.Fprintf(&sb, "\n• Topic `%s`: %s", t.Name, b.whyTopic(ctx, cmd.Channel, t, a, doc, inWindow, now))
	}
	return Reply{Text: sb.String()}, nil
}

func (b *Bot) whyUnknown(ctx context.Context, raw string, now time.Time) (Reply, error) {
	seen, err := b.store.Seen(ctx, briefing.Article{URL: raw}.Key())
	if err != nil {
		return Reply{}, fmt.Errorf("seen: %w", err)
	}
	if seen {
		return Reply{Text: "I stored that article once, but it has since expired from the store (older than the retention period), so it no longer appears."}, nil
	}
	text := "I have not stored that article: no source has carried it yet (not yet fetched), or its feed links it under another address."
	u, err := url.Parse(raw)
	if err != nil {
		return Reply{Text: text}, nil
	}
	host := strings.TrimPrefix(u.Hostname(), "www.")
	srcs, err := b.store.Sources(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("sources: %w", err)
	}
	states, err := b.store.States(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("source states: %w", err)
	}
	var matches []string
	for _, s := range srcs {
		su, err := url.Parse(s.URL)
		if err != nil || s.URL == "" {
			continue
		}
		sh := strings.TrimPrefix(su.Hostname(), "www.")
		if sh == host || strings.HasSuffix(sh, "."+host) || strings.HasSuffix(host, "."+sh) {
			i := slices.IndexFunc(states, func(st feeds.State) bool { return st.Locator == s.Locator() })
			state := "not fetched yet"
			if i >= 0 {
				state = describeState(states[i], now)
			}
			matches = append(matches, fmt.Sprintf("%s is a source from that site: %s.", s.Name, state))
		}
	}
	if len(matches) == 0 {
		text += " None of the sources is on " + host + "; an admin can add its feed with `/news source add <feed url>`."
	} else {
		text += "\n• " + strings.Join(matches, "\n• ")
	}
	return Reply{Text: text}, nil
}

// whyTopic explains the article's fate in one topic.
func (b *Bot) whyTopic(ctx context.Context, ch ChannelRef, t Topic, a briefing.Article, doc briefing.Doc, inWindow bool, now time.Time) string {
	q, err := briefing.ParseQuery(t.Query)
	if err != nil {
		return fmt.Sprintf("its query `%s` does not parse (%s).", t.Query, err)
	}
	if len(t.Sources) > 0 && !slices.Contains(t.Sources, a.Source) {
		return fmt.Sprintf("filtered out: the topic only reads %s.", strings.Join(t.Sources, ", "))
	}
	if _, ok := q.Match(doc); !ok {
		for _, term := range q.None {
			if matchesTerm(term, doc) {
				return fmt.Sprintf("filtered out by the exclusion `-%s`.", term)
			}
		}
		var missing []string
		for _, group := range q.All {
			if !slices.ContainsFunc(group, func(term briefing.Term) bool { return matchesTerm(term, doc) }) {
				parts := make([]string, len(group))
				for i, term := range group {
					parts[i] = term.String()
				}
				missing = append(missing, "`"+strings.Join(parts, " OR ")+"`")
			}
		}
		return fmt.Sprintf("no match: it never mentions %s.", strings.Join(missing, " nor "))
	}
	if !inWindow {
		return "it matches, but it is too old."
	}
	arts, err := b.store.SearchArticles(ctx, q, SearchOptions{Since: now.Add(-b.cfg.Window), Sources: t.Sources, Limit: b.cfg.BriefLimit})
	if err != nil {
		return "it matches (the stories around it could not be read: " + err.Error() + ")."
	}
	key := a.Key()
	if !slices.ContainsFunc(arts, func(x briefing.Article) bool { return x.Key() == key }) {
		arts = append(arts, a)
	}
	var matched []briefing.Article
	for _, x := range arts {
		if _, ok := q.Match(briefing.NewDoc(x)); ok {
			matched = append(matched, x)
		}
	}
	storyID, lead := key, a
	for _, st := range b.eng.Group(matched) {
		if slices.ContainsFunc(st.Articles, func(x briefing.Article) bool { return x.Key() == key }) {
			storyID, lead = st.ID, st.Lead()
			break
		}
	}
	var sb strings.Builder
	sb.WriteString("it matches")
	if lead.Key() != key {
		fmt.Fprintf(&sb, ", and is grouped as a duplicate under the story “%s” (%s), which shows it as one of its sources", lead.Title, orUnknown(lead.Source))
	}
	br := b.eng.Brief(now, t.Name, q, matched, b.cfg.Budget)
	if i := slices.IndexFunc(br.Items, func(it briefing.Item) bool { return it.StoryID == storyID }); i >= 0 {
		fmt.Fprintf(&sb, "; its story is #%d of %d in `/news %s`", i+1, len(br.Items)+br.More, t.Name)
	} else {
		fmt.Fprintf(&sb, "; its story ranks below the top %d of `/news %s` (counted in “+%d more”)", len(br.Items), t.Name, br.More)
	}
	if sub, err := b.findSubscription(ctx, ch, t.Name); err == nil {
		last, err := b.store.LastDelivery(ctx, sub.ID())
		switch {
		case err == nil && !a.Fetched.After(last.Cutoff):
			fmt.Fprintf(&sb, "; it was fetched before the last digest (%s), which covered it", ago(now, last.Scheduled))
		case err == nil || errors.Is(err, ErrNotFound):
			if sched, err := b.ScheduleOf(sub); err == nil {
				fmt.Fprintf(&sb, "; the next digest (%s) covers it", formatLocal(sched.Next(now), sched.Location()))
			}
		}
	}
	sb.WriteString(".")
	return sb.String()
}

// matchesTerm reports whether one query term occurs in doc.
func matchesTerm(t briefing.Term, doc briefing.Doc) bool {
	q, err := briefing.ParseQuery(t.String())
	if err != nil {
		return false
	}
	_, ok := q.Match(doc)
	return ok
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown source"
	}
	return s
}

package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
)

// SyncReport counts what [Bot.SyncDeclared] changed.
type SyncReport struct {
	TopicsAdded, TopicsUpdated, TopicsRemoved int
	SubsAdded, SubsUpdated, SubsRemoved       int
}

// SyncDeclared makes the store's config-declared topics and subscriptions
// (Origin "config") exactly the ones given, typically from the config file
// at start. The config file wins: a declared topic or subscription that a
// chat command changed is set back to its declaration; one no longer
// declared is removed. Topics and subscriptions made in chat that the file
// does not declare are left alone. Unchanged entries are not rewritten, so
// their Updated time (and the digest schedule) stays.
//
// Empty At and TimeZone of a declared subscription take the bot's
// defaults. It returns an error listing every invalid declaration without
// changing anything.
func (b *Bot) SyncDeclared(ctx context.Context, topics []Topic, subs []Subscription) (SyncReport, error) {
	var rep SyncReport
	topics, subs, err := b.normDeclared(topics, subs)
	if err != nil {
		return rep, err
	}
	now := b.now()
	have, err := b.allTopics(ctx, topics)
	if err != nil {
		return rep, fmt.Errorf("sync: %w", err)
	}
	haveTopic := map[string]Topic{}
	for _, t := range have {
		haveTopic[t.Channel.String()+"/"+t.Name] = t
	}
	declaredTopic := map[string]bool{}
	for _, t := range topics {
		key := t.Channel.String() + "/" + t.Name
		declaredTopic[key] = true
		old, ok := haveTopic[key]
		if ok && old.Origin == OriginConfig && old.Query == t.Query && slices.Equal(old.Sources, t.Sources) {
			continue
		}
		t.Updated = now
		if err := b.store.PutTopic(ctx, t); err != nil {
			return rep, fmt.Errorf("sync: put topic %s: %w", key, err)
		}
		if ok {
			rep.TopicsUpdated++
			if old.Origin != OriginConfig {
				b.log.InfoContext(ctx, "config file resets a topic changed in chat", slog.String("topic", key), slog.String("changed_by", old.Origin))
			}
		} else {
			rep.TopicsAdded++
		}
	}
	haveSubs, err := b.store.Subscriptions(ctx, ChannelRef{})
	if err != nil {
		return rep, fmt.Errorf("sync: subscriptions: %w", err)
	}
	haveSub := map[string]Subscription{}
	for _, s := range haveSubs {
		haveSub[s.ID()] = s
	}
	declaredSub := map[string]bool{}
	for _, s := range subs {
		declaredSub[s.ID()] = true
		old, ok := haveSub[s.ID()]
		if ok && old.Origin == OriginConfig && sameSchedule(old, s) {
			continue
		}
		s.Updated = now
		if err := b.store.PutSubscription(ctx, s); err != nil {
			return rep, fmt.Errorf("sync: put subscription %s: %w", s.ID(), err)
		}
		if ok {
			rep.SubsUpdated++
		} else {
			rep.SubsAdded++
		}
	}
	for _, s := range haveSubs {
		if s.Origin == OriginConfig && !declaredSub[s.ID()] {
			if err := b.store.DeleteSubscription(ctx, s.Channel, s.Topic); err != nil && !errors.Is(err, ErrNotFound) {
				return rep, fmt.Errorf("sync: delete subscription %s: %w", s.ID(), err)
			}
			rep.SubsRemoved++
		}
	}
	for _, t := range have {
		key := t.Channel.String() + "/" + t.Name
		if t.Origin == OriginConfig && !declaredTopic[key] {
			if err := b.store.DeleteTopic(ctx, t.Channel, t.Name); err != nil && !errors.Is(err, ErrNotFound) {
				return rep, fmt.Errorf("sync: delete topic %s: %w", key, err)
			}
			rep.TopicsRemoved++
		}
	}
	return rep, nil
}

func sameSchedule(a, b Subscription) bool {
	return a.At == b.At && a.TimeZone == b.TimeZone && slices.Equal(normDays(a.Days), normDays(b.Days)) && a.Max == b.Max
}

// normDeclared checks and normalises declarations.
func (b *Bot) normDeclared(topics []Topic, subs []Subscription) ([]Topic, []Subscription, error) {
	var errs []error
	outT := make([]Topic, 0, len(topics))
	names := map[string]int{} // channel/topic -> index of its declaration
	for i, t := range topics {
		t.Channel = t.Channel.Canonical()
		t.Name = strings.ToLower(strings.TrimSpace(t.Name))
		t.Origin = OriginConfig
		if _, err := topicName(VerbTopicAdd, t.Name); err != nil {
			errs = append(errs, fmt.Errorf("topics[%d]: name %q: use lowercase letters, digits, - and _ (not a command word)", i, t.Name))
		}
		if r, err := ParseCommand("brief " + t.Query); err != nil || r.Verb != VerbBrief {
			errs = append(errs, fmt.Errorf("topics[%d]: query %q does not parse", i, t.Query))
		}
		key := t.Channel.String() + "/" + t.Name
		if first, dup := names[key]; dup {
			errs = append(errs, fmt.Errorf("topics[%d]: topic %q of channel %s is declared twice (also topics[%d])", i, t.Name, configChannel(t.Channel), first))
		} else {
			names[key] = i
		}
		outT = append(outT, t)
	}
	outS := make([]Subscription, 0, len(subs))
	ids := map[string]int{} // subscription ID -> index of its declaration
	for i, s := range subs {
		s.Channel = s.Channel.Canonical()
		s.Topic = strings.ToLower(strings.TrimSpace(s.Topic))
		s.Origin = OriginConfig
		if s.At == "" {
			s.At = b.cfg.At
		}
		if s.TimeZone == "" {
			s.TimeZone = b.cfg.TimeZone
		}
		s.Days = normDays(s.Days)
		if _, ok := names[s.Channel.String()+"/"+s.Topic]; !ok {
			errs = append(errs, fmt.Errorf("subscriptions[%d]: topic %q is not declared for channel %s", i, s.Topic, configChannel(s.Channel)))
		}
		if _, err := b.ScheduleOf(s); err != nil {
			errs = append(errs, fmt.Errorf("subscriptions[%d]: %w", i, err))
		}
		if s.Max < 0 || s.Max > MaxStories {
			errs = append(errs, fmt.Errorf("subscriptions[%d]: max %d is out of range 0-%d", i, s.Max, MaxStories))
		}
		if first, dup := ids[s.ID()]; dup {
			errs = append(errs, fmt.Errorf("subscriptions[%d]: the subscription of channel %s to topic %q is declared twice (also subscriptions[%d])", i, configChannel(s.Channel), s.Topic, first))
		} else {
			ids[s.ID()] = i
		}
		outS = append(outS, s)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, fmt.Errorf("declared topics and subscriptions: %w", err)
	}
	return outT, outS, nil
}

// allTopics lists every stored topic: Topics of the zero ChannelRef,
// together with the topics of every channel that has a subscription or a
// declared topic (so that a store answering the zero ChannelRef with
// nothing still yields those).
func (b *Bot) allTopics(ctx context.Context, declared []Topic) ([]Topic, error) {
	all, err := b.store.Topics(ctx, ChannelRef{})
	if err != nil {
		return nil, fmt.Errorf("topics: %w", err)
	}
	subs, err := b.store.Subscriptions(ctx, ChannelRef{})
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	chans := map[ChannelRef]bool{}
	for _, s := range subs {
		chans[s.Channel] = true
	}
	for _, t := range declared {
		chans[t.Channel] = true
	}
	seen := map[string]bool{}
	for _, t := range all {
		seen[t.Channel.String()+"/"+t.Name] = true
	}
	for ch := range chans {
		ts, err := b.store.Topics(ctx, ch)
		if err != nil {
			return nil, fmt.Errorf("topics of %s: %w", ch, err)
		}
		for _, t := range ts {
			if k := t.Channel.String() + "/" + t.Name; !seen[k] {
				seen[k] = true
				all = append(all, t)
			}
		}
	}
	return all, nil
}

// Effective returns the topics and subscriptions to keep: the given
// declarations (from the config file) with the changes made in chat on
// top. A stored entry made in chat wins over a declaration of the same
// name (it is the newer intent: a start resets chat changes to the file),
// a stored config entry is replaced by its current declaration, and one no
// longer declared is left out. It changes nothing. Both lists are sorted
// by channel and name. It is what `newsbot config export` writes out; it
// returns the same errors as SyncDeclared for invalid declarations.
func (b *Bot) Effective(ctx context.Context, declaredTopics []Topic, declaredSubs []Subscription) ([]Topic, []Subscription, error) {
	declaredTopics, declaredSubs, err := b.normDeclared(declaredTopics, declaredSubs)
	if err != nil {
		return nil, nil, err
	}
	stored, err := b.allTopics(ctx, declaredTopics)
	if err != nil {
		return nil, nil, err
	}
	topics := map[string]Topic{}
	for _, t := range declaredTopics {
		topics[t.Channel.String()+"/"+t.Name] = t
	}
	for _, t := range stored {
		if t.Origin != OriginConfig {
			topics[t.Channel.String()+"/"+t.Name] = t
		}
	}
	storedSubs, err := b.store.Subscriptions(ctx, ChannelRef{})
	if err != nil {
		return nil, nil, fmt.Errorf("subscriptions: %w", err)
	}
	subs := map[string]Subscription{}
	for _, s := range declaredSubs {
		subs[s.ID()] = s
	}
	for _, s := range storedSubs {
		if s.Origin != OriginConfig {
			subs[s.ID()] = s
		}
	}
	outT := slices.Collect(maps.Values(topics))
	var outS []Subscription
	for id, s := range subs {
		if _, ok := topics[id]; ok {
			outS = append(outS, s)
		}
	}
	slices.SortFunc(outT, func(x, y Topic) int {
		return cmp.Or(cmp.Compare(x.Channel.String(), y.Channel.String()), cmp.Compare(x.Name, y.Name))
	})
	slices.SortFunc(outS, func(x, y Subscription) int { return cmp.Compare(x.ID(), y.ID()) })
	return outT, outS, nil
}

// configChannel writes a channel as the config file names it
// ("slack:C123").
func configChannel(c ChannelRef) string { return c.Platform + ":" + c.Channel }

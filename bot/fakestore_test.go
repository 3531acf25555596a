package bot_test

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
)

// fakeStore is a small in-memory bot.Store for these tests. SearchArticles
// returns every article in the window (a superset is allowed), newest
// first.
type fakeStore struct {
	mu         sync.Mutex
	articles   []briefing.Article
	topics     map[string]bot.Topic
	subs       map[string]bot.Subscription
	sources    []feeds.Source
	states     []feeds.State
	deliveries map[string]bot.Delivery
	health     map[string]bot.ChannelHealth
	// failSaves makes that many next SaveDelivery calls fail.
	failSaves int
}

func newFakeStore() *fakeStore {
	return &fakeStore{topics: map[string]bot.Topic{}, subs: map[string]bot.Subscription{},
		deliveries: map[string]bot.Delivery{}, health: map[string]bot.ChannelHealth{}}
}

func (s *fakeStore) addArticles(arts ...briefing.Article) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.articles = append(s.articles, arts...)
	slices.SortStableFunc(s.articles, func(a, b briefing.Article) int { return b.Fetched.Compare(a.Fetched) })
}

func (s *fakeStore) SearchArticles(_ context.Context, _ briefing.Query, o bot.SearchOptions) ([]briefing.Article, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []briefing.Article
	for _, a := range s.articles {
		if !o.Since.IsZero() && !a.Fetched.After(o.Since) {
			continue
		}
		if len(o.Sources) > 0 && !slices.Contains(o.Sources, a.Source) {
			continue
		}
		out = append(out, a)
		if o.Limit > 0 && len(out) == o.Limit {
			break
		}
	}
	return out, nil
}

func (s *fakeStore) ArticleByURL(_ context.Context, u string) (briefing.Article, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.articles {
		if briefing.CanonicalURL(a.URL) == briefing.CanonicalURL(u) {
			return a, nil
		}
	}
	return briefing.Article{}, bot.ErrNotFound
}

func (s *fakeStore) Seen(_ context.Context, key string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.ContainsFunc(s.articles, func(a briefing.Article) bool { return a.Key() == key }), nil
}

func (s *fakeStore) Topics(_ context.Context, ch bot.ChannelRef) ([]bot.Topic, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []bot.Topic
	for _, t := range s.topics {
		if ch == (bot.ChannelRef{}) || t.Channel == ch {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b bot.Topic) int {
		return cmp.Or(cmp.Compare(a.Channel.String(), b.Channel.String()), cmp.Compare(a.Name, b.Name))
	})
	return out, nil
}

func (s *fakeStore) PutTopic(_ context.Context, t bot.Topic) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.topics[t.Channel.String()+"/"+t.Name] = t
	return nil
}

func (s *fakeStore) DeleteTopic(_ context.Context, ch bot.ChannelRef, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := ch.String() + "/" + name
	if _, ok := s.topics[k]; !ok {
		return bot.ErrNotFound
	}
	delete(s.topics, k)
	delete(s.subs, k)
	return nil
}

func (s *fakeStore) Subscriptions(_ context.Context, ch bot.ChannelRef) ([]bot.Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []bot.Subscription
	for _, sub := range s.subs {
		if ch == (bot.ChannelRef{}) || sub.Channel == ch {
			out = append(out, sub)
		}
	}
	slices.SortFunc(out, func(a, b bot.Subscription) int { return cmp.Compare(a.ID(), b.ID()) })
	return out, nil
}

func (s *fakeStore) PutSubscription(_ context.Context, sub bot.Subscription) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs[sub.ID()] = sub
	return nil
}

func (s *fakeStore) DeleteSubscription(_ context.Context, ch bot.ChannelRef, topic string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := bot.Subscription{Channel: ch, Topic: topic}.ID()
	if _, ok := s.subs[k]; !ok {
		return bot.ErrNotFound
	}
	delete(s.subs, k)
	return nil
}

func (s *fakeStore) Sources(context.Context) ([]feeds.Source, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sources), nil
}

func (s *fakeStore) AddSource(_ context.Context, src feeds.Source) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sources = append(s.sources, src)
	return nil
}

func (s *fakeStore) RemoveSource(_ context.Context, loc string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.sources, func(x feeds.Source) bool { return x.Locator() == loc })
	if i < 0 {
		return bot.ErrNotFound
	}
	s.sources = slices.Delete(s.sources, i, i+1)
	return nil
}

func (s *fakeStore) States(context.Context) ([]feeds.State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.states), nil
}

func dkey(id string, t time.Time) string { return id + "@" + t.UTC().Format(time.RFC3339Nano) }

func (s *fakeStore) LastDelivery(_ context.Context, id string) (bot.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var last bot.Delivery
	found := false
	for _, d := range s.deliveries {
		if d.SubscriptionID == id && (!found || d.Scheduled.After(last.Scheduled)) {
			last, found = d, true
		}
	}
	if !found {
		return bot.Delivery{}, bot.ErrNotFound
	}
	return last, nil
}

func (s *fakeStore) GetDelivery(_ context.Context, id string, t time.Time) (bot.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deliveries[dkey(id, t)]
	if !ok {
		return bot.Delivery{}, bot.ErrNotFound
	}
	return d, nil
}

func (s *fakeStore) SaveDelivery(_ context.Context, d bot.Delivery) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failSaves > 0 {
		s.failSaves--
		return errors.New("disk full")
	}
	s.deliveries[dkey(d.SubscriptionID, d.Scheduled)] = d
	return nil
}

func (s *fakeStore) deliveryList() []bot.Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []bot.Delivery
	for _, d := range s.deliveries {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b bot.Delivery) int {
		return cmp.Or(cmp.Compare(a.SubscriptionID, b.SubscriptionID), a.Scheduled.Compare(b.Scheduled))
	})
	return out
}

func (s *fakeStore) ChannelHealth(context.Context) ([]bot.ChannelHealth, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []bot.ChannelHealth
	for _, h := range s.health {
		out = append(out, h)
	}
	return out, nil
}

func (s *fakeStore) SetChannelHealth(_ context.Context, h bot.ChannelHealth) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h.Error == "" {
		delete(s.health, h.Channel.String())
		return nil
	}
	s.health[h.Channel.String()] = h
	return nil
}

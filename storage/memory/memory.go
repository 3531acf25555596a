// Package memory is an in-process implementation of newsbot's store
// ([bot.Store], [feeds.Store] and [storage.Store]). It keeps everything in
// maps behind one mutex and loses it all on exit: it is the store fake other
// packages' tests use, and the reference the storetest conformance suite
// was written against.
package memory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
	"github.com/newsbot/newsbot/storage"
)

// DefaultLimit is how many articles SearchArticles returns when
// [bot.SearchOptions.Limit] is zero.
const DefaultLimit = 200

// Compile-time checks that Store satisfies every interface it is used as.
var (
	_ bot.Store     = (*Store)(nil)
	_ feeds.Store   = (*Store)(nil)
	_ storage.Store = (*Store)(nil)
)

// Store is an in-memory store. The zero value is not usable; call [New].
// It is safe for concurrent use.
type Store struct {
	mu       sync.RWMutex
	seq      int64
	articles []*entry          // ordered by (Fetched, seq) ascending: oldest first
	byKey    map[string]*entry // stored (not pruned) articles by Key
	seen     map[string]time.Time

	sources []feeds.Source
	states  map[string]feeds.State

	topics     map[topicKey]bot.Topic
	subs       map[topicKey]bot.Subscription
	deliveries map[deliveryKey]bot.Delivery
	health     map[bot.ChannelRef]bot.ChannelHealth
}

type entry struct {
	seq   int64
	art   briefing.Article
	canon string
	doc   briefing.Doc
}

type topicKey struct {
	ch   bot.ChannelRef
	name string
}

type deliveryKey struct {
	sub       string
	scheduled int64 // UnixNano of the UTC slot
}

// New returns an empty store.
func New() *Store {
	return &Store{
		byKey:      map[string]*entry{},
		seen:       map[string]time.Time{},
		states:     map[string]feeds.State{},
		topics:     map[topicKey]bot.Topic{},
		subs:       map[topicKey]bot.Subscription{},
		deliveries: map[deliveryKey]bot.Delivery{},
		health:     map[bot.ChannelRef]bot.ChannelHealth{},
	}
}

// Close does nothing; it exists to satisfy [storage.Store].
func (s *Store) Close() error { return nil }

// less orders entries oldest first: by Fetched, then by insertion.
func less(a, b *entry) int {
	if c := a.art.Fetched.Compare(b.art.Fetched); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// AddArticles implements [feeds.Store]. It returns an error, storing
// nothing, if an article has no Fetched time and fetched is zero.
func (s *Store) AddArticles(ctx context.Context, arts []briefing.Article, fetched time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	for i, a := range arts {
		if a.Fetched.IsZero() && fetched.IsZero() {
			return 0, fmt.Errorf("add articles: article %d (%q) has no fetched time", i, a.Title)
		}
	}
	// Prepare outside the lock: matching documents are the expensive part.
	prepared := make([]*entry, 0, len(arts))
	keys := make([]string, 0, len(arts))
	for _, a := range arts {
		if a.Fetched.IsZero() {
			a.Fetched = fetched
		}
		a = normalize(a)
		keys = append(keys, a.Key())
		prepared = append(prepared, &entry{art: a, canon: briefing.CanonicalURL(a.URL), doc: briefing.NewDoc(a)})
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	added := 0
	for i, e := range prepared {
		key := keys[i]
		if last, ok := s.seen[key]; ok {
			// The item is still carried by a feed: refresh its key.
			if now := lastSeen(e.art, fetched); now.Sub(last) >= storage.RefreshAfter {
				s.seen[key] = now
			}
			continue
		}
		s.seq++
		e.seq = s.seq
		e.art.ID = strconv.FormatInt(e.seq, 10)
		s.seen[key] = lastSeen(e.art, fetched)
		s.byKey[key] = e
		pos, _ := slices.BinarySearchFunc(s.articles, e, less)
		s.articles = slices.Insert(s.articles, pos, e)
		added++
	}
	return added, nil
}

// lastSeen is when a fetch last carried a: the batch's fetch time, or the
// article's own Fetched if that is later.
func lastSeen(a briefing.Article, fetched time.Time) time.Time {
	if a.Fetched.After(fetched) {
		return a.Fetched
	}
	return utc(fetched)
}

// normalize puts times in UTC without monotonic readings, as a database
// round trip would.
func normalize(a briefing.Article) briefing.Article {
	a.Published = utc(a.Published)
	a.Fetched = utc(a.Fetched)
	return a
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Round(0)
}

// SearchArticles implements [bot.Store]. It returns exactly the articles
// that match q (checked with [briefing.Query.Match]), newest first.
func (s *Store) SearchArticles(ctx context.Context, q briefing.Query, opts bot.SearchOptions) ([]briefing.Article, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if q.IsZero() {
		return nil, nil
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []briefing.Article
	for i := len(s.articles) - 1; i >= 0 && len(out) < limit; i-- {
		e := s.articles[i]
		if !opts.Since.IsZero() && !e.art.Fetched.After(opts.Since) {
			break // older entries are older still
		}
		if len(opts.Sources) > 0 && !slices.Contains(opts.Sources, e.art.Source) {
			continue
		}
		if _, ok := q.Match(e.doc); !ok {
			continue
		}
		out = append(out, e.art)
	}
	return out, nil
}

// ArticleByURL implements [bot.Store]: it returns the newest stored article
// whose canonical URL equals url's.
func (s *Store) ArticleByURL(ctx context.Context, url string) (briefing.Article, error) {
	if err := ctx.Err(); err != nil {
		return briefing.Article{}, err
	}
	canon := briefing.CanonicalURL(url)
	if canon != "" {
		s.mu.RLock()
		defer s.mu.RUnlock()
		for i := len(s.articles) - 1; i >= 0; i-- {
			if s.articles[i].canon == canon {
				return s.articles[i].art, nil
			}
		}
	}
	return briefing.Article{}, fmt.Errorf("article %q: %w", url, bot.ErrNotFound)
}

// Seen implements [bot.Store].
func (s *Store) Seen(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.seen[key]
	return ok, nil
}

// Prune implements [storage.Store].
func (s *Store) Prune(ctx context.Context, now time.Time, maxAge time.Duration) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if maxAge <= 0 {
		return 0, fmt.Errorf("prune: max age %s is not positive", maxAge)
	}
	cutoff := now.Add(-maxAge)
	keyCutoff := now.Add(-storage.SeenRetention(maxAge))
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for n < len(s.articles) && s.articles[n].art.Fetched.Before(cutoff) {
		delete(s.byKey, s.articles[n].art.Key())
		n++
	}
	s.articles = slices.Delete(s.articles, 0, n)
	for k, last := range s.seen {
		if last.Before(keyCutoff) {
			if _, stored := s.byKey[k]; !stored {
				delete(s.seen, k)
			}
		}
	}
	return n, nil
}

// Sources implements [bot.Store] and [feeds.Store]: sources in the order
// they were first added.
func (s *Store) Sources(ctx context.Context) ([]feeds.Source, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.sources), nil
}

// AddSource implements [bot.Store]. Adding a source whose locator is
// already known replaces it in place. A source must have exactly one of
// URL and Path.
func (s *Store) AddSource(ctx context.Context, src feeds.Source) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := storage.ValidateSource(src); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.sources {
		if s.sources[i].Locator() == src.Locator() {
			s.sources[i] = src
			return nil
		}
	}
	s.sources = append(s.sources, src)
	return nil
}

// RemoveSource implements [bot.Store]. It forgets the source and its
// state; its stored articles stay until pruned.
func (s *Store) RemoveSource(ctx context.Context, locator string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.sources, func(x feeds.Source) bool { return x.Locator() == locator })
	if i < 0 {
		return fmt.Errorf("source %q: %w", locator, bot.ErrNotFound)
	}
	s.sources = slices.Delete(s.sources, i, i+1)
	delete(s.states, locator)
	return nil
}

// State implements [feeds.Store].
func (s *Store) State(ctx context.Context, locator string) (feeds.State, error) {
	if err := ctx.Err(); err != nil {
		return feeds.State{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, ok := s.states[locator]
	if !ok {
		return feeds.State{Locator: locator}, nil
	}
	return st, nil
}

// SaveState implements [feeds.Store].
func (s *Store) SaveState(ctx context.Context, st feeds.State) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if st.Locator == "" {
		return errors.New("save state: empty locator")
	}
	st.LastFetch = utc(st.LastFetch)
	st.LastSuccess = utc(st.LastSuccess)
	st.NextFetch = utc(st.NextFetch)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.states[st.Locator] = st
	return nil
}

// States implements [bot.Store]: one state per source, in source order (a
// zero State for a source never fetched), then any saved states of
// locators not in the source list, sorted by locator.
func (s *Store) States(ctx context.Context) ([]feeds.State, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]feeds.State, 0, len(s.sources))
	listed := map[string]bool{}
	for _, src := range s.sources {
		loc := src.Locator()
		listed[loc] = true
		st, ok := s.states[loc]
		if !ok {
			st = feeds.State{Locator: loc}
		}
		out = append(out, st)
	}
	var rest []feeds.State
	for loc, st := range s.states {
		if !listed[loc] {
			rest = append(rest, st)
		}
	}
	slices.SortFunc(rest, func(a, b feeds.State) int { return cmp.Compare(a.Locator, b.Locator) })
	return append(out, rest...), nil
}

// Topics implements [bot.Store]; the zero ChannelRef lists every
// channel's topics, ordered by channel and name.
func (s *Store) Topics(ctx context.Context, ch bot.ChannelRef) ([]bot.Topic, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []bot.Topic
	all := ch == (bot.ChannelRef{})
	for k, t := range s.topics {
		if all || k.ch == ch {
			out = append(out, cloneTopic(t))
		}
	}
	slices.SortFunc(out, func(a, b bot.Topic) int {
		return cmp.Or(cmp.Compare(a.Channel.String(), b.Channel.String()), cmp.Compare(a.Name, b.Name))
	})
	return out, nil
}

// PutTopic implements [bot.Store].
func (s *Store) PutTopic(ctx context.Context, t bot.Topic) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := storage.ValidateTopic(t); err != nil {
		return err
	}
	t = cloneTopic(t)
	t.Updated = utc(t.Updated)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.topics[topicKey{t.Channel, t.Name}] = t
	return nil
}

// DeleteTopic implements [bot.Store].
func (s *Store) DeleteTopic(ctx context.Context, ch bot.ChannelRef, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k := topicKey{ch, name}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.topics[k]; !ok {
		return fmt.Errorf("topic %q in %s: %w", name, ch, bot.ErrNotFound)
	}
	delete(s.topics, k)
	delete(s.subs, k)
	return nil
}

// Subscriptions implements [bot.Store]: sorted by channel, then topic.
func (s *Store) Subscriptions(ctx context.Context, ch bot.ChannelRef) ([]bot.Subscription, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []bot.Subscription
	for k, sub := range s.subs {
		if ch == (bot.ChannelRef{}) || k.ch == ch {
			out = append(out, cloneSub(sub))
		}
	}
	slices.SortFunc(out, func(a, b bot.Subscription) int { return cmp.Compare(a.ID(), b.ID()) })
	return out, nil
}

// PutSubscription implements [bot.Store].
func (s *Store) PutSubscription(ctx context.Context, sub bot.Subscription) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := storage.ValidateSubscription(sub); err != nil {
		return err
	}
	sub = cloneSub(sub)
	sub.Updated = utc(sub.Updated)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs[topicKey{sub.Channel, sub.Topic}] = sub
	return nil
}

// DeleteSubscription implements [bot.Store].
func (s *Store) DeleteSubscription(ctx context.Context, ch bot.ChannelRef, topic string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k := topicKey{ch, topic}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.subs[k]; !ok {
		return fmt.Errorf("subscription %q in %s: %w", topic, ch, bot.ErrNotFound)
	}
	delete(s.subs, k)
	return nil
}

// LastDelivery implements [bot.Store].
func (s *Store) LastDelivery(ctx context.Context, subscriptionID string) (bot.Delivery, error) {
	if err := ctx.Err(); err != nil {
		return bot.Delivery{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var best bot.Delivery
	found := false
	for k, d := range s.deliveries {
		if k.sub == subscriptionID && (!found || d.Scheduled.After(best.Scheduled)) {
			best, found = d, true
		}
	}
	if !found {
		return bot.Delivery{}, fmt.Errorf("delivery of %q: %w", subscriptionID, bot.ErrNotFound)
	}
	return best, nil
}

// GetDelivery implements [bot.Store].
func (s *Store) GetDelivery(ctx context.Context, subscriptionID string, scheduled time.Time) (bot.Delivery, error) {
	if err := ctx.Err(); err != nil {
		return bot.Delivery{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.deliveries[deliveryKey{subscriptionID, scheduled.UnixNano()}]
	if !ok {
		return bot.Delivery{}, fmt.Errorf("delivery of %q at %s: %w", subscriptionID, scheduled.UTC().Format(time.RFC3339), bot.ErrNotFound)
	}
	return d, nil
}

// SaveDelivery implements [bot.Store].
func (s *Store) SaveDelivery(ctx context.Context, d bot.Delivery) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := storage.ValidateDelivery(d); err != nil {
		return err
	}
	d.Scheduled = utc(d.Scheduled)
	d.Cutoff = utc(d.Cutoff)
	d.Posted = utc(d.Posted)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliveries[deliveryKey{d.SubscriptionID, d.Scheduled.UnixNano()}] = d
	return nil
}

// ChannelHealth implements [bot.Store]: sorted by channel.
func (s *Store) ChannelHealth(ctx context.Context) ([]bot.ChannelHealth, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]bot.ChannelHealth, 0, len(s.health))
	for _, h := range s.health {
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b bot.ChannelHealth) int { return cmp.Compare(a.Channel.String(), b.Channel.String()) })
	return out, nil
}

// SetChannelHealth implements [bot.Store].
func (s *Store) SetChannelHealth(ctx context.Context, h bot.ChannelHealth) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	h.At = utc(h.At)
	s.mu.Lock()
	defer s.mu.Unlock()
	if h.Error == "" {
		delete(s.health, h.Channel)
		return nil
	}
	s.health[h.Channel] = h
	return nil
}

func cloneTopic(t bot.Topic) bot.Topic {
	t.Sources = slices.Clone(t.Sources)
	if len(t.Sources) == 0 {
		t.Sources = nil
	}
	return t
}

func cloneSub(s bot.Subscription) bot.Subscription {
	s.Days = slices.Clone(s.Days)
	if len(s.Days) == 0 {
		s.Days = nil
	}
	return s
}

// Package feedtest holds test helpers for feed ingestion: an in-memory
// [feeds.Store] and an HTTP server of feeds that counts what it is asked
// for. Both are safe for concurrent use.
package feedtest

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
)

// Store is an in-memory feeds.Store. The Func fields, when set, replace
// the corresponding method's behaviour (to inject failures); they are
// called without the lock held.
type Store struct {
	// AddArticlesFunc, if set, is called first by AddArticles; a non-nil
	// error is returned and nothing is stored.
	AddArticlesFunc func(ctx context.Context, arts []briefing.Article) error

	mu       sync.Mutex
	sources  []feeds.Source
	states   map[string]feeds.State
	keys     map[string]bool
	articles []briefing.Article
	saves    int
}

// NewStore returns a Store holding srcs.
func NewStore(srcs ...feeds.Source) *Store {
	return &Store{sources: srcs, states: map[string]feeds.State{}, keys: map[string]bool{}}
}

// Sources returns the sources in the order they were added.
func (s *Store) Sources(ctx context.Context) ([]feeds.Source, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]feeds.Source(nil), s.sources...), nil
}

// AddSource appends a source.
func (s *Store) AddSource(src feeds.Source) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sources = append(s.sources, src)
}

// State returns the state saved for locator, or a zero State with
// Locator set.
func (s *Store) State(ctx context.Context, locator string) (feeds.State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.states[locator]
	if !ok {
		st.Locator = locator
	}
	return st, nil
}

// SaveState stores st.
func (s *Store) SaveState(ctx context.Context, st feeds.State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.states[st.Locator] = st
	s.saves++
	return nil
}

// AddArticles stores articles whose key was never seen and returns how
// many were new.
func (s *Store) AddArticles(ctx context.Context, arts []briefing.Article, fetched time.Time) (int, error) {
	if s.AddArticlesFunc != nil {
		if err := s.AddArticlesFunc(ctx, arts); err != nil {
			return 0, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	added := 0
	for _, a := range arts {
		k := a.Key()
		if s.keys[k] {
			continue
		}
		s.keys[k] = true
		if a.Fetched.IsZero() {
			a.Fetched = fetched
		}
		s.articles = append(s.articles, a)
		added++
	}
	return added, nil
}

// Seen reports whether key was ever stored (the optional capability that
// lets ingestion skip work for known items).
func (s *Store) Seen(ctx context.Context, key string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[key], nil
}

// Articles returns the stored articles in insertion order.
func (s *Store) Articles() []briefing.Article {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]briefing.Article(nil), s.articles...)
}

// States returns every saved state, sorted by locator (as bot.Store's
// States does, so that the poller's one-query path is exercised).
func (s *Store) States(ctx context.Context) ([]feeds.State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]feeds.State, 0, len(s.states))
	for _, st := range s.states {
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Locator < out[j].Locator })
	return out, nil
}

// StateOf returns the saved state of locator (zero if none).
func (s *Store) StateOf(locator string) feeds.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.states[locator]
}

var _ feeds.Store = (*Store)(nil)

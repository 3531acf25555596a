// Package storetest is the conformance suite every newsbot store passes
// (river's driver Exercise, applied to storage). A store package runs it
// from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storage.Store {
//			s := memory.New()
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// newStore must return a fresh, empty store for each call; the suite runs
// its subtests in parallel.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/storage"
)

// NewStore returns a fresh, empty store whose cleanup is registered on t.
type NewStore func(t *testing.T) storage.Store

// Run runs the whole conformance suite against the stores newStore makes.
func Run(t *testing.T, newStore NewStore) {
	t.Helper()
	groups := []struct {
		name string
		fn   func(*testing.T, NewStore)
	}{
		{"Articles", testArticles},
		{"Search", testSearch},
		{"SearchRandom", testSearchRandom},
		{"ArticleByURL", testArticleByURL},
		{"Prune", testPrune},
		{"Sources", testSources},
		{"States", testStates},
		{"Topics", testTopics},
		{"Subscriptions", testSubscriptions},
		{"Deliveries", testDeliveries},
		{"ChannelHealth", testChannelHealth},
		{"Concurrency", testConcurrency},
		{"Canceled", testCanceled},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			g.fn(t, newStore)
		})
	}
}

// t0 is the suite's reference time: every fixture time is relative to it.
var t0 = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

func minutes(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

// keys returns the articles' keys in order.
func keys(arts []briefing.Article) []string {
	out := make([]string, len(arts))
	for i, a := range arts {
		out[i] = a.Key()
	}
	return out
}

// titles returns the articles' titles in order.
func titles(arts []briefing.Article) []string {
	out := make([]string, len(arts))
	for i, a := range arts {
		out[i] = a.Title
	}
	return out
}

// withoutID clears the store-assigned IDs so articles compare with their
// inputs.
func withoutID(arts ...briefing.Article) []briefing.Article {
	out := slices.Clone(arts)
	for i := range out {
		out[i].ID = ""
	}
	return out
}

func mustAdd(t *testing.T, s storage.Store, fetched time.Time, arts ...briefing.Article) int {
	t.Helper()
	n, err := s.AddArticles(context.Background(), arts, fetched)
	if err != nil {
		t.Fatalf("AddArticles: %v", err)
	}
	return n
}

func mustQuery(t *testing.T, q string) briefing.Query {
	t.Helper()
	pq, err := briefing.ParseQuery(q)
	if err != nil {
		t.Fatalf("ParseQuery(%q): %v", q, err)
	}
	return pq
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("%s: err = %v, want bot.ErrNotFound", what, err)
	}
}

func diff(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// newestFirst checks that arts are ordered by Fetched, newest first.
func newestFirst(t *testing.T, what string, arts []briefing.Article) {
	t.Helper()
	for i := 1; i < len(arts); i++ {
		if arts[i].Fetched.After(arts[i-1].Fetched) {
			t.Errorf("%s: result %d (%q, fetched %s) is newer than result %d (%q, fetched %s)",
				what, i, arts[i].Title, arts[i].Fetched, i-1, arts[i-1].Title, arts[i-1].Fetched)
		}
	}
}

func ch(id string) bot.ChannelRef { return bot.ChannelRef{Platform: "slack", Team: "T1", Channel: id} }

func article(i int, title, text, source string) briefing.Article {
	return briefing.Article{
		GUID:      fmt.Sprintf("tag:example.com,2026:%d", i),
		URL:       fmt.Sprintf("https://example.com/news/%d", i),
		Title:     title,
		Text:      text,
		Source:    source,
		Published: minutes(i).Add(-time.Hour),
		Fetched:   minutes(i),
	}
}

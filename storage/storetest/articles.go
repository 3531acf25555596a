package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
)

func testArticles(t *testing.T, newStore NewStore) {
	t.Run("AddDedupesAndKeepsFields", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := newStore(t)
		a := article(1, "G20 leaders meet", "The summit opened.", "Reuters")
		b := article(2, "Climate deal", "A deal was struck.", "BBC")
		if n := mustAdd(t, s, minutes(5), a, b); n != 2 {
			t.Fatalf("first add: added %d, want 2", n)
		}
		if n := mustAdd(t, s, minutes(6), a, b); n != 0 {
			t.Errorf("second add of the same articles: added %d, want 0", n)
		}
		for _, x := range []briefing.Article{a, b} {
			seen, err := s.Seen(ctx, x.Key())
			if err != nil || !seen {
				t.Errorf("Seen(%q) = %v, %v; want true", x.Title, seen, err)
			}
		}
		if seen, err := s.Seen(ctx, "u:unknown"); err != nil || seen {
			t.Errorf("Seen(unknown) = %v, %v; want false", seen, err)
		}
		got, err := s.SearchArticles(ctx, mustQuery(t, "summit OR deal"), bot.SearchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range got {
			if g.ID == "" {
				t.Errorf("article %q has no store ID", g.Title)
			}
		}
		if len(got) == 2 && got[0].ID == got[1].ID {
			t.Errorf("two articles share ID %q", got[0].ID)
		}
		diff(t, "stored articles", withoutID(got...), []briefing.Article{b, a})
	})

	t.Run("DuplicateInBatch", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		a := article(1, "Same story", "Text.", "AP")
		if n := mustAdd(t, s, minutes(1), a, a, a); n != 1 {
			t.Errorf("added %d, want 1", n)
		}
	})

	t.Run("UpdatedItemIsNotNew", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := newStore(t)
		a := article(1, "Original headline", "Original text.", "AP")
		mustAdd(t, s, minutes(1), a)
		changed := a
		changed.Title = "Corrected headline"
		changed.Published = a.Published.Add(time.Hour)
		changed.Fetched = minutes(30)
		if n := mustAdd(t, s, minutes(30), changed); n != 0 {
			t.Errorf("an item whose only change is its update added %d, want 0", n)
		}
		got, err := s.ArticleByURL(ctx, a.URL)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "stored article", withoutID(got), withoutID(a))
	})

	t.Run("FetchedDefault", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := newStore(t)
		own := article(1, "Has its own fetched time", "x", "AP")
		none := article(2, "Has no fetched time", "y", "AP")
		none.Fetched = time.Time{}
		mustAdd(t, s, minutes(10), own, none)
		got, err := s.ArticleByURL(ctx, none.URL)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Fetched.Equal(minutes(10)) {
			t.Errorf("Fetched = %s, want the batch time %s", got.Fetched, minutes(10))
		}
		got, err = s.ArticleByURL(ctx, own.URL)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Fetched.Equal(own.Fetched) {
			t.Errorf("Fetched = %s, want the article's own %s", got.Fetched, own.Fetched)
		}
	})

	t.Run("NoFetchedTimeIsAnErrorAndStoresNothing", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := newStore(t)
		ok := article(1, "Fine", "x", "AP")
		bad := article(2, "No time at all", "y", "AP")
		bad.Fetched = time.Time{}
		n, err := s.AddArticles(ctx, []briefing.Article{ok, bad}, time.Time{})
		if err == nil {
			t.Fatalf("AddArticles with no fetched time: added %d, want an error", n)
		}
		if seen, _ := s.Seen(ctx, ok.Key()); seen {
			t.Error("the valid article of a refused batch was stored")
		}
	})

	t.Run("Empty", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if n := mustAdd(t, s, minutes(1)); n != 0 {
			t.Errorf("empty batch added %d", n)
		}
	})

	t.Run("MinimalArticles", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := newStore(t)
		// No GUID, no URL, no dates: identified by a hash of title and text.
		arts := []briefing.Article{
			{Title: "Only a title"},
			{Text: "Only a text about tariffs."},
			{Title: "Non-ASCII: Zürich, 東京, naïve café"},
		}
		if n := mustAdd(t, s, minutes(1), arts...); n != 3 {
			t.Fatalf("added %d, want 3", n)
		}
		got, err := s.SearchArticles(ctx, mustQuery(t, "tariffs"), bot.SearchOptions{})
		if err != nil || len(got) != 1 || got[0].Text != arts[1].Text {
			t.Errorf("search tariffs = %q, %v", titles(got), err)
		}
		got, err = s.SearchArticles(ctx, mustQuery(t, "東京"), bot.SearchOptions{})
		if err != nil || len(got) != 1 || got[0].Title != arts[2].Title {
			t.Errorf("search 東京 = %q, %v", titles(got), err)
		}
	})
}

func testConcurrency(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t)
	shared := make([]briefing.Article, 50)
	for i := range shared {
		shared[i] = article(i, fmt.Sprintf("Shared story %d", i), "shared text", "AP")
	}
	const workers = 6
	var wg sync.WaitGroup
	added := make([]int, workers)
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			arts := append([]briefing.Article(nil), shared...)
			for j := range 10 {
				arts = append(arts, article(1000+w*100+j, fmt.Sprintf("Own story %d/%d", w, j), "own text", "BBC"))
			}
			for i, a := range arts { // overlapping batches, in different orders
				arts[i] = arts[(i+w*7)%len(arts)]
				arts[(i+w*7)%len(arts)] = a
			}
			added[w], errs[w] = s.AddArticles(ctx, arts, minutes(1))
			// Readers run while others write.
			if _, err := s.SearchArticles(ctx, mustQuery(t, "story"), bot.SearchOptions{Limit: 20}); err != nil && errs[w] == nil {
				errs[w] = err
			}
		})
	}
	wg.Wait()
	total := 0
	for w := range workers {
		if errs[w] != nil {
			t.Fatalf("worker %d: %v", w, errs[w])
		}
		total += added[w]
	}
	if want := len(shared) + workers*10; total != want {
		t.Errorf("concurrent adds added %d in total, want %d (each key exactly once)", total, want)
	}
	got, err := s.SearchArticles(ctx, mustQuery(t, "story"), bot.SearchOptions{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(shared) + workers*10; len(got) != want {
		t.Errorf("search found %d articles, want %d", len(got), want)
	}
}

func testCanceled(t *testing.T, newStore NewStore) {
	s := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a := article(1, "Never stored", "x", "AP")
	if _, err := s.AddArticles(ctx, []briefing.Article{a}, minutes(1)); !errors.Is(err, context.Canceled) {
		t.Errorf("AddArticles with a canceled context: err = %v, want context.Canceled", err)
	}
	if seen, err := s.Seen(context.Background(), a.Key()); err != nil || seen {
		t.Errorf("after a canceled add, Seen = %v, %v; want false", seen, err)
	}
	if _, err := s.SearchArticles(ctx, mustQuery(t, "stored"), bot.SearchOptions{}); err == nil {
		t.Error("SearchArticles with a canceled context: no error")
	}
}

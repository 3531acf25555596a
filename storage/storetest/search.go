package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/storage"
)

// corpus is the fixed search fixture. Fetched times are distinct and not
// in slice order, so ordering by insertion would fail the tests.
func corpus() []briefing.Article {
	arts := []briefing.Article{
		article(1, "G20 leaders meet in Rio", "The G20 summit opened on Monday. Leaders discussed climate finance.", "Reuters"),
		article(2, "Climate summit ends", "The climate summit ended with a deal on emissions.", "BBC"),
		article(3, "Summits and talks", "Several summits took place; climate talks stalled.", "AP"),
		article(4, "Football transfer window opens", "Clubs spend on sport; the transfer window is open.", "BBC"),
		article(5, "Ukraine sport news", "The Ukraine national team wins in sport.", "Reuters"),
		article(6, "Ukraine talks resume", "Diplomats from Ukraine met in Geneva.", "AP"),
		article(7, "Café culture in Paris", "The café scene thrives.", "Le Monde"),
		article(8, "The G-20 in numbers", "Growth of 2.5 percent was forecast by the g-20.", "FT"),
		article(9, `AND OR NOT NEAR "quoted" col:umn * ^ {title}`,
			`Robert'); DROP TABLE articles;-- and "Bobby" tables; NEAR(a b, 3)`, "Evil"),
	}
	// Fetched order differs from slice order: 8, 1, 6, 2, 9, 3, 7, 4, 5
	// (oldest first).
	order := []int{8, 1, 6, 2, 9, 3, 7, 4, 5}
	for rank, n := range order {
		arts[n-1].Fetched = minutes(10 * (rank + 1))
	}
	return arts
}

// expected returns the corpus articles that match q within opts, newest
// first, by brute force with the engine's own matcher.
func expected(c *corpusDocs, q briefing.Query, opts bot.SearchOptions) []briefing.Article {
	var out []briefing.Article
	for _, a := range c.arts {
		if !opts.Since.IsZero() && !a.Fetched.After(opts.Since) {
			continue
		}
		if len(opts.Sources) > 0 && !slices.Contains(opts.Sources, a.Source) {
			continue
		}
		if _, ok := q.Match(c.doc(a)); ok {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b briefing.Article) int { return b.Fetched.Compare(a.Fetched) })
	return out
}

// corpusDocs holds the prepared documents of a fixture corpus, which is
// matched against many queries (NewDoc, stemming, dominates otherwise).
type corpusDocs struct {
	arts []briefing.Article
	docs map[string]briefing.Doc // by Key
}

func newCorpusDocs(arts []briefing.Article) *corpusDocs {
	c := &corpusDocs{arts: arts, docs: make(map[string]briefing.Doc, len(arts))}
	for _, a := range arts {
		c.docs[a.Key()] = briefing.NewDoc(a)
	}
	return c
}

// doc returns a's prepared document; articles outside the corpus (a store
// bug) are prepared on the spot.
func (c *corpusDocs) doc(a briefing.Article) briefing.Doc {
	if d, ok := c.docs[a.Key()]; ok {
		return d
	}
	return briefing.NewDoc(a)
}

// checkSearch runs one search and checks it against the brute-force answer:
// results are newest first and within opts; the matching results are
// exactly the newest matches that fit the limit (a store may add
// non-matching candidates, but never at the cost of a match).
func checkSearch(t *testing.T, s storage.Store, c *corpusDocs, query string, opts bot.SearchOptions) []briefing.Article {
	t.Helper()
	q := mustQuery(t, query)
	got, err := s.SearchArticles(context.Background(), q, opts)
	if err != nil {
		t.Fatalf("SearchArticles(%q): %v", query, err)
	}
	want := expected(c, q, opts)
	limit := opts.Limit
	if limit > 0 && len(want) > limit {
		want = want[:limit]
	}
	if limit > 0 && len(got) > limit {
		t.Errorf("SearchArticles(%q, limit %d) returned %d articles", query, limit, len(got))
	}
	newestFirst(t, fmt.Sprintf("SearchArticles(%q)", query), got)
	var matched []briefing.Article
	for _, g := range got {
		if !opts.Since.IsZero() && !g.Fetched.After(opts.Since) {
			t.Errorf("SearchArticles(%q): %q fetched %s, not after Since %s", query, g.Title, g.Fetched, opts.Since)
		}
		if len(opts.Sources) > 0 && !slices.Contains(opts.Sources, g.Source) {
			t.Errorf("SearchArticles(%q): %q is from %q, not one of %q", query, g.Title, g.Source, opts.Sources)
		}
		if _, ok := q.Match(c.doc(g)); ok {
			matched = append(matched, g)
		}
	}
	if !slices.Equal(keys(matched), keys(want)) {
		t.Errorf("SearchArticles(%q, %+v): %s", query, opts, explain(matched, want))
	}
	return matched
}

func testSearch(t *testing.T, newStore NewStore) {
	s := newStore(t)
	arts := corpus()
	if n := mustAdd(t, s, time.Time{}, arts...); n != len(arts) {
		t.Fatalf("added %d, want %d", n, len(arts))
	}
	c := newCorpusDocs(arts)
	tests := []struct {
		name  string
		query string
		opts  bot.SearchOptions
		// want lists the titles expected, newest first, checked on top of
		// the brute-force comparison so that the suite does not only trust
		// the engine's matcher.
		want []string
	}{
		{name: "word", query: "g20", want: []string{"G20 leaders meet in Rio"}},
		{name: "case", query: "RIO", want: []string{"G20 leaders meet in Rio"}},
		{name: "stemmed", query: "summit", want: []string{"Summits and talks", "Climate summit ends", "G20 leaders meet in Rio"}},
		{name: "phrase", query: `"climate summit"`, want: []string{"Climate summit ends"}},
		{name: "words not phrase", query: "climate summit", want: []string{"Summits and talks", "Climate summit ends", "G20 leaders meet in Rio"}},
		{name: "exclusion", query: "ukraine -sport", want: []string{"Ukraine talks resume"}},
		{name: "phrase exclusion", query: `window -"transfer window"`, want: nil},
		{name: "or", query: "g20 OR café", want: []string{"Café culture in Paris", "G20 leaders meet in Rio"}},
		{name: "and of ors", query: "climate talks OR deal", want: []string{"Summits and talks", "Climate summit ends"}},
		{name: "hyphenated", query: "g-20", want: []string{"The G-20 in numbers"}},
		{name: "number", query: "2.5", want: []string{"The G-20 in numbers"}},
		{name: "non-ascii", query: "café", want: []string{"Café culture in Paris"}},
		{name: "sql injection", query: `"drop table" articles`, want: []string{`AND OR NOT NEAR "quoted" col:umn * ^ {title}`}},
		{name: "fts operators as words", query: "NOT near", want: []string{`AND OR NOT NEAR "quoted" col:umn * ^ {title}`}},
		{name: "fts column syntax", query: "col:umn title:rio", want: nil},
		{name: "fts near syntax", query: "NEAR(a", want: []string{`AND OR NOT NEAR "quoted" col:umn * ^ {title}`}},
		{name: "quote in word", query: "robert'); --", want: []string{`AND OR NOT NEAR "quoted" col:umn * ^ {title}`}},
		{name: "no match", query: "volcano", want: nil},
		{name: "sources", query: "ukraine", opts: bot.SearchOptions{Sources: []string{"AP"}}, want: []string{"Ukraine talks resume"}},
		{name: "two sources", query: "talks OR news OR rio", opts: bot.SearchOptions{Sources: []string{"AP", "Reuters"}},
			want: []string{"Ukraine sport news", "Summits and talks", "Ukraine talks resume", "G20 leaders meet in Rio"}},
		{name: "unknown source", query: "ukraine", opts: bot.SearchOptions{Sources: []string{"Nobody"}}, want: nil},
		{name: "since", query: "summit", opts: bot.SearchOptions{Since: minutes(40)}, want: []string{"Summits and talks"}},
		{name: "since is exclusive", query: "summit", opts: bot.SearchOptions{Since: minutes(39)}, want: []string{"Summits and talks", "Climate summit ends"}},
		{name: "limit", query: "summit OR ukraine", opts: bot.SearchOptions{Limit: 2}, want: []string{"Ukraine sport news", "Summits and talks"}},
		{name: "all options", query: "summit OR ukraine OR talks", opts: bot.SearchOptions{Since: minutes(25), Sources: []string{"AP", "BBC"}, Limit: 2},
			want: []string{"Summits and talks", "Climate summit ends"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := checkSearch(t, s, c, tc.query, tc.opts)
			if !slices.Equal(titles(got), tc.want) {
				t.Errorf("SearchArticles(%q) = %q, want %q", tc.query, titles(got), tc.want)
			}
		})
	}

	t.Run("zero query", func(t *testing.T) {
		t.Parallel()
		got, err := s.SearchArticles(context.Background(), briefing.Query{}, bot.SearchOptions{})
		if err != nil || len(got) != 0 {
			t.Errorf("zero query = %q, %v; want nothing", titles(got), err)
		}
	})

	t.Run("default limit", func(t *testing.T) {
		t.Parallel()
		got, err := s.SearchArticles(context.Background(), mustQuery(t, "the"), bot.SearchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			t.Error("limit 0 returned nothing; want the store's default limit")
		}
	})
}

// testSearchRandom compares searches over a generated corpus with the
// brute-force answer: a small vocabulary with stems, hyphens, numbers and
// non-ASCII words, and random queries with phrases, OR and exclusions.
func testSearchRandom(t *testing.T, newStore NewStore) {
	s := newStore(t)
	vocab := strings.Fields(`summit summits climate talks talk g20 g-20 2.5 2,5 café cafe über uber
		rio leaders leader deal deals won't won the a of sport sports ukraine geneva o'neill oneill
		putin's putin trade-war trade war zürich NEAR AND OR NOT col:umn "quoted" * ^ {x}`)
	sources := []string{"AP", "BBC", "Reuters", "FT"}
	rng := rand.New(rand.NewPCG(1, 2))
	phrase := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = vocab[rng.IntN(len(vocab))]
		}
		return strings.Join(w, " ")
	}
	arts := make([]briefing.Article, 300)
	stamps := rng.Perm(100000)
	for i := range arts {
		arts[i] = briefing.Article{
			GUID:    fmt.Sprintf("urn:random:%d", i),
			URL:     fmt.Sprintf("https://example.org/r/%d", i),
			Title:   phrase(3 + rng.IntN(5)),
			Text:    phrase(5 + rng.IntN(25)),
			Source:  sources[rng.IntN(len(sources))],
			Fetched: t0.Add(time.Duration(stamps[i]) * time.Second), // distinct
		}
	}
	for i := 0; i < len(arts); i += 50 {
		mustAdd(t, s, time.Time{}, arts[i:i+50]...)
	}
	c := newCorpusDocs(arts)
	word := func() string {
		for {
			w := vocab[rng.IntN(len(vocab))]
			if len(briefing.Tokens(w)) > 0 {
				return w
			}
		}
	}
	checked := 0
	for checked < 150 {
		var parts []string
		for range 1 + rng.IntN(2) {
			switch r := rng.IntN(10); {
			case r < 5:
				parts = append(parts, word())
			case r < 7:
				parts = append(parts, `"`+word()+" "+word()+`"`)
			default:
				parts = append(parts, word()+" OR "+word())
			}
		}
		if rng.IntN(3) == 0 {
			parts = append(parts, "-"+word())
		}
		query := strings.Join(parts, " ")
		if _, err := briefing.ParseQuery(query); err != nil {
			continue
		}
		opts := bot.SearchOptions{Limit: 1000}
		switch rng.IntN(4) {
		case 0:
			opts.Limit = 1 + rng.IntN(5)
		case 1:
			opts.Since = t0.Add(time.Duration(rng.IntN(100000)) * time.Second)
		case 2:
			opts.Sources = sources[:1+rng.IntN(2)]
		}
		checkSearch(t, s, c, query, opts)
		checked++
	}
}

func testArticleByURL(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	s := newStore(t)
	a := article(1, "G20 leaders meet", "x", "Reuters")
	a.URL = "https://example.com/world/g20-rio?id=7&lang=en"
	newer := article(2, "Same page, another GUID", "y", "Reuters")
	newer.URL = "https://EXAMPLE.com/world/g20-rio/?lang=en&id=7&utm_source=rss"
	older := article(3, "Unrelated", "z", "AP")
	mustAdd(t, s, minutes(1), a)
	mustAdd(t, s, minutes(2), newer, older)

	tests := []struct {
		name, url, want string
	}{
		{"exact", "https://example.com/world/g20-rio?id=7&lang=en", newer.Title},
		{"canonical form", "http://example.com:80/world/g20-rio", ""},
		{"tracking, case, order, slash, fragment", "https://Example.COM/world/g20-rio/?utm_medium=x&lang=en&id=7#top", newer.Title},
		{"other", older.URL, older.Title},
		{"unknown", "https://example.com/nothing", ""},
		{"empty", "", ""},
		{"garbage", "%%%", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.ArticleByURL(ctx, tc.url)
			if tc.want == "" {
				wantNotFound(t, "ArticleByURL("+tc.url+")", err)
				return
			}
			if err != nil {
				t.Fatalf("ArticleByURL(%q): %v", tc.url, err)
			}
			if got.Title != tc.want {
				t.Errorf("ArticleByURL(%q) = %q, want %q (the newest with that canonical URL)", tc.url, got.Title, tc.want)
			}
		})
	}
}

func testPrune(t *testing.T, newStore NewStore) {
	const day = 24 * time.Hour
	const retention = 30 * day

	t.Run("ArticlesGoKeysStay", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := newStore(t)
		old := article(1, "Old summit story", "summit", "AP")
		old.Fetched = t0
		edge := article(2, "Summit exactly at the cutoff", "summit", "AP")
		edge.Fetched = t0.Add(day)
		fresh := article(3, "Fresh summit story", "summit", "AP")
		fresh.Fetched = t0.Add(20 * day)
		mustAdd(t, s, time.Time{}, old, edge, fresh)

		n, err := s.Prune(ctx, t0.Add(day+retention), retention)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("Prune deleted %d articles, want 1", n)
		}
		got, err := s.SearchArticles(ctx, mustQuery(t, "summit"), bot.SearchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{fresh.Title, edge.Title}; !slices.Equal(titles(got), want) {
			t.Errorf("after prune, search = %q, want %q", titles(got), want)
		}
		_, err = s.ArticleByURL(ctx, old.URL)
		wantNotFound(t, "ArticleByURL(pruned)", err)
		if seen, err := s.Seen(ctx, old.Key()); err != nil || !seen {
			t.Errorf("Seen(pruned) = %v, %v; want true", seen, err)
		}
		if n := mustAdd(t, s, t0.Add(day+retention), old); n != 0 {
			t.Errorf("a pruned item came back as new (added %d)", n)
		}
		if n, err := s.Prune(ctx, t0.Add(day+retention), retention); err != nil || n != 0 {
			t.Errorf("second prune deleted %d, %v; want 0", n, err)
		}
	})

	t.Run("KeysExpireWhenNoFeedCarriesThem", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := newStore(t)
		keyTTL := storage.SeenRetention(retention)
		gone := article(1, "Left every feed", "x", "AP")
		carried := article(2, "Still in a feed", "y", "AP")
		mustAdd(t, s, t0, gone, carried)
		// A later fetch still carries one of them: its key is refreshed.
		mustAdd(t, s, t0.Add(50*day), carried)

		if _, err := s.Prune(ctx, t0.Add(keyTTL-day), retention); err != nil {
			t.Fatal(err)
		}
		for _, a := range []briefing.Article{gone, carried} {
			if seen, _ := s.Seen(ctx, a.Key()); !seen {
				t.Errorf("key of %q forgotten before the key retention", a.Title)
			}
		}
		if _, err := s.Prune(ctx, t0.Add(keyTTL+day), retention); err != nil {
			t.Fatal(err)
		}
		if seen, _ := s.Seen(ctx, gone.Key()); seen {
			t.Errorf("key of %q kept %s after the last fetch that carried it; want it forgotten after %s", gone.Title, keyTTL+day, keyTTL)
		}
		if seen, _ := s.Seen(ctx, carried.Key()); !seen {
			t.Errorf("key of %q forgotten although a fetch carried it %s ago", carried.Title, keyTTL+day-50*day)
		}
	})

	t.Run("BadMaxAge", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		mustAdd(t, s, t0, article(1, "Kept", "x", "AP"))
		if _, err := s.Prune(context.Background(), t0.Add(time.Hour), 0); err == nil {
			t.Error("Prune with max age 0: no error")
		}
		if seen, _ := s.Seen(context.Background(), article(1, "Kept", "x", "AP").Key()); !seen {
			t.Error("a refused prune lost data")
		}
	})
}

// explain describes how two result lists differ, briefly.
func explain(got, want []briefing.Article) string {
	gk, wk := keys(got), keys(want)
	var missing, extra []string
	for i, k := range wk {
		if !slices.Contains(gk, k) {
			missing = append(missing, want[i].Title)
		}
	}
	for i, k := range gk {
		if !slices.Contains(wk, k) {
			extra = append(extra, got[i].Title)
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		for i := range gk {
			if gk[i] != wk[i] {
				return fmt.Sprintf("same %d matches, but result %d is %q, want %q (newest first)", len(gk), i, got[i].Title, want[i].Title)
			}
		}
	}
	return fmt.Sprintf("got %d matches, want %d; missing %q; unexpected %q", len(got), len(want), missing, extra)
}

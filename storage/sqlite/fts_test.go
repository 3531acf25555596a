package sqlite

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
)

func TestMatchExpr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query   string
		sources []string
		want    string
	}{
		{query: "g20", want: `{title body} : (("g20"))`},
		{query: "Summits", want: `{title body} : (("summit"))`},
		{query: `"climate summits"`, want: `{title body} : (("climat summit"))`},
		{query: "g20 summit OR talks", want: `{title body} : (("g20") AND ("summit" OR "talk"))`},
		{query: `ukraine -sport -"transfer window"`,
			want: `({title body} : (("ukrain"))) NOT ({title body} : ("sport" OR "transfer window"))`},
		{query: "g-20 o'neill 2.5", want: "{title body} : ((\"g\ue00320\") AND (\"o\ue000neil\") AND (\"2\ue0015\"))"},
		// A word the engine splits is a sequence for it too: a phrase.
		{query: `NEAR(a AND col:umn`, want: `{title body} : (("near a") AND ("and") AND ("col umn"))`},
		{query: "g20", sources: []string{"AP"}, want: "({title body} : ((\"g20\"))) AND (src : (\"" + sourceToken("AP") + "\"))"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			t.Parallel()
			q, err := briefing.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := matchExpr(q, tc.sources)
			if !ok || got != tc.want {
				t.Errorf("matchExpr(%q) = %q, %v\nwant %q", tc.query, got, ok, tc.want)
			}
		})
	}
	if _, ok := matchExpr(briefing.Query{}, nil); ok {
		t.Error("the zero query translated to an expression")
	}
}

func TestEncodeStemIsOneToken(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"g-20 o'neill 2.5 2,5 don’t rock-'n'-roll", "Zürich 東京 naïve"} {
		for _, tok := range briefing.Tokens(text) {
			enc := encodeStem(briefing.Stem(tok))
			for i := 0; i < len(enc); i++ {
				c := enc[i]
				if c < 0x80 && !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
					t.Errorf("token %q encodes to %q, which the ascii tokenizer would split at %q", tok, enc, c)
				}
			}
		}
	}
}

// fuzzCorpus is a small corpus the fuzz target searches.
func fuzzCorpus() []briefing.Article {
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	texts := []string{
		"G20 leaders meet in Rio; the climate summit opens",
		"Ukraine talks resume in Geneva, not sport",
		"The G-20 forecast 2.5 percent growth: O'Neill's view",
		`AND OR NOT NEAR "quoted" col:umn * ^ {title} '); DROP TABLE articles; --`,
		"Café culture in Zürich and 東京, naïve über alles",
	}
	arts := make([]briefing.Article, len(texts))
	for i, s := range texts {
		title, text, _ := strings.Cut(s, ";")
		arts[i] = briefing.Article{GUID: "urn:fuzz:" + s, Title: title, Text: text, Source: []string{"AP", "BBC"}[i%2],
			Fetched: t0.Add(time.Duration(i) * time.Minute)}
	}
	return arts
}

// FuzzSearchQuery checks that no user query, however hostile, reaches
// SQLite as bad FTS5 syntax or SQL, and that the results are exactly the
// articles the engine's matcher accepts.
func FuzzSearchQuery(f *testing.F) {
	file, err := os.Open("testdata/queries.txt")
	if err != nil {
		f.Fatal(err)
	}
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		f.Add(sc.Text(), false)
	}
	file.Close()
	ctx := context.Background()
	s, err := Open(ctx, ":memory:", Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Close() })
	arts := fuzzCorpus()
	if _, err := s.AddArticles(ctx, arts, time.Time{}); err != nil {
		f.Fatal(err)
	}
	docs := make([]briefing.Doc, len(arts))
	for i, a := range arts {
		docs[i] = briefing.NewDoc(a)
	}
	f.Fuzz(func(t *testing.T, query string, onlyAP bool) {
		q, err := briefing.ParseQuery(query)
		if err != nil {
			return // the engine refuses it before it reaches a store
		}
		opts := bot.SearchOptions{}
		if onlyAP {
			opts.Sources = []string{"AP", query} // user text as a source name too
		}
		got, err := s.SearchArticles(ctx, q, opts)
		if err != nil {
			expr, _ := matchExpr(q, opts.Sources)
			t.Fatalf("SearchArticles(%q): %v (MATCH %q)", query, err, expr)
		}
		want := map[string]bool{}
		for i, a := range arts {
			if _, ok := q.Match(docs[i]); ok && (!onlyAP || a.Source == "AP") {
				want[a.Key()] = true
			}
		}
		for _, g := range got {
			if !want[g.Key()] {
				t.Errorf("SearchArticles(%q) returned %q, which does not match", query, g.Title)
			}
			delete(want, g.Key())
		}
		if len(want) > 0 {
			t.Errorf("SearchArticles(%q) missed %d matching articles", query, len(want))
		}
	})
}

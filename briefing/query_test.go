package briefing_test

import (
	"bufio"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/briefing"
)

// render writes q back in query syntax with Term.String.
func render(q briefing.Query) string {
	term := briefing.Term.String
	var parts []string
	for _, g := range q.All {
		var alts []string
		for _, t := range g {
			alts = append(alts, term(t))
		}
		parts = append(parts, strings.Join(alts, " OR "))
	}
	for _, t := range q.None {
		parts = append(parts, "-"+term(t))
	}
	return strings.Join(parts, " ")
}

// shape describes a parsed query for comparison: groups of terms, then the
// excluded terms.
func shape(q briefing.Query) string {
	var parts []string
	for _, g := range q.All {
		var alts []string
		for _, t := range g {
			alts = append(alts, strings.Join(t.Words, "_"))
		}
		parts = append(parts, "("+strings.Join(alts, "|")+")")
	}
	for _, t := range q.None {
		parts = append(parts, "-"+strings.Join(t.Words, "_"))
	}
	return strings.Join(parts, " ")
}

func TestParseQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: "g20", want: "(g20)"},
		{in: `"climate summit"`, want: "(climate_summit)"},
		{in: "ukraine -sport", want: "(ukraine) -sport"},
		{in: "Brexit OR trade", want: "(brexit|trade)"},
		{in: "g20 summit OR talks", want: "(g20) (summit|talks)"},
		{in: "ferry or strike", want: "(ferry|strike)"},
		{in: "news about the g20", want: "(news) (about) (the) (g20)"},
		{in: `"the who"`, want: "(the_who)"},
		{in: `U.S. election -"primary season"`, want: "(u_s) (election) -primary_season"},
		{in: `“curly quotes” -“left out”`, want: "(curly_quotes) -left_out"},
		{in: "Putin's G-20", want: "(putin) (g-20)"},
		{in: `rock "or" roll`, want: "(rock) (or) (roll)"},
		{in: `-sport`, wantErr: "no words to look for"},
		{in: `the`, want: "(the)"},
		{in: `-the`, wantErr: "no words to look for"},
		{in: `  `, wantErr: "no words to look for"},
		{in: `"unbalanced`, wantErr: "unbalanced quote"},
		{in: `OR g20`, wantErr: "OR needs a word on each side"},
		{in: `g20 OR`, wantErr: "OR needs a word on each side"},
		{in: `g20 OR OR talks`, wantErr: "OR needs a word on each side"},
		{in: `g20 OR -sport`, wantErr: "OR cannot join an excluded term"},
		{in: strings.Repeat("word ", 33), wantErr: "more than 32"},
		{in: strings.Repeat("x", 501), wantErr: "limit is 500"},
		{in: "g20 \xff", wantErr: "not valid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			q, err := briefing.ParseQuery(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := shape(q); got != tc.want {
				t.Errorf("parsed as %s, want %s", got, tc.want)
			}
			if q.String() != strings.TrimSpace(tc.in) {
				t.Errorf("String() = %q, want the input", q.String())
			}
		})
	}
}

func TestTermStringParsesBack(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`"climate summit"`, "U.S.", `"the"`, `"or"`, "g20", `"Or"`} {
		q := mustQuery(t, in)
		term := q.All[0][0]
		again := mustQuery(t, term.String())
		if shape(again) != shape(q) {
			t.Errorf("%q: term renders as %q, which parses as %s, not %s", in, term.String(), shape(again), shape(q))
		}
	}
}

func TestParseQueryEmptyIsErrEmptyQuery(t *testing.T) {
	t.Parallel()
	if _, err := briefing.ParseQuery("-football"); !errors.Is(err, briefing.ErrEmptyQuery) {
		t.Errorf("err = %v, want ErrEmptyQuery", err)
	}
}

func TestQueryMatch(t *testing.T) {
	t.Parallel()
	doc := briefing.NewDoc(briefing.Article{
		Title: "Leaders gather for G20 summits in Hamburg",
		Text:  "The climate summit ended on Tuesday. Football fans were not amused. Peace talks resume next week.",
	})
	tests := []struct {
		query string
		match bool
	}{
		{query: "g20", match: true},
		{query: "G20 summit", match: true},             // "summits" in the title stems to "summit"
		{query: `"climate summit"`, match: true},       // phrase in order
		{query: `"summit climate"`, match: false},      // not in that order
		{query: `"hamburg the climate"`, match: false}, // a phrase does not span headline and text
		{query: "g20 -football", match: false},
		{query: "g20 -cricket", match: true},
		{query: "cricket OR football", match: true},
		{query: "cricket OR tennis", match: false},
		{query: "g20 cricket", match: false},
		{query: "TALKS", match: true},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			t.Parallel()
			score, ok := mustQuery(t, tc.query).Match(doc)
			if ok != tc.match {
				t.Fatalf("match = %v, want %v", ok, tc.match)
			}
			if ok && score <= 0 {
				t.Errorf("matched with score %v", score)
			}
		})
	}
	if _, ok := (briefing.Query{}).Match(doc); ok {
		t.Error("the zero Query matched")
	}
}

func TestQueryMatchScoresHeadlineHigher(t *testing.T) {
	t.Parallel()
	q := mustQuery(t, "ferry")
	inTitle, _ := q.Match(briefing.NewDoc(briefing.Article{Title: "Ferry strike", Text: "Crews walked out."}))
	inText, _ := q.Match(briefing.NewDoc(briefing.Article{Title: "Strike", Text: "Ferry crews walked out."}))
	if inTitle <= inText {
		t.Errorf("headline mention scored %v, text mention %v", inTitle, inText)
	}
}

// FuzzParseQuery checks that the parser never panics, that what it accepts
// is well formed and bounded by the input, and that rendering a parsed
// query and parsing it again gives the same query.
func FuzzParseQuery(f *testing.F) {
	seeds, err := os.Open("testdata/queries.txt")
	if err != nil {
		f.Fatal(err)
	}
	sc := bufio.NewScanner(seeds)
	for sc.Scan() {
		f.Add(sc.Text())
	}
	seeds.Close()
	f.Fuzz(func(t *testing.T, in string) {
		q, err := briefing.ParseQuery(in)
		if err != nil {
			if !q.IsZero() {
				t.Fatalf("error %v with a non-zero query", err)
			}
			return
		}
		if q.IsZero() {
			t.Fatal("accepted a query with nothing to look for")
		}
		if q.String() != strings.TrimSpace(in) {
			t.Fatalf("String() = %q, want the trimmed input", q.String())
		}
		words, terms := 0, len(q.None)
		check := func(tm briefing.Term) {
			if len(tm.Words) == 0 || len(tm.Stems()) != len(tm.Words) {
				t.Fatalf("term %+v: %d words, %d stems", tm, len(tm.Words), len(tm.Stems()))
			}
			words += len(tm.Words)
		}
		for _, g := range q.All {
			if len(g) == 0 {
				t.Fatal("empty group")
			}
			terms += len(g)
			for _, tm := range g {
				check(tm)
			}
		}
		for _, tm := range q.None {
			check(tm)
		}
		if terms > 32 || words > len(in) {
			t.Fatalf("%d terms and %d words from %d bytes", terms, words, len(in))
		}
		// Round trip, for words the tokenizer leaves as they are (it strips
		// one possessive per pass, so "a's's" gives "a's", then "a").
		for _, g := range append(q.All, q.None) {
			for _, tm := range g {
				for _, w := range tm.Words {
					if toks := briefing.Tokens(w); len(toks) != 1 || toks[0] != w {
						return
					}
				}
			}
		}
		if len(render(q)) > 500 {
			return // quotes added to a query at the length limit
		}
		again, err := briefing.ParseQuery(render(q))
		if err != nil {
			t.Fatalf("rendered %q does not parse: %v", render(q), err)
		}
		if shape(again) != shape(q) {
			t.Fatalf("round trip: %s became %s (via %q)", shape(q), shape(again), render(q))
		}
		// Matching never panics and a query matches a document made of its
		// own words.
		var title []string
		for _, g := range q.All {
			title = append(title, strings.Join(g[0].Words, " "))
		}
		if len(q.None) == 0 {
			if _, ok := q.Match(briefing.NewDoc(briefing.Article{Title: strings.Join(title, " . ")})); !ok && !slices.ContainsFunc(title, func(s string) bool { return s == "" }) {
				t.Fatalf("%s does not match its own words %q", shape(q), title)
			}
		}
	})
}

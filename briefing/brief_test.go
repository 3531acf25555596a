package briefing_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/briefing"
)

// sampleNow is just after the newest sample article.
var sampleNow = time.Date(2017, 5, 3, 10, 5, 0, 0, time.UTC)

func mustQuery(t testing.TB, s string) briefing.Query {
	t.Helper()
	q, err := briefing.ParseQuery(s)
	if err != nil {
		t.Fatalf("ParseQuery(%q): %v", s, err)
	}
	return q
}

func headlines(b briefing.Briefing) []string {
	var out []string
	for _, it := range b.Items {
		out = append(out, it.Headline)
	}
	return out
}

func TestBriefSamples(t *testing.T) {
	t.Parallel()
	arts := sampleArticles(t)
	e := briefing.New(briefing.Config{})
	tests := []struct {
		query    string
		budget   briefing.Budget
		first    string
		items    int
		more     int
		excluded string // a headline that must not appear
	}{
		{query: "g20", first: "Trump and Putin plan face-to-face meeting at G20 in Germany", items: 2},
		{query: `"climate summit"`, first: "Forty countries pledge to close coal plants at Madrid climate summit", items: 1},
		{query: "madrid", items: 2},
		{query: "madrid -sport", first: "Forty countries pledge to close coal plants at Madrid climate summit", items: 1, excluded: "Ronaldo hat-trick puts Real Madrid on course for Cardiff final"},
		{query: "tixly OR coal", items: 2},
		{query: "hamburg rates", items: 0},
		{query: "tuesday", budget: briefing.Budget{Stories: 2}, items: 2, more: 4},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			t.Parallel()
			b := e.Brief(sampleNow, tc.query, mustQuery(t, tc.query), arts, tc.budget)
			got := headlines(b)
			if len(got) != tc.items || b.More != tc.more {
				t.Fatalf("%d items + %d more, want %d + %d: %q", len(got), b.More, tc.items, tc.more, got)
			}
			if tc.first != "" && got[0] != tc.first {
				t.Errorf("first story %q, want %q (all: %q)", got[0], tc.first, got)
			}
			if tc.excluded != "" && slices.Contains(got, tc.excluded) {
				t.Errorf("%q should be excluded", tc.excluded)
			}
			if b.Query != tc.query || !b.Generated.Equal(sampleNow) {
				t.Errorf("query %q generated %v, want %q %v", b.Query, b.Generated, tc.query, sampleNow)
			}
		})
	}
}

func TestBriefItem(t *testing.T) {
	t.Parallel()
	b := briefing.New(briefing.Config{}).Brief(sampleNow, "g20", mustQuery(t, "g20"), sampleArticles(t), briefing.Budget{Sentences: 3})
	it := b.Items[0]
	if n := len(it.Summary); n < 2 || n > 3 {
		t.Errorf("summary has %d sentences, want 2-3: %q", n, it.Summary)
	}
	if !strings.HasPrefix(it.Summary[0], "Donald Trump and Vladimir Putin") {
		t.Errorf("summary does not start with the fixture's lead: %q", it.Summary[0])
	}
	var names []string
	for _, s := range it.Sources {
		names = append(names, s.Name)
	}
	if want := []string{"newsbot fixture", "Harbour Post", "Northern Ledger", "The Daily Courier"}; !slices.Equal(names, want) {
		t.Errorf("sources %q, want %q", names, want)
	}
	if want := time.Date(2017, 5, 3, 6, 30, 0, 0, time.UTC); !it.Published.Equal(want) {
		t.Errorf("published %v, want the newest member's time %v", it.Published, want)
	}
	if it.StoryID == "" || it.Score <= 0 {
		t.Errorf("story ID %q score %v", it.StoryID, it.Score)
	}
	if b.Items[1].Score > it.Score {
		t.Errorf("items not in score order")
	}
}

// at returns an article of one source published at t.
func at(source, title, text string, t time.Time) briefing.Article {
	return briefing.Article{Source: source, Title: title, Text: text, URL: "https://" + strings.ToLower(strings.ReplaceAll(source, " ", "")) + ".example/" + fmt.Sprint(len(title)), Published: t}
}

func TestBriefRanking(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	// Three unrelated stories that all mention the query once in the text.
	dam := func(src string, t time.Time) briefing.Article {
		return at(src, "Dam operators open spillways after heavy rain",
			"Operators opened the spillways of the river dam on Sunday after days of heavy rain, and towns downstream were told to expect flooding. The summit of the flood is expected on Monday.", t)
	}
	choir := func(src string, t time.Time) briefing.Article {
		return at(src, "Children's choir wins national contest",
			"A children's choir from a small mountain town won the national contest on Sunday, beating forty other choirs. Its conductor said the summit of their year had come early.", t)
	}
	bridge := func(src string, t time.Time) briefing.Article {
		return at(src, "Old bridge reopens after repairs",
			"The old stone bridge over the river reopened on Sunday after two years of repairs. The mayor called it the summit of a long campaign by residents.", t)
	}
	tests := []struct {
		name string
		arts []briefing.Article
		want []string
	}{
		{
			name: "more sources first",
			arts: []briefing.Article{choir("Gazette", now.Add(-2*time.Hour)), dam("Gazette", now.Add(-2*time.Hour)), dam("Courier", now.Add(-2*time.Hour)), dam("Wire", now.Add(-2*time.Hour))},
			want: []string{"Dam operators open spillways after heavy rain", "Children's choir wins national contest"},
		},
		{
			name: "newer first",
			arts: []briefing.Article{bridge("Gazette", now.Add(-30*time.Hour)), choir("Gazette", now.Add(-1*time.Hour))},
			want: []string{"Children's choir wins national contest", "Old bridge reopens after repairs"},
		},
		{
			name: "a big story from yesterday beats a lone one from today",
			arts: []briefing.Article{choir("Gazette", now.Add(-1*time.Hour)), dam("Gazette", now.Add(-20*time.Hour)), dam("Courier", now.Add(-20*time.Hour)), dam("Wire", now.Add(-22*time.Hour)), dam("Post", now.Add(-23*time.Hour))},
			want: []string{"Dam operators open spillways after heavy rain", "Children's choir wins national contest"},
		},
		{
			name: "the future counts as now",
			arts: []briefing.Article{bridge("Gazette", now.Add(48*time.Hour)), choir("Gazette", now.Add(-5*time.Hour))},
			want: []string{"Old bridge reopens after repairs", "Children's choir wins national contest"},
		},
		{
			name: "ties keep input order",
			arts: []briefing.Article{bridge("Gazette", now), choir("Gazette", now)},
			want: []string{"Old bridge reopens after repairs", "Children's choir wins national contest"},
		},
	}
	e := briefing.New(briefing.Config{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := headlines(e.Brief(now, "summit", mustQuery(t, "summit"), tc.arts, briefing.Budget{}))
			if !slices.Equal(got, tc.want) {
				t.Errorf("order %q, want %q", got, tc.want)
			}
		})
	}
}

// A headline mention outranks a passing one in the text, other things
// being equal.
func TestBriefRelevance(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	arts := []briefing.Article{
		at("Gazette", "Harbour festival draws record crowds", "Record crowds came to the harbour festival, where a ferry strike was mentioned only in passing.", now),
		at("Courier", "Ferry strike halts island crossings", "Ferry crews went on strike on Sunday, halting all crossings to the islands.", now),
	}
	got := headlines(briefing.New(briefing.Config{}).Brief(now, "ferry", mustQuery(t, "ferry"), arts, briefing.Budget{}))
	if len(got) != 2 || got[0] != "Ferry strike halts island crossings" {
		t.Errorf("order %q, want the headline mention first", got)
	}
}

func TestBriefZeroQueryAndNoArticles(t *testing.T) {
	t.Parallel()
	e := briefing.New(briefing.Config{})
	if b := e.Brief(sampleNow, "x", briefing.Query{}, sampleArticles(t), briefing.Budget{}); !b.Empty() {
		t.Errorf("zero query gave %d items", len(b.Items))
	}
	if b := e.Brief(sampleNow, "g20", mustQuery(t, "g20"), nil, briefing.Budget{}); !b.Empty() {
		t.Errorf("no articles gave %d items", len(b.Items))
	}
}

// A story whose lead carries no text is summarized from another member.
func TestBriefSummaryFallsBackToAnotherMember(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	long := "Ferry crews went on strike on Sunday over pay, halting all crossings between the mainland and the islands. The operator said it wanted talks with the union as soon as possible."
	arts := []briefing.Article{
		at("Gazette", "Ferry strike halts island crossings", "", now),
		at("Courier", "Ferry strike halts island crossings", "", now),
		at("Wire", "Ferry crews strike, halting island crossings", long, now),
	}
	b := briefing.New(briefing.Config{}).Brief(now, "ferry", mustQuery(t, "ferry"), arts, briefing.Budget{})
	if len(b.Items) != 1 {
		t.Fatalf("%d items, want 1: %q", len(b.Items), headlines(b))
	}
	if len(b.Items[0].Summary) == 0 {
		t.Errorf("no summary although a member has text")
	}
}

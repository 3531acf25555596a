package briefing_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
	"github.com/newsbot/newsbot/samples"
)

// sampleArticles returns the bundled sample articles.
func sampleArticles(t testing.TB) []briefing.Article {
	t.Helper()
	arts, problems, err := feeds.ReadArticles(samples.FS(), ".", "newsbot fixture")
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Fatalf("sample problems: %v", problems)
	}
	return arts
}

// partition describes a grouping as sorted lists of article IDs, so that
// two groupings compare independent of order.
func partition(stories []briefing.Story) [][]string {
	var out [][]string
	for _, st := range stories {
		var ids []string
		for _, a := range st.Articles {
			ids = append(ids, a.ID)
		}
		sort.Strings(ids)
		out = append(out, ids)
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// sampleStory is the story a sample article belongs to: its ID up to the
// last dash ("climate-harbour" -> "climate"). The G20 fixture belongs with
// the "g20-call" articles.
func sampleStory(id string) string {
	if id == "g20-trump-putin.txt" {
		return "g20-call"
	}
	if i := strings.LastIndex(id, "-"); i > 0 {
		return id[:i]
	}
	return id
}

func TestGroupSamples(t *testing.T) {
	t.Parallel()
	arts := sampleArticles(t)
	byStory := map[string][]briefing.Article{}
	for _, a := range arts {
		byStory[sampleStory(a.ID)] = append(byStory[sampleStory(a.ID)], a)
	}
	var want []briefing.Story
	for _, members := range byStory {
		want = append(want, briefing.Story{Articles: members})
	}
	if len(want) < 6 {
		t.Fatalf("samples tell %d stories; the test needs several", len(want))
	}
	got := briefing.New(briefing.Config{}).Group(arts)
	if g, w := partition(got), partition(want); fmt.Sprint(g) != fmt.Sprint(w) {
		t.Errorf("grouping:\n got %v\nwant %v", g, w)
	}
}

// quakeArticles writes n reports of one earthquake from a pool of
// sentences, each report picking its own headline and sentences, so that
// reports of the same quake differ in wording while reports of different
// quakes share it.
func quakeArticles(n int, place, region, day, magnitude, id string) []briefing.Article {
	titles := []string{
		"Magnitude {m} earthquake strikes {place}",
		"Strong quake shakes {region}",
		"{place} earthquake: buildings sway in {region}",
		"Earthquake of magnitude {m} hits {place} on {day}",
		"Residents of {region} flee homes after {m} quake",
		"No tsunami threat after {place} quake, officials say",
	}
	sentences := []string{
		"A magnitude {m} earthquake struck {place} on {day}, shaking buildings across {region}.",
		"The quake hit {place} on {day} and was felt throughout {region}.",
		"Officials in {region} said there were no immediate reports of serious damage.",
		"Residents of {region} ran into the streets as the ground shook for almost a minute.",
		"The geological survey measured the {place} earthquake at magnitude {m}.",
		"Authorities said there was no tsunami threat after the {day} quake.",
		"Schools in {region} will stay closed while engineers inspect the buildings.",
		"Several aftershocks followed the {m} tremor in {place}.",
	}
	fill := func(s string) string {
		return strings.NewReplacer("{m}", magnitude, "{place}", place, "{region}", region, "{day}", day).Replace(s)
	}
	var out []briefing.Article
	for k := range n {
		var text []string
		for j := range 4 {
			text = append(text, fill(sentences[(k+3*j)%len(sentences)]))
		}
		out = append(out, briefing.Article{
			ID:     fmt.Sprintf("%s-%d", id, k),
			URL:    fmt.Sprintf("https://outlet%d.example/%s", k, id),
			Source: fmt.Sprintf("Outlet %d", k),
			Title:  fill(titles[k%len(titles)]),
			Text:   strings.Join(text, " "),
		})
	}
	return out
}

// Stories on the same topic (other earthquakes, told in the same words)
// stay apart, and a story told by many outlets is not scattered. Grouping
// favours precision: the members of a big story are each other's nearest
// neighbours, which looks like a crowded topic, so it may come out in a
// few pieces (see docs/quality.md, "Story grouping"), never mixed with another.
func TestGroupBigStoryAmongSimilarOnes(t *testing.T) {
	t.Parallel()
	var arts []briefing.Article
	arts = append(arts, quakeArticles(12, "central Chile", "Valparaiso", "Monday", "7.1", "chile")...)
	arts = append(arts, quakeArticles(4, "northern Japan", "Hokkaido", "Thursday", "6.4", "japan")...)
	arts = append(arts, quakeArticles(3, "western Turkey", "Izmir", "Sunday", "5.8", "turkey")...)
	got := briefing.New(briefing.Config{}).Group(arts)
	for _, st := range got {
		place := sampleStory(st.Articles[0].ID)
		for _, a := range st.Articles[1:] {
			if sampleStory(a.ID) != place {
				t.Errorf("story %q mixes %s and %s", st.Lead().Title, place, a.ID)
			}
		}
	}
	pieces := map[string]int{}
	for _, st := range got {
		pieces[sampleStory(st.Articles[0].ID)]++
	}
	want := map[string]int{"chile": 3, "japan": 1, "turkey": 1} // most pieces allowed
	for place, n := range pieces {
		if n > want[place] {
			t.Errorf("%s told in %d stories, want at most %d: %v", place, n, want[place], partition(got))
		}
	}
}

func TestGroupProperties(t *testing.T) {
	t.Parallel()
	samples := sampleArticles(t)
	dup := samples[0]
	dup.URL, dup.ID, dup.Source = "https://mirror.example/copy", "copy", "Mirror"
	tests := []struct {
		name string
		in   []briefing.Article
	}{
		{name: "samples", in: samples},
		{name: "samples with a verbatim copy", in: append(slices.Clone(samples), dup)},
		{name: "one article", in: samples[:1]},
		{name: "empty articles", in: []briefing.Article{{ID: "a"}, {ID: "b", Title: "?!"}, {ID: "c", Text: "the of and"}}},
		{name: "quakes", in: quakeArticles(6, "Peru", "Lima", "Friday", "6.0", "peru")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := briefing.New(briefing.Config{})
			got := e.Group(tc.in)
			// Every article in exactly one story.
			seen := map[int]bool{}
			count := 0
			lastFirst := -1
			for _, st := range got {
				if len(st.Articles) == 0 {
					t.Fatal("empty story")
				}
				if st.ID != st.Lead().Key() {
					t.Errorf("story ID %q is not the lead's key %q", st.ID, st.Lead().Key())
				}
				first := len(tc.in)
				for _, a := range st.Articles {
					i := slices.IndexFunc(tc.in, func(b briefing.Article) bool { return b.ID == a.ID && b.URL == a.URL })
					if i < 0 || seen[i] {
						t.Fatalf("article %q unknown or in two stories", a.ID)
					}
					seen[i] = true
					first = min(first, i)
					count++
				}
				if first < lastFirst {
					t.Errorf("stories not in the order of their first article")
				}
				lastFirst = first
				// After the lead, members keep input order.
				rest := st.Articles[1:]
				if !slices.IsSortedFunc(rest, func(a, b briefing.Article) int {
					ia := slices.IndexFunc(tc.in, func(x briefing.Article) bool { return x.ID == a.ID && x.URL == a.URL })
					ib := slices.IndexFunc(tc.in, func(x briefing.Article) bool { return x.ID == b.ID && x.URL == b.URL })
					return ia - ib
				}) {
					t.Errorf("members after the lead are not in input order")
				}
			}
			if count != len(tc.in) {
				t.Errorf("%d articles in stories, %d in input", count, len(tc.in))
			}
			// Deterministic.
			if again := e.Group(tc.in); fmt.Sprint(partition(again)) != fmt.Sprint(partition(got)) || again[0].ID != got[0].ID {
				t.Errorf("second run differs")
			}
		})
	}
}

func TestGroupVerbatimCopyJoinsItsStory(t *testing.T) {
	t.Parallel()
	arts := sampleArticles(t)
	dup := arts[3]
	dup.URL, dup.ID = "https://mirror.example/copy", "copy"
	got := briefing.New(briefing.Config{}).Group(append(arts, dup))
	for _, st := range got {
		ids := map[string]bool{}
		for _, a := range st.Articles {
			ids[a.ID] = true
		}
		if ids["copy"] != ids[arts[3].ID] {
			t.Errorf("the copy of %q is not in its story", arts[3].ID)
		}
	}
}

func TestGroupEmpty(t *testing.T) {
	t.Parallel()
	if got := briefing.New(briefing.Config{}).Group(nil); len(got) != 0 {
		t.Errorf("Group(nil) = %v, want no stories", got)
	}
}

// The G20 fixture is the most complete telling of its story, so it leads.
func TestGroupLeadIsMostCentral(t *testing.T) {
	t.Parallel()
	for _, st := range briefing.New(briefing.Config{}).Group(sampleArticles(t)) {
		if sampleStory(st.Lead().ID) == "g20-call" && st.Lead().ID != "g20-trump-putin.txt" {
			t.Errorf("G20 story led by %q, want the fixture", st.Lead().ID)
		}
	}
}

// A query for a niche story hands Group just that story's articles: they
// must still come out as one story (a reader would otherwise see the same
// news two or three times). And two articles of different stories, grouped
// on their own, stay apart.
func TestGroupSmallBatches(t *testing.T) {
	t.Parallel()
	arts := sampleArticles(t)
	e := briefing.New(briefing.Config{})
	byStory := map[string][]briefing.Article{}
	for _, a := range arts {
		byStory[sampleStory(a.ID)] = append(byStory[sampleStory(a.ID)], a)
	}
	for name, members := range byStory {
		if got := e.Group(members); len(got) != 1 {
			t.Errorf("story %s alone (%d articles) came out as %d stories", name, len(members), len(got))
		}
	}
	// Two articles alone give the density little to go on. Of the 150-odd
	// pairs of different stories, only articles on the same G20 summit in
	// Hamburg (a meeting planned there, the police preparing for it) may
	// come close enough to merge.
	var merged []string
	for i, a := range arts {
		for _, b := range arts[i+1:] {
			if sampleStory(a.ID) == sampleStory(b.ID) || len(e.Group([]briefing.Article{a, b})) != 1 {
				continue
			}
			merged = append(merged, a.ID+" + "+b.ID)
			if !strings.HasPrefix(a.ID, "g20-") || !strings.HasPrefix(b.ID, "g20-") {
				t.Errorf("%s and %s merged on their own", a.ID, b.ID)
			}
		}
	}
	if len(merged) > 3 {
		t.Errorf("%d pairs of G20 stories merged on their own: %q", len(merged), merged)
	}
}

package briefing_test

import (
	"fmt"
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

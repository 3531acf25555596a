package briefing_test

import (
	"testing"
	"time"

	"github.com/newsbot/newsbot/briefing"
)

// Every article a query selects shares the query's words, so they are no
// evidence that two articles tell one story: "G20 summit menu revealed" is
// not the Trump-Putin meeting at the G20 summit, though both headlines say
// "G20 summit".
func TestBriefDoesNotGroupOnQueryWords(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC)
	meeting := "Leaders of the G20 met in Hamburg on Friday to discuss trade and climate policy. " +
		"The summit opened with talks between the United States and Russia. Officials said a joint statement was expected on Saturday."
	arts := []briefing.Article{
		{GUID: "https://wire.example/a", Title: "Trump and Putin meet at G20 summit in Hamburg", Text: meeting, Source: "Wire", Published: now.Add(-2 * time.Hour)},
		{GUID: "https://daily.example/b", Title: "Trump and Putin meet at G20 summit in Hamburg", Text: meeting + " Protesters gathered near the venue.", Source: "Daily", Published: now.Add(-3 * time.Hour)},
		{GUID: "https://wire.example/c", Title: "G20 talks on debt relief stall", Text: "Finance officials failed to agree on debt relief for poorer countries. Creditors want private lenders to share the losses.", Source: "Wire", Published: now.Add(-time.Hour)},
		{GUID: "https://wire.example/d", Title: "G20 protest draws thousands", Text: "Thousands of demonstrators marched through the harbour district. Police reported scuffles near the fish market.", Source: "Wire", Published: now.Add(-time.Hour)},
		{GUID: "https://wire.example/f", Title: "G20 summit menu revealed", Text: "Chefs will serve regional fish and vegetables at the leaders' dinner. The menu avoids pork and shellfish.", Source: "Wire", Published: now.Add(-time.Hour)},
	}
	q, err := briefing.ParseQuery("g20")
	if err != nil {
		t.Fatal(err)
	}
	b := briefing.New(briefing.Config{}).Brief(now, "g20", q, arts, briefing.Budget{Stories: 10})
	if len(b.Items) != 4 {
		for _, it := range b.Items {
			t.Logf("story %q with %d sources", it.Headline, len(it.Sources))
		}
		t.Fatalf("got %d stories, want 4: the two meeting reports as one, the rest apart", len(b.Items))
	}
	for _, it := range b.Items {
		want := 1
		if it.Headline == "Trump and Putin meet at G20 summit in Hamburg" {
			want = 2
		}
		if len(it.Sources) != want {
			t.Errorf("%q has %d sources, want %d", it.Headline, len(it.Sources), want)
		}
	}
}

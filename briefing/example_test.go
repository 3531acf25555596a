package briefing_test

import (
	"fmt"
	"time"

	"github.com/newsbot/newsbot/briefing"
)

func ExampleParseQuery() {
	q, err := briefing.ParseQuery(`ukraine "peace talks" OR ceasefire -sport`)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range q.All {
		fmt.Println("all of:", g)
	}
	fmt.Println("none of:", q.None)
	// Output:
	// all of: [ukraine]
	// all of: ["peace talks" ceasefire]
	// none of: [sport]
}

func ExampleEngine_Group() {
	articles := []briefing.Article{
		{Source: "Harbour Post", Title: "Ferry crews strike over pay, halting island crossings",
			Text: "Ferry crews walked out on Monday in a dispute over pay, halting every crossing between the mainland and the islands."},
		{Source: "Eastbridge Gazette", Title: "Council approves tram extension to the harbour",
			Text: "The city council voted on Monday to extend the tram line from the central station to the harbour."},
		{Source: "Capital Wire", Title: "Island ferries cancelled as crews walk out",
			Text: "All ferry crossings to the islands were cancelled on Monday after crews went on strike over pay."},
	}
	for _, st := range briefing.New(briefing.Config{}).Group(articles) {
		fmt.Println(len(st.Articles), st.Lead().Title)
	}
	// Output:
	// 2 Ferry crews strike over pay, halting island crossings
	// 1 Council approves tram extension to the harbour
}

func ExampleFormatText() {
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	b := briefing.Briefing{
		Title:     "g20",
		Generated: now,
		Items: []briefing.Item{{
			Headline:  "Leaders meet at the G20",
			URL:       "https://example.org/g20",
			Summary:   []string{"Leaders of the largest economies met on Friday.", "They agreed on a statement."},
			Sources:   []briefing.Link{{Name: "Example News"}, {Name: "Daily Bugle"}, {Name: "Harbour Post"}, {Name: "Capital Wire"}},
			Published: now.Add(-3 * time.Hour),
		}},
		More: 2,
	}
	fmt.Print(briefing.FormatText(b, 64))
	// Output:
	// g20: 3 stories (25 Nov 2026 08:00 UTC)
	//
	// 1. Leaders meet at the G20
	//    Leaders of the largest economies met on Friday. They agreed
	//    on a statement.
	//    Sources: Example News, Daily Bugle +2 sources · 3 hours ago
	//    https://example.org/g20
	//
	// +2 more stories
}

func ExampleFormatMarkdown() {
	b := briefing.Briefing{
		Title: "climate",
		Items: []briefing.Item{{
			Headline: "Forty countries pledge to close coal plants",
			URL:      "https://www.pacificherald.example/coal",
			Summary:  []string{"Forty countries agreed to close their coal plants by 2040."},
			Sources: []briefing.Link{
				{Name: "Pacific Herald", URL: "https://www.pacificherald.example/coal"},
				{Name: "Harbour Post", URL: "https://www.harbourpost.example/coal"},
			},
		}},
	}
	fmt.Print(briefing.FormatMarkdown(b))
	// Output:
	// ## climate: 1 story
	//
	// ### [Forty countries pledge to close coal plants](https://www.pacificherald.example/coal)
	//
	// Forty countries agreed to close their coal plants by 2040.
	//
	// Sources: [Pacific Herald](https://www.pacificherald.example/coal), [Harbour Post](https://www.harbourpost.example/coal)
}

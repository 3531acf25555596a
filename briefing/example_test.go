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

func ExampleFormatText() {
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	b := briefing.Briefing{
		Title:     "g20",
		Generated: now,
		Items: []briefing.Item{{
			Headline: "Leaders meet at the G20",
			URL:      "https://example.org/g20",
			Summary:  []string{"Leaders of the largest economies met on Friday.", "They agreed on a statement."},
			Sources:  []briefing.Link{{Name: "Example News"}, {Name: "Daily Bugle"}},
		}},
		More: 2,
	}
	fmt.Print(briefing.FormatText(b, 60))
	// Output:
	// g20: 3 stories (2026-11-25 08:00:00 UTC)
	//
	// 1. Leaders meet at the G20
	//    Leaders of the largest economies met on Friday. They
	//    agreed on a statement.
	//    Sources: Example News, Daily Bugle
	//    https://example.org/g20
	//
	// +2 more stories
}

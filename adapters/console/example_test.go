package console_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/newsbot/newsbot/adapters/console"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/storage/memory"
)

// A scripted session, as a demo runs one: the bot over an in-memory store,
// a pinned clock, and the console reading commands from a string and
// echoing them like a terminal.
func Example() {
	now := time.Date(2017, 7, 7, 18, 0, 0, 0, time.UTC)
	store := memory.New()
	_, err := store.AddArticles(context.Background(), []briefing.Article{{
		URL: "https://wire.example/g20", Source: "Wire", Title: "Trump and Putin meet at G20 in Hamburg",
		Text: "Donald Trump and Vladimir Putin met for the first time on Friday at the G20 summit in Hamburg. The talks lasted more than two hours.",
	}}, now.Add(-time.Hour))
	if err != nil {
		fmt.Println(err)
		return
	}
	script := "/news g20\n/news topic add g20 g20 -football\n/news preview g20\n"
	con := console.New(strings.NewReader(script), os.Stdout, console.Options{Admin: true, Prompt: "> ", Echo: true, Width: 72})
	b, err := bot.New(store, bot.Config{Now: func() time.Time { return now }}, con)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := con.Run(context.Background(), b); err != nil {
		fmt.Println(err)
	}
	// Output:
	// > /news g20
	// g20: 1 story (7 Jul 2017 18:00 UTC)
	//
	// 1. Trump and Putin meet at G20 in Hamburg
	//    Donald Trump and Vladimir Putin met for the first time on Friday at
	//    the G20 summit in Hamburg. The talks lasted more than two hours.
	//    Source: Wire · 1 hour ago
	//    https://wire.example/g20
	//
	// > /news topic add g20 g20 -football
	// Topic `g20` added: `g20 -football`. Brief it with `/news g20`, or
	// schedule it with `/news subscribe g20 at 08:00`.
	//
	// > /news preview g20
	// Preview of a `g20` digest with the stories of the last 3 days (the topic
	// has no schedule; nothing was posted):
	//
	// g20 digest: 1 story (7 Jul 2017 18:00 UTC)
	//
	// 1. Trump and Putin meet at G20 in Hamburg
	//    Donald Trump and Vladimir Putin met for the first time on Friday at
	//    the G20 summit in Hamburg. The talks lasted more than two hours.
	//    Source: Wire · 1 hour ago
	//    https://wire.example/g20
	//
	// >
}

package main

import (
	"fmt"
	"io"
	"time"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
	"github.com/newsbot/newsbot/samples"
	"github.com/spf13/cobra"
)

// The demo's morning digest: a channel topic as an admin would set it up
// with /news topic add, excluding sport, subscribed with max 3.
const (
	demoTopic      = "europe"
	demoTopicQuery = "europe OR germany OR spain OR madrid OR hamburg -sport"
	demoDigestMax  = 3
)

func newDemoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Brief the bundled sample articles: /news g20 and a morning digest (no tokens needed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.OutOrStdout())
		},
	}
}

// runDemo prints the answer to /news g20 and a morning digest from the
// embedded sample articles. The clock is pinned just after the newest
// sample, so the demo prints the same every time.
func runDemo(w io.Writer) error {
	arts, problems, err := feeds.ReadArticles(samples.FS(), ".", "Local desk")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("demo: bundled samples: %w", problems[0])
	}
	now := latest(arts).Add(2 * time.Hour)
	eng := briefing.New(briefing.Config{})
	fmt.Fprintf(w, "newsbot demo: %d sample articles from %d outlets, clock pinned to %s.\n",
		len(arts), outlets(arts), now.Format("2 Jan 2006 15:04 MST"))

	g20, err := briefing.ParseQuery("g20")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(w, "\n> /news g20\n\n")
	fmt.Fprint(w, briefing.FormatText(eng.Brief(now, "g20", g20, arts, briefing.DefaultBudget()), 80))

	topic, err := briefing.ParseQuery(demoTopicQuery)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(w, "\n> Morning digest for #newsroom, topic %q (max %d): %s\n\n", demoTopic, demoDigestMax, demoTopicQuery)
	budget := briefing.DefaultBudget()
	budget.Stories = demoDigestMax
	digest := eng.Brief(now, "Morning digest ("+demoTopic+")", topic, arts, budget)
	fmt.Fprint(w, briefing.FormatText(digest, 80))
	return nil
}

// latest returns the newest publication time among arts (a fixed date
// when none has one).
func latest(arts []briefing.Article) time.Time {
	var t time.Time
	for _, a := range arts {
		if a.Published.After(t) {
			t = a.Published
		}
	}
	if t.IsZero() {
		t = time.Date(2017, 5, 3, 8, 0, 0, 0, time.UTC)
	}
	return t
}

func outlets(arts []briefing.Article) int {
	seen := map[string]bool{}
	for _, a := range arts {
		seen[a.Source] = true
	}
	return len(seen)
}

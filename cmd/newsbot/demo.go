package main

import (
	"fmt"
	"time"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
	"github.com/newsbot/newsbot/samples"
	"github.com/spf13/cobra"
)

func newDemoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Brief the bundled sample articles: /news g20 and a morning digest (no tokens needed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			arts, _, err := feeds.ReadArticles(samples.FS(), ".", "newsbot samples")
			if err != nil {
				return err
			}
			// The demo's clock is pinned just after the newest sample, so
			// it shows the same briefing every time it runs.
			now := latest(arts).Add(2 * time.Hour)
			eng := briefing.New(briefing.Config{})
			w := cmd.OutOrStdout()
			q, err := briefing.ParseQuery("g20")
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "> /news g20\n\n")
			fmt.Fprint(w, briefing.FormatText(eng.Brief(now, "g20", q, arts, briefing.Budget{}), 80))
			return nil
		},
	}
}

func latest(arts []briefing.Article) time.Time {
	var t time.Time
	for _, a := range arts {
		if a.Published.After(t) {
			t = a.Published
		}
	}
	if t.IsZero() {
		t = time.Date(2017, 5, 2, 18, 0, 0, 0, time.UTC)
	}
	return t
}

package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/newsbot/newsbot/app"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/config"
)

func newSearchCmd() *cobra.Command {
	var (
		limit   int
		since   time.Duration
		sources []string
		sortBy  string
		asJSON  bool
	)
	c := &cobra.Command{
		Use:   "search [flags] QUERY",
		Short: "List the stored articles that match QUERY",
		Long: "search lists the articles in storage.dsn that match QUERY, in the query syntax of /news:\n" +
			"words, \"exact phrases\", -excluded words and OR. It prints each article's title, source,\n" +
			"date and URL, newest first (or most relevant first with --sort relevance).\n\n" +
			"Flags go before the query. A query that starts with an exclusion needs -- first:\n" +
			"newsbot search -- -sport ukraine.",
		Example: "  newsbot search g20\n  newsbot search --since 72h '\"climate summit\" -sport'\n" +
			"  newsbot search --source BBC --source Reuters ukraine OR russia",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 1 {
				return fmt.Errorf("--limit must be at least 1, not %d", limit)
			}
			if since < 0 {
				return fmt.Errorf("--since must not be negative (%s)", since)
			}
			if sortBy != "newest" && sortBy != "relevance" {
				return fmt.Errorf("--sort is newest or relevance, not %q", sortBy)
			}
			query := strings.Join(args, " ")
			q, err := briefing.ParseQuery(query)
			if err != nil {
				return err
			}
			cfgPath := ""
			if f := cmd.Flag("config"); f != nil {
				cfgPath = f.Value.String()
			}
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return err
			}
			store, err := app.OpenStore(cmd.Context(), cfg.Storage.DSN, app.StoreOptions{Conns: 2})
			if err != nil {
				return err
			}
			defer store.Close()

			// The store returns the newest fetched first; take more than
			// asked and order them by date (or relevance) here.
			opts := bot.SearchOptions{Sources: sources, Limit: max(limit*5, 200)}
			if since > 0 {
				opts.Since = time.Now().Add(-since)
			}
			arts, err := store.SearchArticles(cmd.Context(), q, opts)
			if err != nil {
				return err
			}
			hits := rankSearchHits(q, arts, sortBy == "relevance")
			more := len(hits) > limit
			if more {
				hits = hits[:limit]
			}
			if asJSON {
				return writeSearchJSON(cmd.OutOrStdout(), hits)
			}
			writeSearchText(cmd.OutOrStdout(), query, hits, sortBy, more)
			return nil
		},
	}
	c.Flags().SetInterspersed(false) // "summit -sport": -sport is query, not a flag
	c.Flags().IntVarP(&limit, "limit", "n", 20, "most articles to list")
	c.Flags().DurationVar(&since, "since", 0, "only articles fetched within this long (e.g. 72h); 0 for all")
	c.Flags().StringArrayVar(&sources, "source", nil, "only articles from this source name (repeatable)")
	c.Flags().StringVar(&sortBy, "sort", "newest", "order: newest or relevance")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON Lines instead of text")
	return c
}

// searchHit is one matching article and its relevance.
type searchHit struct {
	art   briefing.Article
	score float64
}

// rankSearchHits keeps the articles q matches (the store may return a
// superset), newest first by the date shown, or most relevant first when
// byScore (newest first among equals).
func rankSearchHits(q briefing.Query, arts []briefing.Article, byScore bool) []searchHit {
	hits := make([]searchHit, 0, len(arts))
	for _, a := range arts {
		if score, ok := q.Match(briefing.NewDoc(a)); ok {
			hits = append(hits, searchHit{art: a, score: score})
		}
	}
	slices.SortStableFunc(hits, func(a, b searchHit) int {
		if byScore {
			if c := cmp.Compare(b.score, a.score); c != 0 {
				return c
			}
		}
		return searchTime(b.art).Compare(searchTime(a.art))
	})
	return hits
}

// searchTime is the date shown for an article: when it was published, or
// when newsbot fetched it if the feed gave no date.
func searchTime(a briefing.Article) time.Time {
	if !a.Published.IsZero() {
		return a.Published
	}
	return a.Fetched
}

func writeSearchText(w io.Writer, query string, hits []searchHit, sortBy string, more bool) {
	if len(hits) == 0 {
		fmt.Fprintf(w, "No stored article matches %s.\n", query)
		return
	}
	order := "newest first"
	if sortBy == "relevance" {
		order = "most relevant first"
	}
	cut := ""
	if more {
		cut = fmt.Sprintf(" (the first %d; --limit shows more)", len(hits))
	}
	noun := "articles"
	if len(hits) == 1 {
		noun = "article"
	}
	fmt.Fprintf(w, "%d %s for %s, %s%s:\n", len(hits), noun, query, order, cut)
	for _, h := range hits {
		a := h.art
		title := strings.Join(strings.Fields(a.Title), " ")
		if title == "" {
			title = "(no title)"
		}
		fmt.Fprintf(w, "\n%s\n", title)
		var meta []string
		if a.Source != "" {
			meta = append(meta, a.Source)
		}
		if t := searchTime(a); !t.IsZero() {
			meta = append(meta, t.UTC().Format("2006-01-02 15:04 UTC"))
		}
		if len(meta) > 0 {
			fmt.Fprintf(w, "  %s\n", strings.Join(meta, " · "))
		}
		if a.URL != "" {
			fmt.Fprintf(w, "  %s\n", a.URL)
		}
	}
}

// searchJSON is one line of `newsbot search --json`.
type searchJSON struct {
	Title     string    `json:"title"`
	Source    string    `json:"source,omitempty"`
	URL       string    `json:"url,omitempty"`
	Published time.Time `json:"published,omitzero"`
	Fetched   time.Time `json:"fetched,omitzero"`
	Score     float64   `json:"score"`
}

func writeSearchJSON(w io.Writer, hits []searchHit) error {
	enc := json.NewEncoder(w)
	for _, h := range hits {
		a := h.art
		if err := enc.Encode(searchJSON{Title: a.Title, Source: a.Source, URL: a.URL,
			Published: a.Published, Fetched: a.Fetched, Score: h.score}); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
	}
	return nil
}

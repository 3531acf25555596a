package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
	"github.com/spf13/cobra"
)

func newBriefCmd() *cobra.Command {
	var articles string
	var stories, sentences int
	c := &cobra.Command{
		Use:   "brief [--articles PATH] QUERY",
		Short: "Print the briefing for QUERY from a folder of .txt/.md/.jsonl articles",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			query := joinArgs(args)
			q, err := briefing.ParseQuery(query)
			if err != nil {
				return err
			}
			arts, problems, err := readPath(articles)
			if err != nil {
				return err
			}
			for _, p := range problems {
				fmt.Fprintln(cmd.ErrOrStderr(), "skipped:", p)
			}
			now := time.Now()
			eng := briefing.New(briefing.Config{})
			b := eng.Brief(now, query, q, arts, briefing.Budget{Stories: stories, Sentences: sentences})
			fmt.Fprint(cmd.OutOrStdout(), briefing.FormatText(b, 80))
			return nil
		},
	}
	c.Flags().StringVar(&articles, "articles", ".", "folder (or .jsonl/.txt file) of articles")
	c.Flags().IntVar(&stories, "stories", 0, "most stories to show (default 5)")
	c.Flags().IntVar(&sentences, "sentences", 0, "summary sentences per story, 1-3 (default 2)")
	return c
}

// readPath reads articles from a folder or a single file.

func readPath(p string) ([]briefing.Article, []error, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, fmt.Errorf("articles: %w", err)
	}
	if st.IsDir() {
		return feeds.ReadArticles(os.DirFS(p), ".", filepath.Base(p))
	}
	return feeds.ReadArticles(os.DirFS(filepath.Dir(p)), filepath.Base(p), filepath.Base(filepath.Dir(p)))
}

func joinArgs(args []string) string {
	s := ""
	for i, a := range args {
		if i > 0 {
			s += " "
		}
		s += a
	}
	return s
}

// jsonLines calls fn for every JSON object line of r, decoded into a fresh
// T, and stops at the first error, naming the line.

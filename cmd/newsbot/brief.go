package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
	"github.com/spf13/cobra"
)

func newBriefCmd() *cobra.Command {
	var (
		articles, source, at string
		stories, sentences   int
		width                int
		markdown             bool
	)
	c := &cobra.Command{
		Use:   "brief [--articles PATH] QUERY",
		Short: "Print the briefing for QUERY from a folder of .txt/.md/.jsonl articles",
		Long: `Prints the briefing for QUERY (words, "phrases", -exclusions, OR) from the
articles in PATH: a folder of .txt or .md files whose first line is the title,
and .jsonl files of {"id","title","text","url","source","published"}. Files
that cannot be read are reported on stderr and skipped.`,
		Example: `  newsbot brief --articles samples/articles g20
  newsbot brief --articles news.jsonl '"climate summit" -opinion'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			query := strings.Join(args, " ")
			q, err := briefing.ParseQuery(query)
			if err != nil {
				return err
			}
			now := time.Now()
			if at != "" {
				if now, err = time.Parse(time.RFC3339, at); err != nil {
					return fmt.Errorf("--at: %w", err)
				}
			}
			arts, problems, err := readPath(articles, source)
			if err != nil {
				return err
			}
			for _, p := range problems {
				fmt.Fprintln(cmd.ErrOrStderr(), "skipped:", p)
			}
			eng := briefing.New(briefing.Config{})
			b := eng.Brief(now, query, q, arts, briefing.Budget{Stories: stories, Sentences: sentences})
			if markdown {
				fmt.Fprint(cmd.OutOrStdout(), briefing.FormatMarkdown(b))
			} else {
				fmt.Fprint(cmd.OutOrStdout(), briefing.FormatText(b, width))
			}
			return nil
		},
	}
	c.Flags().StringVar(&articles, "articles", ".", "folder (or .jsonl/.txt file) of articles")
	c.Flags().StringVar(&source, "source", "", "source name for articles that do not name one (default: the folder's name)")
	c.Flags().StringVar(&at, "at", "", "the time to brief at, RFC 3339 (default: now); recency is relative to it")
	c.Flags().IntVar(&stories, "stories", 0, "most stories to show (default 5)")
	c.Flags().IntVar(&sentences, "sentences", 0, "summary sentences per story, 1-3 (default 2)")
	c.Flags().IntVar(&width, "width", 80, "wrap the text at this column")
	c.Flags().BoolVar(&markdown, "markdown", false, "print Markdown instead of text")
	return c
}

// readPath reads articles from a folder or a single file. Articles that do
// not name their source get source, or the folder's name.
func readPath(p, source string) ([]briefing.Article, []error, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, fmt.Errorf("articles: %w", err)
	}
	dir, root := p, "."
	if !st.IsDir() {
		dir, root = filepath.Dir(p), filepath.Base(p)
	}
	if source == "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			abs = dir
		}
		source = filepath.Base(abs)
	}
	return feeds.ReadArticles(os.DirFS(dir), root, source)
}

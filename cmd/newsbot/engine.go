package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
	"github.com/newsbot/newsbot/samples"
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
func jsonLines[T any](r io.Reader, fn func(line int, v T) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	n := 0
	for sc.Scan() {
		n++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if err := fn(n, v); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", n+1, err)
	}
	return nil
}

type inArticle struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Text      string `json:"text"`
	URL       string `json:"url"`
	Publisher string `json:"publisher"`
	Published string `json:"published"`
}

func newSummarizeCmd() *cobra.Command {
	var sentences int
	c := &cobra.Command{
		Use:   "summarize [--sentences N]",
		Short: `Summarize JSON Lines {"id","title","text"} from stdin to {"id","summary":[...]} on stdout`,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if sentences < 1 {
				return fmt.Errorf("--sentences must be at least 1")
			}
			eng := briefing.New(briefing.Config{})
			out := bufio.NewWriter(cmd.OutOrStdout())
			defer out.Flush()
			enc := json.NewEncoder(out)
			enc.SetEscapeHTML(false)
			type result struct {
				ID      string   `json:"id"`
				Summary []string `json:"summary"`
			}
			return jsonLines(cmd.InOrStdin(), func(_ int, a inArticle) error {
				s := eng.SummarizeN(briefing.Article{ID: a.ID, Title: a.Title, Text: a.Text}, sentences)
				if s == nil {
					s = []string{}
				}
				return enc.Encode(result{ID: a.ID, Summary: s})
			})
		},
	}
	c.Flags().IntVar(&sentences, "sentences", 3, "sentences per summary")
	return c
}

func newClusterCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "cluster",
		Short: `Group JSON Lines {"id","title","text","published"?} from stdin into stories: {"id","story"} per line`,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var arts []briefing.Article
			err := jsonLines(cmd.InOrStdin(), func(line int, a inArticle) error {
				art := briefing.Article{ID: a.ID, Title: a.Title, Text: a.Text, URL: a.URL, Source: a.Publisher}
				if art.ID == "" {
					art.ID = fmt.Sprintf("line-%d", line)
				}
				if a.Published != "" {
					if t, err := time.Parse(time.RFC3339, a.Published); err == nil {
						art.Published = t
					}
				}
				arts = append(arts, art)
				return nil
			})
			if err != nil {
				return err
			}
			story := map[string]string{}
			for _, st := range briefing.New(briefing.Config{}).Group(arts) {
				for _, a := range st.Articles {
					story[a.ID] = st.ID
				}
			}
			out := bufio.NewWriter(cmd.OutOrStdout())
			defer out.Flush()
			enc := json.NewEncoder(out)
			for _, a := range arts {
				if err := enc.Encode(struct {
					ID    string `json:"id"`
					Story string `json:"story"`
				}{a.ID, story[a.ID]}); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

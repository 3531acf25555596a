package main

import (
	"bufio"
	"encoding/json"
	"fmt"

	"github.com/newsbot/newsbot/briefing"
	"github.com/spf13/cobra"
)

func newSummarizeCmd() *cobra.Command {
	var sentences int
	c := &cobra.Command{
		Use:   "summarize [--sentences N]",
		Short: `Summarize JSON Lines {"id","title","text"} from stdin to {"id","summary":[...]} on stdout`,
		Long: `Reads one JSON object {"id","title","text"} per line on stdin and writes {"id","summary":[...]}
per line on stdout, in the same order: up to --sentences sentences taken verbatim from the text, in
text order ([] when the text has no usable sentence). A line that is not valid JSON stops the run
with an error naming it; the lines before it have been written.`,
		Args: cobra.NoArgs,
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
			err := jsonLines(cmd.InOrStdin(), func(_ int, a inArticle) error {
				s := eng.SummarizeN(briefing.Article{ID: a.ID, Title: a.Title, Text: a.Text}, sentences)
				if s == nil {
					s = []string{}
				}
				return enc.Encode(result{ID: a.ID, Summary: s})
			})
			if err != nil {
				return fmt.Errorf("summarize: %w", err)
			}
			return nil
		},
	}
	c.Flags().IntVar(&sentences, "sentences", 3, "sentences per summary")
	return c
}

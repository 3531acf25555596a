package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/eval"
	"github.com/spf13/cobra"
)

func newEvalSummariesCmd() *cobra.Command {
	var (
		data      string
		sentences int
		part      string
		oracle    bool
		asJSON    bool
	)
	c := &cobra.Command{
		Use:   "summaries --data FILE [--sentences N]",
		Short: "ROUGE-1/2/Lsum F1 of the summarizer next to the Lead-3, TF-IDF and TextRank baselines",
		Long: `Summarizes every article of a JSON Lines file ({"id","source","title","text","summary"} per line)
with newsbot and with baseline summarizers, and prints the mean ROUGE-1, ROUGE-2 and ROUGE-Lsum F1
(x100, Porter-stemmed as ROUGE-1.5.5 -m) of each against the reference summaries, per source group
(bbc, cnndm, xsum) and overall. Progress goes to stderr.

--part a or --part b keeps only the even-numbered or odd-numbered lines, to tune on one half of a
set and confirm on the other.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if data == "" {
				return fmt.Errorf("--data is required")
			}
			if sentences < 1 {
				return fmt.Errorf("--sentences must be at least 1")
			}
			if part != "" && part != "a" && part != "b" {
				return fmt.Errorf("--part must be a or b, not %q", part)
			}
			items, err := readEvalItems(data, part)
			if err != nil {
				return err
			}
			eng := briefing.New(briefing.Config{})
			systems := append([]eval.System{{
				Name: "newsbot",
				Summarize: func(it eval.Item, n int) []string {
					return eng.SummarizeN(briefing.Article{ID: it.ID, Title: it.Title, Text: it.Text}, n)
				},
			}}, eval.Baselines(sentences, oracle)...)
			stderr := cmd.ErrOrStderr()
			progress := func(done, total int) {
				if done%200 == 0 || done == total {
					fmt.Fprintf(stderr, "eval summaries: %d/%d articles\n", done, total)
				}
			}
			rep, err := eval.Evaluate(cmd.Context(), items, systems, sentences, progress)
			if err != nil {
				return fmt.Errorf("eval summaries: %w", err)
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			title := filepath.Base(data)
			if part != "" {
				title += ", part " + part
			}
			return printSummaryReport(cmd.OutOrStdout(), title, rep)
		},
	}
	c.Flags().StringVar(&data, "data", "", "JSON Lines evaluation set (required)")
	c.Flags().IntVar(&sentences, "sentences", 3, "sentences per summary")
	c.Flags().StringVar(&part, "part", "", "evaluate only part a (even lines) or b (odd lines)")
	c.Flags().BoolVar(&oracle, "oracle", false, "add the greedy ROUGE-2 oracle (reads the references; slower)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON (scores between 0 and 1)")
	return c
}

// readEvalItems reads an evaluation set, keeping every item, or the even
// (part "a") or odd (part "b") lines.
func readEvalItems(path, part string) ([]eval.Item, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("eval summaries: %w", err)
	}
	defer f.Close()
	var items []eval.Item
	k := 0
	err = jsonLines(f, func(_ int, it eval.Item) error {
		keep := part == "" || (part == "a") == (k%2 == 0)
		k++
		if keep {
			items = append(items, it)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("eval summaries: %s: %w", path, err)
	}
	return items, nil
}

func printSummaryReport(w io.Writer, title string, rep eval.Report) error {
	fmt.Fprintf(w, "ROUGE F1 x100 (stemmed), %d sentences, %s\n\n", rep.Sentences, title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "set\tarticles\tsystem\tR-1\tR-2\tR-Lsum\tsentences\t")
	for _, g := range rep.Groups {
		for i, m := range g.Means {
			set, n := g.Group, fmt.Sprint(g.Items)
			if i > 0 {
				set, n = "", ""
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%.1f\t%.1f\t%.2f\t\n", set, n, m.System,
				100*m.Scores.Rouge1.F1, 100*m.Scores.Rouge2.F1, 100*m.Scores.RougeLsum.F1, m.Sentences)
		}
	}
	return tw.Flush()
}

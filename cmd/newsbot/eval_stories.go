package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/eval"
	"github.com/spf13/cobra"
)

func newEvalStoriesCmd() *cobra.Command {
	var data string
	var tune bool
	c := &cobra.Command{
		Use:   "stories --data FILE [--tune]",
		Short: "Pairwise precision/recall/F1 of story grouping next to a TF-IDF single-link baseline",
		Long: `Groups the articles of FILE (JSON Lines with id, story, title and text; the
publication time is ignored) and scores the grouping pair by pair against the
"story" labels: precision, recall and F1, and the share of stories that ended
up whole in one group (whole) or as a group of their own (exact).

Scores are given for all articles and for each half of a fixed split by story
(half A tunes, half B checks). The baseline is TF-IDF single link at its best
threshold on the same data, which flatters it.

--tune sweeps the grouping threshold on half A (precision at least 0.90) and
reports what that threshold gives on half B.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if data == "" {
				return errors.New("--data FILE is required")
			}
			f, err := os.Open(data)
			if err != nil {
				return fmt.Errorf("eval stories: %w", err)
			}
			defer f.Close()
			items, err := eval.ReadStoryItems(f)
			if err != nil {
				return fmt.Errorf("eval stories: %s: %w", data, err)
			}
			if len(items) == 0 {
				return fmt.Errorf("eval stories: %s has no articles", data)
			}
			return evalStories(cmd.OutOrStdout(), cmd.ErrOrStderr(), data, items, tune)
		},
	}
	c.Flags().StringVar(&data, "data", "", "JSON Lines file of articles with story labels")
	c.Flags().BoolVar(&tune, "tune", false, "sweep the grouping threshold on half A and check it on half B")
	return c
}

func evalStories(out, progress io.Writer, name string, items []eval.StoryItem, tune bool) error {
	arts := make([]briefing.Article, len(items))
	gold := make([]string, len(items))
	stories := map[string]bool{}
	for i, it := range items {
		arts[i] = it.Article()
		// The article's position identifies it: IDs may repeat.
		arts[i].ID = strconv.Itoa(i)
		gold[i] = it.Story
		stories[it.Story] = true
	}
	index := func(a briefing.Article) int {
		i, err := strconv.Atoi(a.ID)
		if err != nil {
			return -1
		}
		return i
	}
	halves := []struct {
		name string
		in   func(int) bool
	}{
		{"all", nil},
		{"half A", func(i int) bool { return eval.Half(gold[i]) == 0 }},
		{"half B", func(i int) bool { return eval.Half(gold[i]) == 1 }},
	}
	group := func(opt briefing.GroupOptions) []string {
		eng := briefing.New(briefing.Config{Grouping: opt})
		return eval.GroupLabels(len(arts), eng.Group(arts), index)
	}

	fmt.Fprintf(progress, "grouping %d articles...\n", len(arts))
	start := time.Now()
	ours := group(briefing.GroupOptions{})
	took := time.Since(start)

	fmt.Fprintf(progress, "baseline: comparing every pair of %d articles...\n", len(arts))
	base := eval.NewBaseline(arts, everyTenth(progress, len(arts)))
	baseT, _, err := eval.BestThreshold(gold, nil, 0, 0.05, 0.95, 0.05, base.Group)
	if err != nil {
		return err
	}
	baseLabels := base.Group(baseT)

	fmt.Fprintf(out, "%s: %d articles, %d stories; grouped in %v\n\n", name, len(arts), len(stories), took.Round(time.Millisecond))
	fmt.Fprintf(out, "%-34s %-7s %5s %5s %5s %6s %6s\n", "grouping", "items", "P", "R", "F1", "whole", "exact")
	row := func(label, part string, labels []string, in func(int) bool) error {
		s, err := eval.ScorePairsIn(gold, labels, in)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%-34s %-7s %5.1f %5.1f %5.1f %6.1f %6.1f\n", label, part,
			100*s.Precision, 100*s.Recall, 100*s.F1, 100*s.Whole, 100*s.Exact)
		return nil
	}
	for _, h := range halves {
		if err := row("newsbot (average link, density)", h.name, ours, h.in); err != nil {
			return err
		}
	}
	for _, h := range halves {
		if err := row(fmt.Sprintf("baseline TF-IDF single link t=%.2f", baseT), h.name, baseLabels, h.in); err != nil {
			return err
		}
	}
	if !tune {
		return nil
	}

	fmt.Fprintf(progress, "tuning the threshold on half A...\n")
	def := briefing.DefaultGroupOptions()
	th, sA, err := eval.BestThreshold(gold, halves[1].in, 0.90, def.Threshold-0.06, def.Threshold+0.1, 0.005,
		func(t float64) []string {
			if t == 0 {
				t = 1e-9 // zero means the default
			}
			return group(briefing.GroupOptions{Threshold: t})
		})
	if err != nil {
		return err
	}
	tuned := group(briefing.GroupOptions{Threshold: th})
	sB, err := eval.ScorePairsIn(gold, tuned, halves[2].in)
	if err != nil {
		return err
	}
	sAll, err := eval.ScorePairsIn(gold, tuned, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\ntuned on half A (P >= 90): threshold %.3f (default %.3f)\n", th, def.Threshold)
	fmt.Fprintf(out, "  half A  %v\n  half B  %v\n  all     %v\n", sA, sB, sAll)
	return nil
}

// everyTenth returns a progress callback that reports every tenth of total
// on w.
func everyTenth(w io.Writer, total int) func(int) {
	step := max(1, total/10)
	return func(done int) {
		if done%step == 0 || done == total {
			fmt.Fprintf(w, "  %d/%d\n", done, total)
		}
	}
}

package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newEvalStoriesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "stories --data FILE",
		Short: "Pairwise precision/recall/F1 of story grouping next to a TF-IDF baseline",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("eval stories: not built yet")
		},
	}
}

package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newEvalSummariesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "summaries --data FILE [--sentences N]",
		Short: "ROUGE-1/2/Lsum F1 of the summarizer next to the Lead-3 and TF-IDF baselines",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("eval summaries: not built yet")
		},
	}
}

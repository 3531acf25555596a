package main

import "github.com/spf13/cobra"

func newEvalCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "eval",
		Short: "Measure the briefing engine against reference data (ROUGE, story grouping)",
	}
	c.AddCommand(newEvalSummariesCmd(), newEvalStoriesCmd())
	return c
}

// Command newsbot is a chat bot that posts news briefings to Slack and
// Discord. Run `newsbot demo` for a briefing from the bundled sample
// articles, or `newsbot --help` for every command.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // time zones for subscriptions even on images without zoneinfo

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd(os.Stdin, os.Stdout, os.Stderr).ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "newsbot:", err)
		os.Exit(1)
	}
}

// globals are the flags every command takes.
type globals struct {
	configPath string
}

// newRootCmd builds the command tree. Input and output are passed in so that
// tests can run commands in process.
func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "newsbot",
		Short:         "News briefings for Slack and Discord",
		Long:          "newsbot groups the same story told by several sources, picks the sentences that carry it,\nand posts briefings to Slack and Discord on demand (/news g20) or on a schedule.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&g.configPath, "config", "", "config file (default ./newsbot.yaml if present)")
	root.AddCommand(
		newDemoCmd(),
		newBriefCmd(),
		newSummarizeCmd(),
		newClusterCmd(),
		newEvalCmd(),
		newSearchCmd(),
		newVersionCmd(),
		newSourcesCmd(), newIngestCmd(),
		newSlackCmd(),
		newDiscordCmd(g),
		newChatCmd(g),
		newConfigCmd(g),
		newServeCmd(g),
	)
	return root
}

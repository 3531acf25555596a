package main

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/newsbot/newsbot/app"
	"github.com/newsbot/newsbot/config"
)

func newServeCmd(g *globals) *cobra.Command {
	var withConsole, consoleAdmin bool
	c := &cobra.Command{
		Use:   "serve [--console]",
		Short: "Run the bot: ingest sources, answer /news on Slack, Discord (and the console), post scheduled digests",
		Long: "serve runs everything in one process: feed ingestion, the bot, the digest queue, and one HTTP server\n" +
			"(http.addr) with /slack/commands, /slack/events, /discord/interactions, /healthz, /readyz and /metrics.\n" +
			"Slack and Discord start when their tokens are configured. With --console the bot also answers\n" +
			"/news lines typed in this terminal, so it can be tried without any token. SIGINT or SIGTERM stops\n" +
			"it gracefully: in-flight replies and digests finish (http.shutdown_timeout); an interrupted\n" +
			"digest is retried after the restart.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.configPath)
			if err != nil {
				return fmt.Errorf("%w\n(run newsbot config check for the full list)", err)
			}
			log := app.NewLogger(cmd.ErrOrStderr(), cfg)
			slog.SetDefault(log)
			opts := app.Options{Config: cfg, Logger: log, Version: versionString()}
			if withConsole {
				opts.Console = &app.ConsoleOptions{In: cmd.InOrStdin(), Out: cmd.OutOrStdout(), Admin: consoleAdmin}
			}
			a, err := app.New(cmd.Context(), opts)
			if err != nil {
				return err
			}
			defer a.Close()
			if withConsole {
				fmt.Fprintf(cmd.OutOrStdout(), "newsbot serving on %s; type /news help (Ctrl-D stops)\n", a.Addr())
			}
			return a.Run(cmd.Context())
		},
	}
	c.Flags().BoolVar(&withConsole, "console", false, "also answer /news lines typed in this terminal (no tokens needed)")
	c.Flags().BoolVar(&consoleAdmin, "console-admin", false, "the console user may change topics, subscriptions and sources")
	return c
}

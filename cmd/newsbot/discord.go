package main

import (
	"fmt"
	"log/slog"

	"github.com/newsbot/newsbot/adapters/discord"
	"github.com/newsbot/newsbot/app"
	"github.com/newsbot/newsbot/config"
	"github.com/spf13/cobra"
)

func newDiscordCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "discord",
		Short: "Discord set-up: register the /news command",
		Args:  cobra.NoArgs,
	}
	var guild string
	var dryRun bool
	register := &cobra.Command{
		Use:   "register [--guild ID]",
		Short: "Register /news with Discord (a bulk overwrite) and print what changed",
		Long: "register replaces the application's commands with newsbot's /news command and prints what\n" +
			"was added, changed or removed. Without --guild the command is global (all servers and DMs);\n" +
			"with --guild it is registered for that server only, where changes show at once.\n" +
			"It needs discord.bot_token and discord.application_id (NEWSBOT_DISCORD_BOT_TOKEN, ...).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.configPath)
			if err != nil {
				return err
			}
			if !cfg.Discord.Enabled() {
				return fmt.Errorf("discord is not configured: set discord.bot_token and discord.application_id")
			}
			changes, err := discord.Register(cmd.Context(), app.DiscordConfig(cfg.Discord, slog.New(slog.DiscardHandler)), guild, dryRun)
			if err != nil {
				return fmt.Errorf("discord register: %w", err)
			}
			where := "globally"
			if guild != "" {
				where = "for guild " + guild
			}
			verb := "Registered"
			if dryRun {
				verb = "Would register"
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%s newsbot's commands %s (application %s):\n", verb, where, cfg.Discord.ApplicationID)
			for _, c := range changes {
				fmt.Fprintf(w, "  %s\n", c)
			}
			if guild == "" && !dryRun {
				fmt.Fprintln(w, "Global commands can take a while to show in every server; use --guild while testing.")
			}
			return nil
		},
	}
	register.Flags().StringVar(&guild, "guild", "", "register for this guild (server) ID only")
	register.Flags().BoolVar(&dryRun, "dry-run", false, "print what would change without changing it")
	cmd.AddCommand(register)
	return cmd
}

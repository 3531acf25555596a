package main

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/newsbot/newsbot/adapters/discord"
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
			"It needs only discord.bot_token and discord.application_id (NEWSBOT_DISCORD_BOT_TOKEN,\n" +
			"NEWSBOT_DISCORD_APPLICATION_ID); other settings, such as discord.public_key, are not checked.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Only the keys register uses are checked (discord.Register
			// validates them), so that settings it does not need, such as
			// discord.public_key, cannot block it.
			cfg, err := config.LoadUnvalidated(g.configPath)
			if err != nil {
				return err
			}
			d := cfg.Discord
			var missing []string
			for _, k := range []struct{ key, val string }{
				{"discord.bot_token", d.BotToken},
				{"discord.application_id", d.ApplicationID},
			} {
				if k.val == "" {
					missing = append(missing, k.key+" ("+config.EnvName(k.key)+")")
				}
			}
			if len(missing) > 0 {
				return fmt.Errorf("discord is not configured: set %s", strings.Join(missing, " and "))
			}
			rc := discord.Config{BotToken: d.BotToken, ApplicationID: d.ApplicationID, APIURL: d.APIURL, Logger: slog.New(slog.DiscardHandler)}
			changes, err := discord.Register(cmd.Context(), rc, guild, dryRun)
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

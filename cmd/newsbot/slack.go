package main

import (
	"log/slog"

	"github.com/newsbot/newsbot/adapters/slack"
	"github.com/newsbot/newsbot/config"
	"github.com/spf13/cobra"
)

// slackConfig maps the slack section of the config file (slack.bot_token,
// slack.signing_secret, slack.app_token, slack.admins, slack.api_url) onto
// the adapter's Config, for serve's wiring. The adapter's other settings
// keep their defaults.
func slackConfig(c config.Slack, log *slog.Logger) slack.Config {
	return slack.Config{
		BotToken:      c.BotToken,
		SigningSecret: c.SigningSecret,
		AppToken:      c.AppToken,
		Admins:        c.Admins,
		APIURL:        c.APIURL,
		Logger:        log,
	}
}

func newSlackCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "slack",
		Short: "Slack set-up helpers",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(newSlackManifestCmd())
	return c
}

func newSlackManifestCmd() *cobra.Command {
	var o slack.ManifestOptions
	c := &cobra.Command{
		Use:   "manifest (--url https://bot.example.com | --socket)",
		Short: "Print a Slack app manifest (YAML) to paste at api.slack.com/apps",
		Long: "Print a Slack app manifest with the /news command, the scopes the bot needs and its request URLs.\n" +
			"Paste it at https://api.slack.com/apps -> Create New App -> From an app manifest.\n" +
			"With --url, Slack calls URL/slack/commands and URL/slack/events (needs slack.signing_secret);\n" +
			"with --socket, the bot connects out over Socket Mode (needs slack.app_token) and needs no public URL.",
		Example: "  newsbot slack manifest --url https://bot.example.com\n  newsbot slack manifest --socket --name \"News Bot\"",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := slack.Manifest(o)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	c.Flags().StringVar(&o.URL, "url", "", "the bot's public https base URL")
	c.Flags().BoolVar(&o.Socket, "socket", false, "use Socket Mode (no request URLs)")
	c.Flags().StringVar(&o.Name, "name", "", `app and bot display name (default "newsbot")`)
	return c
}

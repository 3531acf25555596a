package main

import (
	"fmt"

	"github.com/newsbot/newsbot/adapters/slack"
	"github.com/spf13/cobra"
)

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
		Use:   "manifest [--url https://bot.example.com | --socket]",
		Short: "Print a Slack app manifest (YAML) to paste at api.slack.com/apps",
		Long: "Print a Slack app manifest with the /news command, the scopes the bot needs and its request URLs.\n" +
			"Paste it at https://api.slack.com/apps -> Create New App -> From an app manifest.\n" +
			"With --url, Slack calls URL/slack/commands and URL/slack/events (needs slack.signing_secret);\n" +
			"with --socket, the bot connects out over Socket Mode (needs slack.app_token) and needs no public URL.\n" +
			"Without --url the manifest is for Socket Mode.",
		Example: "  newsbot slack manifest\n  newsbot slack manifest --url https://bot.example.com\n  newsbot slack manifest --socket --name \"News Bot\"",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Socket Mode needs no public URL, so it is the manifest that
			// is ready to paste when no flag is given.
			socketByDefault := o.URL == "" && !o.Socket
			if socketByDefault {
				o.Socket = true
			}
			out, err := slack.Manifest(o)
			if err != nil {
				return err
			}
			if _, err := cmd.OutOrStdout().Write(out); err != nil {
				return err
			}
			if socketByDefault {
				fmt.Fprintln(cmd.ErrOrStderr(), "newsbot: no --url given, so this is the Socket Mode manifest (needs slack.app_token); for HTTP use --url https://your-host")
			}
			return nil
		},
	}
	c.Flags().StringVar(&o.URL, "url", "", "the bot's public https base URL")
	c.Flags().BoolVar(&o.Socket, "socket", false, "use Socket Mode (no request URLs)")
	c.Flags().StringVar(&o.Name, "name", "", `app and bot display name (default "newsbot")`)
	return c
}

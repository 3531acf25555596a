package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/newsbot/newsbot/adapters/console"
	"github.com/newsbot/newsbot/config"
)

func newChatCmd(g *globals) *cobra.Command {
	var asAdmin, verbose bool
	var channel, user string
	c := &cobra.Command{
		Use:   "chat [--as-admin]",
		Short: "Talk to the bot in the terminal: type /news lines; scheduled digests appear as they fire (no tokens needed)",
		Long: "chat runs the bot with a terminal as its chat platform, on the same store as serve (storage.dsn).\n" +
			"Type /news g20, /news help, ...; --as-admin lets you change topics, subscriptions and sources.\n" +
			"Digests scheduled for the console channel (console::<channel>) are printed when they fire.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.configPath)
			if err != nil {
				return err
			}
			level := slog.LevelWarn
			if verbose {
				level = slog.LevelDebug
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			return runChat(cmd.Context(), cfg, log, cmd.InOrStdin(), cmd.OutOrStdout(), console.Options{
				Channel: channel, User: user, Admin: asAdmin, Prompt: promptFor(cmd.InOrStdin()),
			})
		},
	}
	c.Flags().BoolVar(&asAdmin, "as-admin", false, "act as an admin (may change topics, subscriptions and sources)")
	c.Flags().StringVar(&channel, "channel", "terminal", "the console channel to talk in")
	c.Flags().StringVar(&user, "user", "you", "your user name in the bot's records")
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "log debug detail to stderr")
	return c
}

// runChat runs the bot on a console until the input ends or ctx is done.
func runChat(ctx context.Context, cfg config.Config, log *slog.Logger, in io.Reader, out io.Writer, opt console.Options) error {
	con := console.New(in, out, opt)
	rt, err := startBot(ctx, cfg, log, con)
	if err != nil {
		return err
	}
	defer rt.Close()
	admin := "no (start with --as-admin to change settings)"
	if opt.Admin {
		admin = "yes"
	}
	fmt.Fprintf(out, "newsbot chat on %s, channel %s, admin: %s\n", config.RedactDSN(cfg.Storage.DSN), con.Channel(), admin)
	fmt.Fprintf(out, "Type /news help for the commands; quit or Ctrl-D leaves. Digests scheduled for %s appear here.\n\n", con.Channel())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	grp, gctx := errgroup.WithContext(ctx)
	grp.Go(func() error {
		defer cancel() // the user left: stop the queue too
		return con.Run(gctx, rt.bot)
	})
	grp.Go(func() error { return rt.queue.Run(gctx) })
	return grp.Wait()
}

// promptFor returns "> " when in is a terminal, else "" (piped input).
func promptFor(in io.Reader) string {
	f, ok := in.(*os.File)
	if !ok {
		return ""
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return ""
	}
	return "> "
}

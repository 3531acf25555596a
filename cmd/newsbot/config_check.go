package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/newsbot/newsbot/app"
	"github.com/newsbot/newsbot/config"
)

func newConfigCheckCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Validate the configuration (file + NEWSBOT_* environment) and list every problem",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.configPath)
			err = errors.Join(err, app.Check(cfg))
			w := cmd.OutOrStdout()
			name := g.configPath
			if name == "" {
				name = "defaults and environment (no --config; ./" + config.DefaultFile + " if present)"
			}
			if err == nil {
				fmt.Fprintf(w, "%s: ok\n", name)
				return nil
			}
			var problems []string
			for _, p := range strings.Split(err.Error(), "\n") {
				if p = strings.TrimSpace(p); p != "" {
					problems = append(problems, p)
				}
			}
			fmt.Fprintf(w, "%s: %d problem(s)\n", name, len(problems))
			for _, p := range problems {
				fmt.Fprintf(w, "  - %s\n", p)
			}
			return errors.New("the configuration has problems")
		},
	}
}

func newConfigPrintCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "print",
		Short: "Print the effective configuration (file + environment + defaults), secrets redacted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.configPath)
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: the configuration has problems (see newsbot config check):\n%s\n\n", err)
			}
			out, merr := config.Marshal(cfg.Redacted())
			if merr != nil {
				return merr
			}
			_, werr := cmd.OutOrStdout().Write(out)
			return errors.Join(werr, err)
		},
	}
}

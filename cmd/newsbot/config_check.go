package main

import (
	"errors"
	"fmt"
	"os"
	"regexp"
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
			cfg, loadErr := config.Load(g.configPath)
			problems := lines(loadErr)
			// The parts' own checks, less what the config check said already.
			for _, p := range lines(app.Check(cmd.Context(), cfg)) {
				if !mentionsKeyOf(p, problems) {
					problems = append(problems, p)
				}
			}
			w := cmd.OutOrStdout()
			for _, env := range config.UnknownEnv(os.Environ()) {
				fmt.Fprintf(w, "warning: %s\n", env)
			}
			name := g.configPath
			if name == "" {
				name = "defaults and environment (no --config; ./" + config.DefaultFile + " if present)"
			}
			if len(problems) == 0 {
				fmt.Fprintf(w, "%s: ok\n", name)
				return nil
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
				// The list is printed here, once; the command's error only
				// says that there were problems (main prints it too).
				w := cmd.ErrOrStderr()
				fmt.Fprintln(w, "warning: the configuration has problems (see newsbot config check):")
				for _, p := range lines(err) {
					fmt.Fprintf(w, "  - %s\n", p)
				}
				fmt.Fprintln(w)
			}
			out, merr := config.Marshal(cfg.Redacted())
			if merr != nil {
				return merr
			}
			if _, werr := cmd.OutOrStdout().Write(out); werr != nil {
				return werr
			}
			if err != nil {
				return errors.New("the configuration has problems")
			}
			return nil
		},
	}
}

// lines splits an error (usually errors.Join of several) into its
// non-empty lines.
func lines(err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	for _, p := range strings.Split(err.Error(), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// keyPattern finds config keys in a message: "discord.public_key",
// "topics[0].name".
var keyPattern = regexp.MustCompile(`[a-z_]+(\[[0-9]+\])?\.[a-z_]+(\.[a-z_]+)?`)

// mentionsKeyOf reports whether msg names a config key that one of
// problems starts with (so it says again what was said).
func mentionsKeyOf(msg string, problems []string) bool {
	for _, k := range keyPattern.FindAllString(msg, -1) {
		for _, p := range problems {
			if strings.HasPrefix(p, k) {
				return true
			}
		}
	}
	return false
}

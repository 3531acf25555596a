package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/newsbot/newsbot/app"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/feeds"
	"github.com/newsbot/newsbot/feeds/fetch"
	"github.com/newsbot/newsbot/feeds/opml"
)

// feedEnv is what the sources and ingest commands work with: the loaded
// config and the store, with the config file's sources synced into it.
type feedEnv struct {
	cfg   config.Config
	store app.Store
	log   *slog.Logger
}

// openFeedEnv loads --config, opens storage.dsn and syncs the config
// file's sources into the store. The caller closes env.store.
func openFeedEnv(cmd *cobra.Command, log *slog.Logger) (*feedEnv, error) {
	path := ""
	if f := cmd.Flag("config"); f != nil {
		path = f.Value.String()
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	store, err := app.OpenStore(cmd.Context(), cfg.Storage.DSN, app.StoreOptions{Logger: log})
	if err != nil {
		return nil, err
	}
	if err := app.SyncSources(cmd.Context(), store, cfg.Sources); err != nil {
		store.Close()
		return nil, err
	}
	return &feedEnv{cfg: cfg, store: store, log: log}, nil
}

func newSourcesCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "sources",
		Short: "List, add, remove, import and export news sources",
		Long: "Sources are feed URLs (RSS, Atom, JSON Feed) or local folders of .txt/.md/.jsonl articles.\n" +
			"Those in the config file (sources:) are kept in sync with it; others are added here, by OPML\nimport, or from chat.",
	}
	c.AddCommand(newSourcesListCmd(), newSourcesAddCmd(), newSourcesRemoveCmd(),
		newSourcesImportCmd(), newSourcesExportCmd(), newSourcesResumeCmd())
	return c
}

func newSourcesListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List sources with their health (last fetch, status, items, errors, next attempt)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, err := openFeedEnv(cmd, discardLogger())
			if err != nil {
				return err
			}
			defer env.store.Close()
			srcs, err := env.store.Sources(cmd.Context())
			if err != nil {
				return err
			}
			states, err := env.store.States(cmd.Context())
			if err != nil {
				return err
			}
			byLoc := map[string]feeds.State{}
			for _, st := range states {
				byLoc[st.Locator] = st
			}
			out := cmd.OutOrStdout()
			if len(srcs) == 0 {
				fmt.Fprintln(out, "No sources yet. Add one with: newsbot sources add NAME URL")
				return nil
			}
			writeSourceTable(out, srcs, byLoc, time.Now())
			return nil
		},
	}
}

// writeSourceTable prints one line per source, and under a failing or
// paused one the reason in plain words.
func writeSourceTable(w io.Writer, srcs []feeds.Source, states map[string]feeds.State, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSOURCE\tHEALTH\tLAST FETCH\tITEMS\tNEW\tNEXT")
	var notes []string
	for _, s := range srcs {
		st := states[s.Locator()]
		items, added, next := "-", "-", "-"
		if !st.LastSuccess.IsZero() {
			items, added = fmt.Sprint(st.LastItems), fmt.Sprint(st.LastNew)
		}
		if !st.NextFetch.IsZero() && !st.Paused {
			next = nextFetch(now, st.NextFetch)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Locator(), health(st), ago(now, st.LastFetch), items, added, next)
		switch {
		case st.Paused:
			notes = append(notes, fmt.Sprintf("%s: paused: %s", s.Name, st.PausedReason))
		case st.LastError != "":
			notes = append(notes, fmt.Sprintf("%s: %s", s.Name, st.LastError))
		}
	}
	tw.Flush()
	if len(notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range notes {
			fmt.Fprintln(w, n)
		}
	}
}

// health sums a state up in a word or two.
func health(st feeds.State) string {
	switch {
	case st.Paused:
		return "paused"
	case st.LastFetch.IsZero():
		return "never fetched"
	case st.Failures > 0:
		return fmt.Sprintf("failing (%d)", st.Failures)
	case st.LastStatus == 304:
		return "ok, unchanged"
	}
	return "ok"
}

// ago renders t relative to now: "3m ago", "in 12m", "-" for zero.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	if d := now.Sub(t); d >= 0 {
		return roundDur(d) + " ago"
	}
	return "in " + roundDur(t.Sub(now))
}

// nextFetch renders when a source is fetched next: "in 12m", "due now"
// when the time has just come, and "overdue 3m" when it passed a while
// ago (the fetcher is busy, or no newsbot serve is running).
func nextFetch(now, t time.Time) string {
	switch late := now.Sub(t); {
	case late < 0:
		return "in " + roundDur(-late)
	case late < time.Minute:
		return "due now"
	default:
		return "overdue " + roundDur(late)
	}
}

func roundDur(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func newSourcesAddCmd() *cobra.Command {
	var fullText bool
	c := &cobra.Command{
		Use:   "add NAME URL|PATH",
		Short: "Add a feed URL or a local folder of articles",
		Example: "  newsbot sources add \"BBC World\" https://feeds.bbci.co.uk/news/world/rss.xml\n" +
			"  newsbot sources add Desk ./articles",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := sourceFromArgs(args[0], args[1])
			if err != nil {
				return err
			}
			src.FullText, src.Origin = fullText, "cli"
			env, err := openFeedEnv(cmd, discardLogger())
			if err != nil {
				return err
			}
			defer env.store.Close()
			if err := checkNewSource(cmd.Context(), env.store, src); err != nil {
				return err
			}
			if err := checkAddress(cmd.Context(), cmd.ErrOrStderr(), src, env.cfg.Fetch.AllowPrivate); err != nil {
				return err
			}
			if err := env.store.AddSource(cmd.Context(), src); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Added %s (%s). Fetch it now with: newsbot ingest\n", src.Name, src.Locator())
			return nil
		},
	}
	c.Flags().BoolVar(&fullText, "full-text", false, "fetch each article's page when the feed carries only a teaser")
	return c
}

// sourceFromArgs makes a source from a name and a URL or path.
func sourceFromArgs(name, loc string) (feeds.Source, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return feeds.Source{}, errors.New("the source needs a name")
	}
	if strings.Contains(loc, "://") {
		u, err := url.Parse(loc)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return feeds.Source{}, fmt.Errorf("%q is not an http(s) URL", loc)
		}
		return feeds.Source{Name: name, URL: loc}, nil
	}
	st, err := os.Stat(loc)
	if err != nil {
		return feeds.Source{}, fmt.Errorf("%q is neither an http(s) URL nor a readable folder or file: %w", loc, err)
	}
	if !st.IsDir() && !strings.HasSuffix(loc, ".txt") && !strings.HasSuffix(loc, ".md") && !strings.HasSuffix(loc, ".jsonl") {
		return feeds.Source{}, fmt.Errorf("%q is not a folder or a .txt, .md or .jsonl file", loc)
	}
	abs, err := absPath(loc)
	if err != nil {
		return feeds.Source{}, err
	}
	return feeds.Source{Name: name, Path: abs}, nil
}

// checkNewSource refuses a name or locator that another source has.
func checkNewSource(ctx context.Context, store app.Store, src feeds.Source) error {
	srcs, err := store.Sources(ctx)
	if err != nil {
		return err
	}
	for _, s := range srcs {
		if s.Locator() == src.Locator() {
			return fmt.Errorf("%s is already a source, named %q", src.Locator(), s.Name)
		}
		if strings.EqualFold(s.Name, src.Name) {
			return fmt.Errorf("the name %q is taken by %s; choose another", s.Name, s.Locator())
		}
	}
	return nil
}

// checkAddress refuses a feed URL the fetcher would refuse to connect to
// (loopback, private, link-local... unless fetch.allow_private), with the
// fetcher's own message, so that the mistake shows now rather than at the
// first fetch. A host that does not resolve now is added with a warning
// on w: DNS may be down, or the name may appear later.
func checkAddress(ctx context.Context, w io.Writer, src feeds.Source, allowPrivate bool) error {
	if src.URL == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := fetch.CheckURL(ctx, src.URL, allowPrivate, nil)
	if _, refused := errors.AsType[*fetch.RefusedError](err); refused {
		return fmt.Errorf("%s: %w", src.URL, err)
	}
	if err != nil {
		fmt.Fprintf(w, "warning: %v; adding %s anyway (fetches fail until it resolves)\n", err, src.Name)
	}
	return nil
}

// findSource finds a source by name (case-insensitive) or locator.
func findSource(ctx context.Context, store app.Store, key string) (feeds.Source, error) {
	srcs, err := store.Sources(ctx)
	if err != nil {
		return feeds.Source{}, err
	}
	for _, s := range srcs {
		if s.Locator() == key || strings.EqualFold(s.Name, key) {
			return s, nil
		}
	}
	if abs, err := absPath(key); err == nil {
		for _, s := range srcs {
			if s.Path == abs {
				return s, nil
			}
		}
	}
	return feeds.Source{}, fmt.Errorf("no source named or located at %q (see newsbot sources list)", key)
}

func newSourcesRemoveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "remove NAME|URL|PATH",
		Short: "Remove a source (its stored articles stay until pruned)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			env, err := openFeedEnv(cmd, discardLogger())
			if err != nil {
				return err
			}
			defer env.store.Close()
			src, err := findSource(cmd.Context(), env.store, args[0])
			if err != nil {
				return err
			}
			if src.Origin == bot.OriginConfig {
				return fmt.Errorf("%s comes from the config file; remove it from sources: there", src.Name)
			}
			if err := env.store.RemoveSource(cmd.Context(), src.Locator()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Removed %s (%s).\n", src.Name, src.Locator())
			return nil
		},
	}
}

func newSourcesResumeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "resume NAME|URL|PATH",
		Short: "Resume a paused source: clear its failures and fetch it on the next pass",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			env, err := openFeedEnv(cmd, discardLogger())
			if err != nil {
				return err
			}
			defer env.store.Close()
			src, err := findSource(cmd.Context(), env.store, args[0])
			if err != nil {
				return err
			}
			st, err := env.store.State(cmd.Context(), src.Locator())
			if err != nil {
				return err
			}
			st.Locator = src.Locator()
			st.Paused, st.PausedReason, st.Failures, st.NextFetch = false, "", 0, time.Time{}
			if err := env.store.SaveState(cmd.Context(), st); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Resumed %s; it is fetched on the next pass.\n", src.Name)
			return nil
		},
	}
}

func newSourcesImportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE.opml",
		Short: "Add the feeds of an OPML file (from a feed reader); - reads standard input",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r io.Reader = cmd.InOrStdin()
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			}
			srcs, skipped, err := opml.Import(r, "opml")
			if err != nil {
				return err
			}
			env, err := openFeedEnv(cmd, discardLogger())
			if err != nil {
				return err
			}
			defer env.store.Close()
			have, err := env.store.Sources(cmd.Context())
			if err != nil {
				return err
			}
			known := map[string]bool{}
			names := map[string]bool{}
			for _, s := range have {
				known[s.Locator()] = true
				names[strings.ToLower(s.Name)] = true
			}
			added, present := 0, 0
			for _, s := range srcs {
				if known[s.Locator()] {
					present++
					continue
				}
				if err := checkAddress(cmd.Context(), cmd.ErrOrStderr(), s, env.cfg.Fetch.AllowPrivate); err != nil {
					skipped = append(skipped, fmt.Errorf("%q: %w", s.Name, err))
					continue
				}
				if names[strings.ToLower(s.Name)] {
					s.Name = s.Name + " (" + app.DefaultSourceName(s) + ")"
				}
				if err := env.store.AddSource(cmd.Context(), s); err != nil {
					skipped = append(skipped, fmt.Errorf("%q: %w", s.Name, err))
					continue
				}
				names[strings.ToLower(s.Name)] = true
				added++
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Imported %s; %d already present; %d skipped.\n", plural(added, "source"), present, len(skipped))
			for _, s := range skipped {
				fmt.Fprintf(out, "  skipped %v\n", s)
			}
			return nil
		},
	}
}

func newSourcesExportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "export [FILE.opml]",
		Short: "Write every source as OPML (to standard output without FILE)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			env, err := openFeedEnv(cmd, discardLogger())
			if err != nil {
				return err
			}
			defer env.store.Close()
			srcs, err := env.store.Sources(cmd.Context())
			if err != nil {
				return err
			}
			if len(args) == 0 {
				return opml.Export(cmd.OutOrStdout(), "newsbot sources", time.Now(), srcs)
			}
			f, err := os.Create(args[0])
			if err != nil {
				return err
			}
			if err := opml.Export(f, "newsbot sources", time.Now(), srcs); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "Wrote %d sources to %s.\n", len(srcs), args[0])
			return nil
		},
	}
}

func absPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("path %q: %w", p, err)
	}
	return abs, nil
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

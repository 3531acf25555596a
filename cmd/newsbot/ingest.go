package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/newsbot/newsbot/app"
	"github.com/newsbot/newsbot/feeds/fetch"
	"github.com/newsbot/newsbot/feeds/poll"
)

func newIngestCmd() *cobra.Command {
	var verbose bool
	c := &cobra.Command{
		Use:   "ingest",
		Short: "Fetch every source once (feeds and local folders), store new articles, and exit",
		Long: "ingest fetches each distinct source once, politely (conditional requests, per-host limits),\n" +
			"stores the articles not seen before, and prints each source's outcome. Paused sources are\n" +
			"skipped (see newsbot sources resume). It fails only if every source it tried failed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := discardLogger()
			if verbose {
				log = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelDebug}))
			}
			env, err := openFeedEnv(cmd, log)
			if err != nil {
				return err
			}
			defer env.store.Close()
			client := fetch.New(app.FetchOptions(env.cfg.Fetch, log))
			defer client.Close()
			p, err := poll.New(env.store, client, app.PollOptions(env.cfg.Fetch, log))
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			prog := newProgress(cmd.ErrOrStderr())
			start := time.Now()
			results, err := p.Ingest(cmd.Context(), func(done, total int, r poll.Result) {
				prog.clear()
				fmt.Fprintln(out, resultLine(done, total, r))
				prog.show(done, total)
			})
			prog.clear()
			if err != nil {
				return fmt.Errorf("ingest stopped: %w", err)
			}
			sum := summarize(results)
			fmt.Fprintln(out, sum.line(time.Since(start)))
			if sum.tried > 0 && sum.failed == sum.tried {
				if sum.failed == 1 {
					return errors.New("the only source failed")
				}
				return fmt.Errorf("all %d sources failed", sum.failed)
			}
			return nil
		},
	}
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "log each request and source to standard error")
	return c
}

// resultLine describes one source's outcome in a line:
// "[ 3/12] BBC World: 20 items, 3 new".
func resultLine(done, total int, r poll.Result) string {
	w := len(fmt.Sprint(total))
	prefix := fmt.Sprintf("[%*d/%d] %s: ", w, done, total, r.Source.Name)
	var msg string
	switch {
	case r.Skipped:
		msg = "skipped, " + r.Reason
	case r.Err != nil:
		msg = "failed: " + r.State.LastError
		if r.State.Paused {
			msg += " (now paused: " + r.State.PausedReason + ")"
		}
	case r.NotModified:
		msg = "unchanged"
	default:
		msg = plural(r.Items, "item") + fmt.Sprintf(", %d new", r.Added)
	}
	for _, p := range r.Problems {
		msg += "\n    note: " + p.Error()
	}
	return prefix + msg
}

type ingestSummary struct {
	tried, ok, unchanged, failed, skipped, added int
}

func summarize(rs []poll.Result) ingestSummary {
	var s ingestSummary
	for _, r := range rs {
		switch {
		case r.Skipped:
			s.skipped++
			continue
		case r.Err != nil:
			s.failed++
		case r.NotModified:
			s.ok++
			s.unchanged++
		default:
			s.ok++
		}
		s.tried++
		s.added += r.Added
	}
	return s
}

func (s ingestSummary) line(took time.Duration) string {
	parts := []string{fmt.Sprintf("%d ok", s.ok)}
	if s.unchanged > 0 {
		parts[0] += fmt.Sprintf(" (%d unchanged)", s.unchanged)
	}
	if s.failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", s.failed))
	}
	if s.skipped > 0 {
		parts = append(parts, fmt.Sprintf("%d paused", s.skipped))
	}
	return fmt.Sprintf("Done: %s, %s; %s in %s.", plural(s.tried+s.skipped, "source"), strings.Join(parts, ", "),
		plural(s.added, "new article"), took.Round(100*time.Millisecond))
}

// progress draws a "fetched 12/40" line on a terminal, rewritten in place;
// it draws nothing when w is not a terminal.
type progress struct {
	w  io.Writer
	on bool
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	if !ok {
		return &progress{w: w}
	}
	st, err := f.Stat()
	return &progress{w: w, on: err == nil && st.Mode()&os.ModeCharDevice != 0}
}

func (p *progress) show(done, total int) {
	if p.on && done < total {
		fmt.Fprintf(p.w, "\rfetched %d/%d sources...", done, total)
	}
}

func (p *progress) clear() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// plural writes "1 item", "2 items".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

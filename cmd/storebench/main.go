// Command storebench builds a large synthetic newsbot database for the
// storage benchmarks (see docs/performance.md):
//
//	go run ./cmd/storebench -db /tmp/news1m.db -n 1000000
//	go run ./cmd/storebench -db /tmp/news1m.db -n 20000 -batch 100 -seed 2 -start 2026-11-01T00:00:00Z
//	go run ./cmd/storebench -db /tmp/news1m.db -prune-at 2026-11-01T00:00:00Z -retention 720h
//	NEWSBOT_BENCH_DB=/tmp/news1m.db go test ./storage/sqlite -run '^$' -bench Search -benchtime 300x -cpu 1
//
// Articles come from internal/newsgen and go through the store's own
// AddArticles (dedupe, store, index) in batches, so the build also
// measures ingestion at scale. The database is a scratch file: never
// commit it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/newsbot/newsbot/internal/newsgen"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/storage/postgres"
	"github.com/newsbot/newsbot/storage/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "storebench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("storebench", flag.ContinueOnError)
	db := fs.String("db", "", "SQLite file or postgres:// URL to create or extend (required)")
	n := fs.Int("n", 1_000_000, "articles to add")
	batch := fs.Int("batch", 1000, "articles per AddArticles call")
	seed := fs.Uint64("seed", 1, "generator seed")
	start := fs.String("start", "2026-10-01T00:00:00Z", "fetch time of the first article (RFC 3339); a million articles span 30 days")
	pruneAt := fs.String("prune-at", "", "instead of adding, prune as of this time (RFC 3339) with -retention")
	retention := fs.Duration("retention", 30*24*time.Hour, "article retention for -prune-at")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the build to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *db == "" {
		return fmt.Errorf("-db is required")
	}
	if *batch <= 0 || *n <= 0 {
		return fmt.Errorf("-n and -batch must be positive")
	}
	t0, err := time.Parse(time.RFC3339, *start)
	if err != nil {
		return fmt.Errorf("-start: %w", err)
	}
	var s storage.Store
	if strings.HasPrefix(*db, "postgres://") || strings.HasPrefix(*db, "postgresql://") {
		s, err = postgres.Open(ctx, *db, postgres.Options{})
	} else {
		s, err = sqlite.Open(ctx, *db, sqlite.Options{})
	}
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			s.Close()
		}
	}()
	if *pruneAt != "" {
		now, err := time.Parse(time.RFC3339, *pruneAt)
		if err != nil {
			return fmt.Errorf("-prune-at: %w", err)
		}
		t := time.Now()
		deleted, err := s.Prune(ctx, now, *retention)
		if err != nil {
			return err
		}
		d := time.Since(t)
		fmt.Fprintf(out, "pruned %d articles fetched before %s in %s (%.0f articles/s)\n",
			deleted, now.Add(-*retention).Format(time.RFC3339), d.Round(time.Millisecond), float64(deleted)/d.Seconds())
		return nil
	}
	g := newsgen.New(newsgen.Config{Seed: *seed, Start: t0})
	began := time.Now()
	u0 := takeUsage()
	var inStore time.Duration
	added, report := 0, 0
	for added < *n {
		arts := g.Batch(min(*batch, *n-added))
		t := time.Now()
		k, err := s.AddArticles(ctx, arts, time.Time{})
		inStore += time.Since(t)
		if err != nil {
			return err
		}
		if k != len(arts) {
			return fmt.Errorf("added %d of %d new articles (is %s already built with seed %d?)", k, len(arts), *db, *seed)
		}
		added += k
		if added-report >= 50_000 || added == *n {
			report = added
			fmt.Fprintf(out, "%8d articles  %6.0f articles/s in AddArticles  %s elapsed\n",
				added, float64(added)/inStore.Seconds(), time.Since(began).Round(time.Second))
		}
	}
	fmt.Fprintf(out, "done: %d articles in %s (%.0f articles/s in AddArticles)\n",
		added, time.Since(began).Round(time.Second), float64(added)/inStore.Seconds())
	// Close checkpoints what is left in the WAL: work that ingestion
	// deferred, so it counts in the CPU and I/O below (which also include
	// generating the articles).
	t := time.Now()
	closed = true
	if err := s.Close(); err != nil {
		return err
	}
	fmt.Fprintf(out, "close (final checkpoint): %s\n", time.Since(t).Round(time.Millisecond))
	u := takeUsage().sub(u0)
	if cpu := u.user + u.sys; cpu > 0 {
		fmt.Fprintf(out, "cpu: user %.2fs, system %.2fs (%.0f articles per CPU-second)\n",
			u.user.Seconds(), u.sys.Seconds(), float64(added)/cpu.Seconds())
	}
	if u.syscr > 0 || u.syscw > 0 {
		fmt.Fprintf(out, "i/o: read %.0f MB in %d calls, wrote %.0f MB in %d calls\n",
			float64(u.rchar)/1e6, u.syscr, float64(u.wchar)/1e6, u.syscw)
	}
	if st, err := os.Stat(*db); err == nil {
		fmt.Fprintf(out, "%s is %.0f MB (plus WAL)\n", *db, float64(st.Size())/1e6)
	}
	return nil
}

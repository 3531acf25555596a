// Package poll keeps newsbot's article pool current: it fetches every
// source through a [fetch.Client] (or reads it from disk), parses it,
// writes new articles to a [feeds.Store] and records each source's health
// in its [feeds.State].
//
// Each distinct feed URL is fetched once per interval, however many
// sources (channels, config entries) name it. Fetch times are spread over
// the interval by hashing the URL to a fixed offset in it, so a thousand
// feeds do not all fire at once. The interval follows the server's
// Cache-Control max-age or the feed's <ttl> within the configured bounds.
// Failures back off exponentially; after MaxFailures in a row a source is
// paused with a reason until resumed.
package poll

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
	"github.com/newsbot/newsbot/feeds/fetch"
	"github.com/newsbot/newsbot/feeds/fulltext"
	"github.com/newsbot/newsbot/feeds/parse"
)

// Options configure a [Poller]. Zero durations and counts take the
// defaults noted.
type Options struct {
	// Interval is how often a feed is fetched when it gives no hint
	// (default 15m).
	Interval time.Duration
	// MinInterval and MaxInterval bound the interval a feed's max-age or
	// <ttl> hint may set, and MaxInterval caps back-off (defaults 5m, 6h).
	MinInterval time.Duration
	MaxInterval time.Duration
	// LocalInterval is how often local folders are checked for changes
	// (default 1m).
	LocalInterval time.Duration
	// MaxFailures pauses a source after this many consecutive failures
	// (default 10).
	MaxFailures int
	// Workers is the most sources processed at once (default 16). The
	// fetch.Client bounds requests in flight per host and overall.
	Workers int
	// MaxFullText is the most article pages fetched for one feed fetch
	// when its source asks for full text (default 20).
	MaxFullText int
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives ingestion logs (default: discarded).
	Logger *slog.Logger
	// OnResult, if set, is called after every source's turn (for
	// metrics). It must be fast and safe for concurrent use.
	OnResult func(Result)
}

func (o Options) withDefaults() Options {
	if o.Interval == 0 {
		o.Interval = 15 * time.Minute
	}
	if o.MinInterval == 0 {
		o.MinInterval = 5 * time.Minute
	}
	if o.MaxInterval == 0 {
		o.MaxInterval = 6 * time.Hour
	}
	if o.LocalInterval == 0 {
		o.LocalInterval = time.Minute
	}
	if o.MaxFailures == 0 {
		o.MaxFailures = 10
	}
	if o.Workers == 0 {
		o.Workers = 16
	}
	if o.MaxFullText == 0 {
		o.MaxFullText = 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

func (o Options) validate() error {
	var errs []error
	if o.Interval < 0 || o.MinInterval < 0 || o.MaxInterval < 0 || o.LocalInterval < 0 {
		errs = append(errs, errors.New("intervals must not be negative"))
	}
	if o.MinInterval > o.MaxInterval {
		errs = append(errs, fmt.Errorf("min interval %s is above max interval %s", o.MinInterval, o.MaxInterval))
	}
	if o.MaxFailures < 0 || o.Workers < 0 || o.MaxFullText < 0 {
		errs = append(errs, errors.New("max failures, workers and max full text must not be negative"))
	}
	return errors.Join(errs...)
}

// seenChecker is the optional store capability of telling whether an
// article key was ever stored; with it, full text is fetched only for new
// items. (bot.Store has it.)
type seenChecker interface {
	Seen(ctx context.Context, key string) (bool, error)
}

// statesLister is the optional store capability of listing every state in
// one call, which Run uses instead of one State call per source.
type statesLister interface {
	States(ctx context.Context) ([]feeds.State, error)
}

// Poller fetches sources into a store. It is safe for concurrent use, but
// Run should be called once at a time.
type Poller struct {
	store  feeds.Store
	client *fetch.Client
	full   *fulltext.Extractor
	opts   Options
	log    *slog.Logger

	mu     sync.Mutex
	recent map[string]map[string]string // locator -> canonical URL -> GUID, from the last fetch
}

// New returns a Poller writing to store and fetching through client.
// It returns an error for inconsistent options.
func New(store feeds.Store, client *fetch.Client, opts Options) (*Poller, error) {
	if store == nil || client == nil {
		return nil, errors.New("poll: store and client are required")
	}
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("poll: %w", err)
	}
	return &Poller{
		store:  store,
		client: client,
		full:   fulltext.New(client),
		opts:   opts,
		log:    opts.Logger,
		recent: map[string]map[string]string{},
	}, nil
}

// Result is the outcome of one source's turn.
type Result struct {
	// Source is the source fetched (the first of those sharing its
	// locator), Names every source name sharing it.
	Source feeds.Source
	Names  []string
	// State is the source's state after the turn.
	State feeds.State
	// Skipped is set when the source was not fetched (paused); Reason
	// says why.
	Skipped bool
	Reason  string
	// NotModified is set when the source answered 304 (or a local folder
	// had not changed).
	NotModified bool
	// Items is how many items the feed held; Added how many were new.
	Items, Added int
	// Problems lists skipped local files and failed full-text fetches;
	// they do not make the turn fail.
	Problems []error
	// Err is the failure, if the turn failed.
	Err error
	// Took is how long the turn took.
	Took time.Duration
}

// group is one distinct locator and the sources that name it.
type group struct {
	src   feeds.Source
	names []string
}

// groups lists the distinct sources, in the store's order.
func (p *Poller) groups(ctx context.Context) ([]*group, error) {
	srcs, err := p.store.Sources(ctx)
	if err != nil {
		return nil, fmt.Errorf("poll: list sources: %w", err)
	}
	byLoc := map[string]*group{}
	var out []*group
	for _, s := range srcs {
		loc := s.Locator()
		if loc == "" {
			continue
		}
		g := byLoc[loc]
		if g == nil {
			g = &group{src: s}
			byLoc[loc] = g
			out = append(out, g)
		} else if s.FullText {
			g.src.FullText = true
		}
		g.names = append(g.names, s.Name)
	}
	return out, nil
}

// Ingest fetches every source that is not paused once, now, whether due
// or not, with at most Workers at a time, and returns one Result per
// distinct source in the store's order. progress, if not nil, is called
// after each source (never concurrently). It returns an error only if the
// sources cannot be listed or ctx ends; per-source failures are in the
// results.
func (p *Poller) Ingest(ctx context.Context, progress func(done, total int, r Result)) ([]Result, error) {
	gs, err := p.groups(ctx)
	if err != nil {
		return nil, err
	}
	results := make([]Result, len(gs))
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
	)
	sem := make(chan struct{}, p.opts.Workers)
	finished := func() []Result {
		out := results[:0:0]
		for _, r := range results {
			if r.Source.Locator() != "" {
				out = append(out, r)
			}
		}
		return out
	}
	for i, g := range gs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return finished(), ctx.Err()
		}
		wg.Go(func() {
			defer func() { <-sem }()
			r := p.turn(ctx, g, false)
			mu.Lock()
			defer mu.Unlock()
			results[i] = r
			done++
			if progress != nil {
				progress(done, len(gs), r)
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return finished(), ctx.Err()
	}
	return results, nil
}

// PollDue fetches every source due at the current time (NextFetch not
// after now, or never fetched) and not paused, and returns their results.
func (p *Poller) PollDue(ctx context.Context) ([]Result, error) {
	gs, err := p.groups(ctx)
	if err != nil {
		return nil, err
	}
	var (
		mu      sync.Mutex
		results []Result
		wg      sync.WaitGroup
	)
	sem := make(chan struct{}, p.opts.Workers)
	for _, g := range gs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return results, ctx.Err()
		}
		wg.Go(func() {
			defer func() { <-sem }()
			r := p.turn(ctx, g, true)
			if r.Skipped && r.Reason == reasonNotDue {
				return
			}
			mu.Lock()
			results = append(results, r)
			mu.Unlock()
		})
	}
	wg.Wait()
	return results, ctx.Err()
}

// Run polls due sources until ctx is done, then waits for fetches in
// flight (which see ctx cancelled) and returns nil. Sources added to the
// store are picked up within a minute. Local folders are watched: a
// change is read about half a second after the folder goes quiet, and
// every LocalInterval in any case.
func (p *Poller) Run(ctx context.Context) error {
	var (
		mu       sync.Mutex
		inflight = map[string]bool{}
		wg       sync.WaitGroup
	)
	defer wg.Wait()
	sem := make(chan struct{}, p.opts.Workers)
	// kick wakes the loop when a turn ends, to schedule its next one, and
	// when a watched local folder has changed.
	kick := make(chan struct{}, 1)
	poke := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	w := newWatcher(p.log, poke)
	defer w.close()
	for {
		gs, err := p.groups(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			p.log.ErrorContext(ctx, "poll: list sources", slog.String("error", err.Error()))
		}
		w.sync(gs)
		now := p.opts.Now()
		wake := now.Add(time.Minute)
		var all map[string]feeds.State
		if sl, ok := p.store.(statesLister); ok {
			if sts, err := sl.States(ctx); err == nil {
				all = make(map[string]feeds.State, len(sts))
				for _, st := range sts {
					all[st.Locator] = st
				}
			}
		}
		for _, g := range gs {
			loc := g.src.Locator()
			mu.Lock()
			busy := inflight[loc]
			mu.Unlock()
			if busy {
				continue
			}
			st, ok := all[loc]
			if all == nil {
				st, err = p.store.State(ctx, loc)
			} else if !ok {
				st = feeds.State{Locator: loc}
			}
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				p.log.ErrorContext(ctx, "poll: read state", slog.String("source", loc), slog.String("error", err.Error()))
				continue
			}
			if st.Paused {
				continue
			}
			due, changed := !st.NextFetch.After(now), false
			if !due && w.take(loc) {
				due, changed = true, true // a watched folder changed on disk
			}
			if !due {
				if st.NextFetch.Before(wake) {
					wake = st.NextFetch
				}
				continue
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return nil
			}
			mu.Lock()
			inflight[loc] = true
			mu.Unlock()
			wg.Go(func() {
				defer func() {
					mu.Lock()
					delete(inflight, loc)
					mu.Unlock()
					<-sem
					poke()
				}()
				p.turn(ctx, g, !changed)
			})
		}
		d := max(wake.Sub(p.opts.Now()), 0)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-kick:
			t.Stop()
		case <-t.C:
		}
	}
}

// Resume clears a source's pause and failures and makes it due now.
func (p *Poller) Resume(ctx context.Context, locator string) error {
	st, err := p.store.State(ctx, locator)
	if err != nil {
		return fmt.Errorf("resume %s: %w", locator, err)
	}
	st.Paused, st.PausedReason, st.Failures, st.NextFetch = false, "", 0, time.Time{}
	if err := p.store.SaveState(ctx, st); err != nil {
		return fmt.Errorf("resume %s: %w", locator, err)
	}
	return nil
}

const (
	reasonNotDue = "not due"
	reasonPaused = "paused"
)

// turn gives one source its turn: fetch or read, store, record health.
func (p *Poller) turn(ctx context.Context, g *group, onlyDue bool) Result {
	start := p.opts.Now()
	src := g.src
	loc := src.Locator()
	r := Result{Source: src, Names: g.names}
	st, err := p.store.State(ctx, loc)
	if err != nil {
		r.Err = fmt.Errorf("read state of %s: %w", loc, err)
		return r
	}
	st.Locator = loc
	r.State = st
	if st.Paused {
		r.Skipped, r.Reason = true, reasonPaused+": "+st.PausedReason
		return r
	}
	if onlyDue && st.NextFetch.After(start) {
		r.Skipped, r.Reason = true, reasonNotDue
		return r
	}
	var o outcome
	if src.URL != "" {
		o = p.fetchFeed(ctx, src, st)
	} else {
		o = p.readLocal(ctx, src, st)
	}
	if ctx.Err() != nil && o.err != nil {
		// Shutting down: not the source's fault; leave its state alone.
		r.Err = o.err
		return r
	}
	now := p.opts.Now()
	r.Took = now.Sub(start)
	r.Items, r.Added, r.Problems, r.NotModified = o.items, o.added, o.problems, o.notModified
	st = p.record(st, o, src, now)
	r.State = st
	r.Err = o.err
	if err := p.store.SaveState(ctx, st); err != nil {
		r.Err = errors.Join(r.Err, fmt.Errorf("save state of %s: %w", loc, err))
	}
	p.logResult(ctx, r)
	if p.opts.OnResult != nil {
		p.opts.OnResult(r)
	}
	return r
}

// outcome is what one fetch or read produced.
type outcome struct {
	status        int
	notModified   bool
	etag, lastMod string
	hint          time.Duration // server's or feed's freshness hint
	retryAfter    time.Duration
	items, added  int
	problems      []error
	err           error
	storeErr      bool // the failure was ours (storage), not the source's
	gone          bool // 410: the feed is gone for good
}

func (p *Poller) fetchFeed(ctx context.Context, src feeds.Source, st feeds.State) outcome {
	resp, err := p.client.Get(ctx, fetch.Request{URL: src.URL, ETag: st.ETag, LastModified: st.LastModified})
	if errors.Is(err, feeds.ErrNotModified) {
		return outcome{status: http.StatusNotModified, notModified: true, etag: resp.ETag, lastMod: resp.LastModified, hint: resp.MaxAge}
	}
	if err != nil {
		o := outcome{err: err}
		var se *fetch.StatusError
		if errors.As(err, &se) {
			o.status, o.retryAfter, o.gone = se.Code, se.RetryAfter, se.Code == http.StatusGone
		}
		return o
	}
	if resp.MovedTo != "" {
		p.log.WarnContext(ctx, "feed moved permanently; update the source",
			slog.String("source", src.Name), slog.String("feed_url", src.URL), slog.String("moved_to", resp.MovedTo))
	}
	now := p.opts.Now()
	f, err := parse.Parse(resp.Body, parse.Options{Source: src.Name, URL: resp.URL, ContentType: resp.ContentType, Now: now})
	if err != nil {
		return outcome{status: resp.Status, err: err}
	}
	arts := p.stabilize(ctx, src.URL, f.Articles)
	var problems []error
	if src.FullText {
		problems = p.fullText(ctx, arts)
	}
	added, err := p.store.AddArticles(ctx, arts, now)
	if err != nil {
		// Keep the old validators so the items are fetched again.
		return outcome{status: resp.Status, err: fmt.Errorf("store articles: %w", err), storeErr: true}
	}
	return outcome{
		status: resp.Status, etag: resp.ETag, lastMod: resp.LastModified,
		hint: max(resp.MaxAge, f.TTL), items: len(arts), added: added, problems: problems,
	}
}

func (p *Poller) readLocal(ctx context.Context, src feeds.Source, st feeds.State) outcome {
	snap, err := feeds.ReadLocal(ctx, src, st.ETag)
	if errors.Is(err, feeds.ErrNotModified) {
		return outcome{notModified: true, etag: st.ETag}
	}
	if err != nil {
		return outcome{err: err}
	}
	added, err := p.store.AddArticles(ctx, snap.Articles, p.opts.Now())
	if err != nil {
		return outcome{err: fmt.Errorf("store articles: %w", err), storeErr: true}
	}
	return outcome{etag: snap.Version, items: len(snap.Articles), added: added, problems: snap.Problems}
}

// stabilize keeps article keys stable for feeds whose GUIDs change from
// one fetch to the next while the link stays: an item whose canonical URL
// had another GUID in the previous fetch of the same feed gets that GUID
// back. Links shared by several items (a feed linking every item to its
// home page) and bare home-page links are left alone.
func (p *Poller) stabilize(ctx context.Context, loc string, arts []briefing.Article) []briefing.Article {
	count := map[string]int{}
	for _, a := range arts {
		if a.URL != "" {
			count[briefing.CanonicalURL(a.URL)]++
		}
	}
	p.mu.Lock()
	prev := p.recent[loc]
	p.mu.Unlock()
	cur := make(map[string]string, len(arts))
	changed := 0
	for i := range arts {
		a := &arts[i]
		if a.URL == "" || a.GUID == "" {
			continue
		}
		c := briefing.CanonicalURL(a.URL)
		if count[c] != 1 || !specificURL(c) {
			continue
		}
		if g, ok := prev[c]; ok && g != a.GUID {
			a.GUID = g
			changed++
		}
		cur[c] = a.GUID
	}
	p.mu.Lock()
	p.recent[loc] = cur
	p.mu.Unlock()
	if changed > 0 {
		p.log.InfoContext(ctx, "feed changed item GUIDs; kept the earlier ones for the same links",
			slog.String("feed_url", loc), slog.Int("items", changed))
	}
	return arts
}

// specificURL reports whether u names a page rather than a site's root.
func specificURL(u string) bool {
	i := len("https://")
	if len(u) <= i {
		return false
	}
	rest := u[i:]
	for j := 0; j < len(rest); j++ {
		if rest[j] == '/' || rest[j] == '?' {
			return j+1 < len(rest)
		}
	}
	return false
}

// fullText replaces teaser texts with the article page's text, for items
// the store has not seen, at most MaxFullText per fetch. Failures keep the
// teaser and are returned as problems.
func (p *Poller) fullText(ctx context.Context, arts []briefing.Article) []error {
	seen, _ := p.store.(seenChecker)
	var problems []error
	n := 0
	for i := range arts {
		a := &arts[i]
		if a.URL == "" || !fulltext.IsTeaser(a.Text) {
			continue
		}
		if seen != nil {
			if ok, err := seen.Seen(ctx, a.Key()); err == nil && ok {
				continue
			}
		}
		if n >= p.opts.MaxFullText {
			break
		}
		n++
		text, err := p.full.Extract(ctx, a.URL)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		if len(text) > len(a.Text) {
			a.Text = text
		}
	}
	return problems
}

// record folds an outcome into the source's state and schedules the next
// turn.
func (p *Poller) record(st feeds.State, o outcome, src feeds.Source, now time.Time) feeds.State {
	st.LastFetch = now
	st.LastStatus = o.status
	if o.err == nil {
		st.LastSuccess = now
		st.LastError = ""
		st.Failures = 0
		st.ETag, st.LastModified = o.etag, o.lastMod
		if o.notModified {
			st.LastNew = 0
		} else {
			st.LastItems, st.LastNew = o.items, o.added
		}
		if src.URL == "" {
			st.NextFetch = now.Add(p.opts.LocalInterval)
		} else {
			st.NextFetch = p.nextFetch(now, o.hint, src.URL)
		}
		return st
	}
	st.LastError = fetch.Describe(o.err)
	if o.storeErr {
		// Our own storage failed: retry soon, without counting it against
		// the source.
		st.NextFetch = now.Add(p.opts.MinInterval)
		return st
	}
	st.Failures++
	switch {
	case o.gone:
		st.Paused = true
		st.PausedReason = "the server says the feed is gone (410 Gone); remove the source or resume it if it came back"
	case st.Failures >= p.opts.MaxFailures:
		st.Paused = true
		st.PausedReason = fmt.Sprintf("%d failures in a row; last: %s", st.Failures, st.LastError)
	}
	st.NextFetch = now.Add(p.backoff(st.Failures, o.retryAfter, src.Locator()))
	return st
}

// nextFetch returns when a feed is due again: after the server's or the
// feed's hint (or the default interval) clamped to [MinInterval,
// MaxInterval], at the feed's own offset within that period, so fetches
// of many feeds spread evenly instead of bunching. The result lies
// between half and one and a half periods from now (exactly one period
// once the feed is fetched on its slot).
func (p *Poller) nextFetch(now time.Time, hint time.Duration, locator string) time.Time {
	every := p.opts.Interval
	if hint > 0 {
		every = hint
	}
	every = min(max(every, p.opts.MinInterval), p.opts.MaxInterval)
	e := int64(every)
	phase := int64(hash64(locator) % uint64(e))
	n := now.Add(every/2).UnixNano() - phase
	k := n / e
	if n%e < 0 {
		k--
	}
	return time.Unix(0, (k+1)*e+phase).UTC()
}

// backoff is the delay after the n-th consecutive failure: the interval
// doubled for each failure after the first, at most MaxInterval, never
// less than the server's Retry-After, plus up to 10% of jitter derived
// from the locator so that sources failing together do not retry
// together.
func (p *Poller) backoff(n int, retryAfter time.Duration, locator string) time.Duration {
	d := p.opts.Interval
	for i := 1; i < n && d < p.opts.MaxInterval; i++ {
		d *= 2
	}
	d = max(min(d, p.opts.MaxInterval), min(retryAfter, p.opts.MaxInterval))
	jitter := time.Duration(hash64(fmt.Sprint(locator, n)) % uint64(d/10+1))
	return d + jitter
}

func hash64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func (p *Poller) logResult(ctx context.Context, r Result) {
	attrs := []any{
		slog.String("source", r.Source.Name), slog.String("locator", r.Source.Locator()),
		slog.Int("status", r.State.LastStatus), slog.Duration("took", r.Took),
	}
	switch {
	case r.Err != nil:
		p.log.WarnContext(ctx, "source failed", append(attrs, slog.String("error", r.State.LastError),
			slog.Int("failures", r.State.Failures), slog.Bool("paused", r.State.Paused), slog.Time("next_fetch", r.State.NextFetch))...)
	case r.NotModified:
		p.log.DebugContext(ctx, "source not modified", attrs...)
	default:
		p.log.InfoContext(ctx, "source fetched", append(attrs, slog.Int("items", r.Items), slog.Int("new", r.Added))...)
	}
	for _, pr := range r.Problems {
		p.log.WarnContext(ctx, "source problem", slog.String("source", r.Source.Name), slog.String("problem", pr.Error()))
	}
}

// SortByName orders results by source name, for display.
func SortByName(rs []Result) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Source.Name < rs[j].Source.Name })
}

package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/newsbot/newsbot/briefing"
)

// Defaults and bounds of [Config].
const (
	DefaultWindow      = 72 * time.Hour
	DefaultAt          = "08:00"
	DefaultSearchLimit = 5000
	// DefaultBriefLimit bounds the articles an interactive answer reads:
	// the newest matching ones within the window. It keeps /news fast over
	// a large pool (the engine reads every candidate); a topic busier than
	// that is briefed from its newest articles.
	DefaultBriefLimit = 400
	// MinGrace is the least lateness a delivery is allowed: queueing and
	// retries need a few minutes even when the bot never stopped.
	MinGrace = 5 * time.Minute
	// DefaultMaxInlineWait is how long a delivery waits in place for a
	// platform's Retry-After before handing the job back to the queue.
	DefaultMaxInlineWait = 30 * time.Second
	// MaxDigestLookback bounds how far back a digest reaches, so a bot that
	// was down for a month does not post a month of news at once.
	MaxDigestLookback = 8 * 24 * time.Hour
)

// RateLimit is a platform's allowed posting rate.
type RateLimit struct {
	// PerSecond is the sustained rate of posts; 0 means no limit of the
	// bot's own (the platform's 429s still pause it).
	PerSecond float64
	// Burst is how many posts may go at once (default 1).
	Burst int
}

// Config configures a [Bot]. The wiring maps config.Config onto it; zero
// fields take the defaults given on each.
type Config struct {
	// Window is how far back /news looks, and the first digest of a new
	// subscription (default DefaultWindow).
	Window time.Duration
	// Budget bounds a /news briefing; Budget.Stories is also a digest's
	// size unless the subscription says max N (zero fields: the
	// briefing package's defaults).
	Budget briefing.Budget
	// TimeZone is the IANA zone of subscriptions that name none (default
	// "UTC").
	TimeZone string
	// At is the time of day of subscriptions that name none (default
	// DefaultAt).
	At string
	// Grace is how late a digest may still be posted, after downtime or
	// failed attempts; later ones are skipped and logged. Values below
	// MinGrace (including zero) mean MinGrace.
	Grace time.Duration
	// PostEmpty posts a short "nothing new" note when a digest has no
	// stories, instead of posting nothing.
	PostEmpty bool
	// SearchLimit is the most articles read from the store for one digest
	// (default DefaultSearchLimit).
	SearchLimit int
	// BriefLimit is the most articles read for an interactive answer:
	// /news, why (default DefaultBriefLimit).
	BriefLimit int
	// Limits are the posting rates per platform name ("slack"). Delivery
	// waits for them before posting; a platform's 429 pauses every
	// delivery to that platform for its Retry-After either way.
	Limits map[string]RateLimit
	// MaxInlineWait is the longest Retry-After a delivery waits out in
	// place (default DefaultMaxInlineWait); longer ones return the
	// *RateLimitError so the queue retries later.
	MaxInlineWait time.Duration
	// Engine groups, ranks and summarizes (default briefing.New with its
	// default config).
	Engine *briefing.Engine
	// Observer, if set, is told the outcome of every command and delivery
	// (for metrics).
	Observer Observer
	// CheckSource, if set, vets the feed URL of `/news source add` before
	// it is stored: an error refuses the source and its message is shown
	// to the admin. serve and chat use the fetcher's address guard, so a
	// loopback or private address is refused at once rather than at the
	// first fetch.
	CheckSource func(ctx context.Context, feedURL string) error
	// Logger receives the bot's logs (default: discarded).
	Logger *slog.Logger
	// Now is the clock (default time.Now). Waiting for rate limits uses
	// real timers regardless.
	Now func() time.Time
}

// Bot is newsbot's application: it answers commands from every platform
// ([Bot.HandleCommand]), plans and delivers scheduled digests
// ([Bot.Plan], [Bot.Deliver]) and keeps the config file's topics and
// subscriptions in the store ([Bot.SyncDeclared]). It is safe for
// concurrent use.
type Bot struct {
	store      Store
	cfg        Config
	eng        *briefing.Engine
	log        *slog.Logger
	now        func() time.Time
	platforms  map[string]Platform
	defaultLoc *time.Location

	locMu sync.Mutex
	locs  map[string]*time.Location

	planMu  sync.Mutex
	planned map[string]planEntry

	throttleMu sync.Mutex
	throttles  map[string]*throttle

	healthMu     sync.Mutex
	healthLoaded bool
	unhealthy    map[string]bool
}

// New returns a Bot over store that posts through platforms (one per
// name). It returns an error naming the problem for an invalid config.
func New(store Store, cfg Config, platforms ...Platform) (*Bot, error) {
	if store == nil {
		return nil, errors.New("bot: no store")
	}
	var errs []error
	if cfg.Window < 0 {
		errs = append(errs, fmt.Errorf("window %s is negative", cfg.Window))
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.TimeZone == "" {
		cfg.TimeZone = "UTC"
	}
	if cfg.At == "" {
		cfg.At = DefaultAt
	} else if _, _, ok := parseHHMM(cfg.At); !ok {
		errs = append(errs, fmt.Errorf("default time %q is not HH:MM", cfg.At))
	}
	cfg.Grace = max(cfg.Grace, MinGrace)
	if cfg.SearchLimit <= 0 {
		cfg.SearchLimit = DefaultSearchLimit
	}
	if cfg.BriefLimit <= 0 {
		cfg.BriefLimit = DefaultBriefLimit
	}
	if cfg.MaxInlineWait <= 0 {
		cfg.MaxInlineWait = DefaultMaxInlineWait
	}
	for name, l := range cfg.Limits {
		if l.PerSecond < 0 || l.Burst < 0 {
			errs = append(errs, fmt.Errorf("rate limit of %s is negative", name))
		}
	}
	if cfg.Engine == nil {
		cfg.Engine = briefing.New(briefing.Config{})
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		errs = append(errs, fmt.Errorf("time zone %q: %w", cfg.TimeZone, err))
	}
	b := &Bot{
		store:      store,
		cfg:        cfg,
		eng:        cfg.Engine,
		log:        cfg.Logger,
		now:        cfg.Now,
		platforms:  map[string]Platform{},
		defaultLoc: loc,
		locs:       map[string]*time.Location{},
		planned:    map[string]planEntry{},
		throttles:  map[string]*throttle{},
		unhealthy:  map[string]bool{},
	}
	for _, p := range platforms {
		if p == nil {
			errs = append(errs, errors.New("nil platform"))
			continue
		}
		if _, dup := b.platforms[p.Name()]; dup {
			errs = append(errs, fmt.Errorf("two platforms named %q", p.Name()))
		}
		b.platforms[p.Name()] = p
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("bot config: %w", err)
	}
	return b, nil
}

// Platforms returns the names of the platforms the bot posts to, sorted.
func (b *Bot) Platforms() []string { return slices.Sorted(maps.Keys(b.platforms)) }

// HandleCommand answers one command. Parse errors, refusals and other
// problems the user can fix come back as a Reply (Ephemeral, with the
// usage) and a nil error. An internal failure comes back as a Reply saying
// something went wrong, fit to show the user, together with the error,
// which the bot has logged; adapters may count it.
func (b *Bot) HandleCommand(ctx context.Context, cmd Command) (rep Reply, err error) {
	// The team is not part of the channel's identity, but it says whose
	// channels a reply may name (see TeamResolver).
	ctx = context.WithValue(ctx, teamKey{}, cmd.Channel.Team)
	cmd.Channel = cmd.Channel.Canonical()
	log := b.log.With(slog.String("platform", cmd.Channel.Platform), slog.String("channel", cmd.Channel.String()))
	start := b.now()
	verb, outcome := Verb("unknown"), OutcomeOK
	defer func() {
		if r := recover(); r != nil {
			rep, err = b.failReply(ctx, log, cmd, fmt.Errorf("command panicked: %v", r))
			outcome = OutcomeError
		}
		if b.cfg.Observer != nil {
			b.cfg.Observer.CommandDone(cmd.Channel.Platform, string(verb), outcome, b.now().Sub(start))
		}
	}()
	req, err := ParseCommand(cmd.Text)
	if err != nil {
		outcome = outcomeOf(err)
		return b.failReply(ctx, log, cmd, err)
	}
	verb = req.Verb
	log = log.With(slog.String("verb", string(req.Verb)))
	if req.Verb.Admin() && !cmd.Admin {
		outcome = OutcomeRefused
		return b.failReply(ctx, log, cmd, b.refusal(cmd, req.Verb))
	}
	rep, err = b.route(ctx, cmd, req)
	if err != nil {
		outcome = outcomeOf(err)
		return b.failReply(ctx, log, cmd, err)
	}
	log.DebugContext(ctx, "command answered", slog.String("user", cmd.User))
	return rep, nil
}

func (b *Bot) failReply(ctx context.Context, log *slog.Logger, cmd Command, err error) (Reply, error) {
	rep := Reply{Text: ErrorMessage(err), Ephemeral: true}
	if ErrorCode(err) == EINTERNAL {
		log.ErrorContext(ctx, "command failed", slog.String("user", cmd.User), slog.Any("error", err))
		return rep, fmt.Errorf("command: %w", err)
	}
	log.DebugContext(ctx, "command refused", slog.String("user", cmd.User), slog.String("code", ErrorCode(err)))
	return rep, nil
}

// refusal explains which permission a settings change needs.
func (b *Bot) refusal(cmd Command, v Verb) *Error {
	what := map[Verb]string{
		VerbTopicAdd: "add topics", VerbTopicRemove: "remove topics",
		VerbSubscribe: "schedule digests", VerbUnsubscribe: "stop digests",
		VerbSourceAdd: "add sources", VerbSourceRemove: "remove sources",
	}[v]
	who := "an admin of this workspace or server"
	if h, ok := b.platforms[cmd.Channel.Platform].(AdminHinter); ok && h.AdminHint() != "" {
		who = h.AdminHint()
	}
	return Errorf(EFORBIDDEN, "Only admins can %s. Here that means: %s. Anyone can read: try `/news topics` or `/news help`.", what, who)
}

func (b *Bot) route(ctx context.Context, cmd Command, req Request) (Reply, error) {
	switch req.Verb {
	case VerbHelp:
		return Reply{Text: HelpText(req.Subject), Ephemeral: true}, nil
	case VerbBrief:
		return b.brief(ctx, cmd, req.Query)
	case VerbTopics:
		return b.listTopics(ctx, cmd)
	case VerbTopicAdd:
		return b.addTopic(ctx, cmd, req)
	case VerbTopicRemove:
		return b.removeTopic(ctx, cmd, req.Topic)
	case VerbSubscribe:
		return b.subscribe(ctx, cmd, req)
	case VerbUnsubscribe:
		return b.unsubscribe(ctx, cmd, req.Topic)
	case VerbSubscriptions:
		return b.listSubscriptions(ctx, cmd)
	case VerbSources:
		return b.listSources(ctx)
	case VerbSourceAdd:
		return b.addSource(ctx, cmd, req.URL)
	case VerbSourceRemove:
		return b.removeSource(ctx, req.URL)
	case VerbHealth:
		return b.health(ctx, cmd)
	case VerbWhy:
		return b.why(ctx, cmd, req.URL)
	case VerbPreview:
		return b.preview(ctx, cmd, req.Topic)
	}
	return Reply{}, fmt.Errorf("verb %q has no handler", req.Verb)
}

// location loads an IANA zone, cached.
func (b *Bot) location(name string) (*time.Location, error) {
	if name == "" {
		return b.defaultLoc, nil
	}
	b.locMu.Lock()
	defer b.locMu.Unlock()
	if loc, ok := b.locs[name]; ok {
		return loc, nil
	}
	if strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("time zone %q: name a zone such as Europe/Berlin", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	b.locs[name] = loc
	return loc, nil
}

// ScheduleOf returns a subscription's schedule; empty fields take the
// bot's defaults.
func (b *Bot) ScheduleOf(s Subscription) (Schedule, error) {
	loc, err := b.location(s.TimeZone)
	if err != nil {
		return Schedule{}, err
	}
	at := s.At
	if at == "" {
		at = b.cfg.At
	}
	return NewSchedule(at, loc, s.Days)
}

// ParseChannelRef reads a channel as the config file names it:
// "platform:channel" ("slack:C123") or "platform:team:channel" (the form
// [ChannelRef.String] writes; the team may be empty: "slack::C123").
func ParseChannelRef(s string) (ChannelRef, error) {
	parts := strings.Split(s, ":")
	switch {
	case len(parts) == 2 && parts[0] != "" && parts[1] != "":
		return ChannelRef{Platform: parts[0], Channel: parts[1]}, nil
	case len(parts) == 3 && parts[0] != "" && parts[2] != "":
		return ChannelRef{Platform: parts[0], Team: parts[1], Channel: parts[2]}, nil
	}
	return ChannelRef{}, fmt.Errorf("%q is not platform:channel (for example slack:C0123ABC or discord:123456789; platform:team:channel is accepted too)", s)
}

// parseSubscriptionID splits a [Subscription.ID] into channel and topic.
func parseSubscriptionID(id string) (ChannelRef, string, error) {
	i := strings.LastIndexByte(id, '/')
	if i < 0 {
		return ChannelRef{}, "", fmt.Errorf("subscription id %q has no topic", id)
	}
	ch, err := ParseChannelRef(id[:i])
	if err != nil {
		return ChannelRef{}, "", fmt.Errorf("subscription id: %w", err)
	}
	return ch, id[i+1:], nil
}

// TopicNames returns the names of a channel's topics, sorted: what a
// platform offers when a user starts typing a topic (Discord autocomplete).
func (b *Bot) TopicNames(ctx context.Context, ch ChannelRef) ([]string, error) {
	topics, err := b.store.Topics(ctx, ch.Canonical())
	if err != nil {
		return nil, fmt.Errorf("topic names: %w", err)
	}
	names := make([]string, 0, len(topics))
	for _, t := range topics {
		names = append(names, t.Name)
	}
	slices.Sort(names)
	return names, nil
}

// teamKey is the context key of the team the command came from.
type teamKey struct{}

// commandTeam returns the team the command being handled came from.
func commandTeam(ctx context.Context) string {
	t, _ := ctx.Value(teamKey{}).(string)
	return t
}

package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newsbot/newsbot/bot"
	slackapi "github.com/slack-go/slack"
	"golang.org/x/time/rate"
)

// Adapter is newsbot's Slack platform. It implements [bot.Platform] and
// [bot.PostedChecker], and serves Slack's HTTP requests through
// [Adapter.HTTPHandler]. It is safe for concurrent use.
type Adapter struct {
	cfg      Config
	log      *slog.Logger
	api      *slackapi.Client
	verifier *verifier
	admins   map[string]bool
	adminMu  sync.Mutex
	adminTTL map[string]adminEntry
	events   *expirySet // event IDs already handled
	refused  refusals   // rate-limits warnings about unverified requests

	inflight tracker

	limMu    sync.Mutex
	limiters map[string]*rate.Limiter
	coolMu   sync.Mutex
	coolTill time.Time // no chat.postMessage before this (after a 429)

	socketUp atomic.Bool // a Socket Mode connection is established
}

// Interface checks.
var (
	_ bot.Platform      = (*Adapter)(nil)
	_ bot.PostedChecker = (*Adapter)(nil)
)

// New returns an adapter for cfg. It makes no network calls. It returns an
// error naming every problem when cfg is incomplete or malformed.
func New(cfg Config) (*Adapter, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("slack config: %w", err)
	}
	log := cfg.Logger.With(slog.String("platform", platformName))
	opts := []slackapi.Option{
		slackapi.OptionAPIURL(cfg.APIURL),
		slackapi.OptionHTTPClient(cfg.HTTPClient),
		slackapi.OptionLog(slog.NewLogLogger(log.Handler(), slog.LevelDebug)),
	}
	if cfg.AppToken != "" {
		opts = append(opts, slackapi.OptionAppLevelToken(cfg.AppToken))
	}
	a := &Adapter{
		cfg:      cfg,
		log:      log,
		api:      slackapi.New(cfg.BotToken, opts...),
		verifier: newVerifier(cfg.SigningSecret, cfg.Now),
		admins:   make(map[string]bool, len(cfg.Admins)),
		adminTTL: make(map[string]adminEntry),
		events:   newExpirySet(),
		limiters: make(map[string]*rate.Limiter),
	}
	for _, id := range cfg.Admins {
		a.admins[id] = true
	}
	return a, nil
}

// Connected reports whether the adapter can receive commands: always in
// HTTP mode (Slack calls us), and while the websocket is up in Socket Mode.
// serve's /readyz uses it.
func (a *Adapter) Connected() bool {
	return a.cfg.AppToken == "" || a.socketUp.Load()
}

// Name returns "slack".
func (a *Adapter) Name() string { return platformName }

// Run receives commands until ctx is done. With an app-level token it
// connects over Socket Mode and calls h for every slash command and app
// mention; otherwise commands arrive through [Adapter.HTTPHandler] and Run
// only waits. When ctx is done, Run waits up to Config.DrainTimeout for
// deferred replies still in flight, then cancels them. It returns nil on a
// clean stop and an error when Socket Mode cannot connect (for example an
// invalid token).
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	var err error
	if a.cfg.AppToken != "" {
		err = a.runSocket(ctx, h)
	} else {
		<-ctx.Done()
	}
	a.drain()
	return err
}

// drain waits for in-flight work, then aborts what is left.
func (a *Adapter) drain() {
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.DrainTimeout)
	defer cancel()
	if err := a.inflight.wait(ctx); err != nil {
		a.log.Warn("deferred replies still in flight at shutdown; cancelling them", slog.Int("replies", a.inflight.count()))
	}
	a.inflight.abort()
}

// workContext returns the context for work that outlives the request that
// started it: not cancelled with the request, bounded by ReplyTimeout, and
// cancelled when Run gives up waiting for in-flight work.
func (a *Adapter) workContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), a.cfg.ReplyTimeout)
	return ctx, a.inflight.register(cancel)
}

// tracker counts work in flight and can cancel it. Unlike sync.WaitGroup
// it may be waited on while work is still being added.
type tracker struct {
	mu      sync.Mutex
	n       int
	idle    chan struct{}
	nextID  uint64
	cancels map[uint64]context.CancelFunc
	aborted bool
}

// register records cancel so that abort can call it, and returns the
// function that calls and forgets it.
func (t *tracker) register(cancel context.CancelFunc) context.CancelFunc {
	t.mu.Lock()
	if t.aborted {
		t.mu.Unlock()
		cancel()
		return cancel
	}
	if t.cancels == nil {
		t.cancels = make(map[uint64]context.CancelFunc)
	}
	t.nextID++
	id := t.nextID
	t.cancels[id] = cancel
	t.mu.Unlock()
	return func() {
		t.mu.Lock()
		delete(t.cancels, id)
		t.mu.Unlock()
		cancel()
	}
}

// abort cancels all registered work, and any registered later.
func (t *tracker) abort() {
	t.mu.Lock()
	t.aborted = true
	cancels := t.cancels
	t.cancels = nil
	t.mu.Unlock()
	for _, c := range cancels {
		c()
	}
}

func (t *tracker) add() {
	t.mu.Lock()
	t.n++
	t.mu.Unlock()
}

func (t *tracker) done() {
	t.mu.Lock()
	t.n--
	if t.n == 0 && t.idle != nil {
		close(t.idle)
		t.idle = nil
	}
	t.mu.Unlock()
}

func (t *tracker) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// wait blocks until no work is in flight or ctx is done.
func (t *tracker) wait(ctx context.Context) error {
	for {
		t.mu.Lock()
		if t.n == 0 {
			t.mu.Unlock()
			return nil
		}
		if t.idle == nil {
			t.idle = make(chan struct{})
		}
		ch := t.idle
		t.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// adminEntry caches one users.info answer.
type adminEntry struct {
	admin   bool
	expires time.Time
}

// maxAdminCache bounds the users.info cache; expired entries are dropped
// when it is full.
const maxAdminCache = 10000

// isAdmin reports whether user may change settings: a configured admin, or
// a workspace admin or owner according to users.info (cached for
// AdminCacheTTL). A lookup that fails without an answer from Slack
// (network, rate limit) counts as not admin and is not cached.
func (a *Adapter) isAdmin(ctx context.Context, user string) bool {
	if a.admins[user] {
		return true
	}
	now := a.cfg.Now()
	a.adminMu.Lock()
	e, ok := a.adminTTL[user]
	a.adminMu.Unlock()
	if ok && now.Before(e.expires) {
		return e.admin
	}
	u, err := a.api.GetUserInfoContext(ctx, user)
	admin := false
	switch _, definite := errors.AsType[slackapi.SlackErrorResponse](err); {
	case err == nil:
		admin = u.IsAdmin || u.IsOwner || u.IsPrimaryOwner
	case definite:
		// Slack answered (user_not_found, user_not_visible...): cache it.
		a.log.DebugContext(ctx, "users.info refused; user is not admin", slog.String("user", user), slog.String("error", err.Error()))
	default:
		a.log.WarnContext(ctx, "users.info failed; treating user as not admin", slog.String("user", user), slog.String("error", err.Error()))
		return false
	}
	a.adminMu.Lock()
	if len(a.adminTTL) >= maxAdminCache {
		for k, v := range a.adminTTL {
			if !now.Before(v.expires) {
				delete(a.adminTTL, k)
			}
		}
		if len(a.adminTTL) >= maxAdminCache {
			clear(a.adminTTL)
		}
	}
	a.adminTTL[user] = adminEntry{admin: admin, expires: now.Add(a.cfg.AdminCacheTTL)}
	a.adminMu.Unlock()
	return admin
}

// errorReply is what the user sees when the handler fails.
var errorReply = bot.Reply{Text: "Sorry, something went wrong while answering that. The error has been logged.", Ephemeral: true}

// handle runs h for cmd (after the admin lookup) and renders the reply. A
// handler error or panic becomes errorReply and is logged.
func (a *Adapter) handle(ctx context.Context, h bot.Handler, cmd bot.Command) (m message) {
	start := time.Now()
	cmd.Admin = a.isAdmin(ctx, cmd.User)
	defer func() {
		if p := recover(); p != nil {
			a.log.ErrorContext(ctx, "command handler panicked", slog.String("channel", cmd.Channel.Channel), slog.Any("panic", p))
			m = renderReply(errorReply)
		}
	}()
	reply, err := h.HandleCommand(ctx, cmd)
	if err != nil {
		a.log.ErrorContext(ctx, "command failed", slog.String("channel", cmd.Channel.Channel), slog.String("user", cmd.User),
			slog.String("error", err.Error()), slog.Duration("took", time.Since(start)))
		return renderReply(errorReply)
	}
	a.log.DebugContext(ctx, "command answered", slog.String("channel", cmd.Channel.Channel), slog.String("user", cmd.User),
		slog.Bool("briefing", reply.Briefing != nil), slog.Duration("took", time.Since(start)))
	return renderReply(reply)
}

// ackText acknowledges a command whose reply will follow.
const ackText = "Working on it…"

// dispatch runs h for cmd. When the reply is ready within AckTimeout (or
// before ctx, the request's context, is done) it is returned with
// deferred=false. Otherwise dispatch returns an ephemeral acknowledgement
// and deferred=true, and later passes the reply to deliver.
func (a *Adapter) dispatch(ctx context.Context, h bot.Handler, cmd bot.Command, deliver func(context.Context, message) error) (m message, deferred bool) {
	ready := make(chan message)
	late := make(chan struct{})
	a.inflight.add()
	go func() {
		defer a.inflight.done()
		wctx, cancel := a.workContext(ctx)
		defer cancel()
		m := a.handle(wctx, h, cmd)
		select {
		case ready <- m:
			return
		case <-late:
		}
		if err := deliver(wctx, m); err != nil {
			a.log.ErrorContext(wctx, "deferred reply not delivered", slog.String("channel", cmd.Channel.Channel),
				slog.String("user", cmd.User), slog.String("error", err.Error()))
		}
	}()
	timer := time.NewTimer(a.cfg.AckTimeout)
	defer timer.Stop()
	select {
	case m := <-ready:
		return m, false
	case <-timer.C:
	case <-ctx.Done():
	}
	close(late)
	return message{ResponseType: responseEphemeral, Text: ackText}, true
}

// errEmpty is returned for a message with nothing to post.
var errEmpty = errors.New("empty message")

package discord

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
	"github.com/newsbot/newsbot/bot"
	"golang.org/x/time/rate"
)

// Adapter is newsbot's Discord platform. It implements [bot.Platform].
// Create it with [New]; it is safe for concurrent use.
type Adapter struct {
	cfg        Config
	log        *slog.Logger
	session    *discordgo.Session
	api        *interactionAPI
	verifier   *verifier // nil when no public key is configured
	adminRoles map[string]bool
	limiter    *limiter
	pace       *rate.Limiter
	work       tracker

	refused refusals // rate-limits warnings about unverified requests

	selfMu     sync.Mutex
	self       string   // the bot's user ID, once known
	unreadable sync.Map // channel ID -> true: warned that its history cannot be read
	guildOf    sync.Map // channel ID -> guild ID (ChannelTeam)

	stopOnce sync.Once
	hardStop chan struct{} // closed when Run gives up waiting for deferred replies
}

var (
	_ bot.Platform     = (*Adapter)(nil)
	_ bot.TeamResolver = (*Adapter)(nil)
)

// New validates cfg and returns an adapter. It does not connect to
// Discord: HTTP mode needs no connection, and gateway mode connects in
// [Adapter.Run]. The error lists every configuration problem found.
func New(cfg Config) (*Adapter, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(cfg.Mode == ModeHTTP); err != nil {
		return nil, err
	}
	a := &Adapter{
		cfg:        cfg,
		log:        cfg.Logger.With(slog.String("platform", PlatformName)),
		adminRoles: make(map[string]bool, len(cfg.AdminRoles)),
		limiter:    newLimiter(cfg.Now),
		pace:       rate.NewLimiter(rate.Limit(cfg.GlobalRate), max(1, int(cfg.GlobalRate))),
		hardStop:   make(chan struct{}),
	}
	for _, r := range cfg.AdminRoles {
		a.adminRoles[r] = true
	}
	if cfg.PublicKey != "" {
		key, err := parsePublicKey(cfg.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("discord.public_key: %w", err)
		}
		a.verifier = &verifier{key: ed25519.PublicKey(key), now: cfg.Now, maxSkew: cfg.MaxSkew}
	}
	s, err := newSession(cfg, a.limiter)
	if err != nil {
		return nil, err
	}
	a.session = s
	a.api = &interactionAPI{client: s.Client, base: cfg.APIURL, userAgent: s.UserAgent, retries: 3}
	return a, nil
}

// newSession returns a discordgo session whose REST calls go to
// cfg.APIURL through a rewriting transport. Rate-limited calls return
// *discordgo.RateLimitError instead of sleeping inside discordgo (which
// ignores contexts and retries without limit).
func newSession(cfg Config, l *limiter) (*discordgo.Session, error) {
	s, err := discordgo.New("Bot " + cfg.BotToken)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	rt, err := newRewriteTransport(cfg.HTTPClient.Transport, cfg.APIURL, l)
	if err != nil {
		return nil, fmt.Errorf("discord.api_url: %w", err)
	}
	s.Client = &http.Client{
		Transport:     rt,
		Timeout:       cfg.HTTPClient.Timeout,
		CheckRedirect: cfg.HTTPClient.CheckRedirect,
		Jar:           cfg.HTTPClient.Jar,
	}
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 2
	// discordgo logs with the standard library's logger; at debug level it
	// would print raw gateway events, interaction tokens included. Keep it
	// at errors only.
	s.LogLevel = discordgo.LogError
	s.StateEnabled = false
	s.Identify.Intents = discordgo.IntentsNone
	s.ShardID = cfg.ShardID
	s.ShardCount = cfg.ShardCount
	s.Dialer = &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 30 * time.Second}
	return s, nil
}

// Name returns "discord".
func (a *Adapter) Name() string { return PlatformName }

// Run receives commands until ctx is done and returns nil on a clean stop.
//
// In HTTP mode commands arrive through [Adapter.HTTPHandler], and Run only
// waits for ctx. In gateway mode it opens a gateway session (shard
// ShardID of ShardCount) and answers interactions with h.
//
// Either way, once ctx is done Run waits up to DrainTimeout for deferred
// replies still being worked on, then cancels them.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	var err error
	if a.cfg.Mode == ModeGateway {
		err = a.runGateway(ctx, h)
	} else {
		<-ctx.Done()
	}
	a.drain()
	return err
}

// drain waits for tracked work, up to DrainTimeout, then cancels what is
// left and waits briefly for it to notice.
func (a *Adapter) drain() {
	t := time.NewTimer(a.cfg.DrainTimeout)
	defer t.Stop()
	select {
	case <-a.work.idle():
		return
	case <-t.C:
	}
	a.stopOnce.Do(func() { close(a.hardStop) })
	select {
	case <-a.work.idle():
	case <-time.After(time.Second):
		a.log.Warn("deferred replies still running after shutdown")
	}
}

// tracker counts work in flight (deferred replies) so that shutdown can
// wait for it. Unlike sync.WaitGroup it may gain work while someone waits.
type tracker struct {
	mu     sync.Mutex
	n      int
	idleCh chan struct{}
}

func (t *tracker) add() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 {
		t.idleCh = make(chan struct{})
	}
	t.n++
}

func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.n == 0 {
		close(t.idleCh)
	}
}

// idle returns a channel that is closed when no work is in flight.
func (t *tracker) idle() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 {
		c := make(chan struct{})
		close(c)
		return c
	}
	return t.idleCh
}

// Connected reports whether the adapter can receive commands: always in
// HTTP mode, and in gateway mode while the gateway session is up (false
// during reconnects). It suits a readiness check.
func (a *Adapter) Connected() bool {
	if a.cfg.Mode != ModeGateway {
		return true
	}
	a.session.RLock()
	defer a.session.RUnlock()
	return a.session.DataReady
}

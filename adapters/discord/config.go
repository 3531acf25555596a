package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Modes of receiving commands.
const (
	// ModeHTTP receives interactions at an HTTP endpoint (the default).
	ModeHTTP = "http"
	// ModeGateway receives interactions over a gateway websocket session.
	ModeGateway = "gateway"
)

// DefaultAPIURL is Discord's REST base, including the version path.
const DefaultAPIURL = "https://discord.com/api/v9/"

// Config configures an [Adapter]. The zero values of the optional fields
// select the documented defaults.
type Config struct {
	// Mode is ModeHTTP (default) or ModeGateway.
	Mode string
	// BotToken is the bot's token, without the "Bot " prefix. Required.
	BotToken string
	// ApplicationID is the application's snowflake ID. Required.
	ApplicationID string
	// PublicKey is the application's Ed25519 public key in hex, as the
	// Developer Portal shows it. Required in HTTP mode.
	PublicKey string
	// AdminRoles are role IDs whose members count as admins, besides
	// members with Manage Server or Administrator.
	AdminRoles []string
	// APIURL is the REST base including the version path (default
	// DefaultAPIURL). Pointing it elsewhere (a local fake) rewrites every
	// request discordgo makes; discordgo's package variables are never
	// changed.
	APIURL string
	// ShardID and ShardCount configure gateway sharding (default 0 of 1).
	ShardID    int
	ShardCount int

	// Logger receives the adapter's logs (default: discarded).
	Logger *slog.Logger
	// HTTPClient is the base client for REST calls; its Transport is
	// wrapped (default: a client with a 20 s timeout).
	HTTPClient *http.Client
	// Now is the clock (default time.Now); it decides whether a request's
	// signature timestamp is fresh.
	Now func() time.Time
	// ReplyDeadline is how long an interaction waits for the bot before it
	// is answered with a deferred response (default 2 s; Discord allows 3).
	ReplyDeadline time.Duration
	// FollowupTimeout bounds the bot's work on a deferred interaction
	// (default 14 min; the interaction token is valid for 15).
	FollowupTimeout time.Duration
	// DrainTimeout is how long Run waits for deferred replies still in
	// flight after its context is done (default 10 s).
	DrainTimeout time.Duration
	// MaxSkew is how far a request's signature timestamp may be from Now
	// (default 5 min).
	MaxSkew time.Duration
	// GlobalRate is the most REST requests per second the adapter makes
	// for channel messages (default 45; Discord allows 50 per bot).
	GlobalRate float64
	// PostedLookback is how far back [Adapter.Posted] looks in a channel's
	// history for a digest posted before an interruption (default 48 h).
	PostedLookback time.Duration
}

// withDefaults returns c with zero optional fields filled in.
func (c Config) withDefaults() Config {
	if c.Mode == "" {
		c.Mode = ModeHTTP
	}
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/"
	}
	if c.ShardCount == 0 {
		c.ShardCount = 1
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 20 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.ReplyDeadline <= 0 {
		c.ReplyDeadline = 2 * time.Second
	}
	if c.FollowupTimeout <= 0 {
		c.FollowupTimeout = 14 * time.Minute
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = 10 * time.Second
	}
	if c.MaxSkew <= 0 {
		c.MaxSkew = 5 * time.Minute
	}
	if c.GlobalRate <= 0 {
		c.GlobalRate = 45
	}
	if c.PostedLookback <= 0 {
		c.PostedLookback = 48 * time.Hour
	}
	return c
}

// validate checks c (after withDefaults) and returns every problem at
// once. needKey says whether the public key is required.
func (c Config) validate(needKey bool) error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("discord.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	switch c.Mode {
	case ModeHTTP, ModeGateway:
	default:
		bad("mode", "%q is not http or gateway", c.Mode)
	}
	if c.BotToken == "" {
		bad("bot_token", "is required")
	} else if strings.HasPrefix(c.BotToken, "Bot ") {
		bad("bot_token", "must not start with \"Bot \" (the prefix is added)")
	}
	if !isSnowflake(c.ApplicationID) {
		bad("application_id", "must be the application's numeric ID")
	}
	if needKey {
		if _, err := parsePublicKey(c.PublicKey); err != nil {
			bad("public_key", "%s", err)
		}
	}
	for _, r := range c.AdminRoles {
		if !isSnowflake(r) {
			bad("admin_roles", "%q is not a numeric role ID", r)
		}
	}
	u, err := url.Parse(c.APIURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("api_url", "%q is not an http(s) URL", c.APIURL)
	}
	if c.ShardCount < 1 || c.ShardID < 0 || c.ShardID >= c.ShardCount {
		bad("shard_id", "shard %d of %d is out of range (0 <= shard_id < shard_count)", c.ShardID, c.ShardCount)
	}
	return errors.Join(errs...)
}

// parsePublicKey decodes a hex Ed25519 public key.
func parsePublicKey(s string) (ed25519.PublicKey, error) {
	if s == "" {
		return nil, errors.New("is required in http mode (the application's public key, hex)")
	}
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, errors.New("is not hex")
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("is %d bytes; an Ed25519 public key is %d", len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// isSnowflake reports whether s looks like a Discord ID: 1-20 digits.
func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

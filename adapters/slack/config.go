package slack

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultAPIURL is the base URL of Slack's Web API.
const DefaultAPIURL = "https://slack.com/api/"

// Config configures an [Adapter]. The zero value of every optional field
// selects the default documented on it. The wiring maps config.Slack
// (slack.bot_token, slack.signing_secret, slack.app_token, slack.admins,
// slack.api_url) onto BotToken, SigningSecret, AppToken, Admins and APIURL.
type Config struct {
	// BotToken (xoxb-...) authenticates Web API calls: posting digests,
	// replies to app mentions and users.info. Required.
	BotToken string
	// SigningSecret verifies requests to the HTTP endpoints. Required
	// unless AppToken is set; without it every HTTP request is refused.
	SigningSecret string
	// AppToken (xapp-...) switches on Socket Mode in [Adapter.Run].
	AppToken string
	// Admins are user IDs treated as admins besides workspace admins and
	// owners.
	Admins []string
	// APIURL is the Web API base URL (default DefaultAPIURL). Tests point
	// it at a local fake.
	APIURL string

	// HTTPClient makes Web API calls (default: a client with a 15 s
	// timeout).
	HTTPClient *http.Client
	// ResponseClient posts deferred replies to response_url (default: a
	// client with a 10 s timeout).
	ResponseClient *http.Client
	// Now is the clock used for request timestamps, caches and cool-downs
	// (default time.Now).
	Now func() time.Time
	// Logger receives the adapter's logs (default: discarded). Tokens,
	// secrets and response URLs are never logged.
	Logger *slog.Logger

	// AckTimeout is how long a command may take before the adapter
	// acknowledges it and delivers the reply to response_url instead
	// (default 2 s; Slack allows 3 s).
	AckTimeout time.Duration
	// ReplyTimeout bounds a deferred command, including the post to
	// response_url (default 2 min).
	ReplyTimeout time.Duration
	// DrainTimeout is how long Run waits for deferred replies in flight
	// after its context is done before cancelling them (default 10 s).
	DrainTimeout time.Duration
	// PostInterval is the minimum spacing of Post calls to one channel
	// (default 1 s, Slack's documented rate for chat.postMessage).
	PostInterval time.Duration
	// AdminCacheTTL is how long a users.info answer is trusted (default
	// 10 min).
	AdminCacheTTL time.Duration
	// PostedLookback is how far back Posted searches a channel's history
	// (default 48 h).
	PostedLookback time.Duration
	// MaxBodyBytes bounds a request body (default 64 KiB).
	MaxBodyBytes int64
}

// withDefaults returns c with every zero optional field set.
func (c Config) withDefaults() Config {
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/"
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if c.ResponseClient == nil {
		c.ResponseClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.AckTimeout <= 0 {
		c.AckTimeout = 2 * time.Second
	}
	if c.ReplyTimeout <= 0 {
		c.ReplyTimeout = 2 * time.Minute
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = 10 * time.Second
	}
	if c.PostInterval <= 0 {
		c.PostInterval = time.Second
	}
	if c.AdminCacheTTL <= 0 {
		c.AdminCacheTTL = 10 * time.Minute
	}
	if c.PostedLookback <= 0 {
		c.PostedLookback = 48 * time.Hour
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 64 << 10
	}
	return c
}

// validate reports every problem with c at once. It never includes a
// token or secret in its message.
func (c Config) validate() error {
	var errs []error
	if c.BotToken == "" {
		errs = append(errs, errors.New("slack.bot_token is required"))
	} else if strings.TrimSpace(c.BotToken) != c.BotToken {
		errs = append(errs, errors.New("slack.bot_token has leading or trailing spaces"))
	}
	if c.SigningSecret == "" && c.AppToken == "" {
		errs = append(errs, errors.New("slack.signing_secret (HTTP endpoints) or slack.app_token (Socket Mode) is required"))
	}
	if c.AppToken != "" && !strings.HasPrefix(c.AppToken, "xapp-") {
		errs = append(errs, errors.New(`slack.app_token must be an app-level token starting with "xapp-"`))
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("slack.api_url %q is not an http(s) URL", c.APIURL))
	}
	if c.AckTimeout >= 3*time.Second {
		errs = append(errs, fmt.Errorf("ack timeout %v must be under Slack's 3 s", c.AckTimeout))
	}
	for _, id := range c.Admins {
		if id == "" || strings.ContainsAny(id, " \t,") {
			errs = append(errs, fmt.Errorf("slack.admins: %q is not a user ID", id))
		}
	}
	return errors.Join(errs...)
}

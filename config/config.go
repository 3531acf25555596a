// Package config loads newsbot's configuration from a YAML file and
// NEWSBOT_* environment variables into typed structs. It is the only
// package that imports viper; every other package receives its own typed
// section.
package config

import (
	"time"
)

// Config is the whole configuration. The YAML key of each field is in its
// mapstructure tag; the environment form is NEWSBOT_ plus the upper-cased
// key path joined by underscores (slack.bot_token -> NEWSBOT_SLACK_BOT_TOKEN).
type Config struct {
	HTTP          HTTP           `mapstructure:"http"`
	Log           Log            `mapstructure:"log"`
	Storage       Storage        `mapstructure:"storage"`
	Sources       []Source       `mapstructure:"sources"`
	Fetch         Fetch          `mapstructure:"fetch"`
	Briefing      Briefing       `mapstructure:"briefing"`
	Schedule      Schedule       `mapstructure:"schedule"`
	Topics        []Topic        `mapstructure:"topics"`
	Subscriptions []Subscription `mapstructure:"subscriptions"`
	Slack         Slack          `mapstructure:"slack"`
	Discord       Discord        `mapstructure:"discord"`
}

// HTTP configures the bot's HTTP server.
type HTTP struct {
	// Addr is the listen address (default ":8080").
	Addr string `mapstructure:"addr"`
	// ShutdownTimeout bounds graceful shutdown (default 10s).
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
}

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error (default info).
	Level string `mapstructure:"level"`
	// Format is auto (text on a terminal, JSON otherwise), text or json.
	Format string `mapstructure:"format"`
}

// Storage configures persistence.
type Storage struct {
	// DSN is a SQLite file path (default "newsbot.db"), "file:" URI or
	// ":memory:", or a postgres:// URL.
	DSN string `mapstructure:"dsn"`
	// Retention is how long articles are kept (default 720h = 30 days).
	// Their dedupe keys are kept longer so old items never return as new.
	Retention time.Duration `mapstructure:"retention"`
}

// Source is one news source: exactly one of URL and Path.
type Source struct {
	Name     string `mapstructure:"name"`
	URL      string `mapstructure:"url"`
	Path     string `mapstructure:"path"`
	FullText bool   `mapstructure:"full_text"`
}

// Fetch configures feed fetching.
type Fetch struct {
	// AllowPrivate lets feed URLs resolve to loopback, private and
	// link-local addresses (default false: such URLs are refused).
	AllowPrivate bool `mapstructure:"allow_private"`
	// Interval is how often each feed is fetched (default 15m); the feed's
	// Cache-Control max-age or <ttl> is honoured within MinInterval and
	// MaxInterval.
	Interval    time.Duration `mapstructure:"interval"`
	MinInterval time.Duration `mapstructure:"min_interval"`
	MaxInterval time.Duration `mapstructure:"max_interval"`
	// Timeout bounds one HTTP request (default 20s).
	Timeout time.Duration `mapstructure:"timeout"`
	// MaxBodyBytes caps a response body (default 10 MiB).
	MaxBodyBytes int64 `mapstructure:"max_body_bytes"`
	// PerHost is the most requests in flight to one host (default 2).
	PerHost int `mapstructure:"per_host"`
	// Concurrency is the most requests in flight overall (default 16).
	Concurrency int `mapstructure:"concurrency"`
	// MaxFailures pauses a source after this many consecutive failures
	// (default 10).
	MaxFailures int `mapstructure:"max_failures"`
	// UserAgent is sent with every request.
	UserAgent string `mapstructure:"user_agent"`
}

// Briefing configures the engine's defaults.
type Briefing struct {
	// Stories, Sentences and Chars bound a briefing (defaults 5, 2, 600).
	Stories   int `mapstructure:"stories"`
	Sentences int `mapstructure:"sentences"`
	Chars     int `mapstructure:"chars"`
	// Window is how far back /news looks (default 72h).
	Window time.Duration `mapstructure:"window"`
}

// Schedule configures scheduled digests.
type Schedule struct {
	// TimeZone is the default IANA zone for subscriptions (default UTC).
	TimeZone string `mapstructure:"timezone"`
	// Grace is how late a digest missed while the bot was down may still
	// be posted (default 2h); older ones are skipped and logged.
	Grace time.Duration `mapstructure:"grace"`
	// PostEmpty posts a short "nothing new" note instead of staying silent.
	PostEmpty bool `mapstructure:"post_empty"`
}

// Topic declares a channel topic in the config file.
type Topic struct {
	// Channel is "platform:channel" ("slack:C0123ABC", "discord:1234",
	// "console:terminal"); "platform:team:channel" is accepted too.
	Channel string   `mapstructure:"channel"`
	Name    string   `mapstructure:"name"`
	Query   string   `mapstructure:"query"`
	Sources []string `mapstructure:"sources"`
}

// Subscription declares a scheduled digest in the config file.
type Subscription struct {
	Channel string `mapstructure:"channel"`
	Topic   string `mapstructure:"topic"`
	// At is "HH:MM" local time (default "08:00").
	At string `mapstructure:"at"`
	// TimeZone defaults to schedule.timezone.
	TimeZone string `mapstructure:"tz"`
	// Days is "daily" (default), "weekdays", "weekends" or "mon,wed,fri".
	Days string `mapstructure:"days"`
	Max  int    `mapstructure:"max"`
}

// Slack configures the Slack adapter; it is enabled when BotToken is set.
type Slack struct {
	BotToken      string `mapstructure:"bot_token"`
	SigningSecret string `mapstructure:"signing_secret"`
	// AppToken (xapp-...) switches on Socket Mode.
	AppToken string `mapstructure:"app_token"`
	// Admins are user IDs allowed to change settings besides workspace
	// admins and owners.
	Admins []string `mapstructure:"admins"`
	// APIURL is the Web API base URL (default "https://slack.com/api/").
	APIURL string `mapstructure:"api_url"`
}

// Enabled reports whether the Slack adapter should start.
func (s Slack) Enabled() bool { return s.BotToken != "" }

// Discord configures the Discord adapter; it is enabled when BotToken is set.
type Discord struct {
	// Mode is "http" (interactions endpoint, default) or "gateway".
	Mode          string `mapstructure:"mode"`
	BotToken      string `mapstructure:"bot_token"`
	ApplicationID string `mapstructure:"application_id"`
	// PublicKey is the application's hex Ed25519 key (HTTP mode).
	PublicKey string `mapstructure:"public_key"`
	// AdminRoles are role IDs allowed to change settings besides members
	// with Manage Server.
	AdminRoles []string `mapstructure:"admin_roles"`
	// APIURL is the REST base including the version path (default
	// "https://discord.com/api/v9/").
	APIURL string `mapstructure:"api_url"`
	// ShardID and ShardCount configure gateway sharding (default 0 of 1).
	ShardID    int `mapstructure:"shard_id"`
	ShardCount int `mapstructure:"shard_count"`
}

// Enabled reports whether the Discord adapter should start.
func (d Discord) Enabled() bool { return d.BotToken != "" }

package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Validate checks the whole configuration and returns every problem found,
// joined, each naming the key and what is wrong with it.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.HTTP.Addr == "" {
		bad("http.addr", "must not be empty (for example \":8080\")")
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "auto", "text", "json":
	default:
		bad("log.format", "%q is not one of auto, text, json", c.Log.Format)
	}
	if c.Storage.DSN == "" {
		bad("storage.dsn", "must not be empty (a SQLite file path such as newsbot.db, or a postgres:// URL)")
	}
	if c.Storage.Retention < time.Hour {
		bad("storage.retention", "%s is too short; use at least 1h", c.Storage.Retention)
	}
	names := map[string]bool{}
	for i, s := range c.Sources {
		key := fmt.Sprintf("sources[%d]", i)
		switch {
		case s.URL == "" && s.Path == "":
			bad(key, "needs a url or a path")
		case s.URL != "" && s.Path != "":
			bad(key, "has both url and path; use one")
		case s.URL != "":
			u, err := url.Parse(s.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				bad(key+".url", "%q is not an http(s) URL", s.URL)
			}
		}
		if s.Name != "" {
			if names[s.Name] {
				bad(key+".name", "%q is used by another source", s.Name)
			}
			names[s.Name] = true
		}
	}
	f := c.Fetch
	if f.Interval <= 0 {
		bad("fetch.interval", "must be positive, e.g. 15m")
	}
	if f.MinInterval <= 0 || f.MaxInterval < f.MinInterval {
		bad("fetch.min_interval", "must be positive and not above fetch.max_interval (%s > %s)", f.MinInterval, f.MaxInterval)
	}
	if f.Timeout <= 0 {
		bad("fetch.timeout", "must be positive, e.g. 20s")
	}
	if f.MaxBodyBytes <= 0 {
		bad("fetch.max_body_bytes", "must be positive")
	}
	if f.PerHost <= 0 {
		bad("fetch.per_host", "must be at least 1")
	}
	if f.Concurrency <= 0 {
		bad("fetch.concurrency", "must be at least 1")
	}
	if f.MaxFailures <= 0 {
		bad("fetch.max_failures", "must be at least 1")
	}
	b := c.Briefing
	if b.Stories < 1 || b.Stories > 20 {
		bad("briefing.stories", "%d is out of range 1-20", b.Stories)
	}
	if b.Sentences < 1 || b.Sentences > 3 {
		bad("briefing.sentences", "%d is out of range 1-3", b.Sentences)
	}
	if b.Chars < 100 {
		bad("briefing.chars", "%d is too small; use at least 100", b.Chars)
	}
	if b.Window <= 0 {
		bad("briefing.window", "must be positive, e.g. 72h")
	}
	if _, err := time.LoadLocation(c.Schedule.TimeZone); err != nil || c.Schedule.TimeZone == "" {
		bad("schedule.timezone", "%q is not an IANA time zone (for example Europe/Berlin)", c.Schedule.TimeZone)
	}
	if c.Schedule.Grace < 0 {
		bad("schedule.grace", "must not be negative")
	}
	topics := map[string]bool{}
	for i, t := range c.Topics {
		key := fmt.Sprintf("topics[%d]", i)
		if err := checkChannel(t.Channel); err != nil {
			bad(key+".channel", "%v", err)
		}
		if t.Name == "" {
			bad(key+".name", "must not be empty")
		}
		if strings.TrimSpace(t.Query) == "" {
			bad(key+".query", "must not be empty")
		}
		topics[channelID(t.Channel)+"/"+strings.ToLower(t.Name)] = true
	}
	for i, s := range c.Subscriptions {
		key := fmt.Sprintf("subscriptions[%d]", i)
		if err := checkChannel(s.Channel); err != nil {
			bad(key+".channel", "%v", err)
		}
		if !topics[channelID(s.Channel)+"/"+strings.ToLower(s.Topic)] {
			bad(key+".topic", "%q is not a topic of channel %q declared under topics", s.Topic, s.Channel)
		}
		if s.At != "" && !hhmm.MatchString(s.At) {
			bad(key+".at", "%q is not a time of day as HH:MM (24h)", s.At)
		}
		if s.TimeZone != "" {
			if _, err := time.LoadLocation(s.TimeZone); err != nil {
				bad(key+".tz", "%q is not an IANA time zone (for example Europe/Berlin)", s.TimeZone)
			}
		}
		if _, err := ParseDays(s.Days); err != nil {
			bad(key+".days", "%v", err)
		}
		if s.Max < 0 || s.Max > 20 {
			bad(key+".max", "%d is out of range 0-20", s.Max)
		}
	}
	if c.Slack.Enabled() {
		if c.Slack.SigningSecret == "" && c.Slack.AppToken == "" {
			bad("slack.signing_secret", "is required when slack.bot_token is set (or set slack.app_token for Socket Mode)")
		}
		if c.Slack.AppToken != "" && !strings.HasPrefix(c.Slack.AppToken, "xapp-") {
			bad("slack.app_token", "must be an app-level token starting with xapp-")
		}
	} else if c.Slack.SigningSecret != "" || c.Slack.AppToken != "" {
		bad("slack.bot_token", "is required when other slack settings are set")
	}
	if err := checkBaseURL(c.Slack.APIURL); err != nil {
		bad("slack.api_url", "%v", err)
	}
	d := c.Discord
	switch d.Mode {
	case "http", "gateway":
	default:
		bad("discord.mode", "%q is not one of http, gateway", d.Mode)
	}
	// The key's format is checked whatever the mode, so that a bad key shows
	// up together with a bad mode, not once the mode is fixed.
	if d.PublicKey != "" && !hexKey.MatchString(d.PublicKey) {
		bad("discord.public_key", "must be 64 hex characters (the application's Ed25519 public key)")
	}
	if d.Enabled() {
		if d.ApplicationID == "" {
			bad("discord.application_id", "is required when discord.bot_token is set")
		}
		if d.Mode == "http" && d.PublicKey == "" {
			bad("discord.public_key", "is required in http mode")
		}
	} else if d.PublicKey != "" || d.ApplicationID != "" {
		bad("discord.bot_token", "is required when other discord settings are set")
	}
	if err := checkBaseURL(d.APIURL); err != nil {
		bad("discord.api_url", "%v", err)
	}
	if d.ShardCount < 1 || d.ShardID < 0 || d.ShardID >= d.ShardCount {
		bad("discord.shard_id", "shard %d of %d is out of range (0 <= shard_id < shard_count)", d.ShardID, d.ShardCount)
	}
	return errors.Join(errs...)
}

var (
	hhmm   = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):[0-5][0-9]$`)
	hexKey = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
)

func checkChannel(ch string) error {
	parts := strings.Split(ch, ":")
	ok := (len(parts) == 2 && parts[0] != "" && parts[1] != "") || (len(parts) == 3 && parts[0] != "" && parts[2] != "")
	if !ok {
		return fmt.Errorf("%q is not platform:channel (for example slack:C0123ABC, discord:123456789 or console:terminal)", ch)
	}
	switch parts[0] {
	case "slack", "discord", "console":
	default:
		return fmt.Errorf("%q names unknown platform %q (slack, discord or console)", ch, parts[0])
	}
	return nil
}

func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

// ParseDays parses a days spec: "" or "daily" (every day), "weekdays",
// "weekends", or a comma-separated list of three-letter day names
// ("mon,wed,fri"). It returns nil for every day.
func ParseDays(s string) ([]time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "", "daily":
		return nil, nil
	case "weekdays":
		return []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, nil
	case "weekends":
		return []time.Weekday{time.Sunday, time.Saturday}, nil
	}
	names := map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
		"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}
	seen := map[time.Weekday]bool{}
	var out []time.Weekday
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if len(p) > 3 {
			p = p[:3]
		}
		d, ok := names[p]
		if !ok {
			return nil, fmt.Errorf("%q is not daily, weekdays, weekends or a list like mon,wed,fri", s)
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

func sortStrings(s []string) { sort.Strings(s) }

// channelID is a channel's identity, platform and channel without the
// optional team, so "slack:T1:C1" and "slack:C1" name one channel.
func channelID(ch string) string {
	parts := strings.Split(ch, ":")
	if len(parts) == 3 {
		return parts[0] + ":" + parts[2]
	}
	return ch
}

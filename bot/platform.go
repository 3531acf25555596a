package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/newsbot/newsbot/briefing"
)

// ChannelRef names one channel on one platform.
type ChannelRef struct {
	// Platform is the adapter's [Platform.Name] ("slack", "discord", "console").
	Platform string `json:"platform"`
	// Team is the workspace (Slack) or guild (Discord) ID, for adapters'
	// use; may be empty. It is not part of the channel's identity: platform
	// channel IDs are unique on their own, so the bot stores and matches
	// channels by Platform and Channel only (see [ChannelRef.Canonical]).
	Team string `json:"team,omitempty"`
	// Channel is the platform's channel ID.
	Channel string `json:"channel"`
}

// String renders the reference as "platform:team:channel".
func (c ChannelRef) String() string { return c.Platform + ":" + c.Team + ":" + c.Channel }

// Canonical returns the channel's identity: the reference without Team, so
// that a channel declared in the config file as "slack::C123" or
// "slack:T1:C123" and the same channel named by a command are one channel.
func (c ChannelRef) Canonical() ChannelRef {
	c.Team = ""
	return c
}

// Command is one invocation of the bot's command language, as an adapter
// received it.
type Command struct {
	// Channel is where the command was typed.
	Channel ChannelRef
	// User is the platform's user ID; UserName a display name for logs.
	User     string
	UserName string
	// Admin is true when the platform says the user may change this
	// channel's topics, subscriptions and sources (Slack workspace admin or
	// configured user; Discord Manage Server or configured role).
	Admin bool
	// Text is everything after the slash command: "g20", "topic add ...".
	Text string
}

// Reply is the bot's answer to a command.
type Reply struct {
	// Text is a short message (help, confirmations, errors). It may use
	// `code` spans and lines starting with "• "; adapters translate those.
	Text string
	// Briefing is set when the answer is a briefing; Text is then an
	// optional intro line.
	Briefing *briefing.Briefing
	// Ephemeral replies are shown only to the invoking user where the
	// platform can do that (help, errors, refusals).
	Ephemeral bool
}

// Handler answers commands. HandleCommand returns an error only for
// failures the user cannot fix; user errors are Replies.
type Handler interface {
	HandleCommand(ctx context.Context, cmd Command) (Reply, error)
}

// HandlerFunc adapts a function to [Handler].
type HandlerFunc func(ctx context.Context, cmd Command) (Reply, error)

// HandleCommand calls f.
func (f HandlerFunc) HandleCommand(ctx context.Context, cmd Command) (Reply, error) {
	return f(ctx, cmd)
}

// Message is something the bot posts on its own initiative (a scheduled
// digest).
type Message struct {
	// Key identifies the logical message: a retry of the same delivery uses
	// the same key, so platforms that can deduplicate (Discord nonces, Slack
	// message metadata) post it at most once.
	Key string
	// Text is an intro line or a plain message.
	Text string
	// Briefing is the digest, if any.
	Briefing *briefing.Briefing
}

// Platform connects the bot to one chat service. Implementations live in
// adapters/<name> and must be safe for concurrent use.
type Platform interface {
	// Name is the platform's short lowercase name ("slack").
	Name() string
	// Run receives commands until ctx is done, calling h for each, and
	// returns nil on a clean stop. Adapters that receive commands over HTTP
	// expose an http.Handler of their own and block here until ctx is done.
	Run(ctx context.Context, h Handler) error
	// Post publishes m to channel and returns the platform's message ID.
	// It returns a *RateLimitError when the platform asks to slow down and
	// an error wrapping ErrChannelUnavailable when the bot cannot post
	// there (not invited, channel gone, no permission), preferably a
	// *ChannelError that says why and what to do.
	Post(ctx context.Context, channel ChannelRef, m Message) (msgID string, err error)
}

// PostedChecker is optionally implemented by a Platform that can tell
// whether a message with the given key was already posted to a channel, so
// that a delivery interrupted after posting is not posted twice.
type PostedChecker interface {
	Posted(ctx context.Context, channel ChannelRef, key string) (msgID string, ok bool, err error)
}

// AdminHinter is optionally implemented by a Platform to say, in its own
// words, who counts as an admin there ("Slack workspace admins and owners,
// or users listed in slack.admins"). The bot quotes it when it refuses a
// change to someone who is not an admin.
type AdminHinter interface {
	AdminHint() string
}

// TeamResolver is optionally implemented by a Platform on which one bot
// serves several teams (Discord guilds): it says which team a channel
// belongs to, so that what the bot tells one team (the channels in
// /news health) never names another team's channels. It returns "" for a
// channel outside any team.
type TeamResolver interface {
	ChannelTeam(ctx context.Context, channel ChannelRef) (team string, err error)
}

// ErrChannelUnavailable means the bot cannot post to a channel: it was not
// invited, the channel is gone, or it lacks permission. Retrying will not help.
var ErrChannelUnavailable = errors.New("channel unavailable")

// ChannelError is an ErrChannelUnavailable that says, for the people in
// the channel, why the bot cannot post there and what fixes it. Adapters
// return it (usually wrapped) from Post and Posted; the bot records
// [ChannelError.Message] for /news health and logs the whole error.
// errors.Is(err, ErrChannelUnavailable) is true for it.
type ChannelError struct {
	// Reason is why, as one plain sentence: "The bot cannot see this
	// channel."
	Reason string
	// Fix is what to do about it, as one plain sentence: "Invite it, or
	// give it View Channel and Send Messages here."
	Fix string
	// Err is the platform's error, for the log; it is never shown in chat.
	Err error
}

// Error implements error: "channel unavailable: " and the platform's error
// (or the reason when there is none).
func (e *ChannelError) Error() string {
	if e.Err != nil {
		return ErrChannelUnavailable.Error() + ": " + e.Err.Error()
	}
	return ErrChannelUnavailable.Error() + ": " + e.Reason
}

// Message is the reason and the fix as one line for people.
func (e *ChannelError) Message() string {
	switch {
	case e.Reason == "":
		return e.Fix
	case e.Fix == "":
		return e.Reason
	}
	return e.Reason + " " + e.Fix
}

// Is reports whether target is ErrChannelUnavailable.
func (e *ChannelError) Is(target error) bool { return target == ErrChannelUnavailable }

// Unwrap returns the platform's error.
func (e *ChannelError) Unwrap() error { return e.Err }

// RateLimitError is returned by Post when the platform asks the bot to wait.
type RateLimitError struct {
	// RetryAfter is how long the platform asked to wait.
	RetryAfter time.Duration
	// Err is the underlying SDK error, if any.
	Err error
}

// Error implements error.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limited: retry after %s", e.RetryAfter)
}

// Unwrap returns the underlying error.
func (e *RateLimitError) Unwrap() error { return e.Err }

package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/newsbot/newsbot/bot"
)

// Post publishes m in a channel as a message with embeds and returns the
// message's ID.
//
// Idempotency: m.Key becomes the message nonce, sent with enforce_nonce,
// so Discord answers a retry of the same delivery (within its nonce window
// of a few minutes) with the message it already created instead of posting
// a second one. The message also carries a small tag derived from m.Key
// ("newsbot digest · 3f2a9c1b7d04", in the last embed's footer or as a
// subtext line) by which [Adapter.Posted] finds it later, beyond that
// window.
//
// Rate limits: when Discord answers 429, or when an earlier 429 for this
// channel (or a global one) has not expired yet, Post returns a
// *bot.RateLimitError with Discord's retry_after and sends nothing more;
// the caller (the delivery queue) retries later. Post never sleeps inside
// discordgo waiting out a 429. Requests are also paced below Discord's
// global limit of 50 per second (Config.GlobalRate).
//
// Channels the bot cannot post to (403, 404, Missing Access 50001, Missing
// Permissions 50013, Unknown Channel 10003, or a channel ID that is not a
// Discord ID) give an error wrapping bot.ErrChannelUnavailable.
func (a *Adapter) Post(ctx context.Context, channel bot.ChannelRef, m bot.Message) (string, error) {
	if channel.Platform != "" && channel.Platform != PlatformName {
		return "", fmt.Errorf("post to %s: not a discord channel", channel)
	}
	if !isSnowflake(channel.Channel) {
		return "", fmt.Errorf("post to %s: %w", channel, notAChannelID(channel.Channel))
	}
	route := "channels/" + channel.Channel
	if d := a.limiter.wait(route); d > 0 {
		return "", &bot.RateLimitError{RetryAfter: d}
	}
	if err := a.pace.Wait(ctx); err != nil {
		return "", fmt.Errorf("post to %s: %w", channel, err)
	}
	msg := renderPost(m)
	endpoint := discordgo.EndpointChannelMessages(channel.Channel)
	// discordgo would sleep, deaf to ctx, until the bucket's window resets
	// when the last response said none remain; say so instead.
	if d := a.bucketWait(endpoint); d > 0 {
		return "", &bot.RateLimitError{RetryAfter: d}
	}
	body, err := a.session.RequestWithBucketID(http.MethodPost, endpoint, msg, endpoint,
		discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
	if err != nil {
		return "", a.postError(channel, route, err)
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &created); err != nil || created.ID == "" {
		return "", fmt.Errorf("post to %s: unexpected response without a message id", channel)
	}
	return created.ID, nil
}

// bucketWait is how long discordgo's rate limiter would make a request to
// bucketID wait: the bucket's reset when the last response said no
// requests remain, or a global limit.
func (a *Adapter) bucketWait(bucketID string) time.Duration {
	b := a.session.Ratelimiter.GetBucket(bucketID)
	b.Lock()
	defer b.Unlock()
	return a.session.Ratelimiter.GetWaitTime(b, 1)
}

// postError classifies a failed channel message.
func (a *Adapter) postError(channel bot.ChannelRef, route string, err error) error {
	return a.requestError(fmt.Sprintf("post to %s", channel), route, err)
}

// requestError classifies a failed request about a channel: a
// *bot.RateLimitError for a 429 (and route, or every route for a global
// limit, waits that long), a *bot.ChannelError when the bot cannot use the
// channel, else the error with the API base it could not reach. what says
// what failed ("post to discord::42").
func (a *Adapter) requestError(what, route string, err error) error {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil {
		wait := rl.RetryAfter
		if wait <= 0 {
			wait = defaultRetry
		}
		a.limiter.block(route, wait, false)
		if d := a.limiter.wait(route); d > wait {
			wait = d // a global limit is longer
		}
		return &bot.RateLimitError{RetryAfter: wait, Err: err}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		code := 0
		if re.Message != nil {
			code = re.Message.Code
		}
		if ce := channelError(re.Response.StatusCode, code, err); ce != nil {
			return fmt.Errorf("%s: %w", what, ce)
		}
	}
	return fmt.Errorf("%s: %w", what, unreachable(err, a.cfg.APIURL))
}

// channelError explains a refusal that means the bot cannot post to a
// channel (403, 404, Missing Access 50001, Missing Permissions 50013,
// Unknown Channel 10003) in plain words with the fix, for /news health;
// nil for any other response.
func channelError(status, code int, err error) *bot.ChannelError {
	switch {
	case code == codeMissingPermissions:
		return &bot.ChannelError{
			Reason: "The bot can see this channel but lacks a permission to post digests in it.",
			Fix:    "Give it Send Messages and Embed Links in this channel (channel settings, Permissions).",
			Err:    err,
		}
	case code == codeUnknownChannel, status == http.StatusNotFound && code != codeMissingAccess:
		return &bot.ChannelError{
			Reason: "Discord does not know this channel: it was deleted, or the bot was removed from its server.",
			Fix:    "If the channel still exists, invite the bot to the server again; if it was deleted, nothing needs doing.",
			Err:    err,
		}
	case code == codeMissingAccess, status == http.StatusForbidden:
		return &bot.ChannelError{
			Reason: "The bot cannot see this channel.",
			Fix:    "Invite it to the server, or give it View Channel and Send Messages in this channel (channel settings, Permissions).",
			Err:    err,
		}
	}
	return nil
}

// notAChannelID explains a channel that cannot be a Discord channel.
func notAChannelID(id string) *bot.ChannelError {
	return &bot.ChannelError{
		Reason: fmt.Sprintf("%q is not a Discord channel ID.", cleanLine(clip(id, 40))),
		Fix:    "Use the channel's numeric ID (Developer Mode, then right-click the channel and Copy Channel ID).",
	}
}

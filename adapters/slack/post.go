package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/newsbot/newsbot/bot"
	slackapi "github.com/slack-go/slack"
	"golang.org/x/time/rate"
)

// metadataEventType marks the bot's digests in Slack message metadata;
// the event payload carries the delivery key.
const metadataEventType = "newsbot_digest"

// channelGone maps the Slack errors meaning the bot cannot post to (or
// read) a channel until someone acts, where retrying does not help, to what
// the people in the channel are told: why, and what fixes it.
var channelGone = map[string]struct{ reason, fix string }{
	"not_in_channel": {
		"The bot is not in this channel.",
		"Type /invite @newsbot in the channel (with your app's name if you renamed it).",
	},
	"channel_not_found": {
		"Slack does not show this channel to the bot: it is private and the bot is not in it, or it was deleted.",
		"In a private channel, type /invite @newsbot there; if the channel was deleted, nothing needs doing.",
	},
	"is_archived": {
		"This channel is archived.",
		"Unarchive it to get its digests again.",
	},
	"restricted_action": {
		"The workspace does not let the bot post in this channel.",
		"A workspace admin can allow it in the channel's posting permissions.",
	},
	"restricted_action_read_only_channel": {
		"This channel is read-only for the bot.",
		"A workspace admin can allow it in the channel's posting permissions.",
	},
	"restricted_action_thread_only_channel": {
		"This channel only takes replies in threads, so the bot cannot post digests in it.",
		"A workspace admin can change the channel's posting permissions.",
	},
	"team_access_not_granted": {
		"The app is not installed in the workspace this shared channel belongs to.",
		"Install the app in that workspace, or subscribe a channel of your own workspace.",
	},
	"ekm_access_denied": {
		"The workspace's Enterprise Key Management denies the bot access to this channel.",
		"Ask a workspace admin to allow it.",
	},
	"cannot_reply_to_message": {
		"Slack refuses the bot's posts in this channel (cannot_reply_to_message).",
		"Check the channel's posting permissions.",
	},
}

// unreadable lists the conversations.history errors that mean the bot
// cannot read a channel it may still post to.
var unreadable = map[string]bool{"not_in_channel": true, "missing_scope": true}

// Post publishes m to channel with chat.postMessage and returns the
// message's timestamp, Slack's message ID. A non-empty m.Key is stored in
// the message metadata, so [Adapter.Posted] can find the message later.
//
// Posts to one channel are spaced by at least PostInterval (Post waits,
// honouring ctx). When Slack answers 429, Post does not retry: it returns
// a *bot.RateLimitError with Slack's Retry-After, and until that time has
// passed further posts return a *bot.RateLimitError at once without
// calling Slack, so the job queue, which is durable, schedules the retry.
// When the bot cannot post to the channel (not_in_channel,
// channel_not_found, is_archived...) the error wraps
// bot.ErrChannelUnavailable. Other errors (network, 5xx) are returned
// wrapped and are worth retrying.
func (a *Adapter) Post(ctx context.Context, channel bot.ChannelRef, m bot.Message) (string, error) {
	if channel.Channel == "" {
		return "", errors.New("slack post: no channel")
	}
	if m.Briefing == nil && m.Text == "" {
		return "", fmt.Errorf("slack post to %s: %w", channel.Channel, errEmpty)
	}
	if wait := a.coolDown(); wait > 0 {
		return "", &bot.RateLimitError{RetryAfter: wait}
	}
	if err := a.limiter(channel.Channel).Wait(ctx); err != nil {
		return "", fmt.Errorf("slack post to %s: %w", channel.Channel, err)
	}
	msg := renderMessage(m)
	opts := []slackapi.MsgOption{
		slackapi.MsgOptionText(msg.Text, false),
		slackapi.MsgOptionDisableLinkUnfurl(),
		slackapi.MsgOptionDisableMediaUnfurl(),
	}
	if len(msg.Blocks) > 0 {
		opts = append(opts, slackapi.MsgOptionBlocks(msg.Blocks...))
	}
	if m.Key != "" {
		opts = append(opts, slackapi.MsgOptionMetadata(slackapi.SlackMetadata{
			EventType:    metadataEventType,
			EventPayload: map[string]any{"key": m.Key},
		}))
	}
	_, ts, err := a.api.PostMessageContext(ctx, channel.Channel, opts...)
	if err != nil {
		return "", a.postError("post to "+channel.Channel, err, true)
	}
	a.log.DebugContext(ctx, "posted", slog.String("channel", channel.Channel), slog.String("ts", ts), slog.Int("blocks", len(msg.Blocks)))
	return ts, nil
}

// Posted reports whether a message with delivery key key is among the
// channel's messages of the last PostedLookback, and returns its
// timestamp. It reads conversations.history with metadata (up to 1,000
// messages), which needs the channels:history scope (groups:history for
// private channels) and the bot in the channel. When the bot may not read
// the channel (not_in_channel, missing_scope: it can still post to public
// channels with chat:write.public) Posted logs a warning and reports
// false, so delivery goes on at-least-once. Other errors are wrapped like
// Post's: bot.ErrChannelUnavailable, *bot.RateLimitError, or a transient
// error.
func (a *Adapter) Posted(ctx context.Context, channel bot.ChannelRef, key string) (string, bool, error) {
	if channel.Channel == "" || key == "" {
		return "", false, errors.New("slack posted: channel and key are required")
	}
	oldest := a.cfg.Now().Add(-a.cfg.PostedLookback)
	params := &slackapi.GetConversationHistoryParameters{
		ChannelID:          channel.Channel,
		Limit:              200,
		Oldest:             strconv.FormatInt(oldest.Unix(), 10) + ".000000",
		IncludeAllMetadata: true,
	}
	const maxPages = 5
	for page := 0; page < maxPages; page++ {
		resp, err := a.api.GetConversationHistoryContext(ctx, params)
		if se, ok := errors.AsType[slackapi.SlackErrorResponse](err); ok && unreadable[se.Err] {
			// The bot may post (chat:write.public) where it cannot read:
			// report "not found" rather than block the delivery. A
			// delivery interrupted after posting may then post twice.
			a.log.WarnContext(ctx, "cannot read channel history to check for an earlier digest; invite the bot to the channel",
				slog.String("channel", channel.Channel), slog.String("error", se.Err))
			return "", false, nil
		}
		if err != nil {
			return "", false, a.postError("history of "+channel.Channel, err, false)
		}
		for _, msg := range resp.Messages {
			if msg.Metadata.EventType != metadataEventType {
				continue
			}
			if k, _ := msg.Metadata.EventPayload["key"].(string); k == key {
				return msg.Timestamp, true, nil
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	return "", false, nil
}

// postError maps a Web API error to the bot's errors. With coolDown, a
// 429 also pauses further posts.
func (a *Adapter) postError(what string, err error, coolDown bool) error {
	if rl, ok := errors.AsType[*slackapi.RateLimitedError](err); ok {
		if coolDown {
			a.setCoolDown(rl.RetryAfter)
		}
		return &bot.RateLimitError{RetryAfter: rl.RetryAfter, Err: err}
	}
	if se, ok := errors.AsType[slackapi.SlackErrorResponse](err); ok {
		if why, gone := channelGone[se.Err]; gone {
			return fmt.Errorf("slack %s: %w", what, &bot.ChannelError{Reason: why.reason, Fix: why.fix, Err: err})
		}
	}
	return fmt.Errorf("slack %s: %w", what, err)
}

// limiter returns the channel's post limiter: one post per PostInterval.
func (a *Adapter) limiter(channel string) *rate.Limiter {
	a.limMu.Lock()
	defer a.limMu.Unlock()
	l, ok := a.limiters[channel]
	if !ok {
		l = rate.NewLimiter(rate.Every(a.cfg.PostInterval), 1)
		a.limiters[channel] = l
	}
	return l
}

// setCoolDown stops posting for d (at least one second, as Slack's
// Retry-After is in whole seconds).
func (a *Adapter) setCoolDown(d time.Duration) {
	d = max(d, time.Second)
	until := a.cfg.Now().Add(d)
	a.coolMu.Lock()
	if until.After(a.coolTill) {
		a.coolTill = until
	}
	a.coolMu.Unlock()
}

// coolDown returns how long posting must still wait after a 429.
func (a *Adapter) coolDown() time.Duration {
	a.coolMu.Lock()
	defer a.coolMu.Unlock()
	return a.coolTill.Sub(a.cfg.Now())
}

package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/newsbot/newsbot/bot"
)

var _ bot.PostedChecker = (*Adapter)(nil)

// Reading a channel's history in Posted: pages of historyLimit messages
// (Discord's most), at most postedPages of them.
const (
	historyLimit = 100
	postedPages  = 3
)

// Posted reports whether the bot posted the digest with delivery key key
// to channel within the last PostedLookback, and returns its message ID.
// It looks for the digest's tag (see [Adapter.Post]) among the bot's own
// messages in the channel's recent history, newest first: up to 300
// messages, stopping at the first one older than PostedLookback.
//
// Reading history needs the View Channel and Read Message History
// permissions. Without Read Message History Discord answers with no
// messages at all (not an error); without View Channel it answers 403.
// Either way Posted logs a warning once per channel and reports false,
// and the delivery falls back on the nonce Post sends, which Discord
// honours for a few minutes only: a digest retried later than that after
// a crash may then be posted twice.
//
// Errors: a *bot.ChannelError (wrapped) when the channel is gone, a
// *bot.RateLimitError when Discord asks to wait, and transient errors
// otherwise.
func (a *Adapter) Posted(ctx context.Context, channel bot.ChannelRef, key string) (string, bool, error) {
	if channel.Platform != "" && channel.Platform != PlatformName {
		return "", false, fmt.Errorf("history of %s: not a discord channel", channel)
	}
	if key == "" {
		return "", false, errors.New("discord posted: a key is required")
	}
	if !isSnowflake(channel.Channel) {
		return "", false, fmt.Errorf("history of %s: %w", channel, notAChannelID(channel.Channel))
	}
	self, err := a.selfID(ctx)
	if err != nil {
		return "", false, err
	}
	tag := postTag(key)
	oldest := a.cfg.Now().Add(-a.cfg.PostedLookback)
	before := ""
	for page := 0; page < postedPages; page++ {
		msgs, err := a.history(ctx, channel, before)
		if errors.Is(err, errNoView) {
			a.cannotRead(ctx, channel, "the bot may not view the channel")
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		if len(msgs) == 0 {
			if _, warned := a.unreadable.Load(channel.Channel); page == 0 && !warned {
				a.checkReadable(ctx, channel, oldest)
			}
			return "", false, nil
		}
		a.unreadable.Delete(channel.Channel)
		for _, m := range msgs {
			if m == nil {
				continue
			}
			if messageTime(m).Before(oldest) {
				return "", false, nil
			}
			if m.Author != nil && m.Author.ID == self && carriesTag(m, tag) {
				return m.ID, true, nil
			}
		}
		if len(msgs) < historyLimit {
			break
		}
		before = msgs[len(msgs)-1].ID
	}
	return "", false, nil
}

// errNoView means Discord refused to show a channel's history (403).
var errNoView = errors.New("may not view the channel's history")

// history reads one page of a channel's messages, newest first, before
// the message with ID before ("" for the newest).
func (a *Adapter) history(ctx context.Context, channel bot.ChannelRef, before string) ([]*discordgo.Message, error) {
	route := "channels/" + channel.Channel + "/history"
	if d := a.limiter.wait(route); d > 0 {
		return nil, &bot.RateLimitError{RetryAfter: d}
	}
	if err := a.pace.Wait(ctx); err != nil {
		return nil, fmt.Errorf("history of %s: %w", channel, err)
	}
	endpoint := discordgo.EndpointChannelMessages(channel.Channel)
	bucket := http.MethodGet + " " + endpoint
	if d := a.bucketWait(bucket); d > 0 {
		return nil, &bot.RateLimitError{RetryAfter: d}
	}
	q := url.Values{"limit": {strconv.Itoa(historyLimit)}}
	if before != "" {
		q.Set("before", before)
	}
	body, err := a.session.RequestWithBucketID(http.MethodGet, endpoint+"?"+q.Encode(), nil, bucket,
		discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
	if re, ok := errors.AsType[*discordgo.RESTError](err); ok && re.Response != nil && re.Response.StatusCode == http.StatusForbidden {
		// Whether the bot may post there is for Post to find out.
		return nil, fmt.Errorf("history of %s: %w", channel, errNoView)
	}
	if err != nil {
		return nil, a.requestError(fmt.Sprintf("history of %s", channel), route, err)
	}
	var msgs []*discordgo.Message
	if err := json.Unmarshal(body, &msgs); err != nil {
		return nil, fmt.Errorf("history of %s: unexpected response: %w", channel, err)
	}
	return msgs, nil
}

// checkReadable is called when a channel's history came back empty: if
// the channel's last message is recent, the bot lacks Read Message
// History there (Discord hides the messages instead of refusing).
func (a *Adapter) checkReadable(ctx context.Context, channel bot.ChannelRef, oldest time.Time) {
	endpoint := discordgo.EndpointChannel(channel.Channel)
	body, err := a.session.RequestWithBucketID(http.MethodGet, endpoint, nil, http.MethodGet+" "+endpoint,
		discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
	if err != nil {
		a.log.DebugContext(ctx, "could not read the channel to check its history", slog.String("channel_id", channel.Channel),
			slog.String("error", unreachable(err, a.cfg.APIURL).Error()))
		return
	}
	var ch struct {
		LastMessageID string `json:"last_message_id"`
	}
	if json.Unmarshal(body, &ch) != nil || ch.LastMessageID == "" {
		return
	}
	if t, ok := snowflakeTime(ch.LastMessageID); ok && t.After(oldest) {
		a.cannotRead(ctx, channel, "Discord hides its messages from the bot")
	}
}

// cannotRead warns, once per channel until a read succeeds, that Posted
// cannot check the channel's history.
func (a *Adapter) cannotRead(ctx context.Context, channel bot.ChannelRef, why string) {
	if _, seen := a.unreadable.LoadOrStore(channel.Channel, true); seen {
		return
	}
	a.log.WarnContext(ctx, "cannot read the channel's message history to check for a digest posted before an interruption; "+
		"give the bot Read Message History in this channel, or a digest retried minutes after a crash may be posted twice",
		slog.String("channel_id", channel.Channel), slog.String("reason", why))
}

// selfID returns the bot's user ID (GET users/@me, once).
func (a *Adapter) selfID(ctx context.Context) (string, error) {
	a.selfMu.Lock()
	defer a.selfMu.Unlock()
	if a.self != "" {
		return a.self, nil
	}
	endpoint := discordgo.EndpointUser("@me")
	body, err := a.session.RequestWithBucketID(http.MethodGet, endpoint, nil, endpoint,
		discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
	if rl, ok := errors.AsType[*discordgo.RateLimitError](err); ok && rl.TooManyRequests != nil {
		return "", &bot.RateLimitError{RetryAfter: max(rl.RetryAfter, defaultRetry), Err: err}
	}
	if err != nil {
		return "", fmt.Errorf("discord bot user: %w", unreachable(err, a.cfg.APIURL))
	}
	var u struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &u); err != nil || !isSnowflake(u.ID) {
		return "", errors.New("discord bot user: unexpected response without an id")
	}
	a.self = u.ID
	return u.ID, nil
}

// messageTime is when m was posted: its timestamp, or the time in its
// snowflake ID.
func messageTime(m *discordgo.Message) time.Time {
	if !m.Timestamp.IsZero() {
		return m.Timestamp
	}
	t, _ := snowflakeTime(m.ID)
	return t
}

// snowflakeTime is the creation time held in a Discord ID.
func snowflakeTime(id string) (time.Time, bool) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	const discordEpoch = 1420070400000 // 2015-01-01T00:00:00Z in ms
	return time.UnixMilli(int64(n>>22) + discordEpoch), true
}

// ChannelTeam implements bot.TeamResolver: the guild a channel belongs to
// (GET channels/{id}, cached), so that /news health in one server does not
// show another server's channels. A direct-message channel has no guild
// and returns "".
func (a *Adapter) ChannelTeam(ctx context.Context, channel bot.ChannelRef) (string, error) {
	if g, ok := a.guildOf.Load(channel.Channel); ok {
		return g.(string), nil
	}
	endpoint := discordgo.EndpointChannel(channel.Channel)
	body, err := a.session.RequestWithBucketID(http.MethodGet, endpoint, nil, http.MethodGet+" "+endpoint,
		discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
	if err != nil {
		return "", fmt.Errorf("guild of channel %s: %w", channel.Channel, unreachable(err, a.cfg.APIURL))
	}
	var ch struct {
		GuildID string `json:"guild_id"`
	}
	if err := json.Unmarshal(body, &ch); err != nil {
		return "", fmt.Errorf("guild of channel %s: unexpected response: %w", channel.Channel, err)
	}
	a.guildOf.Store(channel.Channel, ch.GuildID)
	return ch.GuildID, nil
}

package slack

import "github.com/newsbot/newsbot/bot"

// RenderReplyForTest exposes the Block Kit translation to the external
// tests and benchmarks.
func RenderReplyForTest(r bot.Reply) any { return renderReply(r) }

// ChannelGone exposes the plain reasons given for channel refusals.
func ChannelGone() map[string]bot.ChannelError {
	out := make(map[string]bot.ChannelError, len(channelGone))
	for code, why := range channelGone {
		out[code] = bot.ChannelError{Reason: why.reason, Fix: why.fix}
	}
	return out
}

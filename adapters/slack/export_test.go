package slack

import "github.com/newsbot/newsbot/bot"

// RenderReplyForTest exposes the Block Kit translation to the external
// tests and benchmarks.
func RenderReplyForTest(r bot.Reply) any { return renderReply(r) }

// Package slack connects newsbot to Slack.
//
// It receives /news slash commands and app mentions over HTTP (signed
// requests to /slack/commands and /slack/events, see [Adapter.HTTPHandler])
// or over Socket Mode when an app-level token is configured (see
// [Adapter.Run]), answers them within Slack's three seconds (inline when
// the reply is ready, otherwise an acknowledgement followed by a post to
// the command's response_url), and posts scheduled digests with
// chat.postMessage ([Adapter.Post]), at most about one message per second
// per channel, with the delivery key in the message metadata so that a
// retried delivery can be detected ([Adapter.Posted]).
//
// The package is split like the other adapters: a pure translate layer
// (render.go: briefings and replies to Block Kit; parse.go: Slack payloads
// to bot commands) and a thin transport over github.com/slack-go/slack,
// imported here as slackapi. Package slackfake is a local fake of the Slack
// Web API for tests.
//
// Every string that comes from an article is escaped (&, < and >) before it
// reaches Slack, so article text can never mention a user, a group or the
// whole channel.
package slack

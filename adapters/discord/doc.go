// Package discord connects newsbot to Discord through
// github.com/bwmarrin/discordgo (imported as discordgo).
//
// The adapter receives the /news application command in one of two modes:
//
//   - HTTP interactions ([Adapter.HTTPHandler], mounted at
//     POST /discord/interactions): every request is verified with the
//     application's Ed25519 public key and refused when its timestamp is
//     more than five minutes off; PING is answered with PONG.
//   - Gateway ([Adapter.Run] in gateway mode): a discordgo websocket
//     session, for servers without a public URL, sharded as configured.
//
// Both modes turn an interaction into a [bot.Command] whose Text is the
// bot's command language ("/news brief query:g20" becomes "g20"), answer
// within Discord's three seconds (directly when the bot is quick enough,
// otherwise with a deferred response that is edited later), and render
// replies as embeds within Discord's limits (render.go, a pure layer).
//
// Scheduled digests go out through [Adapter.Post] as channel messages with
// a nonce derived from [bot.Message.Key] and enforce_nonce, so Discord
// posts a retried delivery at most once within its nonce window, and a
// small tag derived from the key, by which [Adapter.Posted] (a
// [bot.PostedChecker]) finds a digest in the channel's history after that
// window. Replies show the commands they suggest in Discord's option
// syntax (syntax.go). Every message the adapter sends
// carries allowed_mentions with an empty parse list, and article text is
// neutralised as well, so nothing the bot relays can ping @everyone, a role
// or a user.
//
// [Register] overwrites the application's commands with [Commands] and
// reports what changed. The package discordfake is a local fake of the
// Discord REST API and gateway for tests.
//
// The adapter never logs bot tokens, interaction tokens or webhook URLs,
// and errors it returns never contain them.
package discord

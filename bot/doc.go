// Package bot is newsbot's application layer. It turns a command from any
// chat platform into a reply, keeps each channel's topics, subscriptions and
// sources, and delivers scheduled digests exactly once.
//
// Platforms plug in through [Platform]; storage through [Store]. Both are
// defined here, by their consumer, and implemented elsewhere
// (adapters/slack, adapters/discord, adapters/console; storage/sqlite,
// storage/memory).
package bot

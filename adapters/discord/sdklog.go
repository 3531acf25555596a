package discord

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/bwmarrin/discordgo"
)

// SDKLogger returns a function to assign to discordgo.Logger so that
// discordgo's own log lines (gateway reconnects, say) go to log instead of
// the standard library's logger. discordgo.Logger is a package variable:
// only main should set it, once, before any adapter starts. The adapter
// keeps discordgo at its error level, whose messages carry no tokens.
func SDKLogger(log *slog.Logger) func(msgL, caller int, format string, a ...any) {
	log = log.With(slog.String("component", "discordgo"))
	return func(msgL, _ int, format string, a ...any) {
		level := slog.LevelDebug
		switch msgL {
		case discordgo.LogError:
			level = slog.LevelError
		case discordgo.LogWarning:
			level = slog.LevelWarn
		case discordgo.LogInformational:
			level = slog.LevelInfo
		}
		log.Log(context.Background(), level, fmt.Sprintf(format, a...))
	}
}

package discord

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/newsbot/newsbot/bot"
)

// runGateway opens the gateway session, answers interactions with h until
// ctx is done, then closes the session. discordgo reconnects by itself
// after network errors.
func (a *Adapter) runGateway(ctx context.Context, h bot.Handler) error {
	base := context.WithoutCancel(ctx)
	remove := a.session.AddHandler(func(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
		if ic == nil || ic.Interaction == nil {
			return
		}
		a.handleGatewayInteraction(base, h, ic.Interaction)
	})
	defer remove()
	if err := a.session.Open(); err != nil {
		return fmt.Errorf("open discord gateway (shard %d of %d): %w", a.cfg.ShardID, a.cfg.ShardCount, err)
	}
	a.log.Info("discord gateway connected", slog.Int("shard_id", a.cfg.ShardID), slog.Int("shard_count", a.cfg.ShardCount))
	<-ctx.Done()
	if err := a.session.Close(); err != nil {
		a.log.Warn("close discord gateway", slog.Any("err", err))
	}
	return nil
}

// handleGatewayInteraction answers one interaction that arrived over the
// gateway: the same responses as over HTTP, sent as a callback request.
func (a *Adapter) handleGatewayInteraction(ctx context.Context, h bot.Handler, in *discordgo.Interaction) {
	resp, followup := a.respond(ctx, h, in)
	if resp == nil {
		a.log.Debug("ignored interaction", slog.Int("type", int(in.Type)))
		return
	}
	// The whole answer must reach Discord within 3 s of the event.
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	err := a.api.respond(cctx, in.ID, in.Token, resp)
	cancel()
	if err != nil {
		a.log.Error("answer interaction", slog.String("interaction_id", in.ID), slog.Any("err", err))
	}
	if followup != nil {
		go followup(err == nil)
	}
}

package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/newsbot/newsbot/bot"
	"github.com/slack-go/slack/socketmode"
)

// maxSocketAck is the largest acknowledgement payload sent over Socket
// Mode; Slack silently drops responses of 20 KB or more, so a larger reply
// goes to response_url instead.
const maxSocketAck = 16 << 10

// runSocket connects over Socket Mode and handles its events until ctx is
// done.
func (a *Adapter) runSocket(ctx context.Context, h bot.Handler) error {
	client := socketmode.New(a.api, socketmode.OptionLog(slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- client.RunContext(ctx) }()
	defer a.socketUp.Store(false)
	a.log.InfoContext(ctx, "connecting over Socket Mode")
	for {
		select {
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("socket mode: %w", err)
		case ev := <-client.Events:
			a.socketEvent(ctx, client, ev, h)
		}
	}
}

// socketEvent handles one Socket Mode event. It never blocks on the
// handler: commands run in their own goroutine.
func (a *Adapter) socketEvent(ctx context.Context, client *socketmode.Client, ev socketmode.Event, h bot.Handler) {
	switch ev.Type {
	case socketmode.EventTypeConnected:
		a.socketUp.Store(true)
		a.log.InfoContext(ctx, "connected over Socket Mode")
	case socketmode.EventTypeConnecting, socketmode.EventTypeDisconnect:
		a.socketUp.Store(false)
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError:
		if ev.Type == socketmode.EventTypeConnectionError {
			a.socketUp.Store(false)
		}
		a.log.WarnContext(ctx, "socket mode connection problem", slog.String("event", string(ev.Type)), slog.String("error", eventError(ev)))
	case socketmode.EventTypeInvalidAuth:
		a.log.ErrorContext(ctx, "socket mode: invalid app token")
	case socketmode.EventTypeSlashCommand:
		if ev.Request == nil {
			return
		}
		req := *ev.Request
		var sc slashCommand
		var raw struct {
			Command     string `json:"command"`
			Text        string `json:"text"`
			ChannelID   string `json:"channel_id"`
			UserID      string `json:"user_id"`
			UserName    string `json:"user_name"`
			ResponseURL string `json:"response_url"`
		}
		err := json.Unmarshal(req.Payload, &raw)
		if err == nil {
			sc = slashCommand(raw)
			err = sc.check()
		}
		if err != nil {
			a.log.WarnContext(ctx, "bad slash command over Socket Mode", slog.String("error", err.Error()))
			a.ack(ctx, client, req.EnvelopeID, nil)
			return
		}
		a.inflight.add()
		go func() {
			defer a.inflight.done()
			deliver := func(ctx context.Context, m message) error {
				if sc.ResponseURL == "" {
					return errors.New("no response_url to deliver a late reply")
				}
				return a.postResponse(ctx, sc.ResponseURL, m)
			}
			m, deferred := a.dispatch(ctx, h, sc.command(), deliver)
			if !deferred {
				if b, err := json.Marshal(m); err == nil && len(b) > maxSocketAck && sc.ResponseURL != "" {
					a.ack(ctx, client, req.EnvelopeID, message{ResponseType: responseEphemeral, Text: ackText})
					wctx, cancel := a.workContext(ctx)
					defer cancel()
					if err := deliver(wctx, m); err != nil {
						a.log.ErrorContext(ctx, "reply not delivered", slog.String("channel", sc.ChannelID), slog.String("error", err.Error()))
					}
					return
				}
			}
			a.ack(ctx, client, req.EnvelopeID, m)
		}()
	case socketmode.EventTypeEventsAPI:
		if ev.Request == nil {
			return
		}
		a.ack(ctx, client, ev.Request.EnvelopeID, nil)
		env, err := parseEvent(ev.Request.Payload)
		if err != nil {
			a.log.WarnContext(ctx, "bad event over Socket Mode", slog.String("error", err.Error()))
			return
		}
		a.handleEvent(ctx, env, h)
	case socketmode.EventTypeInteractive:
		if ev.Request != nil {
			a.ack(ctx, client, ev.Request.EnvelopeID, nil)
		}
	}
}

// ack acknowledges an envelope, with an optional reply payload.
func (a *Adapter) ack(ctx context.Context, client *socketmode.Client, envelopeID string, payload any) {
	if err := client.AckCtx(ctx, envelopeID, payload); err != nil {
		a.log.WarnContext(ctx, "socket mode ack failed", slog.String("error", err.Error()))
	}
}

// eventError extracts the error carried by a socketmode error event.
func eventError(ev socketmode.Event) string {
	if e, ok := ev.Data.(error); ok {
		return e.Error()
	}
	return fmt.Sprint(ev.Data)
}

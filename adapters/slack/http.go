package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/newsbot/newsbot/bot"
	slackapi "github.com/slack-go/slack"
)

// Paths of the HTTP endpoints, as the app manifest names them.
const (
	CommandsPath = "/slack/commands"
	EventsPath   = "/slack/events"
)

// HTTPHandler returns the handler for Slack's requests: POST
// /slack/commands (slash commands) and POST /slack/events (Events API:
// url_verification and app_mention). Mount it on the bot's HTTP server,
// for example mux.Handle("/slack/", a.HTTPHandler(h)).
//
// Every request is verified first: a body larger than MaxBodyBytes gets
// 413, and a request that is unsigned, forged, outside the 5-minute window
// or a replay of one already accepted gets 401; none of them has any
// other effect. A verified command is answered in the response when h
// replies within AckTimeout; otherwise the response is an ephemeral
// "Working on it…" and the reply goes to the command's response_url.
func (a *Adapter) HTTPHandler(h bot.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(CommandsPath, a.verified(func(w http.ResponseWriter, r *http.Request, body []byte) {
		a.serveCommand(w, r, body, h)
	}))
	mux.Handle(EventsPath, a.verified(func(w http.ResponseWriter, r *http.Request, body []byte) {
		a.serveEvent(w, r, body, h)
	}))
	return mux
}

// verified reads the body once (bounded), verifies the signature, and
// only then calls next with the body.
func (a *Adapter) verified(next func(http.ResponseWriter, *http.Request, []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, a.cfg.MaxBodyBytes+1))
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		if int64(len(body)) > a.cfg.MaxBodyBytes {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := a.verifier.verify(r.Header, body); err != nil {
			a.logRefusal(r, err)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next(w, r, body)
	})
}

// serveCommand answers a verified slash command.
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, body []byte, h bot.Handler) {
	sc, err := parseSlashForm(body)
	if err == nil && sc.ResponseURL == "" {
		err = fmt.Errorf("%w: no response_url", errBadPayload)
	}
	if err != nil {
		a.log.WarnContext(r.Context(), "bad slash command", slog.String("error", err.Error()))
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	m, deferred := a.dispatch(r.Context(), h, sc.command(), func(ctx context.Context, m message) error {
		return a.postResponse(ctx, sc.ResponseURL, m)
	})
	if deferred {
		a.log.DebugContext(r.Context(), "command acknowledged; reply deferred", slog.String("channel", sc.ChannelID))
	}
	writeJSON(w, m)
}

// serveEvent answers a verified Events API request: the url_verification
// challenge, or an event callback, acknowledged at once and handled in the
// background.
func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request, body []byte, h bot.Handler) {
	ev, err := parseEvent(body)
	if err != nil {
		a.log.WarnContext(r.Context(), "bad event", slog.String("error", err.Error()))
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	switch ev.Type {
	case "url_verification":
		writeJSON(w, map[string]string{"challenge": ev.Challenge})
		return
	case "event_callback":
		a.handleEvent(r.Context(), ev, h)
	}
	w.WriteHeader(http.StatusOK)
}

// eventMemory is how long an event ID is remembered: Slack retries an
// unacknowledged event three times within about five minutes.
const eventMemory = 15 * time.Minute

// handleEvent starts handling an event callback in the background, once
// per event ID. It returns at once.
func (a *Adapter) handleEvent(ctx context.Context, ev eventEnvelope, h bot.Handler) {
	cmd, ok := ev.mentionCommand()
	if !ok {
		return
	}
	if ev.EventID != "" {
		now := a.cfg.Now()
		if !a.events.add(ev.EventID, now.Add(eventMemory), now) {
			return
		}
	}
	thread := ev.Event.ThreadTS
	if thread == "" {
		thread = ev.Event.TS
	}
	a.inflight.add()
	go func() {
		defer a.inflight.done()
		wctx, cancel := a.workContext(ctx)
		defer cancel()
		m := a.handle(wctx, h, cmd)
		if err := a.postReply(wctx, cmd, thread, m); err != nil {
			a.log.ErrorContext(wctx, "reply to mention not posted", slog.String("channel", cmd.Channel.Channel), slog.String("error", err.Error()))
		}
	}()
}

// postReply posts a reply to a mention in the mention's thread, or as an
// ephemeral message to its author.
func (a *Adapter) postReply(ctx context.Context, cmd bot.Command, thread string, m message) error {
	opts := []slackapi.MsgOption{slackapi.MsgOptionText(m.Text, false), slackapi.MsgOptionDisableLinkUnfurl()}
	if len(m.Blocks) > 0 {
		opts = append(opts, slackapi.MsgOptionBlocks(m.Blocks...))
	}
	if m.ResponseType == responseEphemeral {
		if _, err := a.api.PostEphemeralContext(ctx, cmd.Channel.Channel, cmd.User, opts...); err != nil {
			return fmt.Errorf("chat.postEphemeral: %w", err)
		}
		return nil
	}
	if thread != "" {
		opts = append(opts, slackapi.MsgOptionTS(thread))
	}
	if _, _, err := a.api.PostMessageContext(ctx, cmd.Channel.Channel, opts...); err != nil {
		return fmt.Errorf("chat.postMessage: %w", err)
	}
	return nil
}

// postResponse delivers m to a command's response_url, retrying twice on
// network errors, 429 and 5xx. Errors never include the URL, which is a
// credential.
func (a *Adapter) postResponse(ctx context.Context, responseURL string, m message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode reply: %w", err)
	}
	const attempts = 3
	backoff := 250 * time.Millisecond
	for i := 0; ; i++ {
		retry, err := a.postResponseOnce(ctx, responseURL, body)
		if err == nil {
			return nil
		}
		if !retry || i == attempts-1 {
			return err
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (then %w)", err, ctx.Err())
		case <-t.C:
		}
		backoff *= 2
	}
}

func (a *Adapter) postResponseOnce(ctx context.Context, responseURL string, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
	if err != nil {
		return false, errors.New("post to response_url: bad request")
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := a.cfg.ResponseClient.Do(req)
	if err != nil {
		return ctx.Err() == nil, fmt.Errorf("post to response_url: %w", stripURL(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return true, fmt.Errorf("post to response_url: status %d", resp.StatusCode)
	default:
		return false, fmt.Errorf("post to response_url: status %d", resp.StatusCode)
	}
}

// stripURL removes the request URL from a client error: a response_url is
// a credential and must not reach the logs.
func stripURL(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// writeJSON writes v as the JSON response.
func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// logRefusal logs a request refused for its signature. Refusals are
// warnings, as a wrong slack.signing_secret shows only this way (every
// command then fails); rate-limited (see [refusals]), as anyone may send
// forged requests to a public endpoint.
func (a *Adapter) logRefusal(r *http.Request, err error) {
	attrs := []any{slog.String("path", r.URL.Path), slog.String("reason", err.Error()), slog.String("remote", r.RemoteAddr)}
	if ok, held := a.refused.warn(a.cfg.Now()); ok {
		a.log.WarnContext(r.Context(), "refused unverified request", append(attrs, slog.Int("held_back", held),
			slog.String("hint", "if every command fails, check slack.signing_secret"))...)
		return
	}
	a.log.DebugContext(r.Context(), "refused unverified request", attrs...)
}

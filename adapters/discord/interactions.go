package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/newsbot/newsbot/bot"
)

// TopicLister is optionally implemented by the [bot.Handler] given to
// [Adapter.HTTPHandler] or [Adapter.Run]: it names a channel's topics, so
// that Discord can offer them while a user types a topic option. Without
// it, autocomplete offers nothing. TopicNames must answer quickly: it gets
// at most ReplyDeadline.
type TopicLister interface {
	TopicNames(ctx context.Context, channel bot.ChannelRef) ([]string, error)
}

// maxInteractionBody bounds an interaction request's body.
const maxInteractionBody = 1 << 20

// maxChoices is the most autocomplete choices Discord accepts.
const maxChoices = 25

// Messages shown to users.
const (
	msgFailed      = "Sorry, something went wrong while answering that. It has been logged; please try again later."
	msgUnsupported = "newsbot does not handle this kind of interaction."
)

// interactionResponse is the JSON answer to an interaction: the body of
// the HTTP response, or of the gateway mode's callback request.
type interactionResponse struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data any                               `json:"data,omitempty"`
}

type autocompleteData struct {
	Choices []choice `json:"choices"`
}

type choice struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// HTTPHandler returns the handler for POST /discord/interactions, which
// answers interactions with h. Requests without a valid, fresh Ed25519
// signature get 401 and have no other effect. It needs the public key
// (Config.PublicKey); without it every request gets 503.
func (a *Adapter) HTTPHandler(h bot.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.serveInteraction(w, r, h)
	})
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, h bot.Handler) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if a.verifier == nil {
		http.Error(w, "discord interactions are not configured (no public key)", http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInteractionBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	}
	if err := a.verifier.verify(r.Header, body); err != nil {
		a.logRefusal(r, err)
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	var in discordgo.Interaction
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	resp, followup := a.respond(r.Context(), h, &in)
	if resp == nil {
		http.Error(w, "unknown interaction type", http.StatusBadRequest)
		return
	}
	out, err := json.Marshal(resp)
	if err != nil {
		a.log.Error("encode interaction response", slog.Any("err", err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		if followup != nil {
			followup(false)
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, werr := w.Write(out)
	if werr == nil {
		werr = http.NewResponseController(w).Flush()
	}
	if followup != nil {
		go followup(werr == nil || errors.Is(werr, http.ErrNotSupported))
	}
}

// respond computes the initial response to an interaction. When the
// command was deferred, followup is not nil: the caller must call it
// exactly once, after the initial response was delivered (true) or
// failed (false); it then delivers the reply by editing the original
// response.
func (a *Adapter) respond(ctx context.Context, h bot.Handler, in *discordgo.Interaction) (resp *interactionResponse, followup func(delivered bool)) {
	switch in.Type {
	case discordgo.InteractionPing:
		return &interactionResponse{Type: discordgo.InteractionResponsePong}, nil
	case discordgo.InteractionApplicationCommand:
		return a.commandResponse(ctx, h, in)
	case discordgo.InteractionApplicationCommandAutocomplete:
		return a.autocomplete(ctx, h, in), nil
	case discordgo.InteractionMessageComponent, discordgo.InteractionModalSubmit:
		return replyResponse(bot.Reply{Text: msgUnsupported, Ephemeral: true}), nil
	}
	return nil, nil
}

func replyResponse(r bot.Reply) *interactionResponse {
	m := renderReply(r)
	return &interactionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &m}
}

// pending is a command the bot is working on.
type pending struct {
	done   chan struct{}
	reply  bot.Reply
	err    error
	cancel context.CancelFunc
}

// commandResponse runs h on the command. If h answers within
// ReplyDeadline the reply is the response (type 4); otherwise the response
// is deferred (type 5) and followup edits it in when h is done.
func (a *Adapter) commandResponse(ctx context.Context, h bot.Handler, in *discordgo.Interaction) (*interactionResponse, func(bool)) {
	cmd, err := toCommand(in, a.adminRoles)
	if err != nil {
		var ue *usageError
		if !errors.As(err, &ue) {
			ue = &usageError{msg: msgFailed}
		}
		return replyResponse(bot.Reply{Text: ue.msg, Ephemeral: true}), nil
	}
	log := a.log.With(
		slog.String("interaction_id", in.ID),
		slog.String("guild_id", in.GuildID),
		slog.String("channel_id", in.ChannelID),
		slog.String("user_id", cmd.User),
	)
	start := time.Now()
	a.work.add()
	p := a.start(ctx, h, cmd, log)
	t := time.NewTimer(a.cfg.ReplyDeadline)
	defer t.Stop()
	select {
	case <-p.done:
		p.cancel()
		a.work.done()
		log.Debug("command answered", slog.Duration("took", time.Since(start)), slog.Bool("deferred", false))
		return replyResponse(a.finalReply(p, log)), nil
	case <-t.C:
	}
	followup := func(delivered bool) {
		defer a.work.done()
		defer p.cancel()
		if !delivered {
			p.cancel()
			<-p.done
			log.Warn("deferred response not delivered; reply dropped")
			return
		}
		<-p.done
		reply := a.finalReply(p, log)
		if err := a.deliver(ctx, in, reply); err != nil {
			log.Error("deliver deferred reply", slog.Any("err", err))
			return
		}
		log.Debug("command answered", slog.Duration("took", time.Since(start)), slog.Bool("deferred", true))
	}
	return &interactionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}, followup
}

// start runs h in its own goroutine, under a context that outlives the
// request (the reply may be delivered later) but is bounded by
// FollowupTimeout and cancelled when Run stops waiting for it.
func (a *Adapter) start(ctx context.Context, h bot.Handler, cmd bot.Command, log *slog.Logger) *pending {
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.FollowupTimeout)
	p := &pending{done: make(chan struct{}), cancel: cancel}
	go func() {
		select {
		case <-a.hardStop:
			cancel()
		case <-hctx.Done():
		}
	}()
	go func() {
		defer close(p.done)
		defer func() {
			if r := recover(); r != nil {
				p.err = fmt.Errorf("handler panicked: %v", r)
			}
		}()
		p.reply, p.err = h.HandleCommand(hctx, cmd)
	}()
	return p
}

// finalReply is the reply to show for a finished command: the bot's, with
// the commands it suggests written the way Discord users type them, or an
// apology when it failed (the failure is logged, not shown).
func (a *Adapter) finalReply(p *pending, log *slog.Logger) bot.Reply {
	if p.err != nil {
		log.Error("command failed", slog.Any("err", p.err))
		return bot.Reply{Text: msgFailed, Ephemeral: true}
	}
	return localize(p.reply)
}

// deliver puts a deferred command's reply in place of the "thinking…"
// response. The deferred response is public, so an ephemeral reply
// replaces it by an ephemeral follow-up instead.
func (a *Adapter) deliver(ctx context.Context, in *discordgo.Interaction, reply bot.Reply) error {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	go func() {
		select {
		case <-a.hardStop:
			cancel()
		case <-dctx.Done():
		}
	}()
	appID := in.AppID
	if appID == "" {
		appID = a.cfg.ApplicationID
	}
	m := renderReply(reply)
	if reply.Ephemeral {
		if err := a.retryUnknown(dctx, func() error { return a.api.deleteOriginal(dctx, appID, in.Token) }); err != nil {
			return err
		}
		return a.api.followup(dctx, appID, in.Token, m)
	}
	return a.retryUnknown(dctx, func() error { return a.api.editOriginal(dctx, appID, in.Token, m) })
}

// retryUnknown retries f a few times while Discord says the interaction's
// original response does not exist yet: an edit can overtake the deferred
// response it edits.
func (a *Adapter) retryUnknown(ctx context.Context, f func() error) error {
	var err error
	for i := range 4 {
		if err = f(); err == nil {
			return nil
		}
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status != http.StatusNotFound || (ae.Code != codeUnknownWebhook && ae.Code != codeUnknownInteraction && ae.Code != 0) {
			return err
		}
		t := time.NewTimer(time.Duration(i+1) * 250 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
	return err
}

// autocomplete answers an autocomplete interaction with up to 25 of the
// channel's topic names that match what the user typed.
func (a *Adapter) autocomplete(ctx context.Context, h bot.Handler, in *discordgo.Interaction) *interactionResponse {
	resp := &interactionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: &autocompleteData{Choices: []choice{}}}
	data, ok := in.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok {
		return resp
	}
	name, typed, ok := focusedOption(data.Options)
	if !ok || (name != optTopic && name != optName) {
		return resp
	}
	tl, ok := h.(TopicLister)
	if !ok {
		return resp
	}
	tctx, cancel := context.WithTimeout(ctx, a.cfg.ReplyDeadline)
	defer cancel()
	ch := bot.ChannelRef{Platform: PlatformName, Team: in.GuildID, Channel: in.ChannelID}
	names, err := tl.TopicNames(tctx, ch)
	if err != nil {
		a.log.Warn("topic names for autocomplete", slog.String("channel_id", in.ChannelID), slog.Any("err", err))
		return resp
	}
	resp.Data = &autocompleteData{Choices: topicChoices(names, typed)}
	return resp
}

// topicChoices picks the names that start with typed, then those that
// contain it (case-insensitively), each group sorted, at most 25, and
// drops names Discord would refuse as choices (empty or over 100
// characters).
func topicChoices(names []string, typed string) []choice {
	typed = strings.ToLower(strings.TrimSpace(typed))
	var prefix, inner []string
	seen := map[string]bool{}
	for _, n := range names {
		if n == "" || textLen(n) > 100 || seen[n] {
			continue
		}
		seen[n] = true
		ln := strings.ToLower(n)
		switch {
		case strings.HasPrefix(ln, typed):
			prefix = append(prefix, n)
		case strings.Contains(ln, typed):
			inner = append(inner, n)
		}
	}
	slices.Sort(prefix)
	slices.Sort(inner)
	out := make([]choice, 0, min(maxChoices, len(prefix)+len(inner)))
	for _, n := range append(prefix, inner...) {
		if len(out) == maxChoices {
			break
		}
		out = append(out, choice{Name: n, Value: n})
	}
	return out
}

// logRefusal logs an interaction refused for its signature. Refusals are
// warnings, as a wrong discord.public_key shows only this way (every
// command then fails); rate-limited (see [refusals]), as anyone may send
// forged requests to a public endpoint and Discord itself sends some with
// bad signatures on purpose when it checks the endpoint.
func (a *Adapter) logRefusal(r *http.Request, err error) {
	attrs := []any{slog.String("path", r.URL.Path), slog.String("reason", err.Error()), slog.String("remote", r.RemoteAddr)}
	if ok, held := a.refused.warn(a.cfg.Now()); ok {
		a.log.WarnContext(r.Context(), "refused unverified request", append(attrs, slog.Int("held_back", held),
			slog.String("hint", "Discord sends a few on purpose to test the endpoint; if every command fails, check discord.public_key"))...)
		return
	}
	a.log.DebugContext(r.Context(), "refused unverified request", attrs...)
}

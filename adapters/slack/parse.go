package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/newsbot/newsbot/bot"
)

// platformName is the adapter's bot.Platform name.
const platformName = "slack"

// maxCommandText bounds the text of one command; Slack itself caps slash
// command text far below this.
const maxCommandText = 4000

// slashCommand is the part of a slash-command payload the adapter uses.
type slashCommand struct {
	Command     string
	Text        string
	ChannelID   string
	UserID      string
	UserName    string
	ResponseURL string
}

// errBadPayload is wrapped by every parse error.
var errBadPayload = errors.New("bad payload")

// parseSlashForm reads a slash command from its form-encoded body.
func parseSlashForm(body []byte) (slashCommand, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return slashCommand{}, fmt.Errorf("%w: form: %w", errBadPayload, err)
	}
	sc := slashCommand{
		Command:     v.Get("command"),
		Text:        v.Get("text"),
		ChannelID:   v.Get("channel_id"),
		UserID:      v.Get("user_id"),
		UserName:    v.Get("user_name"),
		ResponseURL: v.Get("response_url"),
	}
	return sc, sc.check()
}

// check reports a slash command missing what the adapter needs to answer.
func (sc slashCommand) check() error {
	switch {
	case sc.ChannelID == "":
		return fmt.Errorf("%w: no channel_id", errBadPayload)
	case sc.UserID == "":
		return fmt.Errorf("%w: no user_id", errBadPayload)
	case len(sc.Text) > maxCommandText:
		return fmt.Errorf("%w: text longer than %d bytes", errBadPayload, maxCommandText)
	}
	if sc.ResponseURL != "" {
		u, err := url.Parse(sc.ResponseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("%w: response_url is not an http(s) URL", errBadPayload)
		}
	}
	return nil
}

// channelRef names a Slack channel for the bot. Team is left empty: one
// adapter serves one workspace (one bot token), where channel IDs are
// unique, so the config can name a channel "slack::C0123" and match what
// commands report.
func channelRef(channel string) bot.ChannelRef {
	return bot.ChannelRef{Platform: platformName, Channel: channel}
}

// command converts a slash command to the bot's command. Admin is filled in
// later.
func (sc slashCommand) command() bot.Command {
	return bot.Command{
		Channel:  channelRef(sc.ChannelID),
		User:     sc.UserID,
		UserName: sc.UserName,
		Text:     commandText(sc.Text),
	}
}

// commandText normalises text typed after a command or a mention: Slack
// sends &, < and > escaped, and may wrap URLs in <...> (or <url|label>);
// the bot wants what the user typed.
func commandText(s string) string {
	var sb strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		sb.WriteString(s[:i])
		inner := s[i+1 : i+j]
		// <https://x|x> and <https://x> are auto-linked URLs: keep the URL.
		// <@U1|name>, <#C1|name>, <!here> are mentions: keep them as sent,
		// the bot treats them as plain words.
		if strings.HasPrefix(inner, "http://") || strings.HasPrefix(inner, "https://") || strings.HasPrefix(inner, "mailto:") {
			if k := strings.IndexByte(inner, '|'); k >= 0 {
				inner = inner[:k]
			}
			sb.WriteString(inner)
		} else {
			sb.WriteString(s[i : i+j+1])
		}
		s = s[i+j+1:]
	}
	sb.WriteString(s)
	return strings.TrimSpace(unescape(sb.String()))
}

// eventEnvelope is the part of an Events API request the adapter uses.
type eventEnvelope struct {
	Type      string       `json:"type"`
	Challenge string       `json:"challenge"`
	EventID   string       `json:"event_id"`
	Event     eventPayload `json:"event"`
}

// eventPayload is the inner event of an event_callback.
type eventPayload struct {
	Type     string `json:"type"`
	User     string `json:"user"`
	BotID    string `json:"bot_id"`
	Text     string `json:"text"`
	Channel  string `json:"channel"`
	TS       string `json:"ts"`
	ThreadTS string `json:"thread_ts"`
}

// parseEvent reads an Events API envelope.
func parseEvent(body []byte) (eventEnvelope, error) {
	var ev eventEnvelope
	if err := json.Unmarshal(body, &ev); err != nil {
		return eventEnvelope{}, fmt.Errorf("%w: event json: %w", errBadPayload, err)
	}
	if ev.Type == "" {
		return eventEnvelope{}, fmt.Errorf("%w: event without type", errBadPayload)
	}
	return ev, nil
}

// mentionCommand converts an app_mention event to a command: the text with
// the leading mention of the bot removed. It reports false for events the
// bot ignores (other types, bots, empty channel or user).
func (ev eventEnvelope) mentionCommand() (bot.Command, bool) {
	e := ev.Event
	if ev.Type != "event_callback" || e.Type != "app_mention" || e.BotID != "" || e.User == "" || e.Channel == "" {
		return bot.Command{}, false
	}
	text := strings.TrimSpace(e.Text)
	if strings.HasPrefix(text, "<@") {
		if i := strings.IndexByte(text, '>'); i >= 0 {
			text = text[i+1:]
		}
	}
	if len(text) > maxCommandText {
		return bot.Command{}, false
	}
	return bot.Command{
		Channel: channelRef(e.Channel),
		User:    e.User,
		Text:    commandText(text),
	}, true
}

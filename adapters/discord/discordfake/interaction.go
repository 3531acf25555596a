package discordfake

import (
	"encoding/json"
	"strconv"
	"sync/atomic"
)

// Permission bits used by [Interaction.Permissions].
const (
	PermAdministrator int64 = 1 << 3
	PermManageGuild   int64 = 1 << 5
)

// Option is one option of an application command interaction.
type Option struct {
	Name    string   `json:"name"`
	Type    int      `json:"type"`
	Value   any      `json:"value,omitempty"`
	Options []Option `json:"options,omitempty"`
	Focused bool     `json:"focused,omitempty"`
}

// Sub is a subcommand with its options ("brief", Str("query", "g20")).
func Sub(name string, opts ...Option) Option { return Option{Name: name, Type: 1, Options: opts} }

// Group is a subcommand group ("topic", Sub("add", ...)).
func Group(name string, subs ...Option) Option { return Option{Name: name, Type: 2, Options: subs} }

// Str is a string option.
func Str(name, value string) Option { return Option{Name: name, Type: 3, Value: value} }

// Int is an integer option.
func Int(name string, value int) Option { return Option{Name: name, Type: 4, Value: value} }

// Focused marks an option as the one being typed (autocomplete).
func Focused(o Option) Option { o.Focused = true; return o }

// Interaction describes an interaction to send; JSON builds its payload.
// Zero fields get defaults: a fresh ID and token, application "1",
// guild "100", channel "200", user "300" named "ada", command "news".
type Interaction struct {
	// Type is 1 PING, 2 APPLICATION_COMMAND (default), 4 AUTOCOMPLETE.
	Type          int
	ID, Token     string
	ApplicationID string
	GuildID       string
	ChannelID     string
	UserID        string
	UserName      string
	// DM sends the user without a guild member (a direct message).
	DM bool
	// Permissions are the member's permission bits in the channel.
	Permissions int64
	Roles       []string
	Command     string
	Options     []Option
}

var seq atomic.Int64

// Ping is a PING interaction.
func Ping() []byte { return Interaction{Type: 1}.JSON() }

// News is a /news command interaction in the default guild and channel
// with the given options, e.g. News(Sub("brief", Str("query", "g20"))).
func News(opts ...Option) Interaction { return Interaction{Options: opts} }

// JSON returns the interaction payload as Discord sends it.
func (in Interaction) JSON() []byte {
	n := strconv.FormatInt(seq.Add(1), 10)
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	if in.Type == 0 {
		in.Type = 2
	}
	def(&in.ID, "9000000000000"+n)
	def(&in.Token, "fake-interaction-token-"+n)
	def(&in.ApplicationID, "1")
	def(&in.GuildID, "100")
	def(&in.ChannelID, "200")
	def(&in.UserID, "300")
	def(&in.UserName, "ada")
	def(&in.Command, "news")
	p := map[string]any{
		"id": in.ID, "application_id": in.ApplicationID, "type": in.Type, "token": in.Token, "version": 1,
		"channel_id": in.ChannelID, "locale": "en-US",
	}
	user := map[string]any{"id": in.UserID, "username": in.UserName, "global_name": in.UserName}
	if in.DM {
		p["user"] = user
	} else {
		roles := in.Roles
		if roles == nil {
			roles = []string{}
		}
		p["guild_id"] = in.GuildID
		p["member"] = map[string]any{
			"user": user, "roles": roles, "permissions": strconv.FormatInt(in.Permissions, 10),
			"joined_at": "2024-01-01T00:00:00Z",
		}
	}
	if in.Type != 1 {
		opts := in.Options
		if opts == nil {
			opts = []Option{}
		}
		p["data"] = map[string]any{"id": "5000", "name": in.Command, "type": 1, "options": opts}
	}
	b, _ := json.Marshal(p)
	return b
}

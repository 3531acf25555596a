package slack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"
)

// ManifestOptions selects what [Manifest] writes.
type ManifestOptions struct {
	// Name is the app's and the bot user's display name (default
	// "newsbot").
	Name string
	// URL is the bot's public base URL, e.g. https://bot.example.com; the
	// request URLs are URL + CommandsPath and URL + EventsPath. Required
	// unless Socket is set; Slack accepts only https.
	URL string
	// Socket enables Socket Mode: no request URLs, commands and events
	// arrive over the connection the bot opens with its app-level token.
	Socket bool
}

// botScopes are the OAuth scopes the bot needs, as the manifest asks for
// them.
var botScopes = []string{
	"app_mentions:read", // @newsbot g20 in a channel
	"channels:history",  // find a digest already posted (public channels)
	"chat:write",        // replies and digests
	"chat:write.public", // digests to public channels the bot was not invited to
	"commands",          // /news
	"groups:history",    // find a digest already posted (private channels)
	"users:read",        // workspace admins and owners may change settings
}

// Manifest returns a Slack app manifest (YAML) for newsbot, ready to paste
// at api.slack.com/apps -> Create New App -> From an app manifest. It
// returns an error when neither a valid https URL nor Socket is given.
func Manifest(o ManifestOptions) ([]byte, error) {
	name := strings.TrimSpace(o.Name)
	if name == "" {
		name = "newsbot"
	}
	if strings.ContainsFunc(name, unicode.IsControl) {
		return nil, fmt.Errorf("app name %q contains control characters", name)
	}
	if utf8.RuneCountInString(name) > 35 {
		return nil, fmt.Errorf("app name %q is longer than Slack's 35 characters", name)
	}
	base := strings.TrimRight(strings.TrimSpace(o.URL), "/")
	switch {
	case base == "" && !o.Socket:
		return nil, errors.New("need the bot's public https URL (--url) or Socket Mode (--socket)")
	case base != "":
		u, err := url.Parse(base)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("%q is not an https base URL like https://bot.example.com (Slack only calls https)", o.URL)
		}
	}
	data := struct {
		Name, RawName, Commands, Events string
		Socket                          bool
		Scopes                          []string
	}{Name: yamlString(name), RawName: name, Socket: o.Socket, Scopes: botScopes}
	if base != "" && !o.Socket {
		data.Commands = yamlString(base + CommandsPath)
		data.Events = yamlString(base + EventsPath)
	}
	var buf bytes.Buffer
	if err := manifestTemplate.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("render manifest: %w", err)
	}
	return buf.Bytes(), nil
}

// yamlString quotes s as a YAML double-quoted scalar (JSON strings are
// valid YAML).
func yamlString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

var manifestTemplate = template.Must(template.New("manifest").Parse(`# Slack app manifest for newsbot.
# Paste it at https://api.slack.com/apps -> Create New App -> From an app manifest,
# install the app to your workspace, then configure newsbot:
#   slack.bot_token:      OAuth & Permissions -> Bot User OAuth Token (xoxb-...)
{{- if .Socket}}
#   slack.app_token:      Basic Information -> App-Level Tokens -> Generate,
#                         with the connections:write scope (xapp-...)
{{- else}}
#   slack.signing_secret: Basic Information -> App Credentials -> Signing Secret
{{- end}}
# Invite the bot to the channels that get digests (/invite @{{.RawName}}).
_metadata:
  major_version: 1
  minor_version: 1
display_information:
  name: {{.Name}}
  description: "News briefings on demand (/news g20) and on a schedule"
  background_color: "#1d3557"
features:
  app_home:
    home_tab_enabled: false
    messages_tab_enabled: false
  bot_user:
    display_name: {{.Name}}
    always_online: true
  slash_commands:
    - command: /news
{{- if .Commands}}
      url: {{.Commands}}
{{- end}}
      description: "News briefing on a topic; /news help for topics and digests"
      usage_hint: "g20 | help | topics | subscribe <topic> at 08:00"
      should_escape: false
oauth_config:
  scopes:
    bot:
{{- range .Scopes}}
      - {{.}}
{{- end}}
settings:
  event_subscriptions:
{{- if .Events}}
    request_url: {{.Events}}
{{- end}}
    bot_events:
      - app_mention
  interactivity:
    is_enabled: false
  org_deploy_enabled: false
  socket_mode_enabled: {{.Socket}}
  token_rotation_enabled: false
`))

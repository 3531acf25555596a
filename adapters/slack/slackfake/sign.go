package slackfake

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Sign returns Slack's v0 signature of body sent at timestamp ts:
// "v0=" + hex(HMAC-SHA256(secret, "v0:" + ts + ":" + body)).
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + strconv.FormatInt(ts, 10) + ":"))
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// SignedRequest builds a POST of body to target signed with secret at
// time at, as Slack sends it. contentType is the body's type
// ("application/x-www-form-urlencoded" for slash commands,
// "application/json" for events).
func SignedRequest(target, secret string, at time.Time, contentType string, body []byte) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	ts := at.Unix()
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", Sign(secret, ts, body))
	return req, nil
}

// SlashCommand returns the form of a /news command with text typed by user
// U0USER in channel C0NEWS of team T0FAKE, with a fresh response URL on s.
// Change fields as needed before encoding it.
func (s *Server) SlashCommand(text string) url.Values {
	return url.Values{
		"token":        {"deprecated-verification-token"},
		"team_id":      {"T0FAKE"},
		"team_domain":  {"fake"},
		"channel_id":   {"C0NEWS"},
		"channel_name": {"news"},
		"user_id":      {"U0USER"},
		"user_name":    {"reader"},
		"command":      {"/news"},
		"text":         {text},
		"response_url": {s.ResponseURL()},
		"trigger_id":   {"1.2.3"},
		"api_app_id":   {"A0FAKE"},
	}
}

// SignedSlashCommand builds a signed POST of form to target (the bot's
// /slack/commands URL).
func SignedSlashCommand(target, secret string, at time.Time, form url.Values) (*http.Request, error) {
	return SignedRequest(target, secret, at, "application/x-www-form-urlencoded", []byte(form.Encode()))
}

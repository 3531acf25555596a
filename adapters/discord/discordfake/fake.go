// Package discordfake is a local fake of the parts of Discord that newsbot
// uses, for tests: the REST API (channel messages, application commands,
// interaction callbacks and webhooks, the gateway URL) and a gateway
// websocket that can dispatch interactions. It records every call, can
// answer 429 (with a JSON retry_after body, and enforcing the wait), 403
// and 404, honours message nonces with enforce_nonce (until
// [Server.ExpireNonces]), serves a channel's message history newest first
// (GET channels/{id}/messages with limit, before and after; empty, as
// Discord answers a bot without Read Message History, after
// [Server.HideHistory]), the channel itself and the bot user
// (GET users/@me), and plays Discord's side of an HTTP interaction
// ([Server.Deliver]). Message IDs are snowflakes holding their creation
// time, as Discord's are.
//
// Point the Discord adapter at it with Config.APIURL = srv.APIURL().
package discordfake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Call is one request the fake received.
type Call struct {
	// Method and Path ("channels/42/messages", without the /api/vN/ prefix).
	Method string
	Path   string
	// Query is the request's query string.
	Query url.Values
	// Route names the endpoint with its IDs as placeholders
	// ("POST channels/{channel}/messages").
	Route  string
	Header http.Header
	Body   []byte
	// Status is what the fake answered.
	Status int
	Time   time.Time
}

// BotUserID is the user ID of the bot the fake serves: the author of the
// messages the bot posts, and what GET users/@me returns.
const BotUserID = "1"

// Message is a message in a channel of the fake.
type Message struct {
	ID        string
	ChannelID string
	Nonce     string
	// AuthorID is BotUserID for the bot's messages.
	AuthorID string
	// Time is when the fake created it.
	Time time.Time
	// Body is the JSON request body that created it.
	Body json.RawMessage
}

// Response is what the fake knows about an interaction's response.
type Response struct {
	// Type is the initial response type (4 message, 5 deferred, 8
	// autocomplete result).
	Type int
	// Initial is the initial response's data, Original the original
	// message as last edited (the initial data until a PATCH).
	Initial  json.RawMessage
	Original json.RawMessage
	// Edits counts PATCHes of the original; Deleted says it was deleted.
	Edits   int
	Deleted bool
	// Followups are the bodies of follow-up messages.
	Followups []json.RawMessage
	// Received is when the fake sent the interaction, Answered when the
	// initial response arrived.
	Received, Answered time.Time
}

// window counts a bucket's requests in its current rate-limit window.
type window struct {
	start time.Time
	count int
}

type fault struct {
	route   string
	status  int
	body    []byte
	retry   time.Duration
	global  bool
	limited bool
}

// Server is the fake. Create it with [New]; it is safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu          sync.Mutex
	botToken    string
	calls       []Call
	lastID      uint64
	messages    map[string][]Message
	nonces      map[string]string
	hidden      map[string]bool      // channels whose history the bot cannot read
	responses   map[string]*Response // by interaction token
	commands    map[string]json.RawMessage
	faults      []*fault
	denied      map[string]fault
	guilds      map[string]string    // channel -> guild (SetChannelGuild)
	blocked     map[string]time.Time // rate-limited bucket -> until
	globalUntil time.Time
	violations  int
	limit       int
	window      time.Duration
	windows     map[string]*window
	changed     chan struct{}

	gwMu      sync.Mutex
	gwConns   []*gwConn
	identify  []Identify
	gwSeq     int64
	gwChanged chan struct{}
}

// New starts a fake and stops it when the test ends.
func New(t testing.TB) *Server {
	s := &Server{
		messages:  map[string][]Message{},
		nonces:    map[string]string{},
		hidden:    map[string]bool{},
		responses: map[string]*Response{},
		commands:  map[string]json.RawMessage{},
		denied:    map[string]fault{},
		guilds:    map[string]string{},
		blocked:   map[string]time.Time{},
		windows:   map[string]*window{},
		changed:   make(chan struct{}),
		gwChanged: make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/gateway", s.serveGateway)
	mux.HandleFunc("/gateway/", s.serveGateway)
	mux.HandleFunc("/", s.serveAPI)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and closes gateway connections.
func (s *Server) Close() {
	s.gwMu.Lock()
	for _, c := range s.gwConns {
		c.conn.Close()
	}
	s.gwConns = nil
	s.gwMu.Unlock()
	s.srv.Close()
}

// URL is the server's base URL (http://127.0.0.1:port).
func (s *Server) URL() string { return s.srv.URL }

// APIURL is the REST base to configure: URL + "/api/v9/".
func (s *Server) APIURL() string { return s.srv.URL + "/api/v9/" }

// GatewayURL is the websocket URL GET /gateway returns.
func (s *Server) GatewayURL() string {
	return "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/gateway"
}

// RequireBotToken makes bot-authenticated routes answer 401 unless the
// request carries "Authorization: Bot <token>".
func (s *Server) RequireBotToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.botToken = token
}

// Calls returns every request received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the calls to route ("POST channels/{channel}/messages").
func (s *Server) CallsTo(route string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Route == route {
			out = append(out, c)
		}
	}
	return out
}

// Violations counts requests that arrived while a rate limit the fake had
// announced was still in force.
func (s *Server) Violations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.violations
}

// WaitFor waits until ok holds for the fake's state, re-checking after
// every call, and fails the test after timeout.
func (s *Server) WaitFor(t testing.TB, timeout time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if ok() {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("discordfake: timed out after %s waiting for %s", timeout, what)
			return
		}
	}
}

// RateLimitNext makes the next request to route answer 429 with a JSON
// body carrying retry_after (seconds) and global; the fake then refuses
// that bucket (every route, when global) until the wait is over, counting
// each early request as a violation.
func (s *Server) RateLimitNext(route string, retryAfter time.Duration, global bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{route: route, status: http.StatusTooManyRequests, retry: retryAfter, global: global, limited: true})
}

// SetRouteLimit makes every bucket (a route with its channel, guild or
// webhook) allow limit requests per window, announced in the
// X-RateLimit-Remaining and X-RateLimit-Reset-After headers as Discord
// does; a request beyond it gets 429 and counts as a violation. The
// default (limit 0) is no limit, with Remaining always 4.
func (s *Server) SetRouteLimit(limit int, window time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit, s.window = limit, window
}

// FailNext makes the next request to route answer status with a Discord
// error body {"message": message, "code": code}.
func (s *Server) FailNext(route string, status, code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{route: route, status: status, body: errorBody(code, message)})
}

// DenyChannel makes every message to channelID fail with status and code:
// 403 with 50001 (Missing Access) or 50013 (Missing Permissions), 404 with
// 10003 (Unknown Channel).
func (s *Server) DenyChannel(channelID string, status, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := map[int]string{50001: "Missing Access", 50013: "Missing Permissions", 10003: "Unknown Channel"}[code]
	if msg == "" {
		msg = http.StatusText(status)
	}
	s.denied[channelID] = fault{status: status, body: errorBody(code, msg)}
}

// ExpireNonces forgets every message nonce, as Discord does a few minutes
// after a message was created: a retried post with the same nonce then
// creates a second message.
func (s *Server) ExpireNonces() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.nonces)
}

// HideHistory makes reading channelID's history return no messages, as
// Discord answers a bot that lacks the Read Message History permission
// (200 with an empty list, not an error).
func (s *Server) HideHistory(channelID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hidden[channelID] = true
}

// Say adds a message by another user to a channel and returns its ID.
func (s *Server) Say(channelID, userID, content string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, _ := json.Marshal(map[string]any{"content": content})
	m := Message{ID: s.newID(), ChannelID: channelID, AuthorID: userID, Time: time.Now(), Body: body}
	s.messages[channelID] = append(s.messages[channelID], m)
	return m.ID
}

// Messages returns the messages created in a channel, oldest first.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages[channelID]...)
}

// Response returns what the fake knows about the response to the
// interaction with the given token.
func (s *Server) Response(token string) (Response, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.responses[token]
	if !ok {
		return Response{}, false
	}
	c := *r
	c.Followups = append([]json.RawMessage(nil), r.Followups...)
	return c, true
}

// Commands returns the registered commands (guildID "" for global) as the
// JSON array last PUT, or "[]".
func (s *Server) Commands(guildID string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.commands[guildID]; ok {
		return c
	}
	return json.RawMessage("[]")
}

// SetCommands sets the registered commands (guildID "" for global).
func (s *Server) SetCommands(guildID string, commands json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands[guildID] = commands
}

func errorBody(code int, message string) []byte {
	b, _ := json.Marshal(map[string]any{"message": message, "code": code})
	return b
}

// route classifies a path (without the /api/vN/ prefix).
func route(method, path string) string {
	seg := strings.Split(path, "/")
	switch {
	case len(seg) == 3 && seg[0] == "channels" && seg[2] == "messages":
		return method + " channels/{channel}/messages"
	case len(seg) == 2 && seg[0] == "channels":
		return method + " channels/{channel}"
	case len(seg) == 3 && seg[0] == "applications" && seg[2] == "commands":
		return method + " applications/{app}/commands"
	case len(seg) == 5 && seg[0] == "applications" && seg[2] == "guilds" && seg[4] == "commands":
		return method + " applications/{app}/guilds/{guild}/commands"
	case len(seg) == 4 && seg[0] == "interactions" && seg[3] == "callback":
		return method + " interactions/{id}/{token}/callback"
	case len(seg) == 3 && seg[0] == "webhooks":
		return method + " webhooks/{app}/{token}"
	case len(seg) == 5 && seg[0] == "webhooks" && seg[3] == "messages":
		return method + " webhooks/{app}/{token}/messages/" + seg[4]
	case path == "gateway" || path == "gateway/bot":
		return method + " " + path
	}
	return method + " " + path
}

// bucket is the rate-limit bucket of a request: its route with the major
// parameter (channel, guild, webhook) kept.
func bucket(method, path string) string {
	seg := strings.Split(path, "/")
	if len(seg) >= 2 {
		return method + " " + seg[0] + "/" + seg[1]
	}
	return method + " " + path
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	if rest, ok := strings.CutPrefix(path, "api/"); ok {
		if i := strings.IndexByte(rest, '/'); i > 0 && strings.HasPrefix(rest, "v") {
			path = rest[i+1:]
		} else {
			path = rest
		}
	}
	body, _ := io.ReadAll(r.Body)
	rt := route(r.Method, path)
	status, hdr, out := s.answer(r, path, rt, body)
	for k, v := range hdr {
		w.Header()[k] = v
	}
	if out != nil {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	w.Write(out)
}

// answer computes the response and records the call.
func (s *Server) answer(r *http.Request, path, rt string, body []byte) (int, http.Header, []byte) {
	s.mu.Lock()
	defer func() {
		close(s.changed)
		s.changed = make(chan struct{})
		s.mu.Unlock()
	}()
	now := time.Now()
	call := Call{Method: r.Method, Path: path, Query: r.URL.Query(), Route: rt, Header: r.Header.Clone(), Body: body, Time: now}
	status, hdr, out := s.route(r, path, rt, body, now)
	call.Status = status
	s.calls = append(s.calls, call)
	return status, hdr, out
}

func (s *Server) route(r *http.Request, path, rt string, body []byte, now time.Time) (int, http.Header, []byte) {
	hdr := http.Header{}
	bk := bucket(r.Method, path)
	// Enforce announced rate limits.
	if until, ok := s.blocked[bk]; ok && now.Before(until) || now.Before(s.globalUntil) {
		s.violations++
		wait := until.Sub(now)
		global := now.Before(s.globalUntil)
		if global {
			wait = s.globalUntil.Sub(now)
		}
		return s.tooMany(hdr, wait, global)
	}
	for i, f := range s.faults {
		if f.route != rt {
			continue
		}
		s.faults = append(s.faults[:i], s.faults[i+1:]...)
		if f.limited {
			if f.global {
				s.globalUntil = now.Add(f.retry)
			} else {
				s.blocked[bk] = now.Add(f.retry)
			}
			return s.tooMany(hdr, f.retry, f.global)
		}
		return f.status, hdr, f.body
	}
	botRoute := strings.HasPrefix(path, "channels/") || strings.HasPrefix(path, "applications/") ||
		strings.HasPrefix(path, "gateway") || strings.HasPrefix(path, "users/")
	if botRoute && s.botToken != "" && r.Header.Get("Authorization") != "Bot "+s.botToken {
		return http.StatusUnauthorized, hdr, errorBody(0, "401: Unauthorized")
	}
	hdr.Set("X-RateLimit-Bucket", fmt.Sprintf("%x", len(bk)*7919))
	if s.limit > 0 {
		w := s.windows[bk]
		if w == nil || now.Sub(w.start) >= s.window {
			w = &window{start: now}
			s.windows[bk] = w
		}
		reset := s.window - now.Sub(w.start)
		if w.count >= s.limit {
			s.violations++
			s.blocked[bk] = w.start.Add(s.window)
			return s.tooMany(hdr, reset, false)
		}
		w.count++
		hdr.Set("X-RateLimit-Limit", strconv.Itoa(s.limit))
		hdr.Set("X-RateLimit-Remaining", strconv.Itoa(s.limit-w.count))
		hdr.Set("X-RateLimit-Reset-After", strconv.FormatFloat(reset.Seconds(), 'f', 3, 64))
	} else {
		hdr.Set("X-RateLimit-Limit", "5")
		hdr.Set("X-RateLimit-Remaining", "4")
		hdr.Set("X-RateLimit-Reset-After", "1")
	}
	seg := strings.Split(path, "/")
	switch {
	case rt == "POST channels/{channel}/messages":
		return s.createMessage(hdr, seg[1], body, now)
	case rt == "GET channels/{channel}/messages":
		return s.history(hdr, seg[1], r.URL.Query())
	case rt == "GET channels/{channel}":
		return s.channel(hdr, seg[1])
	case rt == "GET users/@me":
		return http.StatusOK, hdr, []byte(`{"id":"` + BotUserID + `","username":"newsbot","discriminator":"0","bot":true}`)
	case rt == "GET applications/{app}/commands":
		return http.StatusOK, hdr, s.commandsJSON("")
	case rt == "GET applications/{app}/guilds/{guild}/commands":
		return http.StatusOK, hdr, s.commandsJSON(seg[3])
	case rt == "PUT applications/{app}/commands":
		return s.putCommands(hdr, seg[1], "", body)
	case rt == "PUT applications/{app}/guilds/{guild}/commands":
		return s.putCommands(hdr, seg[1], seg[3], body)
	case rt == "POST interactions/{id}/{token}/callback":
		return s.callback(hdr, seg[2], body, now)
	case rt == "PATCH webhooks/{app}/{token}/messages/@original":
		resp, ok := s.responses[seg[2]]
		if !ok || resp.Deleted || resp.Type != 4 && resp.Type != 5 {
			return http.StatusNotFound, hdr, errorBody(10015, "Unknown Webhook")
		}
		resp.Original = mergeJSON(resp.Original, body)
		resp.Edits++
		return http.StatusOK, hdr, s.messageJSON(s.newID(), "", resp.Original)
	case rt == "DELETE webhooks/{app}/{token}/messages/@original":
		resp, ok := s.responses[seg[2]]
		if !ok || resp.Deleted {
			return http.StatusNotFound, hdr, errorBody(10008, "Unknown Message")
		}
		resp.Deleted = true
		return http.StatusNoContent, hdr, nil
	case rt == "POST webhooks/{app}/{token}":
		resp, ok := s.responses[seg[2]]
		if !ok {
			return http.StatusNotFound, hdr, errorBody(10015, "Unknown Webhook")
		}
		resp.Followups = append(resp.Followups, json.RawMessage(body))
		return http.StatusOK, hdr, s.messageJSON(s.newID(), "", body)
	case rt == "GET gateway":
		return http.StatusOK, hdr, []byte(fmt.Sprintf(`{"url":%q}`, s.GatewayURL()))
	case rt == "GET gateway/bot":
		return http.StatusOK, hdr, []byte(fmt.Sprintf(`{"url":%q,"shards":1,"session_start_limit":{"total":1000,"remaining":999,"reset_after":0,"max_concurrency":1}}`, s.GatewayURL()))
	}
	return http.StatusNotFound, hdr, errorBody(0, "404: Not Found")
}

func (s *Server) tooMany(hdr http.Header, wait time.Duration, global bool) (int, http.Header, []byte) {
	secs := wait.Seconds()
	hdr.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
	hdr.Set("X-RateLimit-Scope", "user")
	if global {
		hdr.Set("X-RateLimit-Global", "true")
		hdr.Set("X-RateLimit-Scope", "global")
	}
	b, _ := json.Marshal(map[string]any{"message": "You are being rate limited.", "retry_after": secs, "global": global})
	return http.StatusTooManyRequests, hdr, b
}

// discordEpoch is the first millisecond of 2015, where snowflake times
// start.
const discordEpoch = 1420070400000

// newID returns a new snowflake: the current time in its top bits, made
// unique and increasing by the low bits.
func (s *Server) newID() string {
	id := uint64(time.Now().UnixMilli()-discordEpoch) << 22
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return strconv.FormatUint(id, 10)
}

// history answers GET channels/{id}/messages: up to limit (default 50,
// at most 100) messages, newest first, before or after a message ID.
func (s *Server) history(hdr http.Header, channel string, q url.Values) (int, http.Header, []byte) {
	if f, ok := s.denied[channel]; ok {
		return f.status, hdr, f.body
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return http.StatusBadRequest, hdr, errorBody(50035, "Invalid Form Body (limit: int value should be between 1 and 100)")
		}
		limit = n
	}
	before, _ := strconv.ParseUint(q.Get("before"), 10, 64)
	after, _ := strconv.ParseUint(q.Get("after"), 10, 64)
	out := []json.RawMessage{}
	if !s.hidden[channel] {
		msgs := s.messages[channel]
		for i := len(msgs) - 1; i >= 0 && len(out) < limit; i-- {
			id, _ := strconv.ParseUint(msgs[i].ID, 10, 64)
			if (before != 0 && id >= before) || (after != 0 && id <= after) {
				continue
			}
			out = append(out, s.storedJSON(msgs[i]))
		}
	}
	b, _ := json.Marshal(out)
	return http.StatusOK, hdr, b
}

// channel answers GET channels/{id}: a text channel with its
// last_message_id.
// SetChannelGuild makes GET channels/{channel} say the channel is in guild.
func (s *Server) SetChannelGuild(channel, guild string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.guilds[channel] = guild
}

func (s *Server) channel(hdr http.Header, channel string) (int, http.Header, []byte) {
	if f, ok := s.denied[channel]; ok {
		return f.status, hdr, f.body
	}
	c := map[string]any{"id": channel, "type": 0, "name": "news"}
	if g := s.guilds[channel]; g != "" {
		c["guild_id"] = g
	}
	if msgs := s.messages[channel]; len(msgs) > 0 {
		c["last_message_id"] = msgs[len(msgs)-1].ID
	}
	b, _ := json.Marshal(c)
	return http.StatusOK, hdr, b
}

func (s *Server) createMessage(hdr http.Header, channel string, body []byte, now time.Time) (int, http.Header, []byte) {
	if f, ok := s.denied[channel]; ok {
		return f.status, hdr, f.body
	}
	var req struct {
		Content      string            `json:"content"`
		Embeds       []json.RawMessage `json:"embeds"`
		Nonce        any               `json:"nonce"`
		EnforceNonce bool              `json:"enforce_nonce"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return http.StatusBadRequest, hdr, errorBody(50109, "The request body contains invalid JSON.")
	}
	if req.Content == "" && len(req.Embeds) == 0 {
		return http.StatusBadRequest, hdr, errorBody(50006, "Cannot send an empty message")
	}
	nonce := ""
	if req.Nonce != nil {
		nonce = fmt.Sprint(req.Nonce)
		if len(nonce) > 25 {
			return http.StatusBadRequest, hdr, errorBody(50035, "Invalid Form Body (nonce: Must be 25 or fewer in length.)")
		}
	}
	if nonce != "" && req.EnforceNonce {
		if id, ok := s.nonces[channel+"\x00"+nonce]; ok {
			for _, m := range s.messages[channel] {
				if m.ID == id {
					return http.StatusOK, hdr, s.storedJSON(m)
				}
			}
		}
	}
	m := Message{ID: s.newID(), ChannelID: channel, Nonce: nonce, AuthorID: BotUserID, Time: now, Body: json.RawMessage(body)}
	s.messages[channel] = append(s.messages[channel], m)
	if nonce != "" && req.EnforceNonce {
		s.nonces[channel+"\x00"+nonce] = m.ID
	}
	return http.StatusOK, hdr, s.storedJSON(m)
}

// storedJSON is a stored message as Discord returns it.
func (s *Server) storedJSON(m Message) []byte {
	return s.messageJSONAt(m.ID, m.ChannelID, m.AuthorID, m.Time, m.Body)
}

// messageJSON is a message object as Discord returns it for a webhook
// message: the sent fields plus id, channel_id, author and timestamp.
func (s *Server) messageJSON(id, channel string, body []byte) []byte {
	return s.messageJSONAt(id, channel, BotUserID, time.Now(), body)
}

func (s *Server) messageJSONAt(id, channel, author string, at time.Time, body []byte) []byte {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil || m == nil {
		m = map[string]any{}
	}
	delete(m, "allowed_mentions")
	delete(m, "enforce_nonce")
	m["id"] = id
	m["channel_id"] = channel
	m["type"] = 0
	m["timestamp"] = at.UTC().Format(time.RFC3339Nano)
	name := "user" + author
	if author == BotUserID {
		name = "newsbot"
	}
	m["author"] = map[string]any{"id": author, "username": name, "bot": author == BotUserID}
	b, _ := json.Marshal(m)
	return b
}

func (s *Server) commandsJSON(scope string) []byte {
	if c, ok := s.commands[scope]; ok {
		return c
	}
	return []byte("[]")
}

func (s *Server) putCommands(hdr http.Header, app, guild string, body []byte) (int, http.Header, []byte) {
	var cmds []map[string]any
	if err := json.Unmarshal(body, &cmds); err != nil {
		return http.StatusBadRequest, hdr, errorBody(50109, "The request body contains invalid JSON.")
	}
	for _, c := range cmds {
		c["id"] = s.newID()
		c["application_id"] = app
		c["version"] = s.newID()
		if guild != "" {
			c["guild_id"] = guild
		}
	}
	out, _ := json.Marshal(cmds)
	s.commands[guild] = out
	return http.StatusOK, hdr, out
}

// callback records an initial response sent as a request (gateway mode).
func (s *Server) callback(hdr http.Header, token string, body []byte, now time.Time) (int, http.Header, []byte) {
	resp, ok := s.responses[token]
	if !ok {
		resp = &Response{}
	}
	if !resp.Answered.IsZero() {
		return http.StatusBadRequest, hdr, errorBody(40060, "Interaction has already been acknowledged.")
	}
	if err := s.recordResponse(resp, body, now); err != nil {
		return http.StatusBadRequest, hdr, errorBody(50035, "Invalid Form Body")
	}
	s.responses[token] = resp
	return http.StatusNoContent, hdr, nil
}

func (s *Server) recordResponse(resp *Response, body []byte, now time.Time) error {
	var ir struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &ir); err != nil {
		return err
	}
	resp.Type = ir.Type
	resp.Initial = ir.Data
	resp.Original = ir.Data
	resp.Answered = now
	return nil
}

// mergeJSON applies a PATCH body's fields to an object.
func mergeJSON(orig, patch []byte) json.RawMessage {
	m := map[string]any{}
	_ = json.Unmarshal(orig, &m)
	if m == nil {
		m = map[string]any{}
	}
	var p map[string]any
	if json.Unmarshal(patch, &p) == nil {
		for k, v := range p {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	return b
}

// Deliver plays Discord's side of an HTTP interaction: it sends the
// interaction body to url (the bot's /discord/interactions endpoint),
// signed by signer with the current time, and records the response the
// bot gives, so that later edits and follow-ups of that interaction's
// token succeed. It returns the HTTP status and body.
func (s *Server) Deliver(ctx context.Context, url string, signer *Signer, body []byte) (int, []byte, error) {
	return s.DeliverAt(ctx, url, signer, body, time.Now())
}

// DeliverAt is Deliver with the signature's timestamp set to ts.
func (s *Server) DeliverAt(ctx context.Context, url string, signer *Signer, body []byte, ts time.Time) (int, []byte, error) {
	var in struct {
		Token string `json:"token"`
	}
	_ = json.Unmarshal(body, &in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	signer.Sign(req.Header, body, ts)
	sent := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	if resp.StatusCode == http.StatusOK && in.Token != "" {
		s.mu.Lock()
		r := &Response{Received: sent}
		if s.recordResponse(r, out, time.Now()) == nil {
			s.responses[in.Token] = r
		}
		close(s.changed)
		s.changed = make(chan struct{})
		s.mu.Unlock()
	}
	return resp.StatusCode, out, nil
}

// gwConn is one gateway connection.
type gwConn struct {
	mu   sync.Mutex
	conn *websocket.Conn
}

func (c *gwConn) write(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.conn.WriteJSON(v)
}

// Identify is what a gateway client identified with.
type Identify struct {
	Token   string  `json:"token"`
	Intents int     `json:"intents"`
	Shard   *[2]int `json:"shard"`
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveGateway speaks enough of the gateway protocol for a discordgo
// session: Hello, Identify, Ready, heartbeats and dispatches.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{conn: conn}
	defer conn.Close()
	if c.write(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}}) != nil {
		return
	}
	for {
		var ev struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := conn.ReadJSON(&ev); err != nil {
			s.dropConn(c)
			return
		}
		switch ev.Op {
		case 1: // heartbeat
			if c.write(map[string]any{"op": 11}) != nil {
				return
			}
		case 2: // identify
			var id Identify
			_ = json.Unmarshal(ev.D, &id)
			ready := map[string]any{
				"v": 9, "session_id": "fake-session", "resume_gateway_url": s.GatewayURL(),
				"user":   map[string]any{"id": "1", "username": "newsbot", "bot": true},
				"guilds": []any{}, "application": map[string]any{"id": "1"},
			}
			if id.Shard != nil {
				ready["shard"] = id.Shard
			}
			if s.sendDispatch(c, "READY", ready) != nil {
				return
			}
			s.gwMu.Lock()
			s.identify = append(s.identify, id)
			s.gwConns = append(s.gwConns, c)
			close(s.gwChanged)
			s.gwChanged = make(chan struct{})
			s.gwMu.Unlock()
		}
	}
}

func (s *Server) dropConn(c *gwConn) {
	s.gwMu.Lock()
	defer s.gwMu.Unlock()
	for i, x := range s.gwConns {
		if x == c {
			s.gwConns = append(s.gwConns[:i], s.gwConns[i+1:]...)
			break
		}
	}
}

func (s *Server) sendDispatch(c *gwConn, event string, data any) error {
	s.gwMu.Lock()
	s.gwSeq++
	seq := s.gwSeq
	s.gwMu.Unlock()
	return c.write(map[string]any{"op": 0, "t": event, "s": seq, "d": data})
}

// WaitIdentified waits until a gateway client has identified and returns
// what it sent, or fails the test after timeout.
func (s *Server) WaitIdentified(t testing.TB, timeout time.Duration) Identify {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.gwMu.Lock()
		ch := s.gwChanged
		if len(s.identify) > 0 && len(s.gwConns) > 0 {
			id := s.identify[len(s.identify)-1]
			s.gwMu.Unlock()
			return id
		}
		s.gwMu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("discordfake: no gateway client identified within %s", timeout)
			return Identify{}
		}
	}
}

// Dispatch sends an INTERACTION_CREATE event with the interaction body to
// every identified gateway client, and expects the response as a callback
// request.
func (s *Server) Dispatch(body []byte) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return fmt.Errorf("interaction body: %w", err)
	}
	s.mu.Lock()
	s.responses[in.Token] = &Response{Received: time.Now()}
	s.mu.Unlock()
	s.gwMu.Lock()
	conns := append([]*gwConn(nil), s.gwConns...)
	s.gwMu.Unlock()
	if len(conns) == 0 {
		return fmt.Errorf("no gateway client connected")
	}
	for _, c := range conns {
		if err := s.sendDispatch(c, "INTERACTION_CREATE", json.RawMessage(body)); err != nil {
			return err
		}
	}
	return nil
}

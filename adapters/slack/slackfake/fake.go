// Package slackfake is a local fake of the Slack Web API for tests: an
// httptest server that records every call, answers the methods newsbot
// uses (chat.postMessage, chat.postEphemeral, conversations.history with
// message metadata, users.info, auth.test, apps.connections.open), accepts
// posts to response URLs, speaks Socket Mode over a websocket, and can be
// told to answer 429 or a Slack error. It also signs requests the way
// Slack does, so end-to-end tests can drive the bot's HTTP endpoints.
//
// Point the code under test at [Server.APIURL] (slack.api_url) and use
// [Server.ResponseURL] as a slash command's response_url. A Server is safe
// for concurrent use.
package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// MethodResponseURL is the Call.Method of a post to a response URL.
const MethodResponseURL = "response_url"

// Call is one request the fake received.
type Call struct {
	// Method is the Web API method ("chat.postMessage") or
	// MethodResponseURL.
	Method string
	// Path is the request path; for response URLs it names the URL.
	Path string
	// Token is the form's token field or the Authorization bearer token.
	Token string
	// Form holds a form-encoded body (chat.postMessage sends blocks as a
	// JSON string in Form["blocks"]).
	Form url.Values
	// JSON holds a JSON body (response URLs).
	JSON json.RawMessage
	// Status is the HTTP status the fake answered.
	Status int
	// Error is the Slack error the fake answered ("" when ok).
	Error string
	// Time is when the call arrived.
	Time time.Time
}

// Text returns the message text of a post: the form's text field or the
// JSON body's.
func (c Call) Text() string {
	if c.JSON != nil {
		var v struct {
			Text string `json:"text"`
		}
		_ = json.Unmarshal(c.JSON, &v)
		return v.Text
	}
	return c.Form.Get("text")
}

// Blocks returns the raw JSON array of blocks of a post, or nil.
func (c Call) Blocks() json.RawMessage {
	if c.JSON != nil {
		var v struct {
			Blocks json.RawMessage `json:"blocks"`
		}
		_ = json.Unmarshal(c.JSON, &v)
		return v.Blocks
	}
	if b := c.Form.Get("blocks"); b != "" {
		return json.RawMessage(b)
	}
	return nil
}

// Field returns a top-level string field of a JSON body ("response_type").
func (c Call) Field(name string) string {
	var v map[string]any
	if json.Unmarshal(c.JSON, &v) != nil {
		return ""
	}
	s, _ := v[name].(string)
	return s
}

// Fault is an error the fake answers with instead of the normal response.
type Fault struct {
	// Status is the HTTP status (default 200 with ok:false when Error is
	// set). 429 sends a Retry-After header.
	Status int
	// RetryAfter is the Retry-After header in seconds for a 429 (default
	// 1).
	RetryAfter int
	// Error is the Slack error code, e.g. "channel_not_found".
	Error string
}

// User is a workspace member known to users.info.
type User struct {
	ID, Name                         string
	IsAdmin, IsOwner, IsPrimaryOwner bool
}

// Message is a message stored by chat.postMessage.
type Message struct {
	Channel  string
	TS       string
	ThreadTS string
	Text     string
	Blocks   json.RawMessage
	// Metadata is the raw metadata JSON sent with the message, if any.
	Metadata json.RawMessage
}

// Server is the fake. Create it with New or Start.
type Server struct {
	srv *httptest.Server

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every change
	calls     []Call
	faults    map[string][]Fault
	users     map[string]User
	chanErr   map[string]string
	messages  map[string][]Message
	lastTS    int64 // microseconds
	responses int
	socket    socketState
}

// New starts a fake. Close it when done; Start does that for a test.
func New() *Server {
	s := &Server{
		changed:  make(chan struct{}),
		faults:   make(map[string][]Fault),
		users:    make(map[string]User),
		chanErr:  make(map[string]string),
		messages: make(map[string][]Message),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/{method}", s.serveAPI)
	mux.HandleFunc("/response/{id}", s.serveResponse)
	mux.HandleFunc("/link", s.serveSocket)
	s.srv = httptest.NewServer(mux)
	return s
}

// Start starts a fake that is closed when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := New()
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and drops Socket Mode connections.
func (s *Server) Close() {
	s.closeSockets()
	s.srv.Close()
}

// URL is the server's base URL (http://127.0.0.1:port).
func (s *Server) URL() string { return s.srv.URL }

// APIURL is the Web API base URL to configure (slack.api_url), with the
// trailing slash slack-go needs.
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// ResponseURL returns a fresh response URL; posts to it are recorded as
// calls with Method MethodResponseURL and Path "/response/<n>".
func (s *Server) ResponseURL() string {
	s.mu.Lock()
	s.responses++
	n := s.responses
	s.mu.Unlock()
	return fmt.Sprintf("%s/response/%d", s.srv.URL, n)
}

// AddUser makes u known to users.info.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	s.users[u.ID] = u
	s.mu.Unlock()
}

// SetChannelError makes every call about channel answer the Slack error
// code (for example "not_in_channel"); "" clears it.
func (s *Server) SetChannelError(channel, code string) {
	s.mu.Lock()
	if code == "" {
		delete(s.chanErr, channel)
	} else {
		s.chanErr[channel] = code
	}
	s.mu.Unlock()
}

// FailNext makes the next call of method (or MethodResponseURL) answer f.
// Several faults for one method are used in order.
func (s *Server) FailNext(method string, f Fault) {
	s.mu.Lock()
	s.faults[method] = append(s.faults[method], f)
	s.mu.Unlock()
}

// Calls returns the calls of method received so far, or all calls when
// method is "".
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Messages returns the messages stored in channel, oldest first.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages[channel]...)
}

// WaitForCalls waits until at least n calls of method have arrived and
// returns them, or returns an error after timeout.
func (s *Server) WaitForCalls(method string, n int, timeout time.Duration) ([]Call, error) {
	var out []Call
	err := s.waitFor(timeout, func() bool {
		out = out[:0]
		for _, c := range s.calls {
			if method == "" || c.Method == method {
				out = append(out, c)
			}
		}
		return len(out) >= n
	})
	if err != nil {
		return out, fmt.Errorf("waiting for %d %s calls (got %d): %w", n, method, len(out), err)
	}
	return out, nil
}

// errTimeout is returned by the Wait methods.
var errTimeout = fmt.Errorf("timed out")

// waitFor waits until cond (called with s.mu held) is true.
func (s *Server) waitFor(timeout time.Duration, cond func() bool) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ok := cond()
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-deadline.C:
			return errTimeout
		}
	}
}

// notifyLocked wakes waiters; s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// record appends c and wakes waiters.
func (s *Server) record(c Call) {
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.notifyLocked()
	s.mu.Unlock()
}

// nextFault pops the next fault for method.
func (s *Server) nextFault(method string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[method]
	if len(q) == 0 {
		return Fault{}, false
	}
	s.faults[method] = q[1:]
	return q[0], true
}

// writeFault answers f and returns the status and error recorded.
func writeFault(w http.ResponseWriter, f Fault) (int, string) {
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	code := f.Error
	if status == http.StatusTooManyRequests {
		ra := f.RetryAfter
		if ra <= 0 {
			ra = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(ra))
		if code == "" {
			code = "ratelimited"
		}
	}
	if code == "" {
		code = "fatal_error"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": code})
	return status, code
}

// serveResponse records a post to a response URL.
func (s *Server) serveResponse(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	c := Call{Method: MethodResponseURL, Path: r.URL.Path, Time: time.Now(), Status: http.StatusOK}
	if json.Valid(body) {
		c.JSON = json.RawMessage(body)
	}
	if r.Method != http.MethodPost {
		c.Status, c.Error = http.StatusMethodNotAllowed, "method_not_allowed"
		w.WriteHeader(c.Status)
	} else if f, ok := s.nextFault(MethodResponseURL); ok {
		c.Status, c.Error = writeFault(w, f)
	} else if c.JSON == nil {
		c.Status, c.Error = http.StatusBadRequest, "invalid_payload"
		http.Error(w, c.Error, c.Status)
	} else {
		_, _ = io.WriteString(w, "ok")
	}
	s.record(c)
}

// serveAPI answers one Web API method.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	c := Call{Method: method, Path: r.URL.Path, Time: time.Now(), Status: http.StatusOK}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		c.JSON = json.RawMessage(body)
	} else {
		c.Form, _ = url.ParseQuery(string(body))
		for k, v := range r.URL.Query() {
			if c.Form == nil {
				c.Form = url.Values{}
			}
			c.Form[k] = append(c.Form[k], v...)
		}
	}
	c.Token = c.Form.Get("token")
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
		c.Token = strings.TrimPrefix(auth, "Bearer ")
	}
	defer func() { s.record(c) }()

	if f, ok := s.nextFault(method); ok {
		c.Status, c.Error = writeFault(w, f)
		return
	}
	var resp map[string]any
	switch {
	case c.Token == "":
		resp = slackErr("not_authed")
	case method == "apps.connections.open":
		if !strings.HasPrefix(c.Token, "xapp-") {
			resp = slackErr("not_allowed_token_type")
			break
		}
		resp = map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/link?ticket=fake"}
	case !strings.HasPrefix(c.Token, "xoxb-"):
		resp = slackErr("invalid_auth")
	default:
		resp = s.answer(method, c.Form)
	}
	if e, _ := resp["error"].(string); e != "" {
		c.Error = e
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func slackErr(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

// answer computes the response of a bot-token method.
func (s *Server) answer(method string, f url.Values) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	channel := f.Get("channel")
	if code := s.chanErr[channel]; code != "" && channel != "" {
		return slackErr(code)
	}
	switch method {
	case "auth.test":
		return map[string]any{"ok": true, "url": "https://fake.slack.test/", "team": "Fake", "user": "newsbot",
			"team_id": "T0FAKE", "user_id": "U0BOT", "bot_id": "B0BOT"}
	case "chat.postMessage":
		if channel == "" {
			return slackErr("channel_not_found")
		}
		if f.Get("text") == "" && f.Get("blocks") == "" {
			return slackErr("no_text")
		}
		m := Message{Channel: channel, TS: s.nextTSLocked(), ThreadTS: f.Get("thread_ts"), Text: f.Get("text")}
		if b := f.Get("blocks"); b != "" {
			m.Blocks = json.RawMessage(b)
		}
		if md := f.Get("metadata"); md != "" {
			m.Metadata = json.RawMessage(md)
		}
		s.messages[channel] = append(s.messages[channel], m)
		return map[string]any{"ok": true, "channel": channel, "ts": m.TS, "message": map[string]any{"text": m.Text, "ts": m.TS}}
	case "chat.postEphemeral":
		if channel == "" || f.Get("user") == "" {
			return slackErr("user_not_in_channel")
		}
		return map[string]any{"ok": true, "message_ts": s.nextTSLocked()}
	case "conversations.history":
		return s.historyLocked(channel, f)
	case "users.info":
		u, ok := s.users[f.Get("user")]
		if !ok {
			return slackErr("user_not_found")
		}
		return map[string]any{"ok": true, "user": map[string]any{"id": u.ID, "name": u.Name,
			"is_admin": u.IsAdmin, "is_owner": u.IsOwner, "is_primary_owner": u.IsPrimaryOwner}}
	}
	return slackErr("unknown_method")
}

// historyLocked answers conversations.history: newest first, from oldest,
// limit per page, cursor = offset, metadata only when asked for.
func (s *Server) historyLocked(channel string, f url.Values) map[string]any {
	if channel == "" {
		return slackErr("channel_not_found")
	}
	oldest, _ := strconv.ParseFloat(f.Get("oldest"), 64)
	limit, _ := strconv.Atoi(f.Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	offset, _ := strconv.Atoi(f.Get("cursor"))
	all := append([]Message(nil), s.messages[channel]...)
	sort.Slice(all, func(i, j int) bool { return all[i].TS > all[j].TS })
	var msgs []map[string]any
	i := offset
	for ; i < len(all) && len(msgs) < limit; i++ {
		m := all[i]
		if ts, _ := strconv.ParseFloat(m.TS, 64); ts < oldest {
			continue
		}
		mm := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "user": "U0BOT", "bot_id": "B0BOT"}
		if m.Metadata != nil && f.Get("include_all_metadata") == "1" {
			mm["metadata"] = m.Metadata
		}
		msgs = append(msgs, mm)
	}
	resp := map[string]any{"ok": true, "messages": msgs, "has_more": i < len(all)}
	if i < len(all) {
		resp["response_metadata"] = map[string]any{"next_cursor": strconv.Itoa(i)}
	}
	return resp
}

// nextTSLocked returns a unique message timestamp near the current time.
func (s *Server) nextTSLocked() string {
	us := time.Now().UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

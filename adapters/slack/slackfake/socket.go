package slackfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Ack is an acknowledgement a Socket Mode client sent for an envelope.
type Ack struct {
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload,omitempty"`
}

// socketState is the Socket Mode side of the fake; guarded by Server.mu
// except writeMu, which serialises writes to conn.
type socketState struct {
	conn     *websocket.Conn
	writeMu  *sync.Mutex
	conns    []*websocket.Conn
	opened   int
	envelope int
	acks     []Ack
}

// upgrader accepts any origin: slack-go's socketmode client sends
// "Origin: https://api.slack.com", which the default check refuses.
var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// pingEvery is how often the fake pings a connected client; slack-go
// reconnects when it sees no ping for 30 s.
const pingEvery = 5 * time.Second

// serveSocket upgrades a Socket Mode connection, says hello, pings, and
// records acknowledgements until the client goes away.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	wmu := &sync.Mutex{}
	s.mu.Lock()
	s.socket.conn, s.socket.writeMu = conn, wmu
	s.socket.conns = append(s.socket.conns, conn)
	s.socket.opened++
	s.notifyLocked()
	s.mu.Unlock()

	wmu.Lock()
	err = conn.WriteJSON(map[string]any{
		"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": "A0FAKE"},
		"debug_info":      map[string]any{"host": "slackfake"},
	})
	wmu.Unlock()
	if err != nil {
		_ = conn.Close()
		return
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(pingEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = conn.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second))
			}
		}
	}()
	_ = conn.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second))
	for {
		var a Ack
		if err := conn.ReadJSON(&a); err != nil {
			s.mu.Lock()
			if s.socket.conn == conn {
				s.socket.conn = nil
			}
			s.notifyLocked()
			s.mu.Unlock()
			_ = conn.Close()
			return
		}
		s.mu.Lock()
		s.socket.acks = append(s.socket.acks, a)
		s.notifyLocked()
		s.mu.Unlock()
	}
}

// closeSockets closes every Socket Mode connection.
func (s *Server) closeSockets() {
	s.mu.Lock()
	conns := s.socket.conns
	s.socket.conns, s.socket.conn = nil, nil
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

// WaitForSocket waits until a Socket Mode client is connected.
func (s *Server) WaitForSocket(timeout time.Duration) error {
	if err := s.waitFor(timeout, func() bool { return s.socket.conn != nil }); err != nil {
		return fmt.Errorf("waiting for a socket mode client: %w", err)
	}
	return nil
}

// errNoSocket is returned when no Socket Mode client is connected.
var errNoSocket = errors.New("no socket mode client connected")

// send writes an envelope of type typ with payload to the connected
// client and returns its envelope ID.
func (s *Server) send(typ string, payload any) (string, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	conn, wmu := s.socket.conn, s.socket.writeMu
	s.socket.envelope++
	id := fmt.Sprintf("env-%d", s.socket.envelope)
	s.mu.Unlock()
	if conn == nil {
		return "", errNoSocket
	}
	wmu.Lock()
	defer wmu.Unlock()
	err = conn.WriteJSON(map[string]any{
		"envelope_id": id, "type": typ, "accepts_response_payload": typ == "slash_commands",
		"payload": json.RawMessage(raw), "retry_attempt": 0, "retry_reason": "",
	})
	if err != nil {
		return "", fmt.Errorf("write envelope: %w", err)
	}
	return id, nil
}

// SendSlashCommand delivers a slash command (as built by SlashCommand)
// over Socket Mode and returns its envelope ID.
func (s *Server) SendSlashCommand(form url.Values) (string, error) {
	p := make(map[string]string, len(form))
	for k := range form {
		p[k] = form.Get(k)
	}
	return s.send("slash_commands", p)
}

// SendEvent delivers an Events API payload (an event_callback object)
// over Socket Mode and returns its envelope ID.
func (s *Server) SendEvent(payload any) (string, error) { return s.send("events_api", payload) }

// WaitForAck waits for the client's acknowledgement of envelopeID.
func (s *Server) WaitForAck(envelopeID string, timeout time.Duration) (Ack, error) {
	var got Ack
	err := s.waitFor(timeout, func() bool {
		for _, a := range s.socket.acks {
			if a.EnvelopeID == envelopeID {
				got = a
				return true
			}
		}
		return false
	})
	if err != nil {
		return Ack{}, fmt.Errorf("waiting for ack of %s: %w", envelopeID, err)
	}
	return got, nil
}

// SocketConnections returns how many Socket Mode connections were opened.
func (s *Server) SocketConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.socket.opened
}

package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// signatureWindow is how far a request timestamp may be from the local
// clock (Slack's documented 5 minutes, both directions).
const signatureWindow = 5 * time.Minute

// Reasons a request is refused. They are logged, never shown in detail to
// the caller.
var (
	errUnsigned     = errors.New("missing signature headers")
	errBadTimestamp = errors.New("malformed timestamp")
	errStale        = errors.New("timestamp outside the 5-minute window")
	errBadSignature = errors.New("invalid signature")
	errReplay       = errors.New("replayed signature")
	errNoSecret     = errors.New("no signing secret configured")
)

// verifier checks Slack's v0 request signatures and refuses a signature it
// has already accepted within the window. It is safe for concurrent use.
type verifier struct {
	secret []byte
	now    func() time.Time
	seen   *expirySet
}

func newVerifier(secret string, now func() time.Time) *verifier {
	return &verifier{secret: []byte(secret), now: now, seen: newExpirySet()}
}

// verify checks the X-Slack-Request-Timestamp and X-Slack-Signature headers
// against body. On success the signature is remembered until its timestamp
// leaves the window, so that the same request is accepted only once.
func (v *verifier) verify(h http.Header, body []byte) error {
	if len(v.secret) == 0 {
		return errNoSecret
	}
	tsHeader := h.Get("X-Slack-Request-Timestamp")
	sigHeader := h.Get("X-Slack-Signature")
	if tsHeader == "" || sigHeader == "" {
		return errUnsigned
	}
	if len(tsHeader) > 12 {
		return errBadTimestamp
	}
	ts, err := strconv.ParseInt(tsHeader, 10, 64)
	if err != nil || ts <= 0 {
		return errBadTimestamp
	}
	now := v.now()
	sent := time.Unix(ts, 0)
	if d := now.Sub(sent); d > signatureWindow || d < -signatureWindow {
		return errStale
	}
	const prefix = "v0="
	if len(sigHeader) != len(prefix)+2*sha256.Size || sigHeader[:len(prefix)] != prefix {
		return errBadSignature
	}
	var got [sha256.Size]byte
	if _, err := hex.Decode(got[:], []byte(sigHeader[len(prefix):])); err != nil {
		return errBadSignature
	}
	want := sign(v.secret, tsHeader, body)
	if !hmac.Equal(got[:], want[:]) {
		return errBadSignature
	}
	// Keep the signature a second past the window's edge, where the
	// timestamp check takes over.
	if !v.seen.add(string(got[:]), sent.Add(signatureWindow+time.Second), now) {
		return errReplay
	}
	return nil
}

// sign computes HMAC-SHA256(secret, "v0:" + ts + ":" + body).
func sign(secret []byte, ts string, body []byte) [sha256.Size]byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("v0:"))
	m.Write([]byte(ts))
	m.Write([]byte{':'})
	m.Write(body)
	var out [sha256.Size]byte
	m.Sum(out[:0])
	return out
}

// expirySet remembers keys until a per-key expiry. It is safe for
// concurrent use; expired keys are swept at most once per sweepEvery.
type expirySet struct {
	mu        sync.Mutex
	keys      map[string]time.Time
	lastSweep time.Time
}

const sweepEvery = 30 * time.Second

func newExpirySet() *expirySet { return &expirySet{keys: make(map[string]time.Time)} }

// add records key until expires and reports whether it was new (or its
// earlier record had expired) at now.
func (s *expirySet) add(key string, expires, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.lastSweep) >= sweepEvery || now.Before(s.lastSweep) {
		for k, exp := range s.keys {
			if !now.Before(exp) {
				delete(s.keys, k)
			}
		}
		s.lastSweep = now
	}
	if exp, ok := s.keys[key]; ok && now.Before(exp) {
		return false
	}
	s.keys[key] = expires
	return true
}

// len returns the number of keys held, expired or not.
func (s *expirySet) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.keys)
}

package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// Errors of request verification. None of them says more than the caller
// needs: the response to a failed verification is a bare 401.
var (
	errNoSignature    = errors.New("missing signature headers")
	errBadSignature   = errors.New("invalid signature")
	errStaleTimestamp = errors.New("timestamp too far from now")
)

// verifier checks the Ed25519 signature Discord puts on every interaction
// request: X-Signature-Ed25519 (hex) over X-Signature-Timestamp followed
// by the raw body. Unlike discordgo.VerifyInteraction it also refuses
// timestamps more than maxSkew away from now, so a captured request cannot
// be replayed later.
type verifier struct {
	key     ed25519.PublicKey
	now     func() time.Time
	maxSkew time.Duration
}

// verify returns nil when body carries a valid, fresh signature.
func (v verifier) verify(h http.Header, body []byte) error {
	sigHex := h.Get("X-Signature-Ed25519")
	ts := h.Get("X-Signature-Timestamp")
	if sigHex == "" || ts == "" {
		return errNoSignature
	}
	if len(sigHex) != 2*ed25519.SignatureSize || len(ts) > 20 {
		return errBadSignature
	}
	var sig [ed25519.SignatureSize]byte
	if _, err := hex.Decode(sig[:], []byte(sigHex)); err != nil {
		return errBadSignature
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errBadSignature
	}
	skew := v.now().Sub(time.Unix(secs, 0))
	if skew > v.maxSkew || skew < -v.maxSkew {
		return errStaleTimestamp
	}
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(msg, ts...)
	msg = append(msg, body...)
	if !ed25519.Verify(v.key, msg, sig[:]) {
		return errBadSignature
	}
	return nil
}

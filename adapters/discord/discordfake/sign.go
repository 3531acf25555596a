package discordfake

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

// Signer signs interaction requests the way Discord does: Ed25519 over the
// timestamp followed by the raw body.
type Signer struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
}

// NewSigner returns a signer with a fresh key pair.
func NewSigner() *Signer {
	var seed [32]byte
	rand.Read(seed[:]) // never fails (crypto/rand, Go 1.24+)
	return NewSignerFromSeed(seed)
}

// NewSignerFromSeed returns a signer whose key pair is derived from a
// 32-byte seed, for reproducible benchmarks.
func NewSignerFromSeed(seed [32]byte) *Signer {
	priv := ed25519.NewKeyFromSeed(seed[:])
	return &Signer{pub: priv.Public().(ed25519.PublicKey), priv: priv}
}

// PublicKeyHex is the public key as the Developer Portal shows it (the
// adapter's Config.PublicKey).
func (s *Signer) PublicKeyHex() string { return hex.EncodeToString(s.pub) }

// Sign sets X-Signature-Ed25519 and X-Signature-Timestamp on h for body,
// signed at ts.
func (s *Signer) Sign(h http.Header, body []byte, ts time.Time) {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	msg := append([]byte(stamp), body...)
	h.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(s.priv, msg)))
	h.Set("X-Signature-Timestamp", stamp)
}

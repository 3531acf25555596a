package discord

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/adapters/discord/discordfake"
)

// FuzzVerify: whatever the headers and body, verification never panics
// and accepts nothing but a genuine signature of that body.
func FuzzVerify(f *testing.F) {
	signer := discordfake.NewSignerFromSeed([32]byte{7})
	key, err := parsePublicKey(signer.PublicKeyHex())
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1_772_366_400, 0)
	v := verifier{key: key, now: func() time.Time { return now }, maxSkew: 5 * time.Minute}
	good := discordfake.Ping()
	h := http.Header{}
	signer.Sign(h, good, now)
	f.Add(h.Get("X-Signature-Ed25519"), h.Get("X-Signature-Timestamp"), good)
	f.Add("", "", []byte("{}"))
	f.Add("zz", "-1", []byte(nil))
	f.Fuzz(func(t *testing.T, sig, ts string, body []byte) {
		h := http.Header{}
		h.Set("X-Signature-Ed25519", sig)
		h.Set("X-Signature-Timestamp", ts)
		if v.verify(h, body) != nil {
			return
		}
		// Accepted: it must be exactly what the signer produces.
		secs, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			t.Fatalf("accepted timestamp %q", ts)
		}
		want := http.Header{}
		signer.Sign(want, body, time.Unix(secs, 0))
		if want.Get("X-Signature-Timestamp") != ts {
			// A timestamp with leading zeros or a sign is a different
			// message; it verifies only if signed as such, which the
			// fuzzer cannot forge.
			t.Fatalf("accepted non-canonical timestamp %q", ts)
		}
		if want.Get("X-Signature-Ed25519") != strings.ToLower(sig) {
			t.Fatalf("accepted a signature the key did not make for this body")
		}
	})
}

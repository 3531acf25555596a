package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/newsbot/newsbot/adapters/slack/slackfake"
)

// Slack's published example (docs.slack.dev/authentication/verifying-requests-from-slack).
const (
	docSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	docTimestamp = 1531420618
	docBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	docSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func docHeader(ts, sig string) http.Header {
	h := http.Header{}
	if ts != "" {
		h.Set("X-Slack-Request-Timestamp", ts)
	}
	if sig != "" {
		h.Set("X-Slack-Signature", sig)
	}
	return h
}

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func TestVerifyDocumentedVector(t *testing.T) {
	t.Parallel()
	sent := time.Unix(docTimestamp, 0)
	tsStr := strconv.Itoa(docTimestamp)
	tests := []struct {
		name string
		now  time.Time
		ts   string
		sig  string
		body string
		want error
	}{
		{name: "valid 10s later", now: sent.Add(10 * time.Second), ts: tsStr, sig: docSignature, body: docBody},
		{name: "valid at the same second", now: sent, ts: tsStr, sig: docSignature, body: docBody},
		{name: "valid exactly 5m later", now: sent.Add(5 * time.Minute), ts: tsStr, sig: docSignature, body: docBody},
		{name: "valid 5m early (clock skew)", now: sent.Add(-5 * time.Minute), ts: tsStr, sig: docSignature, body: docBody},
		{name: "stale 5m01s later", now: sent.Add(5*time.Minute + time.Second), ts: tsStr, sig: docSignature, body: docBody, want: errStale},
		{name: "from the future", now: sent.Add(-5*time.Minute - time.Second), ts: tsStr, sig: docSignature, body: docBody, want: errStale},
		{name: "stale on the real clock", now: time.Now(), ts: tsStr, sig: docSignature, body: docBody, want: errStale},
		{name: "tampered body", now: sent, ts: tsStr, sig: docSignature, body: strings.Replace(docBody, "text=", "text=g20", 1), want: errBadSignature},
		{name: "tampered timestamp", now: sent, ts: strconv.Itoa(docTimestamp + 1), sig: docSignature, body: docBody, want: errBadSignature},
		{name: "wrong version", now: sent, ts: tsStr, sig: "v1=" + docSignature[3:], body: docBody, want: errBadSignature},
		{name: "upper-case hex", now: sent, ts: tsStr, sig: "v0=" + strings.ToUpper(docSignature[3:]), body: docBody},
		{name: "short signature", now: sent, ts: tsStr, sig: docSignature[:40], body: docBody, want: errBadSignature},
		{name: "non-hex signature", now: sent, ts: tsStr, sig: "v0=" + strings.Repeat("zz", 32), body: docBody, want: errBadSignature},
		{name: "no signature", now: sent, ts: tsStr, body: docBody, want: errUnsigned},
		{name: "no timestamp", now: sent, sig: docSignature, body: docBody, want: errUnsigned},
		{name: "timestamp not a number", now: sent, ts: "15314206l8", sig: docSignature, body: docBody, want: errBadTimestamp},
		{name: "negative timestamp", now: sent, ts: "-1", sig: docSignature, body: docBody, want: errBadTimestamp},
		{name: "huge timestamp", now: sent, ts: "99999999999999999999", sig: docSignature, body: docBody, want: errBadTimestamp},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := newVerifier(docSecret, fixedClock(tc.now))
			err := v.verify(docHeader(tc.ts, tc.sig), []byte(tc.body))
			if !errors.Is(err, tc.want) {
				t.Fatalf("verify = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestVerifyDocumentedVectorSynctest checks the vector against the real
// clock, moved to 2018 inside a synctest bubble.
func TestVerifyDocumentedVectorSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(time.Unix(docTimestamp, 0).Add(10 * time.Second)))
		v := newVerifier(docSecret, time.Now)
		if err := v.verify(docHeader(strconv.Itoa(docTimestamp), docSignature), []byte(docBody)); err != nil {
			t.Fatalf("verify at ts+10s: %v", err)
		}
		time.Sleep(5 * time.Minute)
		v = newVerifier(docSecret, time.Now)
		if err := v.verify(docHeader(strconv.Itoa(docTimestamp), docSignature), []byte(docBody)); !errors.Is(err, errStale) {
			t.Fatalf("verify at ts+5m10s = %v, want stale", err)
		}
	})
}

func TestVerifyRefusesReplays(t *testing.T) {
	t.Parallel()
	now := time.Unix(docTimestamp, 0)
	clock := now
	v := newVerifier(docSecret, func() time.Time { return clock })
	h := docHeader(strconv.Itoa(docTimestamp), docSignature)
	if err := v.verify(h, []byte(docBody)); err != nil {
		t.Fatalf("first: %v", err)
	}
	for _, d := range []time.Duration{0, time.Second, 4*time.Minute + 59*time.Second, 5 * time.Minute} {
		clock = now.Add(d)
		if err := v.verify(h, []byte(docBody)); !errors.Is(err, errReplay) {
			t.Fatalf("replay after %v = %v, want errReplay", d, err)
		}
	}
	clock = now.Add(5*time.Minute + time.Second)
	if err := v.verify(h, []byte(docBody)); !errors.Is(err, errStale) {
		t.Fatalf("replay after the window = %v, want errStale", err)
	}
	// A forged request is not remembered: it cannot block the real one.
	v2 := newVerifier(docSecret, fixedClock(now))
	forged := docHeader(strconv.Itoa(docTimestamp), "v0="+strings.Repeat("0", 64))
	if err := v2.verify(forged, []byte(docBody)); !errors.Is(err, errBadSignature) {
		t.Fatalf("forged = %v", err)
	}
	if v2.seen.len() != 0 {
		t.Fatalf("forged request remembered")
	}
}

func TestVerifyAgreesWithFakeSigner(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	body := []byte("command=%2Fnews&text=g20")
	h := docHeader(strconv.FormatInt(now.Unix(), 10), slackfake.Sign("s3cret", now.Unix(), body))
	if err := newVerifier("s3cret", fixedClock(now)).verify(h, body); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if err := newVerifier("other", fixedClock(now)).verify(h, body); !errors.Is(err, errBadSignature) {
		t.Fatalf("wrong secret = %v", err)
	}
	if err := newVerifier("", fixedClock(now)).verify(h, body); !errors.Is(err, errNoSecret) {
		t.Fatalf("no secret = %v", err)
	}
	if got := slackfake.Sign(docSecret, docTimestamp, []byte(docBody)); got != docSignature {
		t.Fatalf("slackfake.Sign = %s, want the documented %s", got, docSignature)
	}
}

func TestExpirySetSweeps(t *testing.T) {
	t.Parallel()
	s := newExpirySet()
	t0 := time.Unix(1000, 0)
	for i := range 100 {
		s.add(strconv.Itoa(i), t0.Add(time.Minute), t0)
	}
	if s.len() != 100 {
		t.Fatalf("len = %d", s.len())
	}
	if !s.add("late", t0.Add(time.Hour), t0.Add(2*time.Minute)) {
		t.Fatal("new key refused")
	}
	if s.len() != 1 {
		t.Fatalf("after sweep len = %d, want 1", s.len())
	}
}

// FuzzVerify checks that no header or body makes verify panic or accept a
// request not signed with the secret.
func FuzzVerify(f *testing.F) {
	f.Add(strconv.Itoa(docTimestamp), docSignature, docBody)
	f.Add("", "", "")
	f.Add("1531420618", "v0=", "x")
	f.Add("+1531420618", docSignature, docBody)
	f.Add("01531420618", docSignature, docBody)
	f.Fuzz(func(t *testing.T, ts, sig, body string) {
		v := newVerifier(docSecret, fixedClock(time.Unix(docTimestamp, 0)))
		err := v.verify(docHeader(ts, sig), []byte(body))
		if err != nil {
			return
		}
		// The signature covers the timestamp header exactly as sent.
		m := hmac.New(sha256.New, []byte(docSecret))
		m.Write([]byte("v0:" + ts + ":" + body))
		if want := "v0=" + hex.EncodeToString(m.Sum(nil)); !strings.EqualFold(sig, want) || !strings.HasPrefix(sig, "v0=") {
			t.Fatalf("accepted a signature not made with the secret: ts=%q sig=%q", ts, sig)
		}
	})
}

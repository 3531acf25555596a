package discord

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/adapters/discord/discordfake"
)

func TestRefusalsWarnRateLimited(t *testing.T) {
	t.Parallel()
	var r refusals
	t0 := time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC)
	steps := []struct {
		at       time.Duration
		wantWarn bool
		wantHeld int
	}{
		{0, true, 0},
		{time.Second, false, 0},
		{30 * time.Second, false, 0},
		{59 * time.Second, false, 0},
		{61 * time.Second, true, 3},
		{62 * time.Second, false, 0},
		{10 * time.Minute, true, 1},
		{20 * time.Minute, true, 0},
	}
	for _, s := range steps {
		ok, held := r.warn(t0.Add(s.at))
		if ok != s.wantWarn || held != s.wantHeld {
			t.Errorf("at %s: warn = %v, held %d; want %v, %d", s.at, ok, held, s.wantWarn, s.wantHeld)
		}
	}
}

// TestRefusedRequestsLogged: the first refused interaction is a warning
// that says what to check; a burst after it goes to debug.
func TestRefusedRequestsLogged(t *testing.T) {
	t.Parallel()
	e := newEnv(t, briefingHandler())
	other := discordfake.NewSigner()
	payload := discordfake.Ping()
	for range 3 {
		req, err := http.NewRequest(http.MethodPost, e.url, bytes.NewReader(payload))
		if err != nil {
			t.Fatal(err)
		}
		other.Sign(req.Header, payload, time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", resp.StatusCode)
		}
	}
	logs := e.logs.String()
	warns := strings.Count(logs, `level=WARN msg="refused unverified request"`)
	debugs := strings.Count(logs, `level=DEBUG msg="refused unverified request"`)
	if warns != 1 || debugs != 2 {
		t.Errorf("%d warnings and %d debug lines, want 1 and 2:\n%s", warns, debugs, logs)
	}
	if !strings.Contains(logs, "check discord.public_key") || !strings.Contains(logs, `reason="invalid signature"`) {
		t.Errorf("the warning does not say why or what to check:\n%s", logs)
	}
}

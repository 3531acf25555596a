package discordfake

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func do(t *testing.T, method, url, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bot tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestMessagesAndNonces(t *testing.T) {
	t.Parallel()
	s := New(t)
	url := s.APIURL() + "channels/42/messages"
	_, _, a := do(t, "POST", url, `{"content":"a","nonce":"n1","enforce_nonce":true}`)
	_, _, b := do(t, "POST", url, `{"content":"a again","nonce":"n1","enforce_nonce":true}`)
	_, _, c := do(t, "POST", url, `{"content":"c","nonce":"n1"}`)
	id := func(s string) string {
		var m struct {
			ID string `json:"id"`
		}
		json.Unmarshal([]byte(s), &m)
		return m.ID
	}
	if id(a) == "" || id(a) != id(b) || id(c) == id(a) {
		t.Errorf("ids %s %s %s: enforce_nonce must return the first message, a plain nonce not", id(a), id(b), id(c))
	}
	if n := len(s.Messages("42")); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}
	if st, _, _ := do(t, "POST", url, `{"nonce":"x"}`); st != 400 {
		t.Errorf("empty message: %d", st)
	}
	if st, _, _ := do(t, "POST", url, `{"content":"x","nonce":"`+strings.Repeat("n", 26)+`"}`); st != 400 {
		t.Errorf("26-character nonce: %d", st)
	}
}

func TestRateLimitEnforced(t *testing.T) {
	t.Parallel()
	s := New(t)
	url := s.APIURL() + "channels/42/messages"
	s.RateLimitNext("POST channels/{channel}/messages", 200*time.Millisecond, false)
	st, h, body := do(t, "POST", url, `{"content":"x"}`)
	if st != 429 || !strings.Contains(body, `"retry_after":0.2`) || h.Get("Retry-After") != "1" {
		t.Fatalf("%d %v %s", st, h, body)
	}
	if s.Violations() != 0 {
		t.Error("the announced 429 is not a violation")
	}
	if st, _, _ := do(t, "POST", url, `{"content":"x"}`); st != 429 || s.Violations() != 1 {
		t.Errorf("early retry: %d, violations %d", st, s.Violations())
	}
	if st, _, _ := do(t, "POST", s.APIURL()+"channels/43/messages", `{"content":"x"}`); st != 200 {
		t.Errorf("other channel: %d", st)
	}
	time.Sleep(200 * time.Millisecond)
	if st, _, _ := do(t, "POST", url, `{"content":"x"}`); st != 200 {
		t.Errorf("after the wait: %d", st)
	}
}

func TestRouteLimit(t *testing.T) {
	t.Parallel()
	s := New(t)
	s.SetRouteLimit(2, time.Second)
	url := s.APIURL() + "channels/42/messages"
	var remaining []string
	for range 3 {
		_, h, _ := do(t, "POST", url, `{"content":"x"}`)
		remaining = append(remaining, h.Get("X-RateLimit-Remaining"))
	}
	if strings.Join(remaining, ",") != "1,0," || s.Violations() != 1 {
		t.Errorf("remaining %q, violations %d", remaining, s.Violations())
	}
}

func TestDenyAndAuth(t *testing.T) {
	t.Parallel()
	s := New(t)
	s.DenyChannel("42", 403, 50001)
	if st, _, body := do(t, "POST", s.APIURL()+"channels/42/messages", `{"content":"x"}`); st != 403 || !strings.Contains(body, `"code":50001`) {
		t.Errorf("%d %s", st, body)
	}
	s.RequireBotToken("other")
	if st, _, _ := do(t, "POST", s.APIURL()+"channels/43/messages", `{"content":"x"}`); st != 401 {
		t.Errorf("wrong token: %d", st)
	}
}

func TestDeliverAndWebhooks(t *testing.T) {
	t.Parallel()
	s := New(t)
	signer := NewSigner()
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Signature-Ed25519") == "" || r.Header.Get("X-Signature-Timestamp") == "" {
			w.WriteHeader(401)
			return
		}
		w.Write([]byte(`{"type":5}`))
	}))
	t.Cleanup(bot.Close)
	payload := News(Sub("brief", Str("query", "g20"))).JSON()
	var in struct {
		Token string `json:"token"`
	}
	json.Unmarshal(payload, &in)
	if st, _, _ := do(t, "PATCH", s.APIURL()+"webhooks/1/"+in.Token+"/messages/@original", `{"content":"early"}`); st != 404 {
		t.Errorf("edit before the response: %d, want 404", st)
	}
	st, out, err := s.Deliver(context.Background(), bot.URL, signer, payload)
	if err != nil || st != 200 || !bytes.Equal(out, []byte(`{"type":5}`)) {
		t.Fatalf("%d %s %v", st, out, err)
	}
	if st, _, _ := do(t, "PATCH", s.APIURL()+"webhooks/1/"+in.Token+"/messages/@original", `{"content":"done"}`); st != 200 {
		t.Errorf("edit: %d", st)
	}
	r, ok := s.Response(in.Token)
	if !ok || r.Type != 5 || r.Edits != 1 || !strings.Contains(string(r.Original), `"done"`) {
		t.Errorf("response %+v", r)
	}
}

func TestInteractionJSON(t *testing.T) {
	t.Parallel()
	var in map[string]any
	if err := json.Unmarshal(Interaction{Permissions: PermManageGuild, Roles: []string{"9"}, Options: []Option{Sub("help")}}.JSON(), &in); err != nil {
		t.Fatal(err)
	}
	member := in["member"].(map[string]any)
	if in["type"].(float64) != 2 || member["permissions"] != "32" || in["guild_id"] != "100" {
		t.Errorf("payload %v", in)
	}
	var dm map[string]any
	json.Unmarshal(Interaction{DM: true}.JSON(), &dm)
	if _, ok := dm["member"]; ok || dm["user"] == nil {
		t.Errorf("DM payload %v", dm)
	}
}

func TestHistory(t *testing.T) {
	t.Parallel()
	s := New(t)
	base := s.APIURL() + "channels/42"
	ids := func(body string) []string {
		var msgs []struct {
			ID        string `json:"id"`
			Timestamp string `json:"timestamp"`
			Author    struct {
				ID  string `json:"id"`
				Bot bool   `json:"bot"`
			} `json:"author"`
		}
		if err := json.Unmarshal([]byte(body), &msgs); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		out := make([]string, len(msgs))
		for i, m := range msgs {
			if _, err := time.Parse(time.RFC3339Nano, m.Timestamp); err != nil || m.Author.ID == "" {
				t.Errorf("message %s: timestamp %q, author %+v", m.ID, m.Timestamp, m.Author)
			}
			out[i] = m.ID
		}
		return out
	}
	start := time.Now()
	var want []string // newest first
	for i := range 5 {
		var id string
		if i%2 == 0 {
			_, _, b := do(t, "POST", base+"/messages", `{"content":"digest"}`)
			var m struct {
				ID string `json:"id"`
			}
			json.Unmarshal([]byte(b), &m)
			id = m.ID
		} else {
			id = s.Say("42", "777", "chatter")
		}
		want = append([]string{id}, want...)
	}
	// Snowflakes carry their creation time and increase.
	var newer uint64
	for _, id := range want {
		n, _ := strconv.ParseUint(id, 10, 64)
		at := time.UnixMilli(int64(n>>22) + discordEpoch)
		if at.Before(start.Add(-time.Second)) || at.After(time.Now().Add(time.Second)) {
			t.Errorf("snowflake %s holds %s", id, at)
		}
		if newer != 0 && n >= newer {
			t.Errorf("ids not increasing: %v", want)
		}
		newer = n
	}
	_, _, all := do(t, "GET", base+"/messages?limit=50", "")
	if got := ids(all); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("history = %v, want newest first %v", got, want)
	}
	_, _, page := do(t, "GET", base+"/messages?limit=2&before="+want[1], "")
	if got := ids(page); strings.Join(got, ",") != strings.Join(want[2:4], ",") {
		t.Errorf("limit=2 before %s = %v, want %v", want[1], got, want[2:4])
	}
	if st, _, _ := do(t, "GET", base+"/messages?limit=101", ""); st != 400 {
		t.Errorf("limit=101: status %d", st)
	}
	_, _, ch := do(t, "GET", base, "")
	if !strings.Contains(ch, `"last_message_id":"`+want[0]+`"`) {
		t.Errorf("channel = %s, want last_message_id %s", ch, want[0])
	}
	_, _, me := do(t, "GET", s.APIURL()+"users/@me", "")
	if !strings.Contains(me, `"id":"`+BotUserID+`"`) {
		t.Errorf("users/@me = %s", me)
	}

	// Without Read Message History: 200 and no messages.
	s.HideHistory("42")
	st, _, hidden := do(t, "GET", base+"/messages?limit=50", "")
	if st != 200 || len(ids(hidden)) != 0 {
		t.Errorf("hidden history: %d %s", st, hidden)
	}
	// A channel the bot cannot see at all.
	s.DenyChannel("43", 403, 50001)
	if st, _, _ := do(t, "GET", s.APIURL()+"channels/43/messages", ""); st != 403 {
		t.Errorf("denied channel history: %d", st)
	}
}

func TestExpireNonces(t *testing.T) {
	t.Parallel()
	s := New(t)
	url := s.APIURL() + "channels/42/messages"
	do(t, "POST", url, `{"content":"a","nonce":"n1","enforce_nonce":true}`)
	s.ExpireNonces()
	do(t, "POST", url, `{"content":"a","nonce":"n1","enforce_nonce":true}`)
	if n := len(s.Messages("42")); n != 2 {
		t.Errorf("%d messages, want 2: an expired nonce no longer deduplicates", n)
	}
}

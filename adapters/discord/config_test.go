package discord

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	key := strings.Repeat("ab", 32)
	tests := []struct {
		name string
		cfg  Config
		want []string // every problem expected, "" for none
	}{
		{"http ok", Config{BotToken: "t", ApplicationID: "1", PublicKey: key}, nil},
		{"gateway needs no key", Config{Mode: ModeGateway, BotToken: "t", ApplicationID: "1"}, nil},
		{"everything wrong at once", Config{
			Mode: "socket", BotToken: "Bot t", ApplicationID: "app", PublicKey: "xyz",
			AdminRoles: []string{"admins"}, APIURL: "ftp://x", ShardID: 2, ShardCount: 2,
		}, []string{
			`discord.mode: "socket" is not http or gateway`,
			`discord.bot_token: must not start with "Bot "`,
			"discord.application_id: must be the application's numeric ID",
			`discord.admin_roles: "admins" is not a numeric role ID`,
			`discord.api_url: "ftp://x/" is not an http(s) URL`,
			"discord.shard_id: shard 2 of 2 is out of range",
		}},
		{"http without key", Config{BotToken: "t", ApplicationID: "1"}, []string{"discord.public_key: is required in http mode"}},
		{"short key", Config{BotToken: "t", ApplicationID: "1", PublicKey: "abcd"}, []string{"discord.public_key: is 2 bytes; an Ed25519 public key is 32"}},
		{"no token", Config{ApplicationID: "1", PublicKey: key}, []string{"discord.bot_token: is required"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tc.cfg)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("New accepted a bad config")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	c := Config{}.withDefaults()
	if c.Mode != ModeHTTP || c.APIURL != DefaultAPIURL || c.ShardCount != 1 || c.MaxSkew != 5*time.Minute {
		t.Errorf("defaults = %+v", c)
	}
	// Discord invalidates an interaction not answered within 3 s.
	if c.ReplyDeadline <= 0 || c.ReplyDeadline > 2500*time.Millisecond {
		t.Errorf("ReplyDeadline %s leaves no margin under 3 s", c.ReplyDeadline)
	}
	if c.FollowupTimeout >= 15*time.Minute {
		t.Errorf("FollowupTimeout %s outlives the 15 min interaction token", c.FollowupTimeout)
	}
	if got := (Config{APIURL: "http://x/api/v10"}).withDefaults().APIURL; got != "http://x/api/v10/" {
		t.Errorf("APIURL = %q, want a trailing slash added", got)
	}
}

// TestRewriteTransport: discordgo's requests, which always address
// discord.com/api/v9/, reach the configured base, version path included.
func TestRewriteTransport(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.RequestURI()+" host="+r.Host)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[]`))
	}))
	t.Cleanup(srv.Close)
	cfg := Config{BotToken: "t", ApplicationID: "1", APIURL: srv.URL + "/proxy/api/v10/"}.withDefaults()
	s, err := newSession(cfg, newLimiter(time.Now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplicationCommands("1", "2", discordgo.WithContext(context.Background())); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	want := "GET /proxy/api/v10/applications/1/guilds/2/commands?with_localizations=true host=" + host
	if len(paths) != 1 || paths[0] != want {
		t.Errorf("requests = %q, want %q", paths, want)
	}
	if discordgo.EndpointAPI != "https://discord.com/api/v9/" {
		t.Errorf("discordgo.EndpointAPI changed to %q", discordgo.EndpointAPI)
	}
}

func TestParseRateLimit(t *testing.T) {
	t.Parallel()
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	tests := []struct {
		name   string
		header http.Header
		body   string
		wait   time.Duration
		global bool
	}{
		{"body", h(), `{"retry_after":0.25,"global":false}`, 250 * time.Millisecond, false},
		{"body global", h(), `{"retry_after":1.5,"global":true}`, 1500 * time.Millisecond, true},
		{"global header", h("X-RateLimit-Global", "true"), `{"retry_after":2}`, 2 * time.Second, true},
		{"scope header", h("X-RateLimit-Scope", "global"), `{"retry_after":2}`, 2 * time.Second, true},
		{"header only", h("Retry-After", "3"), `not json`, 3 * time.Second, false},
		{"nothing", h(), ``, time.Second, false},
		{"absurd", h(), `{"retry_after":1e12}`, time.Second, false},
	}
	for _, tc := range tests {
		rl := parseRateLimit(tc.header, []byte(tc.body))
		if rl.retryAfter != tc.wait || rl.global != tc.global {
			t.Errorf("%s: got %v %v, want %v %v", tc.name, rl.retryAfter, rl.global, tc.wait, tc.global)
		}
	}
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	l := newLimiter(func() time.Time { return now })
	l.block("channels/1", 2*time.Second, false)
	if d := l.wait("channels/1"); d != 2*time.Second {
		t.Errorf("route wait %s", d)
	}
	if d := l.wait("channels/2"); d != 0 {
		t.Errorf("other route waits %s", d)
	}
	l.block("", 5*time.Second, true)
	if d := l.wait("channels/2"); d != 5*time.Second {
		t.Errorf("global wait %s", d)
	}
	now = now.Add(6 * time.Second)
	if d := l.wait("channels/1"); d != 0 {
		t.Errorf("expired wait %s", d)
	}
}

package discord

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/newsbot/newsbot/adapters/discord/discordfake"
	"github.com/newsbot/newsbot/bot"
)

// benchEnv builds an adapter whose clock is pinned, so one signature stays
// fresh for the whole run, and returns its interactions handler.
func benchEnv(b *testing.B, h bot.Handler) (http.Handler, *discordfake.Signer, time.Time) {
	b.Helper()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	signer := discordfake.NewSignerFromSeed([32]byte{1, 2, 3})
	a, err := New(Config{
		BotToken: "bench", ApplicationID: "1", PublicKey: signer.PublicKeyHex(),
		APIURL: "http://127.0.0.1:1/api/v9/", Now: func() time.Time { return now },
	})
	if err != nil {
		b.Fatal(err)
	}
	return a.HTTPHandler(h), signer, now
}

// benchInteraction serves one signed interaction per iteration, fully in
// process: read body, verify Ed25519 and timestamp, decode, run the
// handler, render and encode the response.
func benchInteraction(b *testing.B, h bot.Handler, body []byte, want int, tamper bool) {
	handler, signer, now := benchEnv(b, h)
	hdr := http.Header{}
	signer.Sign(hdr, body, now)
	if tamper {
		hdr.Set("X-Signature-Ed25519", "00"+hdr.Get("X-Signature-Ed25519")[2:])
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/discord/interactions", bytes.NewReader(body))
		req.Header = hdr.Clone()
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != want {
			b.Fatalf("status %d, want %d: %s", rec.Code, want, rec.Body)
		}
	}
}

func BenchmarkInteractionPing(b *testing.B) {
	benchInteraction(b, briefingHandler(), discordfake.Ping(), http.StatusOK, false)
}

func BenchmarkInteractionBadSignature(b *testing.B) {
	benchInteraction(b, briefingHandler(), discordfake.Ping(), http.StatusUnauthorized, true)
}

func BenchmarkInteractionBrief(b *testing.B) {
	h := bot.HandlerFunc(func(context.Context, bot.Command) (bot.Reply, error) {
		br := g20Briefing()
		return bot.Reply{Briefing: &br}, nil
	})
	body := discordfake.News(discordfake.Sub("brief", discordfake.Str("query", "g20"))).JSON()
	benchInteraction(b, h, body, http.StatusOK, false)
}

func BenchmarkInteractionAutocomplete(b *testing.B) {
	names := make([]string, 200)
	for i := range names {
		names[i] = "topic-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	h := &topicBot{recorder: briefingHandler(), names: names}
	body := discordfake.Interaction{Type: 4, Options: []discordfake.Option{
		discordfake.Sub("preview", discordfake.Focused(discordfake.Str("topic", "topic-b"))),
	}}.JSON()
	benchInteraction(b, h, body, http.StatusOK, false)
}

func BenchmarkRenderBriefing(b *testing.B) {
	br := g20Briefing()
	b.ReportAllocs()
	for b.Loop() {
		renderReply(bot.Reply{Briefing: &br})
	}
}

func BenchmarkRenderBriefingCut(b *testing.B) {
	br := longBriefing()
	b.ReportAllocs()
	for b.Loop() {
		renderReply(bot.Reply{Briefing: &br})
	}
}

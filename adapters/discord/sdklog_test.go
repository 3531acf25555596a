package discord

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestSDKLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	f := SDKLogger(slog.New(slog.NewTextHandler(&buf, nil)))
	f(discordgo.LogError, 1, "error connecting to gateway %s", "ws://x")
	f(discordgo.LogDebug, 1, "heartbeat %d", 1)
	out := buf.String()
	if !strings.Contains(out, "level=ERROR") || !strings.Contains(out, `msg="error connecting to gateway ws://x"`) || !strings.Contains(out, "component=discordgo") {
		t.Errorf("log = %q", out)
	}
	if strings.Contains(out, "heartbeat") {
		t.Error("debug line logged at the default level")
	}
}

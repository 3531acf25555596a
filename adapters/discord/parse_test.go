package discord

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/newsbot/newsbot/adapters/discord/discordfake"
	"github.com/newsbot/newsbot/bot"
)

// decode parses an interaction payload the way the adapter does.
func decode(t testing.TB, payload []byte) *discordgo.Interaction {
	t.Helper()
	var in discordgo.Interaction
	if err := json.Unmarshal(payload, &in); err != nil {
		t.Fatalf("decode interaction: %v", err)
	}
	return &in
}

func TestCommandText(t *testing.T) {
	t.Parallel()
	S, G, Str, Int := discordfake.Sub, discordfake.Group, discordfake.Str, discordfake.Int
	tests := []struct {
		name    string
		opts    []discordfake.Option
		want    string
		wantErr string // part of the usage message
	}{
		{"brief", []discordfake.Option{S("brief", Str("query", "g20"))}, "g20", ""},
		{"brief query syntax", []discordfake.Option{S("brief", Str("query", ` "climate summit"  -sport  OR  x `))}, `"climate summit" -sport OR x`, ""},
		{"brief multi-line query", []discordfake.Option{S("brief", Str("query", "g20\nsummit"))}, "g20 summit", ""},
		{"brief keyword stays a query", []discordfake.Option{S("brief", Str("query", "health care reform"))}, `"health" care reform`, ""},
		{"brief keyword any case", []discordfake.Option{S("brief", Str("query", "Help"))}, `"Help"`, ""},
		{"brief empty", []discordfake.Option{S("brief", Str("query", "  "))}, "", "Say what to look for"},
		{"topics", []discordfake.Option{S("topics")}, "topics", ""},
		{"topic add", []discordfake.Option{G("topic", S("add", Str("name", "g20"), Str("query", "g20 summit -football")))}, "topic add g20 g20 summit -football", ""},
		{"topic add spaced name", []discordfake.Option{G("topic", S("add", Str("name", "g 20"), Str("query", "g20")))}, "", "`name` must be one word"},
		{"topic add no query", []discordfake.Option{G("topic", S("add", Str("name", "g20")))}, "", "Give the topic a query"},
		{"topic remove", []discordfake.Option{G("topic", S("remove", Str("name", " g20 ")))}, "topic remove g20", ""},
		{"topic group without sub", []discordfake.Option{G("topic")}, "", "Choose what to do with topic"},
		{"subscribe minimal", []discordfake.Option{S("subscribe", Str("topic", "g20"))}, "subscribe g20", ""},
		{"subscribe full", []discordfake.Option{S("subscribe", Str("topic", "g20"), Str("at", "08:00"), Str("tz", "Europe/Berlin"), Str("days", "Mon, Wed, Fri"), Int("max", 5))},
			"subscribe g20 at 08:00 tz Europe/Berlin mon,wed,fri max 5", ""},
		{"subscribe spaced tz", []discordfake.Option{S("subscribe", Str("topic", "g20"), Str("tz", "Europe / Berlin"))}, "", "`tz` must be one word"},
		{"subscribe no topic", []discordfake.Option{S("subscribe")}, "", "`topic` is required"},
		{"unsubscribe", []discordfake.Option{S("unsubscribe", Str("topic", "g20"))}, "unsubscribe g20", ""},
		{"subscriptions", []discordfake.Option{S("subscriptions")}, "subscriptions", ""},
		{"sources", []discordfake.Option{S("sources")}, "sources", ""},
		{"source add", []discordfake.Option{G("source", S("add", Str("url", "https://example.com/feed.xml")))}, "source add https://example.com/feed.xml", ""},
		{"source remove", []discordfake.Option{G("source", S("remove", Str("url", "https://example.com/feed.xml")))}, "source remove https://example.com/feed.xml", ""},
		{"health", []discordfake.Option{S("health")}, "health", ""},
		{"why", []discordfake.Option{S("why", Str("url", "https://example.com/a"))}, "why https://example.com/a", ""},
		{"preview", []discordfake.Option{S("preview", Str("topic", "g20"))}, "preview g20", ""},
		{"help", []discordfake.Option{S("help")}, "help", ""},
		{"help on a command", []discordfake.Option{S("help", Str("command", "Subscribe"))}, "help subscribe", ""},
		{"help on two words", []discordfake.Option{S("help", Str("command", "topic add"))}, "", "`command` must be one word"},
		{"no subcommand", nil, "", "Choose a subcommand"},
		{"unknown subcommand", []discordfake.Option{S("dance")}, "", "Unknown subcommand `dance`"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := decode(t, discordfake.News(tc.opts...).JSON())
			cmd, err := toCommand(in, nil)
			if tc.wantErr != "" {
				var ue *usageError
				if !errors.As(err, &ue) || !strings.Contains(ue.msg, tc.wantErr) {
					t.Fatalf("err = %v, want usage error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cmd.Text != tc.want {
				t.Errorf("Text = %q, want %q", cmd.Text, tc.want)
			}
		})
	}
}

func TestCommandTextUnknownCommand(t *testing.T) {
	t.Parallel()
	in := decode(t, discordfake.Interaction{Command: "weather"}.JSON())
	_, err := toCommand(in, nil)
	var ue *usageError
	if !errors.As(err, &ue) || !strings.Contains(ue.msg, "/weather") {
		t.Fatalf("err = %v", err)
	}
}

func TestToCommandFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want bot.Command
	}{
		{"brief_g20.json", bot.Command{
			Channel: bot.ChannelRef{Platform: "discord", Team: "1000000000000000100", Channel: "1000000000000000200"},
			User:    "1000000000000000300", UserName: "Ada", Admin: false, Text: "g20",
		}},
		{"topic_add.json", bot.Command{
			Channel: bot.ChannelRef{Platform: "discord", Team: "1000000000000000100", Channel: "1000000000000000200"},
			User:    "1000000000000000301", UserName: "grace", Admin: true, Text: `topic add g20 "g20 summit" -football`,
		}},
		{"subscribe_full.json", bot.Command{
			Channel: bot.ChannelRef{Platform: "discord", Team: "1000000000000000100", Channel: "1000000000000000200"},
			User:    "1000000000000000301", UserName: "grace", Admin: true, Text: "subscribe g20 at 08:00 tz Europe/Berlin mon,wed,fri max 5",
		}},
		{"dm_help.json", bot.Command{
			Channel: bot.ChannelRef{Platform: "discord", Channel: "1000000000000000777"},
			User:    "1000000000000000300", UserName: "Ada", Admin: false, Text: "help",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(filepath.Join("testdata", "interactions", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := toCommand(decode(t, raw), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestAdmin is the permission matrix: Manage Server or Administrator, or a
// configured role, makes an admin; nothing else does, and never in a DM.
func TestAdmin(t *testing.T) {
	t.Parallel()
	const adminRole, otherRole = "900", "901"
	roles := map[string]bool{adminRole: true}
	tests := []struct {
		name  string
		in    discordfake.Interaction
		admin bool
	}{
		{"no permissions", discordfake.Interaction{}, false},
		{"send messages only", discordfake.Interaction{Permissions: 1 << 11}, false},
		{"manage channels is not enough", discordfake.Interaction{Permissions: 1 << 4}, false},
		{"manage server", discordfake.Interaction{Permissions: discordfake.PermManageGuild}, true},
		{"administrator", discordfake.Interaction{Permissions: discordfake.PermAdministrator}, true},
		{"manage server among others", discordfake.Interaction{Permissions: discordfake.PermManageGuild | 1<<11 | 1<<40}, true},
		{"admin role", discordfake.Interaction{Roles: []string{otherRole, adminRole}}, true},
		{"other role", discordfake.Interaction{Roles: []string{otherRole}}, false},
		{"DM", discordfake.Interaction{DM: true, Permissions: discordfake.PermAdministrator}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.in.Options = []discordfake.Option{discordfake.Sub("topics")}
			cmd, err := toCommand(decode(t, tc.in.JSON()), roles)
			if err != nil {
				t.Fatal(err)
			}
			if cmd.Admin != tc.admin {
				t.Errorf("Admin = %v, want %v", cmd.Admin, tc.admin)
			}
		})
	}
}

func TestFocusedOption(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("testdata", "interactions", "autocomplete_topic.json"))
	if err != nil {
		t.Fatal(err)
	}
	in := decode(t, raw)
	name, value, ok := focusedOption(in.Data.(discordgo.ApplicationCommandInteractionData).Options)
	if !ok || name != "topic" || value != "cl" {
		t.Errorf("focused = %q %q %v", name, value, ok)
	}
}

func TestTopicChoices(t *testing.T) {
	t.Parallel()
	var many []string
	for _, c := range "abcdefghijklmnopqrstuvwxyz0123456789" {
		many = append(many, "t"+string(c))
	}
	tests := []struct {
		name  string
		names []string
		typed string
		want  []string
	}{
		{"prefix first then contains", []string{"eclipse", "climate", "g20", "Clean-energy"}, "cl", []string{"Clean-energy", "climate", "eclipse"}},
		{"empty typed lists all sorted", []string{"g20", "climate"}, "", []string{"climate", "g20"}},
		{"no match", []string{"g20"}, "x", []string{}},
		{"at most 25, sorted", many, "t", slices.Sorted(slices.Values(many))[:25]},
		{"drops empty, too long and duplicates", []string{"", strings.Repeat("x", 101), "g20", "g20"}, "", []string{"g20"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := topicChoices(tc.names, tc.typed)
			names := []string{}
			for _, c := range got {
				if c.Name != c.Value {
					t.Errorf("choice %q has value %q", c.Name, c.Value)
				}
				names = append(names, c.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %q, want %q", names, tc.want)
			}
		})
	}
}

// FuzzCommandText feeds arbitrary interaction payloads through decoding
// and translation: no panic, and a command's text is one line of valid
// UTF-8 that a usage error never accompanies.
func FuzzCommandText(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "interactions", "*.json"))
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var in discordgo.Interaction
		if json.Unmarshal(raw, &in) != nil {
			return
		}
		cmd, err := toCommand(&in, map[string]bool{"1": true})
		if err != nil {
			var ue *usageError
			if !errors.As(err, &ue) || ue.msg == "" {
				t.Fatalf("non-usage error %v", err)
			}
			return
		}
		if cmd.Text == "" || strings.ContainsAny(cmd.Text, "\n\r") {
			t.Fatalf("bad command text %q", cmd.Text)
		}
		if utf8.Valid(raw) && !utf8.ValidString(cmd.Text) {
			t.Fatalf("invalid UTF-8 %q", cmd.Text)
		}
		if cmd.Channel.Platform != PlatformName {
			t.Fatalf("platform %q", cmd.Channel.Platform)
		}
	})
}

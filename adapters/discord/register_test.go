package discord

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/newsbot/newsbot/adapters/discord/discordfake"
)

// TestCommandsSnapshot pins the registration payload: any change to the
// /news command shows up as a diff of testdata/commands.json.
func TestCommandsSnapshot(t *testing.T) {
	t.Parallel()
	golden(t, filepath.Join("testdata", "commands.json"), indentJSON(t, Commands()))
}

// TestCommandsValid checks the payload against Discord's rules for
// application commands.
func TestCommandsValid(t *testing.T) {
	t.Parallel()
	name := regexp.MustCompile(`^[-_\p{Ll}\p{N}]{1,32}$`)
	cmds := Commands()
	if len(cmds) != 1 || cmds[0].Name != "news" {
		t.Fatalf("commands = %v", cmds)
	}
	var subs []string
	var check func(path string, opts []*discordgo.ApplicationCommandOption)
	check = func(path string, opts []*discordgo.ApplicationCommandOption) {
		if len(opts) > 25 {
			t.Errorf("%s: %d options (limit 25)", path, len(opts))
		}
		optional := false
		for _, o := range opts {
			p := path + " " + o.Name
			if !name.MatchString(o.Name) {
				t.Errorf("%s: bad name", p)
			}
			if n := len([]rune(o.Description)); n < 1 || n > 100 {
				t.Errorf("%s: description of %d characters (1-100)", p, n)
			}
			if o.Autocomplete && (o.Type != discordgo.ApplicationCommandOptionString || len(o.Choices) > 0) {
				t.Errorf("%s: autocomplete needs a string option without choices", p)
			}
			if !o.Required {
				optional = true
			} else if optional && o.Type > discordgo.ApplicationCommandOptionSubCommandGroup {
				t.Errorf("%s: required option after an optional one", p)
			}
			if path == "/news" {
				subs = append(subs, o.Name)
			}
			check(p, o.Options)
		}
	}
	check("/news", cmds[0].Options)
	want := "brief topics topic subscribe unsubscribe subscriptions sources source health why preview help"
	if got := strings.Join(subs, " "); got != want {
		t.Errorf("subcommands %q, want %q", got, want)
	}
}

// TestCommandsRoundTrip: every subcommand of the registered /news maps
// onto the command language.
func TestCommandsRoundTrip(t *testing.T) {
	t.Parallel()
	for _, o := range Commands()[0].Options {
		var opt discordfake.Option
		fill := func(opts []*discordgo.ApplicationCommandOption) []discordfake.Option {
			var out []discordfake.Option
			for _, x := range opts {
				if x.Type == discordgo.ApplicationCommandOptionInteger {
					out = append(out, discordfake.Int(x.Name, 3))
				} else {
					out = append(out, discordfake.Str(x.Name, "v"))
				}
			}
			return out
		}
		if o.Type == discordgo.ApplicationCommandOptionSubCommandGroup {
			sub := o.Options[0]
			opt = discordfake.Group(o.Name, discordfake.Sub(sub.Name, fill(sub.Options)...))
		} else {
			opt = discordfake.Sub(o.Name, fill(o.Options)...)
		}
		cmd, err := toCommand(decode(t, discordfake.News(opt).JSON()), nil)
		if err != nil || cmd.Text == "" {
			t.Errorf("/news %s: %q %v", o.Name, cmd.Text, err)
		}
	}
}

func registerConfig(fake *discordfake.Server) Config {
	return Config{BotToken: testToken, ApplicationID: "1", APIURL: fake.APIURL()}
}

func TestRegister(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(t)
	fake.RequireBotToken(testToken)
	ctx := context.Background()
	// What an older newsbot registered: /news with fewer subcommands and
	// an older description, plus a command since dropped.
	fake.SetCommands("100", json.RawMessage(`[
		{"id":"7","application_id":"1","version":"1","type":1,"name":"news","description":"News briefings",
		 "options":[{"type":1,"name":"brief","description":"A briefing on a query from the latest news",
		   "options":[{"type":3,"name":"query","description":"Query","required":true}]},
		   {"type":1,"name":"digest","description":"Old"}]},
		{"id":"8","application_id":"1","version":"1","type":1,"name":"weather","description":"Weather"}]`))

	changes, err := Register(ctx, registerConfig(fake), "100", true)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(fake.CallsTo("PUT applications/{app}/guilds/{guild}/commands")); n != 0 {
		t.Fatalf("dry run wrote commands (%d PUTs)", n)
	}
	got := changesText(changes)
	for _, want := range []string{
		"changed   /news: description; option brief.query: description, limits; added option topics;",
		"removed option digest",
		"removed   /weather",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("changes lack %q:\n%s", want, got)
		}
	}

	if _, err := Register(ctx, registerConfig(fake), "100", false); err != nil {
		t.Fatal(err)
	}
	puts := fake.CallsTo("PUT applications/{app}/guilds/{guild}/commands")
	if len(puts) != 1 || puts[0].Path != "applications/1/guilds/100/commands" {
		t.Fatalf("PUTs = %d %v", len(puts), puts)
	}
	want, _ := json.Marshal(Commands())
	if string(puts[0].Body) != string(want) {
		t.Errorf("PUT body differs from Commands():\n%s\n%s", puts[0].Body, want)
	}

	// Registering again changes nothing.
	changes, err = Register(ctx, registerConfig(fake), "100", false)
	if err != nil {
		t.Fatal(err)
	}
	if got := changesText(changes); got != "unchanged /news\n" {
		t.Errorf("second registration: %q", got)
	}
}

func TestRegisterGlobal(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(t)
	changes, err := Register(context.Background(), registerConfig(fake), "", false)
	if err != nil {
		t.Fatal(err)
	}
	if got := changesText(changes); got != "added     /news\n" {
		t.Errorf("changes = %q", got)
	}
	if n := len(fake.CallsTo("PUT applications/{app}/commands")); n != 1 {
		t.Errorf("%d global PUTs", n)
	}
}

func TestRegisterErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(*discordfake.Server)
		cfg   func(*Config)
		guild string
		want  string
	}{
		{"bad token", func(f *discordfake.Server) { f.RequireBotToken("other") }, nil, "", "check discord.bot_token"},
		{"not in guild", func(f *discordfake.Server) {
			f.FailNext("GET applications/{app}/guilds/{guild}/commands", 403, 50001, "Missing Access")
		}, nil, "100", "Missing Access (check discord.application_id"},
		{"rate limited", func(f *discordfake.Server) { f.RateLimitNext("PUT applications/{app}/commands", 2e9, false) }, nil, "", "try again in 2s"},
		{"bad guild", func(*discordfake.Server) {}, nil, "my-guild", `guild "my-guild" is not a numeric guild ID`},
		{"no token", func(*discordfake.Server) {}, func(c *Config) { c.BotToken = "" }, "", "discord.bot_token: is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := discordfake.New(t)
			tc.setup(fake)
			cfg := registerConfig(fake)
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			_, err := Register(context.Background(), cfg, tc.guild, false)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), testToken) {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

func changesText(cs []Change) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.String() + "\n")
	}
	return b.String()
}

package discord

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// Change is one difference between the application's registered commands
// and [Commands].
type Change struct {
	// Kind is "added", "changed", "removed" or "unchanged".
	Kind string
	// Name is the command's name.
	Name string
	// Details say what changed ("option brief.query: description").
	Details []string
}

// String renders the change as one line for a terminal.
func (c Change) String() string {
	s := fmt.Sprintf("%-9s /%s", c.Kind, c.Name)
	if len(c.Details) > 0 {
		s += ": " + strings.Join(c.Details, "; ")
	}
	return s
}

// Register replaces the application's commands with [Commands] by a bulk
// overwrite (global when guildID is "", else for that guild, where changes
// show immediately) and returns how the new set differs from the one it
// replaced. With dryRun it only reports the differences. cfg needs
// BotToken, ApplicationID and, for tests, APIURL; its Mode and PublicKey
// are not used.
func Register(ctx context.Context, cfg Config, guildID string, dryRun bool) ([]Change, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(false); err != nil {
		return nil, err
	}
	if guildID != "" && !isSnowflake(guildID) {
		return nil, fmt.Errorf("guild %q is not a numeric guild ID", guildID)
	}
	s, err := newSession(cfg, newLimiter(cfg.Now))
	if err != nil {
		return nil, err
	}
	current, err := s.ApplicationCommands(cfg.ApplicationID, guildID, discordgo.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("list registered commands: %w", explain(err, cfg.APIURL))
	}
	want := Commands()
	changes := diffCommands(current, want)
	if dryRun {
		return changes, nil
	}
	if _, err := s.ApplicationCommandBulkOverwrite(cfg.ApplicationID, guildID, want, discordgo.WithContext(ctx)); err != nil {
		return nil, fmt.Errorf("overwrite commands: %w", explain(err, cfg.APIURL))
	}
	return changes, nil
}

// explain turns discordgo's errors into ones a user can act on.
func explain(err error, apiURL string) error {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		msg := re.Response.Status
		if re.Message != nil && re.Message.Message != "" {
			msg += ": " + re.Message.Message
		}
		switch re.Response.StatusCode {
		case 401:
			return fmt.Errorf("%s (check discord.bot_token)", msg)
		case 403, 404:
			return fmt.Errorf("%s (check discord.application_id, and that the bot is in the guild with the applications.commands scope)", msg)
		}
		return errors.New(msg)
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil {
		return fmt.Errorf("rate limited by Discord; try again in %s", rl.RetryAfter)
	}
	return unreachable(err, apiURL)
}

// diffCommands compares registered commands with the wanted ones by name
// (and type), in the wanted order, then the removed ones.
func diffCommands(current, want []*discordgo.ApplicationCommand) []Change {
	key := func(c *discordgo.ApplicationCommand) string {
		t := c.Type
		if t == 0 {
			t = discordgo.ChatApplicationCommand
		}
		return fmt.Sprintf("%d/%s", t, c.Name)
	}
	have := map[string]*discordgo.ApplicationCommand{}
	for _, c := range current {
		if c != nil {
			have[key(c)] = c
		}
	}
	var out []Change
	seen := map[string]bool{}
	for _, w := range want {
		k := key(w)
		seen[k] = true
		old, ok := have[k]
		if !ok {
			out = append(out, Change{Kind: "added", Name: w.Name})
			continue
		}
		if d := commandDiff(old, w); len(d) > 0 {
			out = append(out, Change{Kind: "changed", Name: w.Name, Details: d})
		} else {
			out = append(out, Change{Kind: "unchanged", Name: w.Name})
		}
	}
	var removed []Change
	for k, c := range have {
		if !seen[k] {
			removed = append(removed, Change{Kind: "removed", Name: c.Name})
		}
	}
	slices.SortFunc(removed, func(a, b Change) int { return strings.Compare(a.Name, b.Name) })
	return append(out, removed...)
}

// commandDiff lists what differs between two versions of a command.
func commandDiff(old, want *discordgo.ApplicationCommand) []string {
	var d []string
	if old.Description != want.Description {
		d = append(d, "description")
	}
	if !reflect.DeepEqual(deref(old.DefaultMemberPermissions), deref(want.DefaultMemberPermissions)) {
		d = append(d, "default member permissions")
	}
	if derefBool(old.NSFW) != derefBool(want.NSFW) {
		d = append(d, "nsfw")
	}
	return append(d, optionsDiff("", old.Options, want.Options)...)
}

// optionsDiff lists added, removed and changed options, by dotted path.
func optionsDiff(prefix string, old, want []*discordgo.ApplicationCommandOption) []string {
	var d []string
	byName := map[string]*discordgo.ApplicationCommandOption{}
	var oldOrder, wantOrder []string
	for _, o := range old {
		if o != nil {
			byName[o.Name] = o
			oldOrder = append(oldOrder, o.Name)
		}
	}
	seen := map[string]bool{}
	for _, w := range want {
		path := prefix + w.Name
		seen[w.Name] = true
		o, ok := byName[w.Name]
		if !ok {
			d = append(d, "added option "+path)
			continue
		}
		wantOrder = append(wantOrder, w.Name)
		var what []string
		if o.Type != w.Type {
			what = append(what, "type")
		}
		if o.Description != w.Description {
			what = append(what, "description")
		}
		if o.Required != w.Required {
			what = append(what, "required")
		}
		if o.Autocomplete != w.Autocomplete {
			what = append(what, "autocomplete")
		}
		if !sameChoices(o.Choices, w.Choices) {
			what = append(what, "choices")
		}
		if derefF(o.MinValue) != derefF(w.MinValue) || o.MaxValue != w.MaxValue ||
			derefI(o.MinLength) != derefI(w.MinLength) || o.MaxLength != w.MaxLength {
			what = append(what, "limits")
		}
		if len(what) > 0 {
			d = append(d, "option "+path+": "+strings.Join(what, ", "))
		}
		d = append(d, optionsDiff(path+".", o.Options, w.Options)...)
	}
	var kept []string
	for _, n := range oldOrder {
		if !seen[n] {
			d = append(d, "removed option "+prefix+n)
		} else {
			kept = append(kept, n)
		}
	}
	if !slices.Equal(kept, wantOrder) {
		if prefix == "" {
			d = append(d, "option order")
		} else {
			d = append(d, "option order of "+strings.TrimSuffix(prefix, "."))
		}
	}
	return d
}

func sameChoices(a, b []*discordgo.ApplicationCommandOptionChoice) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || fmt.Sprint(a[i].Value) != fmt.Sprint(b[i].Value) {
			return false
		}
	}
	return true
}

func deref(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

func derefBool(p *bool) bool { return p != nil && *p }

func derefF(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

func derefI(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

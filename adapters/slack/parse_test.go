package slack

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/newsbot/newsbot/bot"
)

func TestCommandText(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "g20", "g20"},
		{"trimmed", "  topic add climate  ", "topic add climate"},
		{"entities", "a &amp; b &lt;c&gt;", "a & b <c>"},
		{"double-escaped stays once-escaped", "&amp;lt;", "&lt;"},
		{"auto-linked url", "source add <https://example.com/feed.xml>", "source add https://example.com/feed.xml"},
		{"labelled url", "why <https://example.com/a?b=1&amp;c=2|example.com/a>", "why https://example.com/a?b=1&c=2"},
		{"mention kept", "hello <@U123|bob>", "hello <@U123|bob>"},
		{"unclosed bracket", "a <b", "a <b"},
		{"quoted phrase", `"climate change" -opinion`, `"climate change" -opinion`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := commandText(tc.in); got != tc.want {
				t.Errorf("commandText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseSlashForm(t *testing.T) {
	t.Parallel()
	ok := url.Values{"command": {"/news"}, "text": {"g20"}, "team_id": {"T1"}, "channel_id": {"C1"},
		"user_id": {"U1"}, "user_name": {"ann"}, "response_url": {"https://hooks.slack.com/commands/T1/1/x"}}
	with := func(k, v string) string {
		f := url.Values{}
		for key, vals := range ok {
			f[key] = vals
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f.Encode()
	}
	tests := []struct {
		name    string
		body    string
		wantErr bool
	}{
		{"complete", ok.Encode(), false},
		{"no channel", with("channel_id", ""), true},
		{"no user", with("user_id", ""), true},
		{"bad response_url", with("response_url", "javascript:x"), true},
		{"long text", with("text", strings.Repeat("x", maxCommandText+1)), true},
		{"bad encoding", "text=%zz", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sc, err := parseSlashForm([]byte(tc.body))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if err != nil {
				if !errors.Is(err, errBadPayload) {
					t.Errorf("error %v does not wrap errBadPayload", err)
				}
				return
			}
			got := sc.command()
			want := bot.Command{Channel: bot.ChannelRef{Platform: "slack", Channel: "C1"}, User: "U1", UserName: "ann", Text: "g20"}
			if got != want {
				t.Errorf("command = %+v, want %+v", got, want)
			}
		})
	}
}

func TestMentionCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want bot.Command
		ok   bool
	}{
		{"mention", `{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"app_mention","user":"U1","text":"<@U0BOT> g20 &amp; climate","channel":"C1","ts":"1.2"}}`,
			bot.Command{Channel: bot.ChannelRef{Platform: "slack", Channel: "C1"}, User: "U1", Text: "g20 & climate"}, true},
		{"bot author ignored", `{"type":"event_callback","event":{"type":"app_mention","user":"U1","bot_id":"B1","text":"<@U0BOT> g20","channel":"C1"}}`, bot.Command{}, false},
		{"other event ignored", `{"type":"event_callback","event":{"type":"message","user":"U1","text":"g20","channel":"C1"}}`, bot.Command{}, false},
		{"no channel", `{"type":"event_callback","event":{"type":"app_mention","user":"U1","text":"g20"}}`, bot.Command{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev, err := parseEvent([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := ev.mentionCommand()
			if ok != tc.ok || got != tc.want {
				t.Errorf("mentionCommand = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	for _, bad := range []string{"", "{", `{"challenge":"x"}`, `[]`} {
		if _, err := parseEvent([]byte(bad)); !errors.Is(err, errBadPayload) {
			t.Errorf("parseEvent(%q) = %v, want errBadPayload", bad, err)
		}
	}
}

// FuzzParseSlashForm checks that any body either parses to a command with
// a channel and user, or fails with errBadPayload; never panics.
func FuzzParseSlashForm(f *testing.F) {
	f.Add(docBody)
	f.Add("channel_id=C1&user_id=U1&text=%3Chttps%3A%2F%2Fa.example%7Ca%3E&response_url=https%3A%2F%2Fh.example%2Fx")
	f.Add("text=%zz")
	f.Fuzz(func(t *testing.T, body string) {
		sc, err := parseSlashForm([]byte(body))
		if err != nil {
			if !errors.Is(err, errBadPayload) {
				t.Fatalf("error %v does not wrap errBadPayload", err)
			}
			return
		}
		cmd := sc.command()
		if cmd.Channel.Channel == "" || cmd.User == "" {
			t.Fatalf("command without channel or user: %+v", cmd)
		}
		if len(cmd.Text) > len(sc.Text) {
			t.Fatalf("command text grew: %q -> %q", sc.Text, cmd.Text)
		}
	})
}

// FuzzCommandText checks that normalising command text never grows it and
// keeps valid UTF-8 valid.
func FuzzCommandText(f *testing.F) {
	f.Add("why <https://a.example/x?y=1&amp;z=2|a.example>")
	f.Add("<@U1|x> &lt;&gt;&amp;")
	f.Add("<<>>|<")
	f.Fuzz(func(t *testing.T, s string) {
		got := commandText(s)
		if len(got) > len(s) {
			t.Fatalf("commandText(%q) = %q grew", s, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("commandText(%q) = %q broke UTF-8", s, got)
		}
	})
}

// FuzzParseEvent checks that any body either parses or fails with
// errBadPayload, and that a mention command always has a channel and user.
func FuzzParseEvent(f *testing.F) {
	f.Add(`{"type":"url_verification","challenge":"abc"}`)
	f.Add(`{"type":"event_callback","event":{"type":"app_mention","user":"U1","text":"<@U0BOT> g20","channel":"C1","ts":"1.2"}}`)
	f.Add(`{"type":1}`)
	f.Fuzz(func(t *testing.T, body string) {
		ev, err := parseEvent([]byte(body))
		if err != nil {
			if !errors.Is(err, errBadPayload) {
				t.Fatalf("error %v does not wrap errBadPayload", err)
			}
			return
		}
		if cmd, ok := ev.mentionCommand(); ok && (cmd.Channel.Channel == "" || cmd.User == "") {
			t.Fatalf("mention command without channel or user: %+v", cmd)
		}
	})
}

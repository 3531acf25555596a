package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestSlackManifestCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want []string
		// wantNote is what stderr must hold; "" means stderr stays empty.
		wantNote string
		wantErr  string
	}{
		{name: "http", args: []string{"slack", "manifest", "--url", "https://bot.example.com"},
			want: []string{"url: \"https://bot.example.com/slack/commands\"", "request_url: \"https://bot.example.com/slack/events\"", "socket_mode_enabled: false", "- chat:write.public"}},
		{name: "socket", args: []string{"slack", "manifest", "--socket", "--name", "News Bot"},
			want: []string{"socket_mode_enabled: true", "name: \"News Bot\"", "connections:write"}},
		{name: "no flags is socket mode", args: []string{"slack", "manifest"},
			want:     []string{"socket_mode_enabled: true", "name: \"newsbot\"", "connections:write", "- chat:write.public"},
			wantNote: "--url https://your-host"},
		{name: "bad url", args: []string{"slack", "manifest", "--url", "http://bot.example.com"}, wantErr: "not an https base URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			root := newRootCmd(strings.NewReader(""), &out, &errOut)
			root.SetArgs(tc.args)
			err := root.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one mentioning %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if strings.Contains(out.String(), "request_url") && strings.Contains(out.String(), "socket_mode_enabled: true") {
				t.Errorf("socket mode manifest has request URLs:\n%s", out.String())
			}
			switch {
			case tc.wantNote == "" && errOut.Len() != 0:
				t.Errorf("stderr = %q, want nothing", errOut.String())
			case tc.wantNote != "":
				note := errOut.String()
				if !strings.Contains(note, tc.wantNote) || strings.Count(note, "\n") != 1 {
					t.Errorf("stderr = %q, want one line mentioning %q", note, tc.wantNote)
				}
			}
		})
	}
}

// TestSlackManifestDefaultIsSocket checks that the bare command prints
// exactly the --socket manifest, so that it can be pasted as is.
func TestSlackManifestDefaultIsSocket(t *testing.T) {
	t.Parallel()
	run := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		root := newRootCmd(strings.NewReader(""), &out, &errOut)
		root.SetArgs(args)
		if err := root.Execute(); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out.String()
	}
	bare := run("slack", "manifest")
	if socket := run("slack", "manifest", "--socket"); bare != socket {
		t.Errorf("bare manifest differs from --socket:\n%s\nwant:\n%s", bare, socket)
	}
}

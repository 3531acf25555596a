package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestSlackManifestCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{"http", []string{"slack", "manifest", "--url", "https://bot.example.com"},
			[]string{"url: \"https://bot.example.com/slack/commands\"", "request_url: \"https://bot.example.com/slack/events\"", "socket_mode_enabled: false", "- chat:write.public"}, ""},
		{"socket", []string{"slack", "manifest", "--socket", "--name", "News Bot"},
			[]string{"socket_mode_enabled: true", "name: \"News Bot\"", "connections:write"}, ""},
		{"neither", []string{"slack", "manifest"}, nil, "--url"},
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
		})
	}
}

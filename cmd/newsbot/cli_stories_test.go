package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// execCLI runs newsbot with args in process and returns what it wrote.
func execCLI(t *testing.T, stdin io.Reader, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var out, errOut bytes.Buffer
	root := newRootCmd(stdin, &out, &errOut)
	root.SetArgs(args)
	err = root.Execute()
	return out.String(), errOut.String(), err
}

// storyLines are articles of three stories, as JSON Lines; the story is
// the id up to the dash.
var storyLines = []string{
	`{"id":"quake-1","title":"Strong earthquake strikes off the coast of Chile","text":"A magnitude 7.1 earthquake struck off the coast of central Chile on Monday, shaking buildings in Valparaiso and Santiago. There were no early reports of damage, and the navy said there was no tsunami threat."}`,
	`{"id":"quake-2","title":"Chile earthquake: magnitude 7.1 tremor shakes Valparaiso","text":"Buildings swayed in Valparaiso and Santiago when a 7.1 magnitude earthquake hit off the Chilean coast on Monday. Chile's navy ruled out a tsunami and officials said no damage had been reported so far."}`,
	`{"id":"ferry-1","title":"Ferry workers strike halts crossings to the islands","text":"Ferry crews walked out on Monday in a dispute over pay, halting all crossings between the mainland and the islands. The operator said it was seeking talks with the union."}`,
	`{"id":"ferry-2","title":"Island ferries cancelled as crews strike over pay","text":"All ferry crossings to the islands were cancelled on Monday after crews went on strike over pay. The union said the operator had refused to improve its offer, and the operator said it wanted talks."}`,
	`{"id":"","title":"Library extends opening hours","text":"The central library will open until 10pm on weekdays from next month, the council said."}`,
}

func TestClusterCommand(t *testing.T) {
	t.Parallel()
	in := strings.Join(storyLines, "\n") + "\n"
	stdout, _, err := execCLI(t, strings.NewReader(in), "cluster")
	if err != nil {
		t.Fatal(err)
	}
	var got []struct{ ID, Story string }
	dec := json.NewDecoder(strings.NewReader(stdout))
	for dec.More() {
		var r struct{ ID, Story string }
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("output is not JSON Lines: %v\n%s", err, stdout)
		}
		got = append(got, r)
	}
	if len(got) != len(storyLines) {
		t.Fatalf("%d lines out for %d in:\n%s", len(got), len(storyLines), stdout)
	}
	wantIDs := []string{"quake-1", "quake-2", "ferry-1", "ferry-2", ""}
	for i, r := range got {
		if r.ID != wantIDs[i] {
			t.Errorf("line %d: id %q, want %q (order kept)", i+1, r.ID, wantIDs[i])
		}
		if r.Story == "" {
			t.Errorf("line %d: no story label", i+1)
		}
	}
	if got[0].Story != got[1].Story || got[2].Story != got[3].Story {
		t.Errorf("same-story articles apart: %v", got)
	}
	if got[0].Story == got[2].Story || got[4].Story == got[0].Story || got[4].Story == got[2].Story {
		t.Errorf("different stories merged: %v", got)
	}
}

func TestClusterCommandBadInput(t *testing.T) {
	t.Parallel()
	in := storyLines[0] + "\n" + `{"id": "broken"` + "\n"
	stdout, _, err := execCLI(t, strings.NewReader(in), "cluster")
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v, want one naming line 2", err)
	}
	if stdout != "" {
		t.Errorf("wrote output despite the error:\n%s", stdout)
	}
}

func TestEvalStoriesCommand(t *testing.T) {
	t.Parallel()
	var lines []string
	for _, l := range storyLines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		id, _ := m["id"].(string)
		story, _, _ := strings.Cut(id, "-")
		if story == "" {
			story = "library"
		}
		m["story"] = story
		b, _ := json.Marshal(m)
		lines = append(lines, string(b))
	}
	path := filepath.Join(t.TempDir(), "stories.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := execCLI(t, nil, "eval", "stories", "--data", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"5 articles, 3 stories", "newsbot", "baseline TF-IDF single link", "half A", "half B"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	// The three stories are easy: ours groups them perfectly.
	perfect := false
	for _, line := range strings.Split(stdout, "\n") {
		f := strings.Fields(line)
		if len(f) > 6 && f[0] == "newsbot" && strings.Join(f[len(f)-6:], " ") == "all 100.0 100.0 100.0 100.0 100.0" {
			perfect = true
		}
	}
	if !perfect {
		t.Errorf("expected a perfect score on the easy set:\n%s", stdout)
	}
	if !strings.Contains(stderr, "grouping 5 articles") {
		t.Errorf("no progress on stderr: %q", stderr)
	}
}

func TestEvalStoriesCommandErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "no data flag", args: []string{"eval", "stories"}, want: "--data FILE is required"},
		{name: "missing file", args: []string{"eval", "stories", "--data", filepath.Join(t.TempDir(), "nope.jsonl")}, want: "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := execCLI(t, nil, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestBriefCommand(t *testing.T) {
	t.Parallel()
	fixture := filepath.Join("..", "..", "samples", "articles", "g20-trump-putin.txt")
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{
			name: "the G20 fixture",
			args: []string{"brief", "--articles", fixture, "--at", "2017-05-03T10:05:00Z", "g20"},
			want: []string{"g20: 1 story (3 May 2017 10:05 UTC)", "1. Trump and Putin plan face-to-face meeting at G20 in Germany", "Donald Trump and Vladimir Putin have agreed", "Source: articles"},
		},
		{
			name: "samples as Markdown",
			args: []string{"brief", "--articles", filepath.Join("..", "..", "samples", "articles"), "--markdown", "--stories", "1", "madrid"},
			want: []string{"## madrid: 2 stories", "### [", "*+1 more story*"},
		},
		{name: "bad query", args: []string{"brief", "--articles", fixture, `"g20`}, wantErr: "unbalanced quote"},
		{name: "no such folder", args: []string{"brief", "--articles", filepath.Join(t.TempDir(), "none"), "g20"}, wantErr: "no such file"},
		{name: "bad time", args: []string{"brief", "--articles", fixture, "--at", "yesterday", "g20"}, wantErr: "--at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stdout, _, err := execCLI(t, nil, tc.args...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, stdout)
				}
			}
		})
	}
}

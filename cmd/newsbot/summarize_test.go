package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// runSummaryCmd runs newsbot with args and stdin, returning stdout, stderr
// and the error.
func runSummaryCmd(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCmd(strings.NewReader(stdin), &out, &errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestSummarizeCommand(t *testing.T) {
	t.Parallel()
	in := `{"id":"a","title":"Acme cuts forecast","text":"Shares in Acme fell 10% on Monday after the company cut its forecast. The firm blamed weak demand in Europe. Analysts had expected a smaller cut in the forecast."}
{"id":"b","title":"Empty","text":""}

{"id":"c","title":"Short","text":"Breaking news"}
`
	tests := []struct {
		name string
		args []string
		want map[string][]string
	}{
		{"default three sentences", []string{"summarize"}, map[string][]string{
			"a": {"Shares in Acme fell 10% on Monday after the company cut its forecast.",
				"The firm blamed weak demand in Europe.",
				"Analysts had expected a smaller cut in the forecast."},
			"b": {}, "c": {},
		}},
		{"one sentence", []string{"summarize", "--sentences", "1"}, map[string][]string{
			"a": {"Shares in Acme fell 10% on Monday after the company cut its forecast."}, "b": {}, "c": {},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, _, err := runSummaryCmd(t, in, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			var ids []string
			for _, l := range lines {
				var r struct {
					ID      string    `json:"id"`
					Summary *[]string `json:"summary"`
				}
				if err := json.Unmarshal([]byte(l), &r); err != nil {
					t.Fatalf("output line %q: %v", l, err)
				}
				if r.Summary == nil {
					t.Fatalf("output line %q has no summary array", l)
				}
				ids = append(ids, r.ID)
				if got, want := *r.Summary, tc.want[r.ID]; strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("summary of %s = %q, want %q", r.ID, got, want)
				}
			}
			if strings.Join(ids, ",") != "a,b,c" {
				t.Errorf("output ids %v, want a,b,c in input order", ids)
			}
		})
	}
}

func TestSummarizeCommandErrors(t *testing.T) {
	t.Parallel()
	out, _, err := runSummaryCmd(t, "{\"id\":\"a\",\"text\":\"One two three four five.\"}\nnot json\n", "summarize")
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad line: error %v, want one naming line 2", err)
	}
	if !strings.Contains(out, `"id":"a"`) {
		t.Errorf("the line before the bad one was not written: %q", out)
	}
	if _, _, err := runSummaryCmd(t, "", "summarize", "--sentences", "0"); err == nil {
		t.Error("--sentences 0: no error")
	}
}

func TestEvalSummariesCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := dir + "/set.jsonl"
	lines := `{"id":"1","source":"bbc-news-summary","title":"Bridge","text":"It was a sunny day. The council approved the new bridge over the river. The bridge over the river opens in May.","summary":"The council approved the new bridge over the river."}
{"id":"2","source":"cnndm-cnn","title":"","text":"The council approved the new bridge over the river. It was a sunny day.","summary":"The council approved the new bridge over the river."}
`
	if err := os.WriteFile(data, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runSummaryCmd(t, "", "eval", "summaries", "--data", data, "--sentences", "1")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1 sentences, set.jsonl", "bbc", "cnndm", "all", "newsbot", "lead-1", "tfidf-centroid", "textrank"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "2/2 articles") {
		t.Errorf("no progress on stderr: %q", errOut)
	}

	out, _, err = runSummaryCmd(t, "", "eval", "summaries", "--data", data, "--part", "b", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Groups []struct {
			Group string `json:"group"`
			Items int    `json:"items"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if len(rep.Groups) != 1 || rep.Groups[0].Group != "cnndm" || rep.Groups[0].Items != 1 {
		t.Errorf("--part b groups %+v, want the second line only (cnndm)", rep.Groups)
	}

	for _, args := range [][]string{
		{"eval", "summaries"},
		{"eval", "summaries", "--data", dir + "/missing.jsonl"},
		{"eval", "summaries", "--data", data, "--part", "c"},
		{"eval", "summaries", "--data", data, "--sentences", "0"},
	} {
		if _, _, err := runSummaryCmd(t, "", args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

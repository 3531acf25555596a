package bot

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseCommand(t *testing.T) {
	t.Parallel()
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	tests := []struct {
		name string
		text string
		want Request
	}{
		{"empty asks for help", "", Request{Verb: VerbHelp}},
		{"slash prefix only", "/news", Request{Verb: VerbHelp}},
		{"bare query", "g20", Request{Verb: VerbBrief, Query: "g20"}},
		{"slash prefix tolerated", "/news g20", Request{Verb: VerbBrief, Query: "g20"}},
		{"phrase and exclusion", `"climate summit" -sport`, Request{Verb: VerbBrief, Query: `"climate summit" -sport`}},
		{"OR query", "tariffs OR sanctions", Request{Verb: VerbBrief, Query: "tariffs OR sanctions"}},
		{"brief a command word", "brief health care", Request{Verb: VerbBrief, Query: "health care"}},
		{"query keeps case", "G20 Summit", Request{Verb: VerbBrief, Query: "G20 Summit"}},
		{"help", "help", Request{Verb: VerbHelp}},
		{"help with subject", "help Subscribe", Request{Verb: VerbHelp, Subject: "subscribe"}},
		{"topics", "topics", Request{Verb: VerbTopics}},
		{"topics any case", "TOPICS", Request{Verb: VerbTopics}},
		{"topic add", `topic add G20 g20 OR "group of twenty" -football`,
			Request{Verb: VerbTopicAdd, Topic: "g20", Query: `g20 OR "group of twenty" -football`}},
		{"topic remove", "topic remove g20", Request{Verb: VerbTopicRemove, Topic: "g20"}},
		{"topic rm alias", "topic rm climate-talks", Request{Verb: VerbTopicRemove, Topic: "climate-talks"}},
		{"subscribe defaults", "subscribe g20", Request{Verb: VerbSubscribe, Topic: "g20"}},
		{"subscribe everything", "subscribe g20 at 07:30 tz Europe/Berlin weekdays max 5",
			Request{Verb: VerbSubscribe, Topic: "g20", At: "07:30", TimeZone: "Europe/Berlin", Days: weekdays, Max: 5}},
		{"subscribe options in any order, bare time and zone", "sub g20 max 3 fri,mon,wed 8:05 America/New_York",
			Request{Verb: VerbSubscribe, Topic: "g20", At: "08:05", TimeZone: "America/New_York",
				Days: []time.Weekday{time.Monday, time.Wednesday, time.Friday}, Max: 3}},
		{"subscribe daily", "subscribe g20 daily", Request{Verb: VerbSubscribe, Topic: "g20", Days: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}},
		{"subscribe weekends full names", "subscribe g20 saturday,sunday", Request{Verb: VerbSubscribe, Topic: "g20", Days: []time.Weekday{0, 6}}},
		{"subscribe zone with three parts", "subscribe g20 tz America/Argentina/Buenos_Aires",
			Request{Verb: VerbSubscribe, Topic: "g20", TimeZone: "America/Argentina/Buenos_Aires"}},
		{"unsubscribe", "unsubscribe g20", Request{Verb: VerbUnsubscribe, Topic: "g20"}},
		{"subscriptions", "subscriptions", Request{Verb: VerbSubscriptions}},
		{"sources", "sources", Request{Verb: VerbSources}},
		{"source add", "source add https://example.com/feed.xml", Request{Verb: VerbSourceAdd, URL: "https://example.com/feed.xml"}},
		{"source add slack link", "source add <https://example.com/feed.xml|example.com/feed.xml>",
			Request{Verb: VerbSourceAdd, URL: "https://example.com/feed.xml"}},
		{"source remove", "source remove http://example.com/rss", Request{Verb: VerbSourceRemove, URL: "http://example.com/rss"}},
		{"health", "health", Request{Verb: VerbHealth}},
		{"status alias", "status", Request{Verb: VerbHealth}},
		{"why", "why https://example.com/a?utm_source=x", Request{Verb: VerbWhy, URL: "https://example.com/a?utm_source=x"}},
		{"why discord link", "why <https://example.com/a>", Request{Verb: VerbWhy, URL: "https://example.com/a"}},
		{"preview", "preview G20", Request{Verb: VerbPreview, Topic: "g20"}},
		{"extra spaces", "  topic   add   g20    g20  summit ", Request{Verb: VerbTopicAdd, Topic: "g20", Query: "g20  summit"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCommand(tc.text)
			if err != nil {
				t.Fatalf("ParseCommand(%q): %v", tc.text, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseCommand(%q) mismatch (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

func TestParseCommandErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		// want is a fragment of the message the user sees.
		want string
		// usage is the usage line the message must include ("" for the
		// pointer to help).
		usage Verb
	}{
		{"unbalanced quote", `"climate summit`, "unbalanced quote", VerbBrief},
		{"only an exclusion", "-sport", "no words to look for", VerbBrief},
		{"dangling OR", "g20 OR", "OR needs a word", VerbBrief},
		{"brief without query", "brief", "needs a query", VerbBrief},
		{"topics with arguments", "topics g20", "takes no arguments", VerbTopics},
		{"topic without action", "topic", "add or remove", VerbTopicAdd},
		{"topic unknown action", "topic g20 g20", "use `topic add` or `topic remove`", VerbTopicAdd},
		{"topic add without query", "topic add g20", "needs a name and a query", VerbTopicAdd},
		{"topic add bad name", "topic add g!20 g20", "is not a topic name", VerbTopicAdd},
		{"topic add reserved name", "topic add health health care", "is a command word", VerbTopicAdd},
		{"topic add long name", "topic add " + strings.Repeat("a", 33) + " x", "at most 32", VerbTopicAdd},
		{"topic add bad query", `topic add g20 "g20`, "could not read the query", VerbTopicAdd},
		{"topic remove two names", "topic remove a b", "exactly one topic", VerbTopicRemove},
		{"subscribe without topic", "subscribe", "needs a topic", VerbSubscribe},
		{"subscribe bad time", "subscribe g20 at 25:00", "not a time of day", VerbSubscribe},
		{"subscribe at without time", "subscribe g20 at", "needs a time of day", VerbSubscribe},
		{"subscribe bad zone", "subscribe g20 tz ../etc/passwd", "not a time zone", VerbSubscribe},
		{"subscribe max zero", "subscribe g20 max 0", "from 1 to 20", VerbSubscribe},
		{"subscribe max too big", "subscribe g20 max 21", "from 1 to 20", VerbSubscribe},
		{"subscribe time twice", "subscribe g20 at 08:00 09:00", "given twice", VerbSubscribe},
		{"subscribe unknown word", "subscribe g20 hourly", "do not understand `hourly`", VerbSubscribe},
		{"subscribe bad day", "subscribe g20 mon,fun", "do not understand", VerbSubscribe},
		{"unsubscribe nothing", "unsubscribe", "exactly one topic", VerbUnsubscribe},
		{"source without action", "source https://x.example/feed", "add or remove", VerbSourceAdd},
		{"source add not http", "source add ftp://example.com/feed", "not a web address", VerbSourceAdd},
		{"source add no host", "source add https:///feed", "not a web address", VerbSourceAdd},
		{"source add two urls", "source add https://a.example https://b.example", "exactly one feed URL", VerbSourceAdd},
		{"why without url", "why", "exactly one article URL", VerbWhy},
		{"why not a url", "why g20", "not a web address", VerbWhy},
		{"help two words", "help me please", "at most one word", VerbHelp},
		{"too long", strings.Repeat("a ", 600), "the limit is 1000", ""},
		{"invalid utf-8", "g20 \xff", "not valid text", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCommand(tc.text)
			if err == nil {
				t.Fatalf("ParseCommand(%q) = %+v, want an error", tc.text, got)
			}
			if ErrorCode(err) != EINVALID {
				t.Errorf("code = %q, want %q", ErrorCode(err), EINVALID)
			}
			msg := ErrorMessage(err)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not contain %q", msg, tc.want)
			}
			wantUsage := "Type `/news help`"
			if tc.usage != "" {
				wantUsage = "Usage: " + Usage(tc.usage)
			}
			if !strings.Contains(msg, wantUsage) {
				t.Errorf("message %q does not contain the usage %q", msg, wantUsage)
			}
		})
	}
}

func TestRequestStringRoundTrips(t *testing.T) {
	t.Parallel()
	for _, text := range seedCommands(t) {
		r, err := ParseCommand(text)
		if err != nil {
			continue
		}
		again, err := ParseCommand(r.String())
		if err != nil {
			t.Errorf("ParseCommand(%q) -> %q does not parse: %v", text, r.String(), err)
			continue
		}
		if diff := cmp.Diff(r, again); diff != "" {
			t.Errorf("round trip of %q via %q (-first +second):\n%s", text, r.String(), diff)
		}
	}
}

func TestVerbAdmin(t *testing.T) {
	t.Parallel()
	admin := map[Verb]bool{VerbTopicAdd: true, VerbTopicRemove: true, VerbSubscribe: true, VerbUnsubscribe: true,
		VerbSourceAdd: true, VerbSourceRemove: true}
	for _, v := range helpOrder {
		if v.Admin() != admin[v] {
			t.Errorf("%s.Admin() = %v, want %v", v, v.Admin(), admin[v])
		}
	}
}

func TestFormatDays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		days []time.Weekday
		want string
	}{
		{nil, "daily"},
		{[]time.Weekday{0, 1, 2, 3, 4, 5, 6}, "daily"},
		{[]time.Weekday{5, 1, 2, 3, 4}, "weekdays"},
		{[]time.Weekday{6, 0}, "weekends"},
		{[]time.Weekday{5, 1, 3, 1}, "mon,wed,fri"},
	}
	for _, tc := range tests {
		if got := FormatDays(tc.days); got != tc.want {
			t.Errorf("FormatDays(%v) = %q, want %q", tc.days, got, tc.want)
		}
	}
}

func TestHelpText(t *testing.T) {
	t.Parallel()
	full := HelpText("")
	for _, v := range helpOrder {
		if !strings.Contains(full, Usage(v)) {
			t.Errorf("full help lacks the usage of %s", v)
		}
	}
	if got := HelpText("no-such-command"); got != full {
		t.Errorf("help for an unknown subject should be the full help")
	}
	topic := HelpText("topic")
	if !strings.Contains(topic, Usage(VerbTopicAdd)) || !strings.Contains(topic, Usage(VerbTopicRemove)) || strings.Contains(topic, Usage(VerbSubscribe)) {
		t.Errorf("help topic = %q, want exactly the topic commands", topic)
	}
	if got := HelpText("sub"); !strings.Contains(got, Usage(VerbSubscribe)) || strings.Contains(got, Usage(VerbSubscriptions)) {
		t.Errorf("help sub = %q, want subscribe only", got)
	}
}

func seedCommands(t testing.TB) []string {
	f, err := os.Open("testdata/commands.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// FuzzParseCommand checks properties of the parser on any input: it never
// panics; it either fails with an EINVALID *Error whose message is short,
// non-empty and points to the usage, or returns a request of a known verb
// that renders to text parsing back to the same request.
func FuzzParseCommand(f *testing.F) {
	for _, s := range seedCommands(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := ParseCommand(text)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("error code %q for %q", ErrorCode(err), text)
			}
			msg := ErrorMessage(err)
			if msg == "" || len(msg) > 2000 || !(strings.Contains(msg, "Usage: ") || strings.Contains(msg, "/news help")) {
				t.Fatalf("unhelpful message %q for %q", msg, text)
			}
			return
		}
		if _, ok := usage[r.Verb]; !ok {
			t.Fatalf("unknown verb %q for %q", r.Verb, text)
		}
		if r.Verb == VerbBrief && strings.TrimSpace(r.Query) == "" {
			t.Fatalf("empty query for %q", text)
		}
		again, err := ParseCommand(r.String())
		if err != nil {
			t.Fatalf("%q -> %q does not parse again: %v", text, r.String(), err)
		}
		if diff := cmp.Diff(r, again); diff != "" {
			t.Fatalf("%q -> %q changes on re-parse:\n%s", text, r.String(), diff)
		}
	})
}

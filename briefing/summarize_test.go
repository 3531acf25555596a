package briefing

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// g20 reads the bundled G20 article: its first line is the title, and its
// first paragraph repeats the title.
func g20(t testing.TB) Article {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "samples", "articles", "g20-trump-putin.txt"))
	if err != nil {
		t.Fatal(err)
	}
	title, text, _ := strings.Cut(string(raw), "\n")
	return Article{Title: title, Text: text}
}

// prose is an article in developed paragraphs (several sentences each)
// whose lead is a scene-setter and whose body keeps returning to the
// reservoir plan.
const prose = `It was a cold morning in the valley when the council met.

The council approved the new reservoir plan on Tuesday after a long debate. The reservoir plan will flood the lower valley and supply water to three towns. Farmers said the reservoir plan would take their best land. Engineers said the reservoir would be finished by 2030.

Councillors argued about the cost of the reservoir plan for hours. The reservoir plan costs £40m, paid by the three towns. Critics of the reservoir plan promised to appeal. The weather stayed cold all day.

Lunch was served at noon in the town hall. The coffee ran out early. Everyone went home at six.`

// blob is news copy without paragraph breaks: a lead, its follow-ups, a
// caption run into the text and web-page furniture.
const blob = `Shares in Acme fell 10% on Monday after the company cut its forecast for the year. ` +
	`The firm blamed weak demand in Europe and higher costs for steel. ` +
	`Scroll down for video Acme's chief executive Jane Doe at the launch in London. ` +
	`He said the company would cut 500 jobs by the end of the year. ` +
	`Analysts had expected a smaller cut in the forecast. ` +
	`Read more: Acme's results in full.`

func TestSummarizeN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a    Article
		n    int
		want []string
	}{
		{"no sentences wanted", Article{Text: blob}, 0, nil},
		{"empty text", Article{Text: " \n\n "}, 3, nil},
		{"only fragments", Article{Text: "Breaking news\n\nRead more: here.\n\nBy Jane Doe"}, 3, nil},
		{"news copy gives the lead, skipping furniture", Article{Title: "Acme cuts forecast", Text: blob}, 3, []string{
			"Shares in Acme fell 10% on Monday after the company cut its forecast for the year.",
			"The firm blamed weak demand in Europe and higher costs for steel.",
			"He said the company would cut 500 jobs by the end of the year.",
		}},
		{"a heading over one block is still news copy", Article{Text: "ACME RESULTS\n\n" + blob + " The firm has 20,000 staff in Europe and sells steel to the firm's rivals in Europe."}, 2, []string{
			"Shares in Acme fell 10% on Monday after the company cut its forecast for the year.",
			"The firm blamed weak demand in Europe and higher costs for steel.",
		}},
		{"one sentence", Article{Text: blob}, 1, []string{
			"Shares in Acme fell 10% on Monday after the company cut its forecast for the year.",
		}},
		{"web news skips the repeated title", g20(t), 2, []string{
			"Donald Trump and Vladimir Putin have agreed to try to meet up for face-to-face talks in Germany in the summer.",
			"The two leaders have spoken by telephone on subjects including how to best tackle terrorism and relations with North Korea.",
		}},
		{"a sentence repeated in the text is used once", Article{Text: "The mayor opened the new bridge on Friday morning. " +
			"Hundreds of people crossed it within the first hour. The mayor opened the new bridge on Friday morning."}, 3, []string{
			"The mayor opened the new bridge on Friday morning.",
			"Hundreds of people crossed it within the first hour.",
		}},
		{"a lead-in ending in a colon is not a sentence", Article{Text: "Leaders met in Berlin for two days of talks.\n\n" +
			"Sky's correspondent said:\n\n\"The talks went better than anyone expected.\""}, 3, []string{
			"Leaders met in Berlin for two days of talks.",
			"\"The talks went better than anyone expected.\"",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := New(Config{}).SummarizeN(tc.a, tc.n)
			if !slices.Equal(got, tc.want) {
				t.Errorf("SummarizeN(%d)\n got: %q\nwant: %q", tc.n, got, tc.want)
			}
			checkSummary(t, tc.a, got, tc.n, 1<<30)
		})
	}
}

func TestSummarizeProse(t *testing.T) {
	t.Parallel()
	// In developed prose the summary is made of central sentences: about
	// the reservoir plan, not the scene-setting lead or the asides.
	a := Article{Title: "Reservoir approved", Text: prose}
	for n := 1; n <= 3; n++ {
		got := New(Config{}).SummarizeN(a, n)
		if len(got) != n {
			t.Fatalf("SummarizeN(%d) = %q, want %d sentences", n, got, n)
		}
		for _, s := range got {
			if !strings.Contains(s, "reservoir") {
				t.Errorf("SummarizeN(%d) chose %q, which is not about the reservoir", n, s)
			}
		}
		checkSummary(t, a, got, n, 1<<30)
	}
}

// offTopicLead is developed prose whose lead states the headline in words
// the rest of the text hardly repeats: the body keeps returning to
// another player, so the lead is not central.
const offTopicLead = `Chelsea's Damien Duff has been ruled out of Wednesday's Champions League clash with Barcelona.

Manager Jose Mourinho said striker Didier Drogba would play against Barcelona. Drogba, the £24m striker, has missed three weeks through injury. Mourinho said Drogba trained well on Monday.

Drogba scored twice against Barcelona last season. Mourinho said Drogba and William Gallas would both play. Gallas has recovered from a hamstring injury.`

func TestSummarizeLead(t *testing.T) {
	t.Parallel()
	duff := Article{Title: "Duff ruled out of Barcelona clash", Text: offTopicLead}
	duffLead := "Chelsea's Damien Duff has been ruled out of Wednesday's Champions League clash with Barcelona."
	tests := []struct {
		name     string
		a        Article
		n        int
		wantLead bool
	}{
		// A briefing's one or two sentences open with a lead that says
		// what the headline says, central or not.
		{"one sentence: the lead states the headline", duff, 1, true},
		{"two sentences: the lead states the headline", duff, 2, true},
		// Three sentences are the measured path: the central core.
		{"three sentences: the central core", duff, 3, false},
		// Without a title the lead must be central to be taken.
		{"no title, lead not central", Article{Text: offTopicLead}, 2, false},
		// A scene-setting lead neither central nor about the headline is
		// left out even of a short summary.
		{"scene-setting lead", Article{Title: "Reservoir approved", Text: prose}, 1, false},
		{"scene-setting lead, two sentences", Article{Title: "Reservoir approved", Text: prose}, 2, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := New(Config{}).SummarizeN(tc.a, tc.n)
			if len(got) != tc.n {
				t.Fatalf("SummarizeN(%d) = %q, want %d sentences", tc.n, got, tc.n)
			}
			lead := Sentences(tc.a.Text)[0]
			if tc.a.Text == offTopicLead && lead != duffLead {
				t.Fatalf("first sentence %q, want %q", lead, duffLead)
			}
			if hasLead := got[0] == lead; hasLead != tc.wantLead {
				t.Errorf("SummarizeN(%d) = %q: opens with the lead %v, want %v", tc.n, got, hasLead, tc.wantLead)
			}
			checkSummary(t, tc.a, got, tc.n, 1<<30)
		})
	}
}

func TestSummarizeLeadBudget(t *testing.T) {
	t.Parallel()
	// A lead that does not fit the character budget is not forced in.
	a := Article{Title: "Duff ruled out of Barcelona clash", Text: offTopicLead}
	got := New(Config{}).Summarize(a, Budget{Sentences: 2, Chars: 80})
	if len(got) == 0 {
		t.Fatal("empty summary")
	}
	for _, s := range got {
		if strings.HasPrefix(s, "Chelsea's Damien Duff") && len(got) > 1 {
			t.Errorf("summary %q holds the 96-character lead with another sentence in 80 characters", got)
		}
	}
	checkSummary(t, a, got, 2, 80)
}

func TestStatesHeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		title, s string
		want     bool
	}{
		{"Duff ruled out of Barcelona clash", "Chelsea's Damien Duff has been ruled out of the clash with Barcelona.", true},
		{"Kenyan school turns to handhelds", "At the school students click away at a handheld computer.", true}, // plural folded
		{"Howard taunts Blair over splits", "Tony Blair's feud is damaging the UK, Michael Howard has claimed.", true},
		{"Cardinal criticises Iraq war cost", "Billions spent on Iraq should have reduced poverty, the Cardinal said.", true},
		{"Cardinal criticises Iraq war cost", "The weather in Iraq was mild on Friday.", false}, // one of five
		{"Worcester v Sale (Fri)", "They make just one change in the second row.", false},
		{"Robots learn rules", "Robots are learning the rules of behaviour.", true},
		{"Robots learn rules", "Robots are learning how to behave.", false}, // a third, but two words are needed ("learning" is not "learn")
		{"Sale", "The sale went ahead in December.", true},                  // a one-word title
		{"", "Anything at all.", false},
		{"The and of", "The and of.", false}, // no content words
	}
	for _, tc := range tests {
		t.Run(tc.title+"/"+tc.s, func(t *testing.T) {
			t.Parallel()
			if got := statesHeadline(tc.title, tc.s); got != tc.want {
				t.Errorf("statesHeadline(%q, %q) = %v, want %v", tc.title, tc.s, got, tc.want)
			}
		})
	}
}

func TestSummarizeNoDanglingOpener(t *testing.T) {
	t.Parallel()
	// The most central sentence opens with "He"; the summary must not
	// start with it while a sentence that introduces him is available.
	text := `The weather was mild across the region on Sunday.

Minister John Smith announced a new rail line for the north on Monday. He said the rail line would cut journeys to the north by an hour. Work on the rail line starts next year.

The rail line will cost £2bn, the ministry said. Business groups welcomed the rail line for the north.`
	got := New(Config{}).SummarizeN(Article{Text: text}, 1)
	if len(got) != 1 || strings.HasPrefix(got[0], "He ") {
		t.Errorf("one-sentence summary %q opens with a dangling reference", got)
	}
	got = New(Config{}).SummarizeN(Article{Text: text}, 3)
	if len(got) == 0 || opensWithDangling(got[0]) {
		t.Errorf("summary %q opens with a dangling reference", got)
	}
	checkSummary(t, Article{Text: text}, got, 3, 1<<30)
}

func TestSummarizeBudget(t *testing.T) {
	t.Parallel()
	a := Article{Title: "Acme cuts forecast", Text: blob}
	tests := []struct {
		name   string
		budget Budget
		want   []string
	}{
		{"default budget: two sentences", Budget{}, []string{
			"Shares in Acme fell 10% on Monday after the company cut its forecast for the year.",
			"The firm blamed weak demand in Europe and higher costs for steel.",
		}},
		{"sentences clamp to three", Budget{Sentences: 9, Chars: 10000}, []string{
			"Shares in Acme fell 10% on Monday after the company cut its forecast for the year.",
			"The firm blamed weak demand in Europe and higher costs for steel.",
			"He said the company would cut 500 jobs by the end of the year.",
		}},
		{"a sentence that does not fit is passed over", Budget{Sentences: 2, Chars: 140}, []string{
			"Shares in Acme fell 10% on Monday after the company cut its forecast for the year.",
			"Analysts had expected a smaller cut in the forecast.",
		}},
		{"nothing fits: the best sentence alone", Budget{Sentences: 3, Chars: 20}, []string{
			"Shares in Acme fell 10% on Monday after the company cut its forecast for the year.",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := New(Config{}).Summarize(a, tc.budget)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Summarize(%+v)\n got: %q\nwant: %q", tc.budget, got, tc.want)
			}
		})
	}
}

func TestIsFragment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		want bool
	}{
		{"The council approved the plan on Tuesday.", false},
		{`"We will appeal," the farmers said.`, false},
		{"Is this the end of the road?", false},
		{"Trump and Putin plan face-to-face meeting at G20", true}, // no final punctuation
		{"Sky's US Correspondent Amanda Walker said:", true},
		{"It rained.", true}, // too short
		{"Read more: the full results are on our site.", true},
		{"READ MORE: the full results are on our site.", true},
		{"By Jane Doe, Political Editor.", true},
		{"By the end of the year the plan will be complete.", false},
		{"Scroll down for video The caption runs on into the text here.", true},
		{"Photo: Jane Doe for the Daily Bugle, London.", true},
	}
	for _, tc := range tests {
		t.Run(tc.s, func(t *testing.T) {
			t.Parallel()
			if got := isFragment(tc.s, len(Tokens(tc.s))); got != tc.want {
				t.Errorf("isFragment(%q) = %v, want %v", tc.s, got, tc.want)
			}
		})
	}
}

func TestFoldPlural(t *testing.T) {
	t.Parallel()
	for w, want := range map[string]string{
		"talks": "talk", "leaders": "leader", "policies": "policy", "boxes": "boxe", "news": "new",
		"bus": "bus", "glass": "glass", "shoes": "shoe", "series": "sery", "us": "us", "talk": "talk",
	} {
		if got := foldPlural(w); got != want {
			t.Errorf("foldPlural(%q) = %q, want %q", w, got, want)
		}
	}
}

// opensWithDangling reports whether s opens as analyze defines a dangling
// opener.
func opensWithDangling(s string) bool {
	d := analyze("", s)
	return len(d.cands) > 0 && d.cands[0].dangling
}

// checkSummary fails t unless got is a valid summary of a: at most n
// sentences of the text, verbatim, in text order, without duplicates or
// fragments, none repeating the title, within maxChars unless alone.
func checkSummary(t *testing.T, a Article, got []string, n, maxChars int) {
	t.Helper()
	if len(got) > max(n, 0) {
		t.Errorf("%d sentences, want at most %d", len(got), n)
	}
	sents := Sentences(a.Text)
	last, chars := -1, 0
	for _, s := range got {
		i := slices.Index(sents[last+1:], s)
		if i < 0 {
			t.Errorf("%q is not a sentence of the text after the previous one", s)
			continue
		}
		last += i + 1
		chars += utf8.RuneCountInString(s)
		if isFragment(s, len(Tokens(s))) {
			t.Errorf("%q is a fragment", s)
		}
		if a.Title != "" && normSentence(s) == normSentence(a.Title) {
			t.Errorf("%q repeats the title", s)
		}
	}
	if len(got) > 1 && chars > maxChars {
		t.Errorf("%d characters, budget %d", chars, maxChars)
	}
}

func FuzzSummarize(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "sentences", "*.txt"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add("", string(b), 3, 600)
	}
	f.Add("Acme cuts forecast", blob, 3, 600)
	f.Add("Reservoir approved", prose, 2, 200)
	f.Add(g20(f).Title, g20(f).Text, 3, 10000)
	f.Add("", "He said so. But they did not. It was late.\n\nShe left.", 1, 5)
	f.Fuzz(func(t *testing.T, title, text string, n, chars int) {
		n = n%5 + 1
		if n < 1 {
			n += 5
		}
		chars = max(chars%2000, 1)
		a := Article{Title: title, Text: text}
		got := summarize(title, text, n, chars)
		checkSummary(t, a, got, n, chars)
	})
}

func BenchmarkSummarize(b *testing.B) {
	a := g20(b)
	e := New(Config{})
	b.ReportAllocs()
	b.SetBytes(int64(len(a.Text)))
	for b.Loop() {
		e.SummarizeN(a, 3)
	}
}

func BenchmarkSummarizeProse(b *testing.B) {
	a := Article{Title: "Reservoir approved", Text: strings.Repeat(prose+"\n\n", 3)}
	e := New(Config{})
	b.ReportAllocs()
	b.SetBytes(int64(len(a.Text)))
	for b.Loop() {
		e.SummarizeN(a, 3)
	}
}

func BenchmarkSummarizeBriefing(b *testing.B) {
	// The briefing's default budget (two sentences, 600 characters) on
	// developed prose whose lead states the headline.
	a := Article{Title: "Duff ruled out of Barcelona clash", Text: strings.Repeat(offTopicLead+"\n\n", 3)}
	e := New(Config{})
	b.ReportAllocs()
	b.SetBytes(int64(len(a.Text)))
	for b.Loop() {
		e.Summarize(a, Budget{})
	}
}

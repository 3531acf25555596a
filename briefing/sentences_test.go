package briefing

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSentences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"empty", "", nil},
		{"blank", " \n\n \t ", nil},
		{"one without period", "Breaking news", []string{"Breaking news"}},
		{"simple", "One fish. Two fish! Red fish? Blue fish.",
			[]string{"One fish.", "Two fish!", "Red fish?", "Blue fish."}},
		{"titles", "Mr. Smith met Dr. Jones at St. Paul's. Gen. Lee was late.",
			[]string{"Mr. Smith met Dr. Jones at St. Paul's.", "Gen. Lee was late."}},
		{"initials", "George W. Bush met J. K. Rowling. They talked.",
			[]string{"George W. Bush met J. K. Rowling.", "They talked."}},
		{"dotted abbreviation mid-sentence", "The U.S. President spoke at 9 a.m. Eastern time.",
			[]string{"The U.S. President spoke at 9 a.m. Eastern time."}},
		{"dotted abbreviation ends sentence", "Sanctions hit the U.S. The talks failed at 9 a.m. He left.",
			[]string{"Sanctions hit the U.S.", "The talks failed at 9 a.m.", "He left."}},
		{"company abbreviation", "He joined Acme Inc. The firm grew. Shares of Acme Inc. Europe fell.",
			[]string{"He joined Acme Inc.", "The firm grew.", "Shares of Acme Inc. Europe fell."}},
		{"number abbreviation", "He lives at No. 10 Downing Street. It is old.",
			[]string{"He lives at No. 10 Downing Street.", "It is old."}},
		{"versus", "Chelsea v. Arsenal ended 2-1. Fans cheered.",
			[]string{"Chelsea v. Arsenal ended 2-1.", "Fans cheered."}},
		{"decimals and money", "Profits rose 2.5% to $1.13bn. Sales were 3.4m units.",
			[]string{"Profits rose 2.5% to $1.13bn.", "Sales were 3.4m units."}},
		{"sentence ends inside quotes", `He said: "We will win." Then he left. "Never," she said.`,
			[]string{`He said: "We will win."`, "Then he left.", `"Never," she said.`}},
		{"curly quotes", "“It is over.” The crowd left. ‘Why?’ she asked.",
			[]string{"“It is over.”", "The crowd left.", "‘Why?’ she asked."}},
		{"question inside quote continues", `"Why?" he asked. Nobody knew.`,
			[]string{`"Why?" he asked.`, "Nobody knew."}},
		{"ellipsis", "He waited... Then he left. It was… unusual… And sad.",
			[]string{"He waited...", "Then he left.", "It was… unusual…", "And sad."}},
		{"ellipsis lower case continues", "Well... maybe not.", []string{"Well... maybe not."}},
		{"brackets", "He resigned (under pressure.) The board met.",
			[]string{"He resigned (under pressure.)", "The board met."}},
		{"glued sentences", "around the plate.School meals are better.",
			[]string{"around the plate.", "School meals are better."}},
		{"glued after a number", "until 2019.Short-format specialist Buttler scored. Version 2.5 works.",
			[]string{"until 2019.", "Short-format specialist Buttler scored.", "Version 2.5 works."}},
		{"no split before lower case", "The e.g. case and the etc. case stay together.",
			[]string{"The e.g. case and the etc. case stay together."}},
		{"headline paragraph", "Trump and Putin to meet\n\nThe two leaders spoke. They agreed.",
			[]string{"Trump and Putin to meet", "The two leaders spoke.", "They agreed."}},
		{"one line per paragraph", strings.Repeat("x", 0) + "A headline\nThe first paragraph is a long line that goes on and on well past the width of any hard wrapped text file. It has two sentences.\nSecond paragraph",
			[]string{"A headline", "The first paragraph is a long line that goes on and on well past the width of any hard wrapped text file.", "It has two sentences.", "Second paragraph"}},
		{"hard-wrapped prose", "Donald Trump and Vladimir Putin have agreed to meet for talks in\nGermany in the summer, the White House said on Tuesday after the\ncall. It was the first.",
			[]string{"Donald Trump and Vladimir Putin have agreed to meet for talks in Germany in the summer, the White House said on Tuesday after the call.", "It was the first."}},
		{"hard-wrapped with headline", "Leaders meet\nDonald Trump and Vladimir Putin have agreed to meet for talks in\nGermany in the summer.",
			[]string{"Leaders meet", "Donald Trump and Vladimir Putin have agreed to meet for talks in Germany in the summer."}},
		{"windows line ends", "First line.\r\n\r\nSecond line.", []string{"First line.", "Second line."}},
		{"white space collapsed", "A  lot\tof   space.   Here.", []string{"A lot of space.", "Here."}},
		{"digit starts sentence", "It ended in 2005. 2006 was better.", []string{"It ended in 2005.", "2006 was better."}},
		{"currency starts sentence", "It was sold. £5m was paid.", []string{"It was sold.", "£5m was paid."}},
		{"dateline", "(CNN)Blues legend B.B. King was hospitalized. He is fine.",
			[]string{"(CNN)Blues legend B.B. King was hospitalized.", "He is fine."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Sentences(tc.text)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Sentences(%q)\n got: %q\nwant: %q", tc.text, got, tc.want)
			}
			checkLossless(t, tc.text, got)
		})
	}
}

func TestSentencesParagraphs(t *testing.T) {
	t.Parallel()
	text := "Headline here\n\nFirst para one. First para two.\n\nSecond para."
	var got []sentence
	splitSentences(text, func(s sentence) { got = append(got, s) })
	want := []sentence{
		{text: "Headline here", para: 0, inPara: 0},
		{text: "First para one.", para: 1, inPara: 0},
		{text: "First para two.", para: 1, inPara: 1},
		{text: "Second para.", para: 2, inPara: 0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("splitSentences\n got: %+v\nwant: %+v", got, want)
	}
}

// checkLossless fails t unless the sentences hold exactly the non-space
// characters of text, in order, and none is empty or padded.
func checkLossless(t *testing.T, text string, got []string) {
	t.Helper()
	if want, joined := strings.Join(strings.Fields(text), ""), strings.Join(strings.Fields(strings.Join(got, " ")), ""); want != joined {
		t.Errorf("sentences lose or invent text:\n text: %q\n sentences: %q", text, got)
	}
	for _, s := range got {
		if s == "" || strings.TrimSpace(s) != s {
			t.Errorf("sentence %q is empty or padded", s)
		}
	}
}

func FuzzSentences(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "sentences", "*.txt"))
	if err != nil {
		f.Fatal(err)
	}
	samples, err := filepath.Glob(filepath.Join("..", "samples", "articles", "*.txt"))
	if err != nil {
		f.Fatal(err)
	}
	seeds = append(seeds, samples...)
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("Mr. A. B. Smith... said \"Hi.\" Then U.S. a.m. 2.5.Next\r\n\r\nX")
	f.Fuzz(func(t *testing.T, text string) {
		got := Sentences(text)
		if len(got) > utf8.RuneCountInString(text) {
			t.Fatalf("%d sentences from %d characters", len(got), utf8.RuneCountInString(text))
		}
		checkLossless(t, text, got)
	})
}

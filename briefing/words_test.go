package briefing

import (
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

// scannedWords returns the words the scanner finds in text.
func scannedWords(text string) []string {
	var s wordScanner
	var out []string
	s.scan(text, 0, func(w []byte, _, _ bool) { out = append(out, string(w)) })
	return out
}

var scannerSeeds = []string{
	"Trump and Putin plan face-to-face meeting at G20 in Germany",
	"Putin's G-20 plans: 2.5% growth, 1,000 jobs; U.S. rock'n'roll -- e.g. 'quoted' “curly” ‘single’",
	"Café naïve ÜBERRASCHUNG İstanbul ΣΊΣΥΦΟΣ straße ﬁnance",
	"trailing- -leading a--b x''y Peter’s 's 's's ’s",
	"numbers 3.14. 1,2,3 3-2 12:30 v1.2.3",
	"",
	"   \n\n\t ",
}

func TestWordScannerAgreesWithTokens(t *testing.T) {
	t.Parallel()
	texts := slices.Clone(scannerSeeds)
	entries, err := os.ReadDir("../samples/articles")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile("../samples/articles/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	for _, text := range texts {
		if got, want := scannedWords(text), Tokens(text); !slices.Equal(got, want) && (len(got) > 0 || len(want) > 0) {
			t.Errorf("scanner and Tokens differ on %.40q:\n got %q\nwant %q", text, got, want)
		}
	}
}

func TestWordScannerNames(t *testing.T) {
	t.Parallel()
	var names, digits []string
	var s wordScanner
	s.scan("The G20 met in Hamburg. Leaders from Asia came: Officials said 2017 was calm.", 0, func(w []byte, digit, name bool) {
		if name {
			names = append(names, string(w))
		}
		if digit {
			digits = append(digits, string(w))
		}
	})
	if want := []string{"g20", "hamburg", "asia"}; !slices.Equal(names, want) {
		t.Errorf("names %q, want %q (sentence starts are not names)", names, want)
	}
	if want := []string{"g20", "2017"}; !slices.Equal(digits, want) {
		t.Errorf("words with digits %q, want %q", digits, want)
	}
}

// FuzzWordScanner checks that the allocation-free scanner splits any text
// into exactly the words Tokens returns, and honours its word limit.
func FuzzWordScanner(f *testing.F) {
	for _, s := range scannerSeeds {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, text string, max int) {
		want := Tokens(text)
		if got := scannedWords(text); !slices.Equal(got, want) && (len(got) > 0 || len(want) > 0) {
			t.Fatalf("scanner %q, Tokens %q", got, want)
		}
		var s wordScanner
		n := 0
		s.scan(text, max, func([]byte, bool, bool) { n++ })
		if max > 0 && n > max {
			t.Fatalf("%d words with a limit of %d", n, max)
		}
	})
}

// Brief's matcher stems only words that start with a query stem less its
// last two letters. That holds for Porter2, which strips and rewrites
// suffixes only; this test catches a stemmer that does otherwise.
func TestStemKeepsPrefix(t *testing.T) {
	t.Parallel()
	words := strings.Fields(`dying lying tying skies skis sky news gently ugly early only singly
		generously possibility organization relational effectiveness happiness countries
		conditional valency hopefully knightly summarise summits running ran ponies caresses
		controlling agreed feed bled sing plastered motoring troubled sized hopping tanned
		falling hissing fizzed failing filing universities argued argues argument`)
	words = append(words, Tokens(strings.Join(scannerSeeds, " "))...)
	for _, w := range words {
		if s := Stem(w); !strings.HasPrefix(w, stemPrefix(s)) {
			t.Errorf("%q stems to %q, but does not start with %q", w, s, stemPrefix(s))
		}
	}
}

// The matcher Brief uses agrees with Query.Match on a Doc, on every sample
// article and a range of queries.
func TestQueryMatcherAgreesWithMatch(t *testing.T) {
	t.Parallel()
	var arts []Article
	entries, err := os.ReadDir("../samples/articles")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile("../samples/articles/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		// Each line of the JSON file is matched as raw text: it contains
		// the title and text words, quotes and escapes included.
		for _, line := range strings.Split(string(b), "\n") {
			arts = append(arts, Article{Title: line[:min(len(line), 80)], Text: line})
		}
	}
	queries := []string{"g20", "putin", "summits", `"climate summit"`, "madrid -sport", "hackers OR coal",
		`"reserve bank" rates`, "tuesday -tixly", `"the who"`, `"the"`, "countries OR economies", "g20 -said", "café", "dying"}
	cache := newStemCache()
	for _, qs := range queries {
		q, err := ParseQuery(qs)
		if err != nil {
			t.Fatalf("%q: %v", qs, err)
		}
		m := newQueryMatcher(q, cache)
		matches := 0
		for _, a := range arts {
			wantScore, wantOK := q.Match(NewDoc(a))
			gotScore, gotOK := m.match(a)
			if gotOK != wantOK || math.Abs(gotScore-wantScore) > 1e-12 {
				t.Errorf("%q on %.50q: matcher %v %v, Match %v %v", qs, a.Title, gotScore, gotOK, wantScore, wantOK)
			}
			if gotOK {
				matches++
			}
		}
		if qs == "g20" && matches == 0 {
			t.Errorf("%q matched no sample", qs)
		}
	}
}

package briefing

import (
	"slices"
	"testing"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"empty", "", nil},
		{"punctuation only", "-- ... !?", nil},
		{"lowercases", "The G20 Summit", []string{"the", "g20", "summit"}},
		{"possessive", "Putin's and Trump’s talks", []string{"putin", "and", "trump", "talks"}},
		{"contraction kept", "don't can’t", []string{"don't", "can’t"}},
		{"hyphenated", "face-to-face talks", []string{"face-to-face", "talks"}},
		{"dash between words splits", "talks -- again", []string{"talks", "again"}},
		{"numbers", "rose 2.5% to 1,000.", []string{"rose", "2.5", "to", "1,000"}},
		{"trailing period not joined", "in 2005.", []string{"in", "2005"}},
		{"non-ASCII letters", "Zürich café", []string{"zürich", "café"}},
		{"quotes", `"Very good," he said.`, []string{"very", "good", "he", "said"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Tokens(tc.text); !slices.Equal(got, tc.want) {
				t.Errorf("Tokens(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestStem(t *testing.T) {
	t.Parallel()
	tests := []struct{ word, want string }{
		{"summits", "summit"},
		{"running", "run"},
		{"elections", "elect"},
		{"presidential", "presidenti"},
		{"zürich", "zürich"}, // non-ASCII words are left alone
	}
	for _, tc := range tests {
		t.Run(tc.word, func(t *testing.T) {
			t.Parallel()
			if got := Stem(tc.word); got != tc.want {
				t.Errorf("Stem(%q) = %q, want %q", tc.word, got, tc.want)
			}
		})
	}
}

func TestTerms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"stop words dropped", "He said that the summits were held", []string{"summit", "held"}},
		{"only stop words", "It was the one that they said", nil},
		{"curly apostrophe stop word", "They’re meeting", []string{"meet"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Terms(tc.text); !slices.Equal(got, tc.want) {
				t.Errorf("Terms(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestIsStopWord(t *testing.T) {
	t.Parallel()
	for _, w := range []string{"the", "said", "they're", "they’re"} {
		if !IsStopWord(w) {
			t.Errorf("IsStopWord(%q) = false, want true", w)
		}
	}
	for _, w := range []string{"summit", "putin", "The"} {
		if IsStopWord(w) {
			t.Errorf("IsStopWord(%q) = true, want false", w)
		}
	}
}

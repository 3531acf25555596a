package stems

import (
	"slices"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/briefing"
)

func TestStemCache(t *testing.T) {
	t.Parallel()
	c := NewCache(3) // tiny: exercises the reset
	words := strings.Fields("summits summit talks running ran g-20 café summits talks über 東京 running")
	for range 3 {
		got := slices.Clone(words)
		c.StemAll(got)
		for i, w := range words {
			if want := briefing.Stem(w); got[i] != want {
				t.Errorf("cached stem of %q = %q, want %q", w, got[i], want)
			}
		}
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"", "The G-20's 2.5% growth, 1,000 people; O'Neill's rock-'n'-roll -x- a--b 3.-4 it's'",
		"UPPER lower MiXeD don't 'quoted' -lead trail- 1.2.3 a,b 4,5",
		"Café über", "x's's", "'s", "s'", "a'b'c",
	} {
		if got, want := Tokens(text), briefing.Tokens(text); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("tokens(%q) = %q, want briefing.Tokens' %q", text, got, want)
		}
	}
}

// FuzzTokens checks that the fast tokenizer agrees with the engine's.
func FuzzTokens(f *testing.F) {
	for _, s := range []string{
		"G20 leaders meet in Rio; the climate summit opens",
		"The G-20 forecast 2.5 percent growth: O'Neill's view",
		`AND OR NOT NEAR "quoted" col:umn * ^ {title} '); DROP TABLE articles; --`,
		"Café culture in Zürich and 東京, naïve über alles",
	} {
		f.Add(s)
	}
	f.Add("O'Neill's 2.5-3,000 x-'y")
	f.Fuzz(func(t *testing.T, text string) {
		// Most random input is not ASCII and takes the fallback; fold a
		// copy to ASCII so that the fast path is exercised too.
		ascii := []byte(text)
		for i := range ascii {
			ascii[i] &= 0x7f
		}
		for _, in := range []string{text, string(ascii)} {
			got, want := Tokens(in), briefing.Tokens(in)
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("tokens(%q) = %q, want %q", in, got, want)
			}
		}
	})
}

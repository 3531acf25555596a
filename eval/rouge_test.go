package eval

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func readLines(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "rouge", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

// near reports whether got rounds to want at five decimals, the precision
// ROUGE-1.5.5 prints.
func near(got, want float64) bool { return math.Abs(got-want) < 0.5e-5+1e-12 }

func checkScore(t *testing.T, what string, got, want Score) {
	t.Helper()
	if !near(got.Precision, want.Precision) || !near(got.Recall, want.Recall) || !near(got.F1, want.F1) {
		t.Errorf("%s = P %.5f R %.5f F %.5f, want P %.5f R %.5f F %.5f", what,
			got.Precision, got.Recall, got.F1, want.Precision, want.Recall, want.F1)
	}
}

// TestAgainstROUGE155 checks the scores ROUGE-1.5.5 gives for the
// google-research rouge_score test inputs (see testdata/rouge/README.md).
// The expected values are the ones rouge/rouge_scorer_test.py asserts,
// taken there from manual runs of ROUGE-1.5.5.
func TestAgainstROUGE155(t *testing.T) {
	t.Parallel()
	targets, predictions := readLines(t, "target.txt"), readLines(t, "prediction.txt")
	tests := []struct {
		name string
		item int
		stem bool
		n    int // 1 or 2 for ROUGE-N, 0 for ROUGE-L (one sentence each side)
		want Score
	}{
		{"rouge1 item 0", 0, false, 1, Score{0.68750, 0.40741, 0.51163}},
		{"rouge1 item 1", 1, false, 1, Score{0.65385, 0.40476, 0.50000}},
		{"rouge1 stemmed item 0", 0, true, 1, Score{0.68750, 0.40741, 0.51163}},
		{"rouge1 stemmed item 1", 1, true, 1, Score{0.69231, 0.42857, 0.52941}},
		{"rouge2 item 0", 0, false, 2, Score{0.53333, 0.30769, 0.39024}},
		{"rouge2 item 1", 1, false, 2, Score{0.48000, 0.29268, 0.36364}},
		{"rouge2 stemmed item 0", 0, true, 2, Score{0.53333, 0.30769, 0.39024}},
		{"rouge2 stemmed item 1", 1, true, 2, Score{0.48000, 0.29268, 0.36364}},
		{"rougeL item 0", 0, false, 0, Score{0.68750, 0.40741, 0.51163}},
		{"rougeL item 1", 1, false, 0, Score{0.65385, 0.40476, 0.50000}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ref, cand := Tokenize(targets[tc.item], tc.stem), Tokenize(predictions[tc.item], tc.stem)
			var got Score
			if tc.n == 0 {
				got = RougeLsum([][]string{ref}, [][]string{cand})
			} else {
				got = RougeN(ref, cand, tc.n)
			}
			checkScore(t, tc.name, got, tc.want)
		})
	}
	t.Run("rougeLsum stemmed multi-sentence", func(t *testing.T) {
		t.Parallel()
		var s Scorer
		got := s.Score(readLines(t, "target_multi.0.txt"), readLines(t, "prediction_multi.0.txt"))
		checkScore(t, "rougeLsum", got.RougeLsum, Score{0.66667, 0.36538, 0.47205})
	})
}

func TestRougeHandComputed(t *testing.T) {
	t.Parallel()
	tok := func(s string) []string { return Tokenize(s, false) }
	sents := func(lines ...string) [][]string {
		var out [][]string
		for _, l := range lines {
			out = append(out, tok(l))
		}
		return out
	}
	tests := []struct {
		name string
		got  Score
		want Score
	}{
		{"rouge1 partial", RougeN(tok("testing"), tok("testing one two"), 1), Score{1.0 / 3, 1, 0.5}},
		{"rouge2", RougeN(tok("testing one"), tok("testing one two"), 2), Score{0.5, 1, 2.0 / 3}},
		{"rouge2 counts clipped", RougeN(tok("a b a b"), tok("a b a b a b"), 2), Score{3.0 / 5, 1, 0.75}},
		{"rouge1 empty candidate", RougeN(tok("testing one two"), nil, 1), Score{}},
		{"rouge2 one-word sides", RougeN(tok("a"), tok("a"), 2), Score{}},
		{"rougeN bad n", RougeN(tok("a b"), tok("a b"), 0), Score{}},
		// The union-LCS example of Lin (2004), section 3.2, as rouge_score tests it.
		{"rougeLsum union", RougeLsum(sents("w1 w2 w3 w4 w5"), sents("w1 w2 w6 w7 w8", "w1 w3 w8 w9 w5")), Score{0.4, 0.8, 0.4 * 0.8 * 2 / 1.2}},
		{"rougeLsum empty candidate", RougeLsum(sents("w1 w2"), nil), Score{}},
		{"rougeLsum punctuation candidate", RougeLsum(sents("w1 w2"), sents("/")), Score{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkScore(t, tc.name, tc.got, tc.want)
		})
	}
}

func TestTokenize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		stem bool
		want []string
	}{
		{"lowercase alphanumeric", "The U.S. G20-summit, 2.5%!", false, []string{"the", "u", "s", "g20", "summit", "2", "5"}},
		{"non-ASCII separates", "Zürich’s café", false, []string{"z", "rich", "s", "caf"}},
		{"stems only long tokens", "The cats were running dogs", true, []string{"the", "cat", "were", "run", "dog"}},
		{"short tokens untouched", "ties", true, []string{"ti"}},
		{"three letters untouched", "ies was", true, []string{"ies", "was"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Tokenize(tc.text, tc.stem); !slices.Equal(got, tc.want) {
				t.Errorf("Tokenize(%q, %v) = %q, want %q", tc.text, tc.stem, got, tc.want)
			}
		})
	}
}

func TestScorerMatchesTokenize(t *testing.T) {
	t.Parallel()
	var s Scorer
	text := "Generously, the agreements were happily ratified by relational databases."
	for range 2 { // the second pass reads the cache
		if got, want := s.Tokenize(text), Tokenize(text, true); !slices.Equal(got, want) {
			t.Fatalf("Scorer.Tokenize = %q, want %q", got, want)
		}
	}
}

package briefing

import (
	"os"
	"testing"
)

func BenchmarkSummarize(b *testing.B) {
	raw, err := os.ReadFile("../samples/articles/g20-trump-putin.txt")
	if err != nil {
		b.Fatal(err)
	}
	a := Article{Title: "Trump and Putin plan face-to-face meeting at G20 in Germany", Text: string(raw)}
	e := New(Config{})
	b.ReportAllocs()
	b.SetBytes(int64(len(a.Text)))
	for b.Loop() {
		e.SummarizeN(a, 3)
	}
}

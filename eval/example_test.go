package eval_test

import (
	"context"
	"fmt"

	"github.com/newsbot/newsbot/eval"
)

func ExampleScorer_Score() {
	var s eval.Scorer
	ref := []string{"The cat sat on the mat.", "It was happy."}
	cand := []string{"The cat was sitting on the mat."}
	sc := s.Score(ref, cand)
	fmt.Printf("ROUGE-1 F1 %.3f, ROUGE-2 F1 %.3f, ROUGE-Lsum F1 %.3f\n", sc.Rouge1.F1, sc.Rouge2.F1, sc.RougeLsum.F1)
	// Output: ROUGE-1 F1 0.750, ROUGE-2 F1 0.429, ROUGE-Lsum F1 0.750
}

func ExampleTokenize() {
	fmt.Println(eval.Tokenize("The U.S. economies were growing", true))
	// Output: [the u s economi were grow]
}

func ExampleEvaluate() {
	items := []eval.Item{{
		ID:      "1",
		Source:  "bbc-news-summary",
		Text:    "It was a sunny day. The council approved the new bridge over the river. The bridge opens in May.",
		Summary: "The council approved the new bridge over the river.",
	}}
	rep, err := eval.Evaluate(context.Background(), items, eval.Baselines(1, false), 1, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range rep.Groups[0].Means {
		fmt.Printf("%s: ROUGE-2 F1 %.2f\n", m.System, m.Scores.Rouge2.F1)
	}
	// Output:
	// lead-1: ROUGE-2 F1 0.00
	// tfidf-centroid: ROUGE-2 F1 1.00
	// textrank: ROUGE-2 F1 1.00
}

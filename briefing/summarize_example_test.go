package briefing_test

import (
	"fmt"

	"github.com/newsbot/newsbot/briefing"
)

func ExampleEngine_SummarizeN() {
	a := briefing.Article{
		Title: "Acme cuts forecast",
		Text: "Acme cuts forecast\n\n" +
			"Shares in Acme fell 10% on Monday after the company cut its forecast for the year. " +
			"The firm blamed weak demand in Europe. " +
			"Read more: Acme's results in full.",
	}
	for _, s := range briefing.New(briefing.Config{}).SummarizeN(a, 3) {
		fmt.Println(s)
	}
	// Output:
	// Shares in Acme fell 10% on Monday after the company cut its forecast for the year.
	// The firm blamed weak demand in Europe.
}

func ExampleSentences() {
	text := `Mr. Smith met George W. Bush at 9 a.m. in the U.S. capital. "It went well." Then he left...`
	for _, s := range briefing.Sentences(text) {
		fmt.Println(s)
	}
	// Output:
	// Mr. Smith met George W. Bush at 9 a.m. in the U.S. capital.
	// "It went well."
	// Then he left...
}

func ExampleTokens() {
	fmt.Println(briefing.Tokens("Putin's face-to-face talks rose 2.5%."))
	// Output: [putin face-to-face talks rose 2.5]
}

func ExampleTerms() {
	fmt.Println(briefing.Terms("The leaders said the summits were productive"))
	// Output: [leader summit product]
}

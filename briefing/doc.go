// Package briefing is newsbot's core: it turns news articles into short,
// grounded digests.
//
// The package is pure. It does no IO and never reads the clock: callers pass
// the current time in. Everything here is safe for concurrent use unless a
// type's documentation says otherwise.
//
// The pipeline is
//
//	[]Article --Group--> []Story --Query.Match / Rank--> ranked stories
//	          --Summarize--> Briefing --Format--> text
//
// Article identity is a stable key (see [Article.Key]); stories group the
// same event told by several sources; a [Briefing] holds the ranked stories
// cut to a [Budget], and records what the budget cut so nothing disappears
// silently.
package briefing

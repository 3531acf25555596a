package eval

import (
	"regexp"
	"strings"
)

// This file is the stemmer ROUGE-1.5.5 runs with -m: Martin Porter's
// original algorithm (Porter, 1980, "An algorithm for suffix stripping",
// Program 14(3)), in the form of the Perl implementation ROUGE-1.5.5.pl
// carries, including Chin-Yew Lin's 2004 change to step 4 ("-ement" no
// longer blocks the separate "-ment" and "-ent" rules).
//
// The briefing package stems with Snowball's English stemmer (Porter2),
// which is a different algorithm: it stems "generously" to "generous" where
// Porter gives "gener", keeps "news" where Porter gives "new", and differs
// on many -y, -ly, -li, -ic and -e words. ROUGE scores are only comparable
// with published ones when the stems match ROUGE's, so the evaluation uses
// this stemmer, never briefing.Stem.
//
// The conditions on the stem are the regular expressions of the Perl
// version, compiled as they are written there, so that the measure m and
// the *o condition treat 'y' exactly as ROUGE does.

const (
	pc = `[^aeiou]`        // consonant
	pv = `[aeiouy]`        // vowel
	pC = pc + `[^aeiouy]*` // consonant sequence
	pV = pv + `[aeiou]*`   // vowel sequence
)

// Read-only after package initialisation.
var (
	reMgr0  = regexp.MustCompile(`^(?:` + pC + `)?` + pV + pC)                      // m > 0
	reMeq1  = regexp.MustCompile(`^(?:` + pC + `)?` + pV + pC + `(?:` + pV + `)?$`) // m = 1
	reMgr1  = regexp.MustCompile(`^(?:` + pC + `)?` + pV + pC + pV + pC)            // m > 1
	reVowel = regexp.MustCompile(`^(?:` + pC + `)?` + pv)                           // *v*
	reCVC   = regexp.MustCompile(`^` + pC + pv + `[^aeiouwxy]$`)                    // m = 1 and *o
)

// rule replaces a suffix.
type rule struct{ suffix, repl string }

var step2 = []rule{
	{"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"}, {"anci", "ance"}, {"izer", "ize"},
	{"bli", "ble"}, {"alli", "al"}, {"entli", "ent"}, {"eli", "e"}, {"ousli", "ous"},
	{"ization", "ize"}, {"ation", "ate"}, {"ator", "ate"}, {"alism", "al"}, {"iveness", "ive"},
	{"fulness", "ful"}, {"ousness", "ous"}, {"aliti", "al"}, {"iviti", "ive"}, {"biliti", "ble"},
	{"logi", "log"},
}

var step3 = []rule{
	{"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"}, {"ical", "ic"}, {"ful", ""}, {"ness", ""},
}

var step4 = []string{"al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ou", "ism", "ate",
	"iti", "ous", "ive", "ize"}

// longestRule returns the rule with the longest suffix that w ends with.
func longestRule(w string, rules []rule) (rule, bool) {
	best, ok := rule{}, false
	for _, r := range rules {
		if len(r.suffix) > len(best.suffix) && strings.HasSuffix(w, r.suffix) {
			best, ok = r, true
		}
	}
	return best, ok
}

// longestSuffix returns the longest of suffixes that w ends with, or "".
// (The Perl version matches an alternation anchored at the end, which
// finds the leftmost, so the longest, matching suffix.)
func longestSuffix(w string, suffixes []string) string {
	best := ""
	for _, s := range suffixes {
		if len(s) > len(best) && strings.HasSuffix(w, s) {
			best = s
		}
	}
	return best
}

// PorterStem returns the Porter stem of a lowercase ASCII word, as
// ROUGE-1.5.5 computes it. Words shorter than three letters are returned
// unchanged. ROUGE itself only stems tokens longer than three characters;
// [Tokenize] applies that rule.
func PorterStem(w string) string {
	if len(w) < 3 {
		return w
	}
	initialY := w[0] == 'y'
	if initialY {
		w = "Y" + w[1:] // an initial y is never a vowel
	}

	// Step 1a.
	switch {
	case strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "ies"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "s") && len(w) >= 2 && w[len(w)-2] != 's':
		w = w[:len(w)-1]
	}

	// Step 1b.
	if strings.HasSuffix(w, "eed") {
		if reMgr0.MatchString(w[:len(w)-3]) {
			w = w[:len(w)-1]
		}
	} else if suf := longestSuffix(w, []string{"ed", "ing"}); suf != "" {
		if stem := w[:len(w)-len(suf)]; reVowel.MatchString(stem) {
			w = stem
			n := len(w)
			switch {
			case strings.HasSuffix(w, "at") || strings.HasSuffix(w, "bl") || strings.HasSuffix(w, "iz"):
				w += "e"
			case n >= 2 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiouylsz", rune(w[n-1])):
				w = w[:n-1]
			case reCVC.MatchString(w):
				w += "e"
			}
		}
	}

	// Step 1c.
	if strings.HasSuffix(w, "y") && reVowel.MatchString(w[:len(w)-1]) {
		w = w[:len(w)-1] + "i"
	}

	// Steps 2 and 3.
	for _, rules := range [][]rule{step2, step3} {
		if r, ok := longestRule(w, rules); ok {
			if stem := w[:len(w)-len(r.suffix)]; reMgr0.MatchString(stem) {
				w = stem + r.repl
			}
		}
	}

	// Step 4, with ROUGE-1.5.5's sequence of three rules.
	if suf := longestSuffix(w, step4); suf != "" {
		if stem := w[:len(w)-len(suf)]; reMgr1.MatchString(stem) {
			w = stem
		}
	}
	if strings.HasSuffix(w, "ment") {
		if stem := w[:len(w)-4]; reMgr1.MatchString(stem) {
			w = stem
		}
	}
	if strings.HasSuffix(w, "ent") {
		if stem := w[:len(w)-3]; reMgr1.MatchString(stem) {
			w = stem
		}
	} else if strings.HasSuffix(w, "sion") || strings.HasSuffix(w, "tion") {
		if stem := w[:len(w)-3]; reMgr1.MatchString(stem) {
			w = stem
		}
	}

	// Step 5.
	if strings.HasSuffix(w, "e") {
		stem := w[:len(w)-1]
		if reMgr1.MatchString(stem) || reMeq1.MatchString(stem) && !reCVC.MatchString(stem) {
			w = stem
		}
	}
	if strings.HasSuffix(w, "ll") && reMgr1.MatchString(w) {
		w = w[:len(w)-1]
	}

	if initialY {
		w = "y" + w[1:]
	}
	return w
}

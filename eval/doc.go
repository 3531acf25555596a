// Package eval measures newsbot's summaries against reference summaries.
//
// It implements ROUGE (Lin, 2004) as ROUGE-1.5.5 with -m computes it, and
// as google-research's rouge_score reproduces it: ROUGE-N (N-gram overlap)
// and ROUGE-Lsum (summary-level longest common subsequence over sentences),
// each as precision, recall and F1, on lowercase alphanumeric tokens with
// Porter stemming of tokens longer than three characters. It also holds the
// baseline summarizers (Lead-N, a TF-IDF centroid, TextRank and an oracle)
// and the evaluation loop the `newsbot eval summaries` command runs.
//
// Everything here is pure computation: callers read the data and pass it
// in. A [Scorer] caches stems and is not safe for concurrent use; the
// package functions are.
package eval

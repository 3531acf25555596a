// Package samples holds the bundled sample articles that `newsbot demo`
// briefs without any network or tokens: the G20 fixture plus short articles
// written for newsbot, several stories each told by several sources.
package samples

import (
	"embed"
	"io/fs"
)

//go:embed articles
var files embed.FS

// FS returns the sample articles as a read-only file system rooted at the
// folder of articles (.txt files whose first line is the title, and .jsonl).
func FS() fs.FS {
	sub, err := fs.Sub(files, "articles")
	if err != nil {
		// fs.Sub only fails for an invalid path; "articles" is a constant.
		return files
	}
	return sub
}

// Package feeds keeps newsbot's article pool current: it fetches RSS, Atom
// and JSON Feed sources over HTTP (politely: conditional GET, per-host
// limits, back-off) and reads local folders of articles, turning both into
// [briefing.Article] values for a [Store].
package feeds

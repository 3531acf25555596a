package feeds

import (
	"context"
	"errors"
	"time"

	"github.com/newsbot/newsbot/briefing"
)

// Source is one configured news source: a feed URL or a local path.
type Source struct {
	// Name is the display name ("BBC World"); it becomes Article.Source.
	Name string `json:"name"`
	// URL is an http(s) feed URL. Exactly one of URL and Path is set.
	URL string `json:"url,omitempty"`
	// Path is a local folder (or file) of .txt, .md or .jsonl articles.
	Path string `json:"path,omitempty"`
	// FullText asks for the article page to be fetched and its body
	// extracted when the feed carries only a teaser.
	FullText bool `json:"full_text,omitempty"`
	// Origin says who added the source: "config" or "chat:<platform>:<user>".
	Origin string `json:"origin,omitempty"`
}

// Locator returns the URL or path that identifies the source.
func (s Source) Locator() string {
	if s.URL != "" {
		return s.URL
	}
	return s.Path
}

// State is a source's fetch state and health.
type State struct {
	// Locator identifies the source (see [Source.Locator]).
	Locator string
	// ETag and LastModified are the validators of the last 200 response,
	// sent back on the next request.
	ETag         string
	LastModified string
	// LastFetch is when the source was last tried; LastSuccess when it last
	// answered usefully (200 or 304).
	LastFetch   time.Time
	LastSuccess time.Time
	// LastStatus is the HTTP status of the last try (0 for local sources or
	// network errors).
	LastStatus int
	// LastItems is how many items the last successful fetch carried, and
	// LastNew how many of those were new.
	LastItems int
	LastNew   int
	// LastError is the last failure in plain words ("" after a success).
	LastError string
	// Failures counts consecutive failed tries.
	Failures int
	// NextFetch is when the source is due again.
	NextFetch time.Time
	// Paused is set after too many consecutive failures; PausedReason says why.
	Paused       bool
	PausedReason string
}

// ErrNotModified is returned by a fetcher when the server answered 304.
var ErrNotModified = errors.New("not modified")

// Store is what ingestion needs from storage. Implementations must be safe
// for concurrent use.
type Store interface {
	// Sources returns every configured source.
	Sources(ctx context.Context) ([]Source, error)
	// State returns a source's state; a source never fetched has a zero
	// State (with Locator set) and no error.
	State(ctx context.Context, locator string) (State, error)
	// SaveState stores a source's state.
	SaveState(ctx context.Context, st State) error
	// AddArticles stores the articles whose Key has never been seen (not
	// even in articles since pruned) and returns how many were new. Known
	// keys are skipped, never updated: an item whose only change is its
	// updated date is not new. Articles get Fetched = fetched if unset.
	AddArticles(ctx context.Context, arts []briefing.Article, fetched time.Time) (added int, err error)
}

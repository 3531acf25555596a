package bot

import (
	"context"
	"errors"
	"time"

	"github.com/newsbot/newsbot/briefing"
	"github.com/newsbot/newsbot/feeds"
)

// Topic is a named query a channel follows ("g20" -> `g20 OR "group of twenty"`).
type Topic struct {
	Channel ChannelRef `json:"channel"`
	// Name is the topic's short name, unique per channel, lowercase.
	Name string `json:"name"`
	// Query is in the engine's syntax (see briefing.Query).
	Query string `json:"query"`
	// Sources, when not empty, restricts the topic to these source names.
	Sources []string `json:"sources,omitempty"`
	// Origin is "config" for topics declared in the config file, else the
	// user who last changed it ("chat:<user>").
	Origin  string    `json:"origin,omitempty"`
	Updated time.Time `json:"updated"`
}

// Subscription posts a topic's digest to a channel on a schedule.
type Subscription struct {
	Channel ChannelRef `json:"channel"`
	// Topic is the name of one of the channel's topics.
	Topic string `json:"topic"`
	// At is the local time of day, "HH:MM" (24h).
	At string `json:"at"`
	// TimeZone is an IANA zone name ("Europe/Berlin").
	TimeZone string `json:"tz"`
	// Days are the weekdays it posts on; empty means every day.
	Days []time.Weekday `json:"days,omitempty"`
	// Max is the most stories per digest (0: the default budget).
	Max int `json:"max,omitempty"`
	// Origin is "config" or the user who last changed it.
	Origin  string    `json:"origin,omitempty"`
	Updated time.Time `json:"updated"`
}

// ID identifies the subscription: one per (channel, topic).
func (s Subscription) ID() string { return s.Channel.String() + "/" + s.Topic }

// Delivery records one scheduled digest post.
type Delivery struct {
	// SubscriptionID is [Subscription.ID].
	SubscriptionID string
	// Scheduled is the slot the digest was for (UTC).
	Scheduled time.Time
	// Cutoff is the newest Article.Fetched the digest covered; the next
	// digest covers articles fetched after it.
	Cutoff time.Time
	// Posted is when the post succeeded (zero if skipped).
	Posted time.Time
	// MsgID is the platform's message ID ("" if nothing was posted).
	MsgID string
	// Stories is how many stories the digest held.
	Stories int
	// Status is "posted", "empty" (nothing new, nothing posted),
	// "skipped" (missed beyond the grace period) or "failed" (the platform
	// refused it for good, e.g. the channel is unavailable; Error says why).
	Status string
	// Error is the last failure, if any.
	Error string
}

// ChannelHealth records a channel the bot could not post to.
type ChannelHealth struct {
	Channel ChannelRef
	// Error is what /news health shows: the [ChannelError.Message] of the
	// failure ("The bot is not in this channel. Invite it: ..."), or the
	// error's text when the platform gave no ChannelError.
	Error string
	At    time.Time
}

// SearchOptions narrows [Store.SearchArticles].
type SearchOptions struct {
	// Since keeps articles fetched after this time (zero: no bound).
	Since time.Time
	// Sources keeps articles from these source names only (empty: all).
	Sources []string
	// Limit is the most articles returned, newest first (0: store default).
	Limit int
}

// ErrNotFound is returned by Store lookups for something that does not exist.
var ErrNotFound = errors.New("not found")

// Store persists what the bot needs. Implementations must be safe for
// concurrent use; storage/storetest holds the conformance suite they pass.
type Store interface {
	// SearchArticles returns stored articles that may match q (a superset is
	// allowed: the engine re-checks), newest first, within opts.
	SearchArticles(ctx context.Context, q briefing.Query, opts SearchOptions) ([]briefing.Article, error)
	// ArticleByURL finds a stored article by its canonical URL; ErrNotFound
	// if none.
	ArticleByURL(ctx context.Context, url string) (briefing.Article, error)
	// Seen reports whether an article key was ever stored (even if pruned).
	Seen(ctx context.Context, key string) (bool, error)

	// Topics returns a channel's topics sorted by name; the zero ChannelRef
	// returns every channel's topics (sorted by channel, then name).
	Topics(ctx context.Context, ch ChannelRef) ([]Topic, error)
	// PutTopic creates or replaces a topic.
	PutTopic(ctx context.Context, t Topic) error
	// DeleteTopic removes a topic and its subscription; ErrNotFound if absent.
	DeleteTopic(ctx context.Context, ch ChannelRef, name string) error

	// Subscriptions returns a channel's subscriptions; the zero ChannelRef
	// returns every subscription.
	Subscriptions(ctx context.Context, ch ChannelRef) ([]Subscription, error)
	// PutSubscription creates or replaces a subscription.
	PutSubscription(ctx context.Context, s Subscription) error
	// DeleteSubscription removes one; ErrNotFound if absent.
	DeleteSubscription(ctx context.Context, ch ChannelRef, topic string) error

	// Sources, AddSource and RemoveSource manage the source list;
	// RemoveSource returns ErrNotFound for an unknown locator.
	Sources(ctx context.Context) ([]feeds.Source, error)
	AddSource(ctx context.Context, s feeds.Source) error
	RemoveSource(ctx context.Context, locator string) error
	// States returns every source's fetch state.
	States(ctx context.Context) ([]feeds.State, error)

	// LastDelivery returns a subscription's newest delivery; ErrNotFound if
	// it never had one.
	LastDelivery(ctx context.Context, subscriptionID string) (Delivery, error)
	// GetDelivery returns the delivery for one slot; ErrNotFound if none.
	GetDelivery(ctx context.Context, subscriptionID string, scheduled time.Time) (Delivery, error)
	// SaveDelivery creates or replaces the delivery for its slot.
	SaveDelivery(ctx context.Context, d Delivery) error

	// ChannelHealth returns channels the bot could not post to;
	// SetChannelHealth records (or, with Error "", clears) one.
	ChannelHealth(ctx context.Context) ([]ChannelHealth, error)
	SetChannelHealth(ctx context.Context, h ChannelHealth) error
}

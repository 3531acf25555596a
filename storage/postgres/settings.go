package postgres

import "github.com/newsbot/newsbot/storage/internal/sqlstore"

// settings is embedded in [Store] under an unexported name, so that the
// settings methods (sources, feed states, topics, subscriptions,
// deliveries, channel health) are the Store's while their SQL, shared with
// the other SQL store, lives in one place.
type settings = sqlstore.Settings

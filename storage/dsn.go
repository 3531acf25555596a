package storage

import "strings"

// IsPostgres reports whether dsn (storage.dsn) names a PostgreSQL database:
// a postgres:// or postgresql:// URL. Anything else is a SQLite file path,
// "file:" URI or ":memory:".
func IsPostgres(dsn string) bool {
	scheme, _, ok := strings.Cut(strings.TrimSpace(dsn), "://")
	return ok && (strings.EqualFold(scheme, "postgres") || strings.EqualFold(scheme, "postgresql"))
}

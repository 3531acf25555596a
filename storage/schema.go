package storage

import (
	"context"
	"errors"
	"fmt"

	"github.com/pressly/goose/v3"
)

// ErrSchemaTooNew is returned when a database was migrated by a newer
// newsbot than the one opening it: running an old binary on a newer schema
// could lose or corrupt data, so the store refuses.
var ErrSchemaTooNew = errors.New("database schema is newer than this newsbot")

// CheckSchema returns an error wrapping ErrSchemaTooNew when the database
// behind p has a migration version above every migration p knows.
func CheckSchema(ctx context.Context, p *goose.Provider) error {
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	var latest int64
	for _, src := range p.ListSources() {
		latest = max(latest, src.Version)
	}
	if cur > latest {
		return fmt.Errorf("%w: the database is at version %d, this newsbot knows up to %d; run the newer newsbot, or restore a back-up taken before the upgrade", ErrSchemaTooNew, cur, latest)
	}
	return nil
}

package sqlite

import (
	"context"
	"fmt"
)

// Ping checks that the database answers and its schema is migrated: it
// reads a table the migrations create, on the read pool. serve's /readyz
// uses it.
func (s *Store) Ping(ctx context.Context) error {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM sources`).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

package storage_test

import (
	"testing"

	"github.com/newsbot/newsbot/storage"
)

func TestIsPostgres(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dsn  string
		want bool
	}{
		{"postgres://newsbot@db/newsbot", true},
		{"postgresql://newsbot@db:5432/newsbot?sslmode=require", true},
		{"POSTGRES://db/newsbot", true},
		{" postgres://db/newsbot", true},
		{"newsbot.db", false},
		{"file:newsbot.db?mode=ro", false},
		{":memory:", false},
		{"postgres.db", false},
		{"/var/lib/postgres://x", false},
		{"mysql://db/newsbot", false},
		{"", false},
	} {
		t.Run(tc.dsn, func(t *testing.T) {
			t.Parallel()
			if got := storage.IsPostgres(tc.dsn); got != tc.want {
				t.Errorf("IsPostgres(%q) = %v, want %v", tc.dsn, got, tc.want)
			}
		})
	}
}

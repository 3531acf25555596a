package postgres

import (
	"strings"
	"testing"
)

// TestParseDSNErrorsNeverShowThePassword: pgx masks a password only as far
// as it can tell where it ends; ParseDSN's errors leave the DSN out.
func TestParseDSNErrorsNeverShowThePassword(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ dsn, secret, reason string }{
		{"postgres://u:s3cr@etpw@h/db?sslmode=bogus", "etpw", "sslmode"},
		{"postgres://u:s3cr@etpw@h:99999999/db", "etpw", "port"},
		{"postgres://u:pa%zzss@h/db", "pa%zzss", "parse"},
		{"host=h password=hunter2secret port=abc", "hunter2secret", "port"},
	} {
		_, err := ParseDSN(tc.dsn)
		if err == nil {
			t.Errorf("%s: parsed", tc.dsn)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, tc.secret) {
			t.Errorf("the error shows the password: %s", msg)
		}
		if !strings.HasPrefix(msg, "cannot parse the PostgreSQL DSN: ") || !strings.Contains(msg, tc.reason) {
			t.Errorf("%s: error %q does not say why (%s)", tc.dsn, msg, tc.reason)
		}
	}
}

func TestParseDSNRefusesASmallPool(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dsn string
		ok  bool
	}{
		{"postgres://u@h/db?pool_max_conns=1", false},
		{"postgres://u@h/db?pool_max_conns=3", false},
		{"postgres://u@h/db?pool_max_conns=many", false},
		{"postgres://u@h/db?pool_max_conns=4", true},
		{"postgres://u@h/db", true},
	} {
		cfg, err := ParseDSN(tc.dsn)
		if tc.ok != (err == nil) {
			t.Errorf("ParseDSN(%s) = %v, want ok %v", tc.dsn, err, tc.ok)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), "the job queue needs at least 4 connections") {
			t.Errorf("ParseDSN(%s): %v does not say why", tc.dsn, err)
		}
		if err == nil {
			if _, ok := cfg.RuntimeParams["pool_max_conns"]; ok {
				t.Errorf("pool_max_conns would be sent to the server")
			}
		}
	}
}

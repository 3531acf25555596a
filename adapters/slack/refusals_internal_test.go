package slack

import (
	"testing"
	"time"
)

func TestRefusalsWarnRateLimited(t *testing.T) {
	t.Parallel()
	var r refusals
	t0 := time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC)
	steps := []struct {
		at       time.Duration
		wantWarn bool
		wantHeld int
	}{
		{0, true, 0},
		{time.Second, false, 0},
		{30 * time.Second, false, 0},
		{59 * time.Second, false, 0},
		{61 * time.Second, true, 3},
		{62 * time.Second, false, 0},
		{10 * time.Minute, true, 1},
		{20 * time.Minute, true, 0},
	}
	for _, s := range steps {
		ok, held := r.warn(t0.Add(s.at))
		if ok != s.wantWarn || held != s.wantHeld {
			t.Errorf("at %s: warn = %v, held %d; want %v, %d", s.at, ok, held, s.wantWarn, s.wantHeld)
		}
	}
}

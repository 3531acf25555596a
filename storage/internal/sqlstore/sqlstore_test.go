package sqlstore

import (
	"testing"
	"time"
)

func TestNanosRoundTripsAndClamps(t *testing.T) {
	if Nanos(time.Time{}) != 0 || !FromNanos(0).IsZero() {
		t.Error("the zero time is not stored as 0")
	}
	now := time.Date(2026, 11, 25, 8, 30, 0, 123456789, time.FixedZone("CET", 3600))
	if got := FromNanos(Nanos(now)); !got.Equal(now) || got.Location() != time.UTC {
		t.Errorf("round trip of %v = %v, want the same instant in UTC", now, got)
	}
	far := time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := FromNanos(Nanos(far)); got.Year() != 2262 {
		t.Errorf("year 3000 came back as %v, want clamped to 2262", got)
	}
	old := time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := FromNanos(Nanos(old)); got.Year() != 1677 {
		t.Errorf("year 1000 came back as %v, want clamped to 1677", got)
	}
	if Nanos(old) >= Nanos(now) || Nanos(now) >= Nanos(far) {
		t.Error("clamping broke the order of times")
	}
}

package bot

import (
	"testing"
	"time"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestScheduleNextAcrossDST(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		zone  string
		at    string
		after string
		want  []string // consecutive slots, UTC
	}{
		{
			name: "Berlin 08:00 keeps local time across spring forward", zone: "Europe/Berlin", at: "08:00",
			after: "2027-03-26T12:00:00Z",
			want:  []string{"2027-03-27T07:00:00Z", "2027-03-28T06:00:00Z", "2027-03-29T06:00:00Z"},
		},
		{
			name: "Berlin 02:30 on spring-forward day fires once at 03:00 CEST", zone: "Europe/Berlin", at: "02:30",
			after: "2027-03-27T00:00:00Z",
			want:  []string{"2027-03-27T01:30:00Z", "2027-03-28T01:00:00Z", "2027-03-29T00:30:00Z"},
		},
		{
			name: "Berlin 02:30 on fall-back day fires once at the first 02:30", zone: "Europe/Berlin", at: "02:30",
			after: "2027-10-30T00:00:00Z",
			want:  []string{"2027-10-30T00:30:00Z", "2027-10-31T00:30:00Z", "2027-11-01T01:30:00Z"},
		},
		{
			name: "Berlin 08:00 keeps local time across fall back", zone: "Europe/Berlin", at: "08:00",
			after: "2027-10-30T00:00:00Z",
			want:  []string{"2027-10-30T06:00:00Z", "2027-10-31T07:00:00Z"},
		},
		{
			name: "New York 02:30 on spring-forward day fires at 03:00 EDT", zone: "America/New_York", at: "02:30",
			after: "2027-03-13T00:00:00Z",
			want:  []string{"2027-03-13T07:30:00Z", "2027-03-14T07:00:00Z", "2027-03-15T06:30:00Z"},
		},
		{
			name: "New York 01:30 on fall-back day fires once at 01:30 EDT", zone: "America/New_York", at: "01:30",
			after: "2027-11-06T00:00:00Z",
			want:  []string{"2027-11-06T05:30:00Z", "2027-11-07T05:30:00Z", "2027-11-08T06:30:00Z"},
		},
		{
			name: "New York 00:00 midnight around fall back", zone: "America/New_York", at: "00:00",
			after: "2027-11-06T00:00:00Z",
			want:  []string{"2027-11-06T04:00:00Z", "2027-11-07T04:00:00Z", "2027-11-08T05:00:00Z"},
		},
		{
			name: "UTC", zone: "UTC", at: "23:59",
			after: "2027-12-31T23:59:00Z",
			want:  []string{"2028-01-01T23:59:00Z"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := NewSchedule(tc.at, mustLoad(t, tc.zone), nil)
			if err != nil {
				t.Fatal(err)
			}
			cur := utc(tc.after)
			for i, w := range tc.want {
				got := s.Next(cur)
				if !got.Equal(utc(w)) {
					t.Fatalf("slot %d after %s = %s, want %s", i, cur.UTC().Format(time.RFC3339), got.UTC().Format(time.RFC3339), w)
				}
				if !s.IsSlot(got) {
					t.Errorf("IsSlot(%s) = false for a slot Next returned", got.UTC())
				}
				if s.IsSlot(got.Add(time.Minute)) || s.IsSlot(got.Add(time.Hour)) {
					t.Errorf("IsSlot true one minute or hour after %s", got.UTC())
				}
				cur = got
			}
		})
	}
}

func TestScheduleFallBackSecondOccurrenceIsNotASlot(t *testing.T) {
	t.Parallel()
	s, err := NewSchedule("02:30", mustLoad(t, "Europe/Berlin"), nil)
	if err != nil {
		t.Fatal(err)
	}
	second := utc("2027-10-31T01:30:00Z") // 02:30 CET, the repeat
	if s.IsSlot(second) {
		t.Errorf("the repeated 02:30 on the fall-back day must not be a slot")
	}
	if next := s.Next(utc("2027-10-31T00:30:00Z")); next.Equal(second) {
		t.Errorf("Next after the first 02:30 returned the repeat")
	}
	slots := s.Slots(utc("2027-10-30T12:00:00Z"), utc("2027-11-01T12:00:00Z"), 10)
	if len(slots) != 2 {
		t.Errorf("slots over two days around fall back = %v, want 2", slots)
	}
}

func TestScheduleWeekdays(t *testing.T) {
	t.Parallel()
	ny := mustLoad(t, "America/New_York")
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	tests := []struct {
		name  string
		days  []time.Weekday
		after string
		want  string
	}{
		// 2027-03-12 is a Friday; the Monday after is 2027-03-15 (already EDT).
		{"friday after the slot jumps to monday, across spring forward", weekdays, "2027-03-12T14:00:00Z", "2027-03-15T12:00:00Z"},
		{"friday before the slot is friday (08:00 EST)", weekdays, "2027-03-12T12:59:00Z", "2027-03-12T13:00:00Z"},
		{"saturday jumps to monday", weekdays, "2027-03-13T00:00:00Z", "2027-03-15T12:00:00Z"},
		{"weekends from a monday", []time.Weekday{time.Saturday, time.Sunday}, "2027-03-15T00:00:00Z", "2027-03-20T12:00:00Z"},
		{"mon,wed,fri from tuesday", []time.Weekday{time.Monday, time.Wednesday, time.Friday}, "2027-03-16T00:00:00Z", "2027-03-17T12:00:00Z"},
		{"sunday only from sunday after the slot", []time.Weekday{time.Sunday}, "2027-03-14T12:00:00Z", "2027-03-21T12:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := NewSchedule("08:00", ny, tc.days)
			if err != nil {
				t.Fatal(err)
			}
			got := s.Next(utc(tc.after))
			if !got.Equal(utc(tc.want)) {
				t.Errorf("Next(%s) = %s, want %s", tc.after, got.UTC().Format(time.RFC3339), tc.want)
			}
			if wd := got.In(ny).Weekday(); !containsDay(tc.days, wd) {
				t.Errorf("slot on %s, not one of %v", wd, tc.days)
			}
		})
	}
}

func containsDay(days []time.Weekday, d time.Weekday) bool {
	for _, x := range days {
		if x == d {
			return true
		}
	}
	return false
}

// TestScheduleMatchesBruteForce checks the slot rule against its
// definition, minute by minute: on each enabled local date, the slot is the
// first instant at which the local clock reads the time of day or later.
// It covers two years of days in zones with ordinary, half-hour and
// midnight transitions.
func TestScheduleMatchesBruteForce(t *testing.T) {
	t.Parallel()
	zones := []string{"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Asia/Tehran", "America/Havana"}
	times := []string{"00:00", "00:30", "01:30", "02:00", "02:30", "03:00", "08:00", "23:30"}
	for _, zone := range zones {
		t.Run(zone, func(t *testing.T) {
			t.Parallel()
			loc := mustLoad(t, zone)
			for _, at := range times {
				s, err := NewSchedule(at, loc, nil)
				if err != nil {
					t.Fatal(err)
				}
				h, m, _ := parseHHMM(at)
				// Step day by day; only transition days need the minute scan.
				for day := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() < 2024; day = day.AddDate(0, 0, 1) {
					got := s.slot(day.Year(), day.Month(), day.Day())
					target := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, time.UTC)
					if !transitionNear(loc, got) {
						if !wall(got).Equal(target) {
							t.Fatalf("%s %s on %s: slot %s reads %s locally", zone, at, day.Format(time.DateOnly), got.UTC(), wall(got))
						}
						continue
					}
					want := bruteSlot(loc, target)
					if !got.Equal(want) {
						t.Fatalf("%s %s on %s: slot %s, brute force %s", zone, at, day.Format(time.DateOnly), got.UTC(), want.UTC())
					}
				}
			}
		})
	}
}

// transitionNear reports whether loc changes offset within a day of t.
func transitionNear(loc *time.Location, t time.Time) bool {
	_, a := t.Add(-26 * time.Hour).In(loc).Zone()
	_, b := t.Add(26 * time.Hour).In(loc).Zone()
	return a != b
}

// bruteSlot scans minute by minute for the first instant whose local wall
// clock reads target or later.
func bruteSlot(loc *time.Location, target time.Time) time.Time {
	for t := target.Add(-30 * time.Hour); t.Before(target.Add(30 * time.Hour)); t = t.Add(time.Minute) {
		if !wall(t.In(loc)).Before(target) {
			return t
		}
	}
	return time.Time{}
}

func TestNewScheduleErrors(t *testing.T) {
	t.Parallel()
	for _, at := range []string{"", "8", "24:00", "12:60", "-1:00", "+1:00", "1:2", "123:00", "ab:cd"} {
		if _, err := NewSchedule(at, time.UTC, nil); err == nil {
			t.Errorf("NewSchedule(%q) succeeded", at)
		}
	}
	if _, err := NewSchedule("08:00", nil, nil); err == nil {
		t.Errorf("NewSchedule without a zone succeeded")
	}
	if _, err := NewSchedule("08:00", time.UTC, []time.Weekday{7}); err == nil {
		t.Errorf("NewSchedule with weekday 7 succeeded")
	}
}

func TestScheduleString(t *testing.T) {
	t.Parallel()
	s, err := NewSchedule("7:05", mustLoad(t, "Europe/Berlin"), []time.Weekday{time.Friday, time.Monday})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.String(), "07:05 Europe/Berlin mon,fri"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

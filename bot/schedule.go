package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule says when a subscription posts: a local time of day, on some
// weekdays, in one IANA time zone. It is a value; its methods are pure and
// safe for concurrent use.
//
// Daylight-saving changes never double or drop a digest. Every enabled
// local date has exactly one slot: the first instant at which the local
// clock reads the time of day. So on a spring-forward day a 02:30 digest
// (a time that does not exist that night) posts once, at the first valid
// instant after the gap (03:00 new time); on a fall-back day a 02:30 digest
// (a time that happens twice) posts once, at the first 02:30.
//
// The slot logic is written by hand over time.Date and Time.ZoneBounds
// rather than with robfig/cron, whose v3 skips the spring-forward slot and
// fires twice on fall-back days.
type Schedule struct {
	hour, minute int
	loc          *time.Location
	days         [7]bool
}

// NewSchedule returns the schedule posting at at ("HH:MM", 24h) local time
// in loc on days (nil or empty: every day). It returns an error for a
// malformed time, a nil location or a day out of range.
func NewSchedule(at string, loc *time.Location, days []time.Weekday) (Schedule, error) {
	h, m, ok := parseHHMM(at)
	if !ok {
		return Schedule{}, fmt.Errorf("schedule: %q is not a time of day as HH:MM", at)
	}
	if loc == nil {
		return Schedule{}, fmt.Errorf("schedule: no time zone")
	}
	s := Schedule{hour: h, minute: m, loc: loc}
	for _, d := range days {
		if d < time.Sunday || d > time.Saturday {
			return Schedule{}, fmt.Errorf("schedule: weekday %d out of range", d)
		}
		s.days[d] = true
	}
	if len(days) == 0 {
		s.days = [7]bool{true, true, true, true, true, true, true}
	}
	return s, nil
}

func parseHHMM(at string) (h, m int, ok bool) {
	hs, ms, found := strings.Cut(at, ":")
	if !found || len(ms) != 2 || len(hs) < 1 || len(hs) > 2 {
		return 0, 0, false
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 || hs[0] == '+' || hs[0] == '-' {
		return 0, 0, false
	}
	return h, m, true
}

// Location returns the schedule's time zone.
func (s Schedule) Location() *time.Location { return s.loc }

// String renders the schedule as "08:00 Europe/Berlin weekdays".
func (s Schedule) String() string {
	var days []time.Weekday
	for d, on := range s.days {
		if on {
			days = append(days, time.Weekday(d))
		}
	}
	name := "UTC"
	if s.loc != nil {
		name = s.loc.String()
	}
	return fmt.Sprintf("%02d:%02d %s %s", s.hour, s.minute, name, FormatDays(days))
}

// maxScanDays bounds how far Next looks ahead: a week plus slack for
// calendar oddities (a zone that skipped a whole day).
const maxScanDays = 10

// Next returns the first slot strictly after t. It satisfies River's and
// robfig/cron's Schedule interfaces.
func (s Schedule) Next(t time.Time) time.Time {
	if s.loc == nil {
		return time.Time{}
	}
	local := t.In(s.loc)
	// Start a day early: a gap can push one date's slot onto the next date.
	y, m, d := local.AddDate(0, 0, -1).Date()
	for i := 0; i <= maxScanDays; i++ {
		date := time.Date(y, m, d+i, 12, 0, 0, 0, time.UTC)
		if !s.days[date.Weekday()] {
			continue
		}
		if slot := s.slot(date.Year(), date.Month(), date.Day()); slot.After(t) {
			return slot
		}
	}
	return time.Time{}
}

// Slots returns the slots in (after, until], oldest first, at most max of
// them (the oldest ones).
func (s Schedule) Slots(after, until time.Time, max int) []time.Time {
	var out []time.Time
	for t := after; len(out) < max; {
		t = s.Next(t)
		if t.IsZero() || t.After(until) {
			break
		}
		out = append(out, t)
	}
	return out
}

// IsSlot reports whether t is one of the schedule's slots.
func (s Schedule) IsSlot(t time.Time) bool {
	if s.loc == nil {
		return false
	}
	y, m, d := t.In(s.loc).Date()
	for back := 0; back <= 1; back++ {
		date := time.Date(y, m, d-back, 12, 0, 0, 0, time.UTC)
		if s.days[date.Weekday()] && s.slot(date.Year(), date.Month(), date.Day()).Equal(t) {
			return true
		}
	}
	return false
}

// slot resolves the local time of day on one local date to an instant: the
// first instant at which the local clock reads it, or, when the clock skips
// it, the first instant after the skip.
func (s Schedule) slot(y int, mo time.Month, d int) time.Time {
	target := time.Date(y, mo, d, s.hour, s.minute, 0, 0, time.UTC) // the wall clock, coded as UTC
	t := time.Date(y, mo, d, s.hour, s.minute, 0, 0, s.loc)
	switch w := wall(t); {
	case w.Equal(target):
		// The time exists. If it also existed in the previous zone period
		// (a fall-back repeat), the earlier instant is the slot.
		start, _ := t.ZoneBounds()
		if start.IsZero() {
			return t
		}
		_, prevOff := start.Add(-time.Second).Zone()
		earlier := target.Add(-time.Duration(prevOff) * time.Second)
		if earlier.Before(start) && wall(earlier.In(s.loc)).Equal(target) {
			return earlier.In(s.loc)
		}
		return t
	case w.After(target):
		// Skipped: t is past the gap; the gap ends where t's period starts.
		start, _ := t.ZoneBounds()
		if !start.IsZero() && !wall(start).Before(target) {
			return start
		}
		return t
	default:
		// Skipped, and t is before the gap: the gap ends where t's period ends.
		_, end := t.ZoneBounds()
		if !end.IsZero() {
			return end.In(s.loc)
		}
		return t
	}
}

// wall returns t's local wall clock reading coded as a UTC time.
func wall(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	return time.Date(y, mo, d, h, mi, sec, t.Nanosecond(), time.UTC)
}

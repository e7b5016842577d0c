// Package civil is the centre's calendar: dates without a time of day, and
// the one place where "today" is taken from an instant.
//
// Every rule of the services is a rule about calendar days in Saudi Arabia:
// a visa expires at the end of a day in Riyadh, not at an instant. Keeping
// such dates as instants made them depend on the zone they were read in, so
// records hold a [Date] and instants become dates only through [Of], which
// reads them in Riyadh.
package civil

import (
	"errors"
	"fmt"
	"time"

	// The zone comes from the IANA database; embedding it keeps the centre
	// right on a machine that has no zoneinfo installed.
	_ "time/tzdata"
)

// Zone is the IANA name of the zone every calendar rule is computed in.
const Zone = "Asia/Riyadh"

// Riyadh is the location of [Zone].
var Riyadh = mustLoad(Zone)

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// time/tzdata is linked in, so this is a broken build, not a
		// condition of the machine.
		panic(fmt.Errorf("civil: loading %s: %w", name, err))
	}
	return loc
}

// Layout is how a date is written: on the wire, in records and on paper.
const Layout = time.DateOnly

// Date is a day of the Gregorian calendar. The zero value means "no date";
// Dates compare with == and [Date.Compare].
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ErrBadDate is returned, wrapped, for text that is not a date.
var ErrBadDate = errors.New("not a date")

// New returns the date y-m-d, normalised as [time.Date] does (31 April is
// 1 May).
func New(y int, m time.Month, d int) Date {
	return dateOf(time.Date(y, m, d, 12, 0, 0, 0, time.UTC))
}

// Of is the date in Riyadh at instant t. It is the only way an instant
// becomes a date, so no rule can take "today" from UTC.
func Of(t time.Time) Date {
	return dateOf(t.In(Riyadh))
}

func dateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// Parse reads a date written as 2006-01-02.
func Parse(s string) (Date, error) {
	t, err := time.Parse(Layout, s)
	if err != nil {
		return Date{}, fmt.Errorf("civil: %q: %w: %w", s, ErrBadDate, err)
	}
	return dateOf(t), nil
}

// MustParse is Parse for dates written in the source (tables, demo data,
// tests); it panics on a bad one, which is a programming error there.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero tells the zero Date, "no date", from every real one.
func (d Date) IsZero() bool { return d == Date{} }

// String writes the date as 2006-01-02, and the zero Date as "".
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.noon().Format(Layout)
}

// noon is the date as an instant that no zone offset moves to another day.
func (d Date) noon() time.Time { return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC) }

// Compare returns -1, 0 or +1 as d is before, the same day as, or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmp(d.Year, e.Year)
	case d.Month != e.Month:
		return cmp(int(d.Month), int(e.Month))
	default:
		return cmp(d.Day, e.Day)
	}
}

func cmp(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is a later day than e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// AddDays is the date n days after d (before it when n is negative).
func (d Date) AddDays(n int) Date { return dateOf(d.noon().AddDate(0, 0, n)) }

// AddMonths is the same day n months later, or the last day of that month
// when it is shorter: 30 November + 3 months is 28 February (29 in a leap
// year), never 2 March as [time.Time.AddDate] would have it. A period of
// months is counted this way everywhere, so passport validity, visa
// durations and licence terms agree.
func (d Date) AddMonths(n int) Date {
	// Month arithmetic on the first of the month cannot overflow.
	first := time.Date(d.Year, d.Month, 1, 12, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := daysIn(first.Year(), first.Month())
	return Date{Year: first.Year(), Month: first.Month(), Day: min(d.Day, last)}
}

// AddYears is AddMonths(12*n): 29 February plus a year is 28 February.
func (d Date) AddYears(n int) Date { return d.AddMonths(12 * n) }

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

// MarshalText writes the date as 2006-01-02; the zero Date as empty text.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads 2006-01-02, or empty text as the zero Date. Records
// written before dates were civil hold RFC 3339 instants; those are read as
// the day they fall on in Riyadh, which is the day they were meant as
// whether they were written at midnight UTC or at midnight in Riyadh.
func (d *Date) UnmarshalText(b []byte) error {
	s := string(b)
	if s == "" {
		*d = Date{}
		return nil
	}
	if len(s) == len(Layout) {
		v, err := Parse(s)
		if err != nil {
			return err
		}
		*d = v
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("civil: %q: %w: %w", s, ErrBadDate, err)
	}
	if t.IsZero() {
		*d = Date{}
		return nil
	}
	*d = Of(t)
	return nil
}

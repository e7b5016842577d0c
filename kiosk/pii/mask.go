package pii

import (
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"
)

// Mask hides all of s but its last four digits ("******4567"), folded to
// ASCII, for logs, screens and paper. Values of eight characters or fewer
// keep nothing, and non-digits among the last four are hidden too. The
// result has as many characters as s.
func Mask(s string) string {
	n := utf8.RuneCountInString(s)
	keep := 0
	if n > 8 {
		keep = 4
	}
	var b strings.Builder
	b.Grow(n)
	i := 0
	for _, r := range s {
		if i >= n-keep {
			if d, ok := Digit(r); ok {
				b.WriteByte(d)
				i++
				continue
			}
		}
		b.WriteByte('*')
		i++
	}
	return b.String()
}

// group is one run of digits in a text, as rune offsets.
type group struct {
	start, end int  // the digits are rs[start:end]
	plus       bool // a '+' right before start belongs to the number
	masked     bool // a '*' right before start: the tail of a mask
	date       bool // part of a standalone YYYY-MM-DD date
	joined     bool // separated from the previous group by 1–3 separators only
}

// Scrub masks, with [Mask], every number in s that has the shape of an ID
// or a mobile number, in any of the forms people write them, and leaves all
// other text and numbers as they are. The package documentation gives the
// rule and why.
func Scrub(s string) string {
	rs := []rune(s)
	gs := groups(rs)
	if len(gs) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0 // rs[:last] is written
	for i := 0; i < len(gs); {
		j, ok := longestPersonal(rs, gs, i)
		if !ok {
			i++
			continue
		}
		from := gs[i].start
		if gs[i].plus {
			from--
		}
		b.WriteString(string(rs[last:from]))
		var compact []rune
		if gs[i].plus {
			compact = append(compact, '+')
		}
		for _, g := range gs[i : j+1] {
			compact = append(compact, rs[g.start:g.end]...)
		}
		b.WriteString(Mask(string(compact)))
		last = gs[j].end
		i = j + 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(string(rs[last:]))
	return b.String()
}

// groups finds the runs of digits in rs and how they relate.
func groups(rs []rune) []group {
	var gs []group
	for i := 0; i < len(rs); {
		if !isDigit(rs[i]) {
			i++
			continue
		}
		g := group{start: i}
		for i < len(rs) && isDigit(rs[i]) {
			i++
		}
		g.end = i
		if g.start > 0 {
			g.plus = rs[g.start-1] == '+'
			g.masked = rs[g.start-1] == '*'
		}
		if n := len(gs); n > 0 && !g.plus && !g.masked && !gs[n-1].masked {
			gap := rs[gs[n-1].end:g.start]
			g.joined = len(gap) <= 3 && allSeparators(gap)
		}
		gs = append(gs, g)
	}
	markDates(rs, gs)
	return gs
}

func allSeparators(rs []rune) bool {
	for _, r := range rs {
		if !isSeparator(r) {
			return false
		}
	}
	return true
}

// markDates marks the groups of each standalone YYYY-MM-DD date: three
// groups of 4, 2 and 2 digits joined by single dashes, with a valid month
// and day, and no dash-joined digits on either side.
func markDates(rs []rune, gs []group) {
	dashed := func(a, b group) bool { return b.start-a.end == 1 && rs[a.end] == '-' }
	for i := 0; i+2 < len(gs); i++ {
		y, m, d := gs[i], gs[i+1], gs[i+2]
		if y.end-y.start != 4 || m.end-m.start != 2 || d.end-d.start != 2 || y.plus || y.masked ||
			!dashed(y, m) || !dashed(m, d) {
			continue
		}
		if i > 0 && dashed(gs[i-1], y) || i+3 < len(gs) && dashed(d, gs[i+3]) {
			continue
		}
		mm, dd := twoDigits(rs[m.start:m.end]), twoDigits(rs[d.start:d.end])
		if mm < 1 || mm > 12 || dd < 1 || dd > 31 {
			continue
		}
		gs[i].date, gs[i+1].date, gs[i+2].date = true, true, true
		i += 2
	}
}

func twoDigits(rs []rune) int {
	a, _ := Digit(rs[0])
	b, _ := Digit(rs[1])
	return int(a-'0')*10 + int(b-'0')
}

// longestPersonal returns the last group j such that groups i..j, joined,
// form a personal number; ok is false when none does.
func longestPersonal(rs []rune, gs []group, i int) (j int, ok bool) {
	if gs[i].date {
		return 0, false
	}
	var d []byte
	for k := i; k < len(gs); k++ {
		if k > i && (!gs[k].joined || gs[k].date) {
			break
		}
		for _, r := range rs[gs[k].start:gs[k].end] {
			c, _ := Digit(r)
			d = append(d, c)
		}
		if len(d) > maxPersonalDigits {
			break
		}
		if personal(string(d)) {
			j, ok = k, true
		}
		if gs[k].masked {
			break
		}
	}
	return j, ok
}

// maxPersonalDigits is the longest personal shape, 009665XXXXXXXX.
const maxPersonalDigits = 14

// personal reports whether the ASCII digits d have the shape of an ID or
// Iqama number (check digit not required) or of a mobile number.
func personal(d string) bool {
	if len(d) == 10 && (d[0] == '1' || d[0] == '2') {
		return true
	}
	rest := d
	switch {
	case strings.HasPrefix(d, "009665") && len(d) == 14:
		rest = d[5:]
	case strings.HasPrefix(d, "9665") && len(d) == 12:
		rest = d[3:]
	case strings.HasPrefix(d, "05") && len(d) == 10:
		rest = d[1:]
	}
	return len(rest) == 9 && rest[0] == '5'
}

// ID is a national ID or Iqama number in ASCII digits. It shows only its
// mask when printed or logged; [ID.Reveal] gives the digits.
type ID string

// Reveal returns the digits, for the wire and for lookups.
func (id ID) Reveal() string { return string(id) }

// Kind is [Citizen] or [Resident], from the first digit.
func (id ID) Kind() Kind {
	if id == "" {
		return 0
	}
	return Kind(id[0] - '0')
}

// String returns the mask.
func (id ID) String() string { return Mask(string(id)) }

// Format prints the mask for every verb, so %s, %v, %q and %d alike never
// show the digits.
func (id ID) Format(f fmt.State, verb rune) { formatMasked(f, verb, string(id)) }

// LogValue logs the mask.
func (id ID) LogValue() slog.Value { return slog.StringValue(Mask(string(id))) }

// Mobile is a mobile number as +9665XXXXXXXX. It shows only its mask when
// printed or logged; [Mobile.Reveal] gives the number.
type Mobile string

// Reveal returns the number, for the wire and for sending messages.
func (m Mobile) Reveal() string { return string(m) }

// String returns the mask.
func (m Mobile) String() string { return Mask(string(m)) }

// Format prints the mask for every verb.
func (m Mobile) Format(f fmt.State, verb rune) { formatMasked(f, verb, string(m)) }

// LogValue logs the mask.
func (m Mobile) LogValue() slog.Value { return slog.StringValue(Mask(string(m))) }

func formatMasked(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", Mask(s))
		return
	}
	fmt.Fprint(f, Mask(s))
}

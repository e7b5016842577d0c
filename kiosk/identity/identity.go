// Package identity holds the input rules for what a user types at the
// kiosk: the national ID or Iqama number and a Saudi mobile number. It
// refuses bad input with stable reason codes the UI translates, so that a
// user learns what to fix rather than only that something is wrong.
package identity

import (
	"strings"
	"unicode/utf8"
)

// Reason codes, stable across releases because the UI's catalogue keys
// its messages on them.
const (
	Empty         = "empty"
	NotDigits     = "not_digits"
	TooShort      = "too_short"
	TooLong       = "too_long"
	BadPrefix     = "bad_prefix"
	BadCheckDigit = "bad_check_digit"
	NotMobile     = "not_mobile"
)

// Error is a refusal of user input. Code is one of the reason codes above.
type Error struct {
	Field string // "id" or "mobile"
	Code  string
}

func (e *Error) Error() string {
	return e.Field + " refused: " + e.Code + " (ask the user to check the number and type it again)"
}

// Kind says whether an ID belongs to a citizen or a resident.
type Kind int

const (
	Citizen  Kind = 1 // national ID, starts with 1
	Resident Kind = 2 // Iqama, starts with 2
)

// ID is an accepted ID or Iqama number in ASCII digits.
type ID struct {
	Number string
	Kind   Kind
}

// asciiDigit maps ASCII, Arabic-Indic (U+0660..U+0669) and Eastern
// Arabic-Indic (U+06F0..U+06F9) digits to '0'..'9'; users type whichever
// their keyboard or keypad language offers.
func asciiDigit(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r), true
	case r >= '\u0660' && r <= '\u0669':
		return byte('0' + r - '\u0660'), true
	case r >= '\u06F0' && r <= '\u06F9':
		return byte('0' + r - '\u06F0'), true
	}
	return 0, false
}

// digits turns s into ASCII digits, dropping the separators in drop.
// ok is false when anything else is found.
func digits(s, drop string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		if d, ok := asciiDigit(r); ok {
			b.WriteByte(d)
			continue
		}
		if strings.ContainsRune(drop, r) {
			continue
		}
		return "", false
	}
	return b.String(), true
}

// luhnValid reports whether the all-digit string d passes the Luhn check
// that the ID and Iqama numbers carry in their last digit.
func luhnValid(d string) bool {
	sum := 0
	for i := 0; i < len(d); i++ {
		n := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// ParseID accepts a ten-digit ID (starting 1) or Iqama (starting 2) with a
// valid Luhn check digit, in any of the accepted digit sets. Surrounding
// and inner spaces are ignored because keypads and paste both add them.
func ParseID(s string) (ID, error) {
	refuse := func(code string) (ID, error) { return ID{}, &Error{Field: "id", Code: code} }
	if strings.TrimSpace(s) == "" {
		return refuse(Empty)
	}
	d, ok := digits(s, " \u00a0\t")
	switch {
	case !ok:
		return refuse(NotDigits)
	case len(d) < 10:
		return refuse(TooShort)
	case len(d) > 10:
		return refuse(TooLong)
	case d[0] != '1' && d[0] != '2':
		return refuse(BadPrefix)
	case !luhnValid(d):
		return refuse(BadCheckDigit)
	}
	return ID{Number: d, Kind: Kind(d[0] - '0')}, nil
}

// NormaliseMobile accepts 05XXXXXXXX, 5XXXXXXXX, +9665XXXXXXXX,
// 9665XXXXXXXX and 009665XXXXXXXX, with spaces, dashes or Arabic-Indic
// digits, and returns the canonical +9665XXXXXXXX.
func NormaliseMobile(s string) (string, error) {
	refuse := func(code string) (string, error) { return "", &Error{Field: "mobile", Code: code} }
	t := strings.TrimSpace(s)
	if t == "" {
		return refuse(Empty)
	}
	plus := strings.HasPrefix(t, "+")
	if plus {
		t = t[1:]
	}
	d, ok := digits(t, " \u00a0\t-")
	if !ok {
		return refuse(NotDigits)
	}
	if d == "" {
		return refuse(Empty)
	}
	var rest string
	switch {
	case plus:
		if !strings.HasPrefix(d, "966") {
			return refuse(BadPrefix)
		}
		rest = d[3:]
	case strings.HasPrefix(d, "00"):
		if !strings.HasPrefix(d, "00966") {
			return refuse(BadPrefix)
		}
		rest = d[5:]
	case strings.HasPrefix(d, "966") && len(d) == 12:
		rest = d[3:]
	case strings.HasPrefix(d, "0"):
		rest = d[1:]
	default:
		rest = d
	}
	switch {
	case len(rest) < 9:
		return refuse(TooShort)
	case len(rest) > 9:
		return refuse(TooLong)
	case rest[0] != '5':
		return refuse(NotMobile)
	}
	return "+966" + rest, nil
}

// Mask hides all of s but its last four digits ("******4567") for logs and
// screens. Strings of eight runes or fewer keep no digits at all, because
// four of eight would give away half of the value.
func Mask(s string) string {
	n := utf8.RuneCountInString(s)
	keep := 0
	if n > 8 {
		keep = 4
	}
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if i >= n-keep {
			if d, ok := asciiDigit(r); ok {
				b.WriteByte(d)
				continue
			}
		}
		b.WriteByte('*')
	}
	return b.String()
}

package pii

import (
	"fmt"
	"strings"
)

// Reason codes, stable across releases because the kiosk's screens key
// their messages on them and the centre maps them onto its API codes.
const (
	Empty         = "empty"
	NotDigits     = "not_digits"
	TooShort      = "too_short"
	TooLong       = "too_long"
	BadPrefix     = "bad_prefix"
	BadCheckDigit = "bad_check_digit"
	NotMobile     = "not_mobile"
)

// Error is a refusal of a typed number. Code is one of the reason codes.
type Error struct {
	Field string // "id", "mobile" or "code"
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

// Luhn reports whether d, all ASCII digits, passes the Luhn check that ID
// and Iqama numbers carry in their last digit. Anything else is false.
func Luhn(d string) bool {
	if d == "" {
		return false
	}
	sum := 0
	for i := 0; i < len(d); i++ {
		c := d[len(d)-1-i]
		if c < '0' || c > '9' {
			return false
		}
		n := int(c - '0')
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

// WithCheckDigit completes nine ASCII digits into a number that passes
// [Luhn], for tools, tests and generated demo people.
func WithCheckDigit(first9 string) (string, error) {
	if len(first9) != 9 {
		return "", fmt.Errorf("a check digit completes 9 digits, got %d in %q", len(first9), first9)
	}
	for d := byte('0'); d <= '9'; d++ {
		if n := first9 + string(d); Luhn(n) {
			return n, nil
		}
	}
	return "", fmt.Errorf("%q is not nine ASCII digits", first9)
}

// ParseID accepts a ten-digit national ID (starting 1) or Iqama (starting
// 2) with a valid check digit, in any of the folded digit sets and with the
// separators people type, and returns it as ASCII digits.
func ParseID(s string) (ID, error) {
	refuse := func(code string) (ID, error) { return "", &Error{Field: "id", Code: code} }
	d, ok := fold(s)
	switch {
	case strings.TrimSpace(s) == "" || ok && d == "":
		return refuse(Empty)
	case !ok:
		return refuse(NotDigits)
	case len(d) < 10:
		return refuse(TooShort)
	case len(d) > 10:
		return refuse(TooLong)
	case d[0] != '1' && d[0] != '2':
		return refuse(BadPrefix)
	case !Luhn(d):
		return refuse(BadCheckDigit)
	}
	return ID(d), nil
}

// NormaliseMobile accepts a Saudi mobile number as 5XXXXXXXX, 05XXXXXXXX,
// 9665XXXXXXXX, 009665XXXXXXXX or +9665XXXXXXXX, with the separators people
// type and in any of the folded digit sets, and returns +9665XXXXXXXX.
//
// It is the union of the kiosk's and the centre's former rules, which
// accepted the same forms except that only the kiosk allowed no-break
// spaces and tabs between the digits.
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
	d, ok := fold(t)
	if !ok {
		return refuse(NotDigits)
	}
	if d == "" {
		return refuse(Empty)
	}
	rest, ok := mobileRest(d, plus)
	if !ok {
		return refuse(BadPrefix)
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

// mobileRest strips the country or trunk prefix from the ASCII digits d of
// a mobile number; ok is false for a foreign country code.
func mobileRest(d string, plus bool) (rest string, ok bool) {
	switch {
	case plus:
		return strings.CutPrefix(d, "966")
	case strings.HasPrefix(d, "00"):
		return strings.CutPrefix(d, "00966")
	case strings.HasPrefix(d, "966") && len(d) == 12:
		return d[3:], true
	case strings.HasPrefix(d, "0"):
		return d[1:], true
	}
	return d, true
}

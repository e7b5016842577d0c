package api

import (
	"errors"
	"fmt"
	"strings"
)

// Format errors of ID and mobile numbers. The centre answers them with
// CodeBadIDFormat, CodeBadCheckDigit and CodeBadMobile.
var (
	ErrIDFormat     = errors.New("ID number must be 10 digits starting with 1 (citizen) or 2 (resident)")
	ErrIDCheckDigit = errors.New("ID number check digit is wrong")
	ErrMobile       = errors.New("mobile number must be a Saudi mobile: 05XXXXXXXX or +9665XXXXXXXX")
)

// asciiDigits maps Arabic-Indic (U+0660…) and Extended Arabic-Indic
// (U+06F0…) digits to ASCII, and drops spaces and dashes people type.
func asciiDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '٠' && r <= '٩':
			b.WriteRune('0' + (r - '٠'))
		case r >= '۰' && r <= '۹':
			b.WriteRune('0' + (r - '۰'))
		case r == ' ' || r == '-':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NormalizeID checks a national ID or Iqama number, ^[12]\d{9}$ with a Luhn
// check digit, and returns it in ASCII digits.
func NormalizeID(s string) (string, error) {
	id := asciiDigits(strings.TrimSpace(s))
	if len(id) != 10 || (id[0] != '1' && id[0] != '2') {
		return "", ErrIDFormat
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return "", ErrIDFormat
		}
	}
	if !luhnValid(id) {
		return "", ErrIDCheckDigit
	}
	return id, nil
}

func luhnValid(digits string) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// NormalizeMobile accepts 05XXXXXXXX, 5XXXXXXXX, 9665XXXXXXXX, 009665XXXXXXXX
// and +9665XXXXXXXX (Arabic-Indic digits too) and returns +9665XXXXXXXX.
func NormalizeMobile(s string) (string, error) {
	m := asciiDigits(strings.TrimSpace(s))
	switch {
	case strings.HasPrefix(m, "+966"):
		m = m[4:]
	case strings.HasPrefix(m, "00966"):
		m = m[5:]
	case strings.HasPrefix(m, "966") && len(m) == 12:
		m = m[3:]
	case strings.HasPrefix(m, "0"):
		m = m[1:]
	}
	if len(m) != 9 || m[0] != '5' {
		return "", ErrMobile
	}
	for i := 0; i < len(m); i++ {
		if m[i] < '0' || m[i] > '9' {
			return "", ErrMobile
		}
	}
	return "+966" + m, nil
}

// Mask keeps the last four characters of an ID or mobile number and hides
// the rest, for logs, screens and receipts.
func Mask(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}

// checkDigit is used by tests and tools that make valid numbers.
func checkDigit(first9 string) (byte, error) {
	if len(first9) != 9 {
		return 0, fmt.Errorf("check digit needs 9 digits, got %d", len(first9))
	}
	for d := byte('0'); d <= '9'; d++ {
		if luhnValid(first9 + string(d)) {
			return d, nil
		}
	}
	return 0, fmt.Errorf("no check digit for %q", first9)
}

// WithCheckDigit completes nine digits into a valid ID number.
func WithCheckDigit(first9 string) (string, error) {
	d, err := checkDigit(first9)
	if err != nil {
		return "", err
	}
	return first9 + string(d), nil
}

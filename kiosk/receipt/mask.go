package receipt

import (
	"strings"

	"github.com/absher-kiosk/kiosk/kiosk/identity"
)

// personalLabel names the document lines whose value is an identity or
// mobile number, masked whatever its shape.
func personalLabel(labelEN string) bool {
	l := strings.ToLower(labelEN)
	for _, k := range []string{"id number", "iqama", "national id", "mobile", "phone"} {
		if strings.Contains(l, k) {
			return true
		}
	}
	return false
}

// scrub masks every run of digits in s that is shaped like an identity
// number (ten digits, 1 or 2 first, valid check digit) or a Saudi mobile
// number, so a number the centre put in free text does not reach the paper
// in full. Other numbers (visa, fine, dates, amounts) are left as they are;
// a visa number that happens to pass the identity check is masked too,
// which costs less than printing an identity number.
func scrub(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); {
		if !isDigit(rs[i]) && !(rs[i] == '+' && i+1 < len(rs) && isDigit(rs[i+1])) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i + 1
		for j < len(rs) && isDigit(rs[j]) {
			j++
		}
		run := string(rs[i:j])
		if looksPersonal(run) {
			run = identity.Mask(run)
		}
		b.WriteString(run)
		i = j
	}
	return b.String()
}

func looksPersonal(run string) bool {
	if _, err := identity.ParseID(run); err == nil {
		return true
	}
	if _, err := identity.NormaliseMobile(run); err == nil {
		return true
	}
	return false
}

func isDigit(r rune) bool {
	return r >= '0' && r <= '9' || r >= '\u0660' && r <= '\u0669' || r >= '\u06F0' && r <= '\u06F9'
}

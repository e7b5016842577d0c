package outbox

import "strings"

// MaskDigits replaces every run of five or more digits (ASCII or
// Arabic-Indic) with asterisks, keeping its last four digits. Reasons come
// from the centre and from error text, which may quote an ID or mobile
// number; they are masked before they are stored, logged or shown.
func MaskDigits(s string) string {
	r := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(r); {
		if !isDigit(r[i]) {
			b.WriteRune(r[i])
			i++
			continue
		}
		j := i
		for j < len(r) && isDigit(r[j]) {
			j++
		}
		if n := j - i; n >= 5 {
			b.WriteString(strings.Repeat("*", n-4))
			b.WriteString(string(r[j-4 : j]))
		} else {
			b.WriteString(string(r[i:j]))
		}
		i = j
	}
	return b.String()
}

func isDigit(c rune) bool {
	return (c >= '0' && c <= '9') || (c >= '٠' && c <= '٩') || (c >= '۰' && c <= '۹')
}

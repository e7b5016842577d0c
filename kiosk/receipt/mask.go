package receipt

import "strings"

// personalLabel names the document lines whose value is an identity or
// mobile number, masked whatever its shape. Numbers of personal shape in
// any other line or title are masked by pii.Scrub, which leaves visa, fine
// and bill numbers, dates and amounts readable on paper.
func personalLabel(labelEN string) bool {
	l := strings.ToLower(labelEN)
	for _, k := range []string{"id number", "iqama", "national id", "mobile", "phone"} {
		if strings.Contains(l, k) {
			return true
		}
	}
	return false
}

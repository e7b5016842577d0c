package demo

// LuhnValid reports whether id is all ASCII digits and passes the Luhn check
// that national ID, Iqama and border numbers carry in their last digit.
func LuhnValid(id string) bool {
	if id == "" {
		return false
	}
	sum := 0
	double := false
	for i := len(id) - 1; i >= 0; i-- {
		c := id[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
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

// WithCheckDigit completes nine ASCII digits into a valid ten-digit number.
// Anything other than nine digits gives "", which no caller can mistake for
// a number.
func WithCheckDigit(prefix9 string) string {
	if len(prefix9) != 9 {
		return ""
	}
	for d := byte('0'); d <= '9'; d++ {
		if id := prefix9 + string(d); LuhnValid(id) {
			return id
		}
	}
	return ""
}

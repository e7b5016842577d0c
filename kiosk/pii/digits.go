package pii

// Digit folds an ASCII, Arabic-Indic (U+0660–U+0669) or Extended
// Arabic-Indic (U+06F0–U+06F9) digit to its ASCII byte; users type
// whichever their keyboard or keypad language offers.
func Digit(r rune) (byte, bool) {
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

func isDigit(r rune) bool {
	_, ok := Digit(r)
	return ok
}

// isSeparator reports the characters people type between digit groups.
func isSeparator(r rune) bool {
	return r == ' ' || r == '\u00a0' || r == '\t' || r == '-'
}

// fold turns s into ASCII digits, dropping separators; ok is false when
// anything else is found.
func fold(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if d, ok := Digit(r); ok {
			b = append(b, d)
			continue
		}
		if isSeparator(r) {
			continue
		}
		return "", false
	}
	return string(b), true
}

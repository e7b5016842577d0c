package outbox

import (
	"testing"
	"unicode/utf8"
)

func TestMaskDigits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"no digits", "no digits"},
		{"HTTP 503", "HTTP 503"},
		{"code 1234", "code 1234"},
		{"id 1098765432 refused", "id ******5432 refused"},
		{"mobile +966512345678", "mobile +********5678"},
		{"two 12345 and 678901", "two *2345 and **8901"},
		{"arabic-indic ١٠٩٨٧٦٥٤٣٢", "arabic-indic ******٥٤٣٢"},
		{"mixed 12٣٤5", "mixed *2٣٤5"},
		{"invalid utf8 \xff123456", "invalid utf8 \uFFFD**3456"},
	}
	for _, tc := range tests {
		if got := MaskDigits(tc.in); got != tc.want {
			t.Errorf("MaskDigits(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzMaskDigits(f *testing.F) {
	for _, s := range []string{"", "1098765432", "+966512345678", "١٠٩٨٧٦٥٤٣٢", "a1b22c333d4444e55555", "\xff\xfe12345"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := MaskDigits(s)
		run := 0
		for _, r := range got {
			if isDigit(r) {
				run++
				if run > 4 {
					t.Fatalf("MaskDigits(%q) = %q keeps a run of more than four digits", s, got)
				}
			} else {
				run = 0
			}
		}
		if want := utf8.RuneCountInString(s); utf8.RuneCountInString(got) != want {
			t.Fatalf("MaskDigits(%q) = %q changes the length", s, got)
		}
	})
}

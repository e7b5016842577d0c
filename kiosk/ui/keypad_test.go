package ui

import "testing"

func TestDigit(t *testing.T) {
	tests := []struct {
		in   rune
		want rune
		ok   bool
	}{
		{'0', '0', true}, {'9', '9', true},
		{'٠', '0', true}, {'٩', '9', true},
		{'۰', '0', true}, {'۹', '9', true},
		{'a', 0, false}, {'/', 0, false}, {':', 0, false},
		{'\u065f', 0, false}, {'\u066a', 0, false}, {-1, 0, false}, {0x10FFFF, 0, false},
	}
	for _, tt := range tests {
		got, ok := digit(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("digit(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzDigit(f *testing.F) {
	for _, r := range "09٠٩۰۹a\u0000" {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, r rune) {
		d, ok := digit(r)
		if ok && (d < '0' || d > '9') {
			t.Fatalf("digit(%q) = %q, not an ASCII digit", r, d)
		}
	})
}

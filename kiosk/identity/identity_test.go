package identity

import (
	"errors"
	"strings"
	"testing"
)

func code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return "other:" + err.Error()
	}
	return ""
}

func TestParseID(t *testing.T) {
	tests := []struct {
		in   string
		want string
		kind Kind
		code string
	}{
		{"1000000008", "1000000008", Citizen, ""},
		{"2000000006", "2000000006", Resident, ""},
		{" 1000 0000 08 ", "1000000008", Citizen, ""},
		{"١٠٠٠٠٠٠٠٠٨", "1000000008", Citizen, ""},
		{"۲۰۰۰۰۰۰۰۰۶", "2000000006", Resident, ""},
		{"", "", 0, Empty},
		{"   ", "", 0, Empty},
		{"10000000a8", "", 0, NotDigits},
		{"1000-000008", "", 0, NotDigits},
		{"100000000", "", 0, TooShort},
		{"10000000080", "", 0, TooLong},
		{"3000000004", "", 0, BadPrefix},
		{"0000000000", "", 0, BadPrefix},
		{"1000000009", "", 0, BadCheckDigit},
		{"2000000007", "", 0, BadCheckDigit},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseID(tt.in)
			if c := code(err); c != tt.code {
				t.Fatalf("ParseID(%q) code %q, want %q", tt.in, c, tt.code)
			}
			if got.Number != tt.want || got.Kind != tt.kind {
				t.Fatalf("ParseID(%q) = %+v, want %s kind %d", tt.in, got, tt.want, tt.kind)
			}
		})
	}
}

func TestNormaliseMobile(t *testing.T) {
	tests := []struct{ in, want, code string }{
		{"0512345678", "+966512345678", ""},
		{"512345678", "+966512345678", ""},
		{"+966512345678", "+966512345678", ""},
		{"00966512345678", "+966512345678", ""},
		{"966512345678", "+966512345678", ""},
		{"+966 51-234-5678", "+966512345678", ""},
		{"٠٥١٢٣٤٥٦٧٨", "+966512345678", ""},
		{"۰۵۱۲۳۴۵۶۷۸", "+966512345678", ""},
		{"", "", Empty},
		{"+", "", Empty},
		{" - ", "", Empty},
		{"05123x5678", "", NotDigits},
		{"++966512345678", "", NotDigits},
		{"051234567", "", TooShort},
		{"05123456789", "", TooLong},
		{"+971512345678", "", BadPrefix},
		{"00971512345678", "", BadPrefix},
		{"0412345678", "", NotMobile},
		{"+966112345678", "", NotMobile},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormaliseMobile(tt.in)
			if c := code(err); c != tt.code {
				t.Fatalf("NormaliseMobile(%q) code %q, want %q", tt.in, c, tt.code)
			}
			if got != tt.want {
				t.Fatalf("NormaliseMobile(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1000000008", "******0008"},
		{"+966512345678", "*********5678"},
		{"12345678", "********"},
		{"1234", "****"},
		{"", ""},
		{"١٠٠٠٠٠٠٠٠٨", "******0008"},
		{"abcdefghij", "**********"},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestErrorSaysWhatToDo(t *testing.T) {
	_, err := ParseID("12")
	if !strings.Contains(err.Error(), "too_short") || !strings.Contains(err.Error(), "type it again") {
		t.Fatalf("error %q does not name the reason and the remedy", err)
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"1000000008", "2000000006", "١٠٠٠٠٠٠٠٠٨", "", "x", "10000000080", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s)
		if err != nil {
			if code(err) == "" || strings.HasPrefix(code(err), "other:") {
				t.Fatalf("ParseID(%q) error without a reason code: %v", s, err)
			}
			return
		}
		again, err := ParseID(id.Number)
		if err != nil || again != id || len(id.Number) != 10 {
			t.Fatalf("ParseID(%q) = %+v does not re-parse to itself: %+v, %v", s, id, again, err)
		}
		if m := Mask(s); strings.Contains(m, id.Number) {
			t.Fatalf("Mask(%q) keeps the whole number", s)
		}
	})
}

func FuzzNormaliseMobile(f *testing.F) {
	for _, s := range []string{"0512345678", "+966512345678", "00966512345678", "٠٥١٢٣٤٥٦٧٨", "", "+", "-", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := NormaliseMobile(s)
		if err != nil {
			if code(err) == "" || strings.HasPrefix(code(err), "other:") {
				t.Fatalf("NormaliseMobile(%q) error without a reason code: %v", s, err)
			}
			return
		}
		if len(m) != 13 || !strings.HasPrefix(m, "+9665") {
			t.Fatalf("NormaliseMobile(%q) = %q is not canonical", s, m)
		}
		if again, err := NormaliseMobile(m); err != nil || again != m {
			t.Fatalf("canonical %q re-parses to %q, %v", m, again, err)
		}
	})
}

func BenchmarkParseID(b *testing.B) {
	for b.Loop() {
		if _, err := ParseID("١٠٠٠ ٠٠٠ ٠٠٨"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNormaliseMobile(b *testing.B) {
	for b.Loop() {
		if _, err := NormaliseMobile("+966 51-234-5678"); err != nil {
			b.Fatal(err)
		}
	}
}

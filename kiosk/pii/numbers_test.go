package pii

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
		{"۱۰۰۰۰۰۰۰۰۸", "1000000008", Citizen, ""},
		{"١٠٠٠ ٠٠٠ ٠٠٨", "1000000008", Citizen, ""},
		// The centre accepted dashes, the kiosk did not: one rule now
		// accepts them, as it does in mobile numbers.
		{"1000-000008", "1000000008", Citizen, ""},
		{"1000\u00a0000\t008", "1000000008", Citizen, ""},
		{"", "", 0, Empty},
		{"   ", "", 0, Empty},
		{" - ", "", 0, Empty},
		{"10000000a8", "", 0, NotDigits},
		{"+1000000008", "", 0, NotDigits},
		{"100000000", "", 0, TooShort},
		{"10000000080", "", 0, TooLong},
		{"10000000088", "", 0, TooLong},
		{"3000000004", "", 0, BadPrefix},
		{"3000000008", "", 0, BadPrefix},
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
			if got.Reveal() != tt.want || got.Kind() != tt.kind {
				t.Fatalf("ParseID(%q) = %s kind %d, want %s kind %d", tt.in, got.Reveal(), got.Kind(), tt.want, tt.kind)
			}
		})
	}
}

func TestLuhn(t *testing.T) {
	for s, want := range map[string]bool{
		"1000000008": true, "2000000006": true, "1045837265": true, "4401928371": true,
		"1000000009": false, "1045837264": false, "": false, "10000000a8": false, "١٠٠٠٠٠٠٠٠٨": false,
		"2000000007": false, "1234567897": true, "1234567890": false, "12345678a7": false,
		"١٢٣٤٥٦٧٨٩٧": false, // digit folding is the reader's job, not the check's
		"0":          true, " 1000000008": false,
	} {
		if got := Luhn(s); got != want {
			t.Errorf("Luhn(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestWithCheckDigit(t *testing.T) {
	if id, _ := WithCheckDigit("123456789"); id != "1234567897" {
		t.Errorf("WithCheckDigit(123456789) = %q, want 1234567897", id)
	}
	for _, p := range []string{"212345678", "100000000", "238471650", "199999999"} {
		id, err := WithCheckDigit(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(id, p) {
			t.Fatalf("WithCheckDigit(%q) = %q", p, id)
		}
		if _, err := ParseID(id); err != nil {
			t.Errorf("WithCheckDigit made %s which does not verify: %v", id, err)
		}
	}
	for _, p := range []string{"", "12345678", "1234567890", "12345678x", "١٢٣٤٥٦٧٨٩"} {
		if id, err := WithCheckDigit(p); err == nil || id != "" {
			t.Errorf("WithCheckDigit(%q) = %q, %v; want an error", p, id, err)
		}
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
		{"+966 55 123 4567", "+966551234567", ""},
		{"055-123-4567", "+966551234567", ""},
		{"051-234-5678", "+966512345678", ""},
		{"0551\u00a0234\t567", "+966551234567", ""},
		{"٠٥١٢٣٤٥٦٧٨", "+966512345678", ""},
		{"۰۵۱۲۳۴۵۶۷۸", "+966512345678", ""},
		{"", "", Empty},
		{"+", "", Empty},
		{" - ", "", Empty},
		{"05123x5678", "", NotDigits},
		{"++966512345678", "", NotDigits},
		{"051234567", "", TooShort},
		{"05123456789", "", TooLong},
		{"+9665123456789", "", TooLong},
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

func TestErrorSaysWhatToDo(t *testing.T) {
	_, err := ParseID("12")
	if !strings.Contains(err.Error(), "too_short") || !strings.Contains(err.Error(), "type it again") {
		t.Fatalf("error %q does not name the reason and the remedy", err)
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"1000000008", "2000000006", "١٠٠٠٠٠٠٠٠٨", "", "x", "10000000080", "\xff", "1000-000008"} {
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
		again, err := ParseID(id.Reveal())
		if err != nil || again != id || len(id.Reveal()) != 10 || !Luhn(id.Reveal()) {
			t.Fatalf("ParseID(%q) = %s does not re-parse to itself: %s, %v", s, id.Reveal(), again.Reveal(), err)
		}
		if m := Mask(s); strings.Contains(m, id.Reveal()) {
			t.Fatalf("Mask(%q) keeps the whole number", s)
		}
		if sc := Scrub(s); strings.Contains(sc, id.Reveal()) {
			t.Fatalf("Scrub(%q) = %q keeps the whole number", s, sc)
		}
	})
}

func FuzzNormaliseMobile(f *testing.F) {
	for _, s := range []string{"0512345678", "+966512345678", "00966512345678", "٠٥١٢٣٤٥٦٧٨", "", "+", "-", "\xff", "+966 55 123 4567"} {
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
		for _, form := range []string{m, "0" + m[4:], m[4:], "00" + m[1:]} {
			if sc := Scrub("to " + form + "."); strings.Contains(sc, m[4:]) {
				t.Fatalf("Scrub keeps the mobile number %s: %q", form, sc)
			}
		}
	})
}

func FuzzWithCheckDigit(f *testing.F) {
	f.Add("123456789")
	f.Add("12345678\x00")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := WithCheckDigit(s)
		if err != nil {
			if id != "" {
				t.Fatalf("WithCheckDigit(%q) = %q with error %v", s, id, err)
			}
			return
		}
		if len(id) != 10 || id[:9] != s || !Luhn(id) {
			t.Fatalf("WithCheckDigit(%q) = %q", s, id)
		}
		// Changing any one digit must break the check.
		for i := range 10 {
			b := []byte(id)
			b[i] = '0' + (b[i]-'0'+1)%10
			if Luhn(string(b)) {
				t.Fatalf("%q still valid after changing digit %d", b, i)
			}
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

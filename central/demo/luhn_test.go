package demo

import "testing"

func TestLuhn(t *testing.T) {
	cases := []struct {
		id   string
		want bool
	}{
		{"1000000008", true},
		{"1000000009", false},
		{"2000000006", true},
		{"2000000007", false},
		{"1234567897", true},
		{"1234567890", false},
		{"", false},
		{"12345678a7", false},
		{"١٢٣٤٥٦٧٨٩٧", false}, // Arabic-Indic digits are the input layer's job
		{"0", true},
		{" 1000000008", false},
	}
	for _, c := range cases {
		if got := LuhnValid(c.id); got != c.want {
			t.Errorf("LuhnValid(%q) = %v, want %v", c.id, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"100000000", "1000000008"},
		{"123456789", "1234567897"},
		{"12345678", ""},
		{"1234567890", ""},
		{"12345678x", ""},
	} {
		if got := WithCheckDigit(c.in); got != c.want {
			t.Errorf("WithCheckDigit(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzWithCheckDigit(f *testing.F) {
	f.Add("123456789")
	f.Add("12345678\x00")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		id := WithCheckDigit(s)
		if id == "" {
			return
		}
		if len(id) != 10 || id[:9] != s || !LuhnValid(id) {
			t.Fatalf("WithCheckDigit(%q) = %q", s, id)
		}
		// Changing any one digit must break the check.
		for i := range 10 {
			b := []byte(id)
			b[i] = '0' + (b[i]-'0'+1)%10
			if LuhnValid(string(b)) {
				t.Fatalf("%q still valid after changing digit %d", b, i)
			}
		}
	})
}

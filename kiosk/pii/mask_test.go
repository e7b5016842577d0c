package pii

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1000000008", "******0008"},
		{"+966512345678", "*********5678"},
		{"12345678", "********"},
		{"1234", "****"},
		{"12", "**"},
		{"", ""},
		{"١٠٠٠٠٠٠٠٠٨", "******0008"},
		{"abcdefghij", "**********"},
		{"+966 55 123 4567", "************4567"},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if utf8.RuneCountInString(Mask(tt.in)) != utf8.RuneCountInString(tt.in) {
			t.Errorf("Mask(%q) changes the length", tt.in)
		}
	}
}

func TestScrub(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"no digits", "no digits"},
		// IDs and Iqamas, with or without a valid check digit.
		{"ID 1045837265 issued", "ID ******7265 issued"},
		{"id 1012345678 refused", "id ******5678 refused"},
		{"id=1012345678 mobile 0551234567", "id=******5678 mobile ******4567"},
		{"1045837264", "******7264"}, // a mistyped ID is still nine tenths of one
		{"id 12026-11-234", "id ******1234"},
		{"id 1012 345 678", "id ******5678"},
		{"٢٣٨٤٧١٦٥٠٨", "******6508"},
		{"رقم ١٠١٢٣٤٥٦٧٨", "رقم ******5678"},
		{"x1045837265y", "x******7265y"},
		{"Tx 1234567890", "Tx ******7890"},
		{"centre: 422 invalid visa for 1098765432", "centre: 422 invalid visa for ******5432"},
		// Mobile numbers in every form people write them.
		{"mobile +966551234567", "mobile *********4567"},
		{"mobile +966 55 123 4567", "mobile *********4567"},
		{"mobile 00966551234567", "mobile **********4567"},
		{"mobile 00966 55 123 4567 now", "mobile **********4567 now"},
		{"mobile 966551234567", "mobile ********4567"},
		{"mobile 055 123 4567", "mobile ******4567"},
		{"mobile 055-123-4567", "mobile ******4567"},
		{"mobile ٠٥٥١٢٣٤٥٦٧", "mobile ******4567"},
		{"mobile ۰۵۵ ۱۲۳ ۴۵۶۷", "mobile ******4567"},
		{"mobile 055\u00a0123\t4567", "mobile ******4567"},
		{"mobile 551234567", "mobile *****4567"},
		{"call 0551234567.", "call ******4567."},
		{"no log folder 0551234567", "no log folder ******4567"},
		// Everything else stays readable.
		{"visa 4401928371", "visa 4401928371"},
		{"fine 7730011829", "fine 7730011829"},
		{"2026-09-14 300 SAR", "2026-09-14 300 SAR"},
		{"2026-09-14 10 SAR", "2026-09-14 10 SAR"},
		{"at 2026-11-23T08:58:02Z", "at 2026-11-23T08:58:02Z"},
		{"on 2026-11-23 1012345678", "on 2026-11-23 ******5678"},
		{"a+b 12+34", "a+b 12+34"},
		{"10458372651045837265", "10458372651045837265"},
		{"code 123456 sent", "code 123456 sent"},
		{"port 8443", "port 8443"},
		{"HTTP 503", "HTTP 503"},
		{"two 12345 and 678901", "two 12345 and 678901"},
		{"mixed 12٣٤5", "mixed 12٣٤5"},
		{"code 1234", "code 1234"},
		{"dial tcp 10.0.0.1:443: connection refused", "dial tcp 10.0.0.1:443: connection refused"},
		{"mobile 0551-23-45678", "mobile 0551-23-45678"}, // eleven digits: neither shape
		{"invalid utf8 \xff1045837265", "invalid utf8 \uFFFD******7265"},
		// Already masked text does not change.
		{"******5678 12345", "******5678 12345"},
		{"******4567 8", "******4567 8"},
	}
	for _, tt := range tests {
		if got := Scrub(tt.in); got != tt.want {
			t.Errorf("Scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSelfMasking(t *testing.T) {
	id, m := ID("1000000008"), Mobile("+966512345678")
	for _, got := range []string{
		id.String(), fmt.Sprint(id), fmt.Sprintf("%s %v %d %+v", id, id, id, id), fmt.Sprintf("%q", id),
		m.String(), fmt.Sprint(m), fmt.Sprintf("%s %v %x", m, m, m), fmt.Sprintf("%v", struct{ M Mobile }{m}),
	} {
		if strings.Contains(got, "1000000008") || strings.Contains(got, "512345678") {
			t.Errorf("printed %q", got)
		}
	}
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("x", "id", id, "mobile", m)
	if strings.Contains(b.String(), "1000000008") || !strings.Contains(b.String(), `"id":"******0008"`) || !strings.Contains(b.String(), `"mobile":"*********5678"`) {
		t.Errorf("logged %s", b.String())
	}
	if id.Reveal() != "1000000008" || m.Reveal() != "+966512345678" || id.Kind() != Citizen {
		t.Errorf("Reveal %s %s %d", id.Reveal(), m.Reveal(), id.Kind())
	}
}

// personalRuns lists the maximal runs of digits in s, folded to ASCII, that
// have a personal shape on their own.
func personalRuns(s string) []string {
	var out []string
	var run []byte
	flush := func() {
		if personal(string(run)) {
			out = append(out, string(run))
		}
		run = run[:0]
	}
	for _, r := range s {
		if d, ok := Digit(r); ok {
			run = append(run, d)
			continue
		}
		flush()
	}
	flush()
	return out
}

func FuzzScrub(f *testing.F) {
	for _, s := range []string{
		"", "1098765432", "+966512345678", "١٠٩٨٧٦٥٤٣٢", "a1b22c333d4444e55555", "\xff\xfe12345",
		"+966 55 123 4567", "00966551234567", "٠٥٥١٢٣٤٥٦٧", "055-123-4567", "on 2026-11-23 1012345678",
		"2026-09-14-0551234567", "1012345678-2026-09-14", "******5678 12345", "1 2 3 4 5 6 7 8 9 0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Scrub(s)
		if again := Scrub(out); again != out {
			t.Fatalf("Scrub is not idempotent on %q: %q then %q", s, out, again)
		}
		if utf8.RuneCountInString(out) > utf8.RuneCountInString(s) {
			t.Fatalf("Scrub(%q) = %q grows the text", s, out)
		}
		outRuns := map[string]bool{}
		for _, r := range personalRuns(out) {
			outRuns[r] = true
		}
		for _, r := range personalRuns(s) {
			if outRuns[r] {
				t.Fatalf("Scrub(%q) = %q keeps %s", s, out, r)
			}
		}
	})
}

package text

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"
)

// The three strings the kiosk must get right, with their visual runs
// written out by hand from the Unicode Bidirectional Algorithm.
func TestRunsVisualOrder(t *testing.T) {
	tests := []struct {
		in   string
		base Direction
		want []Run
	}{
		{"رقم الجوال: 0551234567", RTL, []Run{{"0551234567", LTR}, {"رقم الجوال: ", RTL}}},
		{"مرحبا Absher كشك", RTL, []Run{{" كشك", RTL}, {"Absher", LTR}, {"مرحبا ", RTL}}},
		{"الرقم 123 هنا", RTL, []Run{{" هنا", RTL}, {"123", LTR}, {"الرقم ", RTL}}},
		// Auto finds the Arabic first letter and gives the same answer.
		{"الرقم 123 هنا", Auto, []Run{{" هنا", RTL}, {"123", LTR}, {"الرقم ", RTL}}},
		// In an English paragraph the Arabic stretch, number included, still
		// reads right to left: the number is at level 2 inside it.
		{"الرقم 123 هنا", LTR, []Run{{" هنا", RTL}, {"123", LTR}, {"الرقم ", RTL}}},
		{"مرحبا Absher كشك", LTR, []Run{{"مرحبا", RTL}, {" Absher ", LTR}, {"كشك", RTL}}},
		{"Mobile: 0551234567", LTR, []Run{{"Mobile: 0551234567", LTR}}},
		{"Mobile: 0551234567", RTL, []Run{{"Mobile: 0551234567", LTR}}},
		{"hello مرحبا world", LTR, []Run{{"hello ", LTR}, {"مرحبا", RTL}, {" world", LTR}}},
		{"hello مرحبا world", RTL, []Run{{"world", LTR}, {" مرحبا ", RTL}, {"hello", LTR}}},
		{"مرحبا 12 abc", LTR, []Run{{"12", LTR}, {"مرحبا ", RTL}, {" abc", LTR}}},
		{"", RTL, nil},
		{"123", Auto, []Run{{"123", LTR}}},
	}
	for _, tt := range tests {
		got := Runs(tt.in, tt.base)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Runs(%q, %v) = %q, want %q", tt.in, tt.base, got, tt.want)
		}
	}
}

// For a right-to-left paragraph without embeddings the visual order is the
// bidi package's logical runs read backwards; check that independently of
// the level bookkeeping in Runs.
func TestRunsAgreeWithBidiOrdering(t *testing.T) {
	for _, s := range []string{"رقم الجوال: 0551234567", "مرحبا Absher كشك", "الرقم 123 هنا"} {
		var p bidi.Paragraph
		if _, err := p.SetString(s, bidi.DefaultDirection(bidi.RightToLeft)); err != nil {
			t.Fatal(err)
		}
		o, err := p.Order()
		if err != nil {
			t.Fatal(err)
		}
		var want []Run
		for i := o.NumRuns() - 1; i >= 0; i-- {
			r := o.Run(i)
			d := LTR
			if r.Direction() == bidi.RightToLeft {
				d = RTL
			}
			want = append(want, Run{r.String(), d})
		}
		if got := Runs(s, RTL); !reflect.DeepEqual(got, want) {
			t.Errorf("Runs(%q) = %q, bidi.Ordering reversed = %q", s, got, want)
		}
	}
}

func TestRunsBadInput(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"invalid utf8", "abc\xff\xfeمرحبا"},
		{"lone continuation", "\x80\x80"},
		{"newlines", "سطر\nline\r\n2"},
		{"paragraph separator", "a\u2029ب"},
		{"only neutrals", "  ..,, "},
		{"explicit embeddings", "\u202bab\u202c\u2066ج\u2069"},
		{"unbalanced brackets", "((([[[مرحبا"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := Runs(tt.in, Auto)
			checkRunsCover(t, tt.in, runs)
		})
	}
}

// checkRunsCover asserts the runs hold exactly the cleaned input's runes.
func checkRunsCover(t *testing.T, in string, runs []Run) {
	t.Helper()
	var got []rune
	for _, r := range runs {
		if r.Text == "" {
			t.Errorf("empty run in %q", runs)
		}
		if !utf8.ValidString(r.Text) {
			t.Errorf("run %q is not valid UTF-8", r.Text)
		}
		got = append(got, []rune(r.Text)...)
	}
	want := []rune(clean(in))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("runs %q do not hold the characters of %q", runs, in)
	}
}

func FuzzRuns(f *testing.F) {
	for _, s := range []string{"رقم الجوال: 0551234567", "مرحبا Absher كشك", "الرقم 123 هنا", "a\xffب", "(1,234.5%) مرحبا", ""} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(2))
	}
	f.Fuzz(func(t *testing.T, s string, d uint8) {
		checkRunsCover(t, s, Runs(s, Direction(d%3)))
	})
}

func TestWrap(t *testing.T) {
	// One unit per rune keeps expectations readable.
	w := func(s string) float64 { return float64(utf8.RuneCountInString(s)) }
	tests := []struct {
		in   string
		max  float64
		want []string
	}{
		{"one two three", 7, []string{"one two", "three"}},
		{"رقم الجوال الجديد", 10, []string{"رقم الجوال", "الجديد"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"a\nb c", 10, []string{"a", "b c"}},
		{"", 10, []string{""}},
		{"   ", 10, []string{""}},
		{"x y", 0, []string{"x", "y"}},
		{"bad\xffbyte", 100, []string{"bad\uFFFDbyte"}},
	}
	for _, tt := range tests {
		if got := Wrap(tt.in, w, tt.max); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Wrap(%q, %v) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func FuzzWrap(f *testing.F) {
	f.Add("one two three", 5.0)
	f.Add("مرحبا Absher كشك", 3.0)
	f.Add("\xff\n\n x", -1.0)
	f.Fuzz(func(t *testing.T, s string, max float64) {
		w := func(s string) float64 { return float64(utf8.RuneCountInString(s)) }
		lines := Wrap(s, w, max)
		words := strings.Fields(strings.ToValidUTF8(s, "\uFFFD"))
		joined := strings.Fields(strings.Join(lines, " "))
		if strings.Join(words, "") != strings.Join(joined, "") {
			t.Fatalf("Wrap lost text: %q -> %q", s, lines)
		}
	})
}

func BenchmarkRuns(b *testing.B) {
	for b.Loop() {
		_ = Runs("رقم الجوال الجديد: 0551234567 - Absher كشك", RTL)
	}
}

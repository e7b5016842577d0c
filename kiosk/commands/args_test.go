package commands

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/absher-kiosk/kiosk/kiosk/pii"
)

func TestMessage(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"  Use the kiosk\tin hall B \n", "Use the kiosk in hall B"},
		{"الجهاز خارج الخدمة", "الجهاز خارج الخدمة"},
		{"call 0551234567", "call ******4567"},
		{"bad \xff\xfe utf8", "bad utf8"},
		{"bell\a and \x1b[31mred", "bell and [31mred"},
		{strings.Repeat("ب", 400), strings.Repeat("ب", MaxMessageRunes)},
	}
	for _, tc := range tests {
		if got := Message(map[string]string{"message": tc.in}); got != tc.want {
			t.Errorf("Message(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := Message(nil); got != "" {
		t.Errorf("Message(nil) = %q", got)
	}
}

func FuzzMessage(f *testing.F) {
	for _, s := range []string{"", "hall B", "0551234567", "\xff", "\x00\x1b", strings.Repeat("ا", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := Message(map[string]string{"message": s})
		if !utf8.ValidString(m) {
			t.Fatalf("invalid UTF-8 %q", m)
		}
		if utf8.RuneCountInString(m) > MaxMessageRunes {
			t.Fatalf("%d runes", utf8.RuneCountInString(m))
		}
		for _, r := range m {
			if unicode.IsControl(r) {
				t.Fatalf("control character %U in %q", r, m)
			}
		}
		if pii.Scrub(m) != m {
			t.Fatalf("an ID or mobile number is left unmasked in %q", m)
		}
	})
}

func TestLogLines(t *testing.T) {
	tests := map[string]int{
		"":                        DefaultLogLines,
		"50":                      50,
		" 50 ":                    50,
		"0":                       DefaultLogLines,
		"-3":                      DefaultLogLines,
		"lots":                    DefaultLogLines,
		"999999":                  MaxLogLines,
		"99999999999999999999999": DefaultLogLines,
	}
	for in, want := range tests {
		if got := LogLines(map[string]string{"lines": in}); got != want {
			t.Errorf("LogLines(%q) = %d, want %d", in, got, want)
		}
	}
}

func FuzzLogLines(f *testing.F) {
	for _, s := range []string{"", "1", "-1", "2000", "2001", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n := LogLines(map[string]string{"lines": s}); n < 1 || n > MaxLogLines {
			t.Fatalf("LogLines(%q) = %d", s, n)
		}
	})
}

func TestFileTail(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name     string
		path     string
		maxBytes int64
		n        int
		want     []string
	}{
		{"missing file", filepath.Join(dir, "none"), 0, 5, nil},
		{"empty", write("empty", ""), 0, 5, nil},
		{"fewer lines than asked", write("a", "one\ntwo\n"), 0, 5, []string{"one", "two"}},
		{"last n", write("b", "1\n2\n3\n4\n"), 0, 2, []string{"3", "4"}},
		{"no final newline", write("c", "a\nb"), 0, 5, []string{"a", "b"}},
		{"crlf", write("d", "a\r\nb\r\n"), 0, 5, []string{"a", "b"}},
		{"partial first line dropped", write("e", "aaaaaaaa\nbb\ncc\n"), 7, 5, []string{"bb", "cc"}},
		{"zero lines", write("f", "a\n"), 0, 0, nil},
		{"binary", write("g", "\x00\xff\n\x01"), 0, 5, []string{"\x00\xff", "\x01"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FileTail{Path: tc.path, MaxBytes: tc.maxBytes}.Tail(tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := (FileTail{Path: dir}).Tail(3); err == nil {
		t.Fatal("reading a directory as a log succeeded")
	}
}

func FuzzLastLines(f *testing.F) {
	for _, s := range []string{"", "\n", "a\nb\n", "\r\n\r\n", "x\xffy\nz"} {
		f.Add([]byte(s), 3, false)
	}
	f.Fuzz(func(t *testing.T, b []byte, n int, partial bool) {
		if n <= 0 || n > 10000 {
			return
		}
		got := lastLines(b, n, partial)
		if len(got) > n {
			t.Fatalf("%d lines, asked %d", len(got), n)
		}
		for _, l := range got {
			if strings.Contains(l, "\n") {
				t.Fatalf("line %q holds a newline", l)
			}
		}
		text, kept := redactedTail(got, 1<<10)
		if len(text) > 1<<10 || kept > len(got) || !utf8.ValidString(text) {
			t.Fatalf("redacted tail %d bytes, %d of %d lines, valid=%v", len(text), kept, len(got), utf8.ValidString(text))
		}
		if pii.Scrub(text) != text {
			t.Fatalf("an ID or mobile number is left unmasked in %q", text)
		}
	})
}

package logs

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	cases := []struct{ in, want string }{
		{"id 1012345678 refused", "id ******5678 refused"},
		{"mobile +966551234567", "mobile ********4567"},
		{"mobile 055 123 4567", "mobile ******4567"},
		{"mobile 055-123-4567", "mobile ******4567"},
		{"رقم ١٠١٢٣٤٥٦٧٨", "رقم ******٥٦٧٨"},
		{"code 123456 sent", "code 123456 sent"}, // six-digit codes are short-lived and not personal
		{"port 8443", "port 8443"},
		{"at 2026-11-23T08:58:02Z", "at 2026-11-23T08:58:02Z"},
		{"on 2026-11-23 1012345678", "on 2026-11-23 ******5678"},
		{"mobile 0551-23-45678", "mobile *******5678"},
		{"id 12026-11-234", "id ******1234"},
		{"", ""},
	}
	for _, c := range cases {
		if got := Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestHandlerRedactsEverything(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, slog.LevelDebug).With("who", "2012345674")
	l.Info("verify 1012345678", "mobile", "0551234567", "err", errors.New("no person 1098765432"),
		slog.Group("req", "id", "1012345678"), "n", 3)
	out := buf.String()
	for _, leak := range []string{"1012345678", "0551234567", "1098765432", "2012345674"} {
		if strings.Contains(out, leak) {
			t.Fatalf("log holds %s: %s", leak, out)
		}
	}
	if !strings.Contains(out, `"n":3`) || !strings.Contains(out, "5678") {
		t.Fatalf("log lost non-personal data: %s", out)
	}
}

func TestOpenMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "kiosk.log")
	l, c, err := Open(p, slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	l.Info("hello")
	c.Close()
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("stat %v %v", fi, err)
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("1012345678")
	f.Add("+966 55 123 4567")
	f.Fuzz(func(t *testing.T, s string) {
		out := Redact(s)
		// Redacted output keeps only 4-digit tails and whole dates: no other
		// long number may survive.
		if m := longNumber.FindString(isoDate.ReplaceAllString(out, "date")); m != "" {
			t.Fatalf("Redact(%q) = %q keeps %q", s, out, m)
		}
	})
}

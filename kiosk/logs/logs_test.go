package logs

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/absher-kiosk/kiosk/kiosk/pii"
)

func TestHandlerRedactsEverything(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, slog.LevelDebug).With("who", "2012345674")
	l.Info("verify 1012345678", "mobile", "0551234567", "err", errors.New("no person 1098765432"),
		slog.Group("req", "id", "1012345678"), "n", 3,
		"spaced", "+966 55 123 4567", "intl", "00966551234567", "arabic", "٠٥٥١٢٣٤٥٦٧", "dashed", "055-123-4567",
		"typed", pii.ID("1000000008"), "on", "2026-11-23")
	out := buf.String()
	for _, leak := range []string{"1012345678", "0551234567", "1098765432", "2012345674",
		"55 123 4567", "551234567", "٠٥٥١٢٣٤٥٦٧", "055-123", "1000000008"} {
		if strings.Contains(out, leak) {
			t.Fatalf("log holds %s: %s", leak, out)
		}
	}
	if !strings.Contains(out, `"n":3`) || !strings.Contains(out, "5678") || !strings.Contains(out, `"on":"2026-11-23"`) {
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

func FuzzHandler(f *testing.F) {
	f.Add("1012345678")
	f.Add("+966 55 123 4567")
	f.Add("at 2026-11-23T08:58:02Z")
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		New(&buf, slog.LevelDebug).Info(s, "v", s, "err", errors.New(s))
		var rec map[string]any
		if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, buf.Bytes())
		}
		// Every text the handler wrote has been scrubbed: scrubbing it again
		// finds no ID or mobile number left.
		for _, k := range []string{"msg", "v", "err"} {
			if v, _ := rec[k].(string); pii.Scrub(v) != v {
				t.Fatalf("%s = %q still holds a personal number (from %q)", k, v, s)
			}
		}
	})
}

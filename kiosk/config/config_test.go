package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseGood(t *testing.T) {
	c, err := Parse("k.toml", []byte(`
[kiosk]
id = "kiosk-007"
[session]
idle_seconds = 60
warning_seconds = 30
[printer]
port = "/dev/ttyUSB0"
baud = 9600
poll_interval = "3s"
[ui]
default_language = "en"
announcements_en = ["Closed on Friday"]
[maintenance]
gesture = "taps:top-left:5:3s"
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Kiosk.ID != "kiosk-007" || c.Session.IdleSeconds != 60 || c.Printer.Baud != 9600 ||
		c.Printer.PollInterval.Duration != 3*time.Second || c.UI.AnnouncementsEN[0] != "Closed on Friday" {
		t.Fatalf("parsed %+v", c)
	}
	if c.Maintenance.Gesture != "taps:top-left:5:3s" || c.Watchdog.Timeout.Duration != 10*time.Second {
		t.Fatalf("maintenance and watchdog defaults: %+v %+v", c.Maintenance, c.Watchdog)
	}
	// Untouched fields keep their defaults.
	if c.Sync.BatchCount != 100 || c.Centre.RequestTimeout.Duration != 10*time.Second {
		t.Fatalf("defaults lost: %+v", c.Sync)
	}
}

func TestDefaultsValid(t *testing.T) {
	if _, err := Load(""); err != nil {
		t.Fatal(err)
	}
}

func TestParseBad(t *testing.T) {
	cases := []struct{ name, body, field string }{
		{"syntax", "[kiosk\nid=1", "line"},
		{"unknown field", "[kiosk]\nidd = \"x\"", "kiosk.idd"},
		{"wrong type", "[session]\nidle_seconds = \"soon\"", "(file)"},
		{"short warning", "[session]\nwarning_seconds = 5", "session.warning_seconds"},
		{"idle too short", "[session]\nidle_seconds = 1", "session.idle_seconds"},
		{"language", "[ui]\ndefault_language = \"fr\"", "ui.default_language"},
		{"bad duration", "[scanner]\npoll_interval = \"often\"", ""},
		{"http centre", "[centre]\nurl = \"http://x\"", "centre.url"},
		{"baud", "[printer]\nport = \"/dev/ttyS0\"\nbaud = 7", "printer.baud"},
		{"empty id", "[kiosk]\nid = \" \"", "kiosk.id"},
		{"batch", "[sync]\nbatch_count = 0", "sync.batch_count"},
		{"gesture kind", "[maintenance]\ngesture = \"swipe:top-left:5s\"", "maintenance.gesture"},
		{"gesture hold too long", "[maintenance]\ngesture = \"hold:top-left:90s\"", "maintenance.gesture"},
		{"gesture empty", "[maintenance]\ngesture = \"\"", "maintenance.gesture"},
		{"watchdog timeout under interval", "[watchdog]\ntimeout = \"1s\"\ninterval = \"2s\"", "watchdog.timeout"},
		{"watchdog timeout over systemd's", "[watchdog]\ntimeout = \"40s\"", "watchdog.timeout"},
		{"watchdog interval", "[watchdog]\ninterval = \"1ms\"", "watchdog.interval"},
	}
	for _, c := range cases {
		_, err := Parse("bad.toml", []byte(c.body))
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: err = %v, want a FieldError", c.name, err)
			continue
		}
		if fe.File != "bad.toml" || !strings.Contains(fe.Field, c.field) || fe.Reason == "" {
			t.Errorf("%s: got %+v, want field containing %q", c.name, fe, c.field)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.toml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("[kiosk]\nid = \"k\"\n"))
	f.Add([]byte("[session]\nidle_seconds = 45\nwarning_seconds = 20\n"))
	f.Add([]byte("[scanner]\npoll_interval = \"1s\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.toml", data)
		if err == nil {
			if verr := c.Validate("again"); verr != nil {
				t.Fatalf("accepted config fails validation: %v", verr)
			}
		}
	})
}

// Package config reads the kiosk's TOML configuration. Every field has a
// default, so an empty file (or none) is a working demo configuration; a bad
// file is refused with the file, the field and the reason.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/absher-kiosk/kiosk/kiosk/maintenance"
)

// Config is the whole kiosk configuration. The comment on each field is its
// documentation; Defaults gives every default.
type Config struct {
	Kiosk   Kiosk   `toml:"kiosk"`
	Centre  Centre  `toml:"centre"`
	Session Session `toml:"session"`
	UI      UI      `toml:"ui"`
	Scanner Scanner `toml:"scanner"`
	Printer Printer `toml:"printer"`
	Sync    Sync    `toml:"sync"`

	Maintenance Maintenance `toml:"maintenance"`
	Watchdog    Watchdog    `toml:"watchdog"`
}

type Kiosk struct {
	// ID names this kiosk; it must match the CommonName of its client certificate.
	ID string `toml:"id"`
	// StateDir holds the queue database, its key file and the logs.
	StateDir string `toml:"state_dir"`
	// LogFile is the JSON log; relative paths are inside StateDir.
	LogFile string `toml:"log_file"`
	// Fullscreen locks the window to the whole screen (the kiosk default).
	Fullscreen bool `toml:"fullscreen"`
	// HideCursor hides the mouse pointer on touch-only kiosks.
	HideCursor bool `toml:"hide_cursor"`
}

type Centre struct {
	// URL of the central API, https only.
	URL string `toml:"url"`
	// CAFile, CertFile and KeyFile are the PEM files for mutual TLS.
	CAFile   string `toml:"ca_file"`
	CertFile string `toml:"cert_file"`
	KeyFile  string `toml:"key_file"`
	// CommandKeyFile is the centre's Ed25519 public key that signs commands.
	CommandKeyFile string `toml:"command_key_file"`
	// RequestTimeout bounds each online call (identity, SMS, documents).
	RequestTimeout Duration `toml:"request_timeout"`
}

type Session struct {
	// IdleSeconds without a touch before the "do you need more time?" warning.
	IdleSeconds int `toml:"idle_seconds"`
	// WarningSeconds the warning stays before the session is wiped; at least 20 (WCAG 2.2.1).
	WarningSeconds int `toml:"warning_seconds"`
}

type UI struct {
	// DefaultLanguage is "ar" or "en".
	DefaultLanguage string `toml:"default_language"`
	// LargeText and HighContrast start the UI in those modes.
	LargeText    bool `toml:"large_text"`
	HighContrast bool `toml:"high_contrast"`
	// AnnouncementsAR and AnnouncementsEN are shown on the attract screen.
	AnnouncementsAR []string `toml:"announcements_ar"`
	AnnouncementsEN []string `toml:"announcements_en"`
}

type Scanner struct {
	// PollInterval is how often the USB device list is read to notice plugging and unplugging.
	PollInterval Duration `toml:"poll_interval"`
	// Simulated is for the demo program (kiosk-demo), which always stands a simulated scanner in while no USB scanner is present; the production kiosk refuses to start with it set.
	Simulated bool `toml:"simulated"`
}

type Printer struct {
	// Port is the serial device, for example /dev/ttyUSB0; empty means no printer.
	Port string `toml:"port"`
	// Baud is the line speed.
	Baud int `toml:"baud"`
	// Profile names the printer model (dots per line, cut, QR support, presenter).
	Profile string `toml:"profile"`
	// PollInterval is how often the printer's status is asked for.
	PollInterval Duration `toml:"poll_interval"`
}

type Sync struct {
	// BatchCount and BatchBytes bound one upload.
	BatchCount int `toml:"batch_count"`
	BatchBytes int `toml:"batch_bytes"`
	// MaxAttempts before an event is parked.
	MaxAttempts int `toml:"max_attempts"`
	// HeartbeatInterval between heartbeats to the centre.
	HeartbeatInterval Duration `toml:"heartbeat_interval"`
	// RetryCap bounds the backoff between upload retries.
	RetryCap Duration `toml:"retry_cap"`
}

type Maintenance struct {
	// Gesture opens the technician's PIN pad: "hold:<corner>:<time>" or "taps:<corner>:<count>:<within>", corners top-left, top-right, bottom-left, bottom-right.
	Gesture string `toml:"gesture"`
}

type Watchdog struct {
	// Timeout without an answer from the UI before the kiosk is restarted; shorter than systemd's WatchdogSec.
	Timeout Duration `toml:"timeout"`
	// Interval between pings of the UI; shorter than Timeout.
	Interval Duration `toml:"interval"`
}

// Duration is a time.Duration written as "45s" or "2m" in TOML.
type Duration struct{ time.Duration }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration like \"30s\" or \"2m\"", string(b))
	}
	d.Duration = v
	return nil
}

func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Defaults is the embedded configuration the kiosk runs on when given no file.
func Defaults() Config {
	return Config{
		Kiosk:   Kiosk{ID: "kiosk-001", StateDir: defaultStateDir(), LogFile: "kiosk.log", Fullscreen: true},
		Centre:  Centre{URL: "https://127.0.0.1:8443", RequestTimeout: Duration{10 * time.Second}},
		Session: Session{IdleSeconds: 45, WarningSeconds: 20},
		UI: UI{DefaultLanguage: "ar",
			AnnouncementsAR: []string{"خدمات أبشر متاحة على مدار الساعة"},
			AnnouncementsEN: []string{"Absher services are available around the clock"}},
		Scanner: Scanner{PollInterval: Duration{2 * time.Second}},
		Printer: Printer{Baud: 115200, Profile: "epson-tm-t88", PollInterval: Duration{5 * time.Second}},
		Sync: Sync{BatchCount: 100, BatchBytes: 256 << 10, MaxAttempts: 10,
			HeartbeatInterval: Duration{time.Minute}, RetryCap: Duration{5 * time.Minute}},
		Maintenance: Maintenance{Gesture: maintenance.DefaultGesture.String()},
		Watchdog:    Watchdog{Timeout: Duration{10 * time.Second}, Interval: Duration{time.Second}},
	}
}

func defaultStateDir() string {
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(filepath.Dir(d), ".local", "state", "absher-kiosk")
	}
	return filepath.Join(os.TempDir(), "absher-kiosk")
}

// FieldError names the file and field a bad value came from.
type FieldError struct {
	File, Field, Reason string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("config %s: %s: %s", e.File, e.Field, e.Reason)
}

// Load reads path over the defaults. An empty path gives the defaults.
func Load(path string) (Config, error) {
	c := Defaults()
	if path == "" {
		return c, c.Validate("(defaults)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("config: read %s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse decodes TOML bytes over the defaults; name is used in errors.
func Parse(name string, data []byte) (Config, error) {
	c := Defaults()
	md, err := toml.Decode(string(data), &c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return c, &FieldError{File: name, Field: fmt.Sprintf("line %d", perr.Position.Line), Reason: perr.Message}
		}
		return c, &FieldError{File: name, Field: "(file)", Reason: err.Error()}
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return c, &FieldError{File: name, Field: keys[0], Reason: "unknown field (misspelt?); known sections are kiosk, centre, session, ui, scanner, printer, sync, maintenance, watchdog"}
	}
	return c, c.Validate(name)
}

// Validate checks the configuration as a whole.
func (c Config) Validate(name string) error {
	bad := func(field, reason string) error { return &FieldError{File: name, Field: field, Reason: reason} }
	switch {
	case strings.TrimSpace(c.Kiosk.ID) == "":
		return bad("kiosk.id", "must not be empty")
	case c.Kiosk.StateDir == "":
		return bad("kiosk.state_dir", "must not be empty")
	case c.Session.IdleSeconds < 10 || c.Session.IdleSeconds > 600:
		return bad("session.idle_seconds", fmt.Sprintf("%d is outside 10..600", c.Session.IdleSeconds))
	case c.Session.WarningSeconds < 20:
		return bad("session.warning_seconds", fmt.Sprintf("%d is under 20: users need at least 20 seconds to ask for more time", c.Session.WarningSeconds))
	case c.UI.DefaultLanguage != "ar" && c.UI.DefaultLanguage != "en":
		return bad("ui.default_language", fmt.Sprintf("%q is neither \"ar\" nor \"en\"", c.UI.DefaultLanguage))
	case c.Scanner.PollInterval.Duration < 100*time.Millisecond:
		return bad("scanner.poll_interval", "must be at least 100ms")
	case c.Printer.Port != "" && (c.Printer.Baud < 1200 || c.Printer.Baud > 921600):
		return bad("printer.baud", fmt.Sprintf("%d is not a serial line speed (1200..921600)", c.Printer.Baud))
	case c.Printer.PollInterval.Duration < 100*time.Millisecond:
		return bad("printer.poll_interval", "must be at least 100ms")
	case c.Sync.BatchCount < 1 || c.Sync.BatchCount > 1000:
		return bad("sync.batch_count", fmt.Sprintf("%d is outside 1..1000", c.Sync.BatchCount))
	case c.Sync.BatchBytes < 1024 || c.Sync.BatchBytes > 8<<20:
		return bad("sync.batch_bytes", fmt.Sprintf("%d is outside 1 KiB..8 MiB", c.Sync.BatchBytes))
	case c.Sync.MaxAttempts < 1:
		return bad("sync.max_attempts", "must be at least 1")
	case c.Sync.HeartbeatInterval.Duration < time.Second:
		return bad("sync.heartbeat_interval", "must be at least 1s")
	case c.Centre.RequestTimeout.Duration <= 0:
		return bad("centre.request_timeout", "must be positive")
	}
	if _, err := maintenance.ParseGesture(c.Maintenance.Gesture); err != nil {
		return bad("maintenance.gesture", err.Error())
	}
	switch {
	case c.Watchdog.Interval.Duration < 100*time.Millisecond:
		return bad("watchdog.interval", "must be at least 100ms")
	case c.Watchdog.Timeout.Duration <= c.Watchdog.Interval.Duration:
		return bad("watchdog.timeout", fmt.Sprintf("%s must be longer than watchdog.interval (%s)", c.Watchdog.Timeout.Duration, c.Watchdog.Interval.Duration))
	case c.Watchdog.Timeout.Duration > 25*time.Second:
		return bad("watchdog.timeout", fmt.Sprintf("%s is too long: systemd's watchdog (30s) would kill the kiosk before it restarts itself; use 25s or less", c.Watchdog.Timeout.Duration))
	}
	u, err := url.Parse(c.Centre.URL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return bad("centre.url", fmt.Sprintf("%q is not an https:// URL", c.Centre.URL))
	}
	return nil
}

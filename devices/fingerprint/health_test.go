package fingerprint_test

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/health"
)

func TestWarnings(t *testing.T) {
	tests := []struct {
		st   fingerprint.State
		want string
	}{
		{fingerprint.Online, ""},
		{fingerprint.Busy, ""},
		{fingerprint.NoDevice, fingerprint.CodeNoDevice},
		{fingerprint.Offline, fingerprint.CodeOffline},
		{fingerprint.HardwareError, fingerprint.CodeHardwareError},
		{fingerprint.State("bogus"), ""},
	}
	for _, tc := range tests {
		t.Run(string(tc.st), func(t *testing.T) {
			ws := fingerprint.Warnings(fingerprint.Status{State: tc.st, Device: "298d:1010 NB-1010-U", LastError: "usb: pipe"})
			if tc.want == "" {
				if len(ws) != 0 {
					t.Fatalf("got %v, want none", ws)
				}
				return
			}
			if len(ws) != 1 || ws[0].Code != tc.want || ws[0].Severity != health.Critical || ws[0].Source != fingerprint.HealthSource ||
				ws[0].Impact != health.DisablesFingerprint || ws[0].Delay != fingerprint.HealthDelay {
				t.Fatalf("got %+v, want one critical %s that disables fingerprints after %v", ws, tc.want, fingerprint.HealthDelay)
			}
			if !strings.Contains(ws[0].Detail, "298d:1010") || !strings.Contains(ws[0].Detail, "usb: pipe") {
				t.Fatalf("detail %q lacks device or last error", ws[0].Detail)
			}
		})
	}
}

func TestAvailabilityFollowsDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := health.New(health.Options{})
		report := fingerprint.ReportTo(r)
		advance := func(d time.Duration) { time.Sleep(d); synctest.Wait() }
		report(fingerprint.Status{State: fingerprint.NoDevice})
		advance(time.Second)
		report(fingerprint.Status{State: fingerprint.Online})
		advance(time.Minute)
		if a := r.Availability(); !a.Fingerprint {
			t.Fatalf("a one-second unplug took fingerprints away: %+v", a)
		}
		report(fingerprint.Status{State: fingerprint.NoDevice})
		advance(fingerprint.HealthDelay)
		if a := r.Availability(); a.Fingerprint || !a.Printing || a.OutOfService {
			t.Fatalf("scanner gone for %v: %+v, want only fingerprints off", fingerprint.HealthDelay, a)
		}
	})
}

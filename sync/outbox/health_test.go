package outbox

import (
	"errors"
	"fmt"
	"testing"

	"github.com/absher-kiosk/kiosk/devices/health"
)

func TestStorageWarning(t *testing.T) {
	full := &StorageError{Fault: "full", Path: "/var/lib/absher-kiosk/kiosk.db", Err: errors.New("database or disk is full")}
	tests := []struct {
		name string
		err  error
		ok   bool
		code string
	}{
		{"nil", nil, false, ""},
		{"plain error", errors.New("boom"), false, ""},
		{"full", full, true, "full"},
		{"wrapped readonly", fmt.Errorf("enqueue: %w", &StorageError{Fault: "readonly", Err: errors.New("ro")}), true, "readonly"},
		{"no fault name", &StorageError{Err: errors.New("x")}, true, "storage"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, ok := StorageWarning(tc.err)
			if ok != tc.ok || w.Code != tc.code {
				t.Fatalf("got %+v %v, want ok=%v code %q", w, ok, tc.ok, tc.code)
			}
			if ok && (w.Severity != health.Critical || w.Source != HealthSource || w.Delay != 0 || w.Impact != health.OutOfService) {
				t.Fatalf("got %+v, want an immediate critical database warning that takes the kiosk out of service", w)
			}
		})
	}
	r := health.New(health.Options{})
	report := ReportStorageTo(r)
	report(full)
	report(errors.New("not storage"))
	if a := r.Availability(); !a.OutOfService || len(a.Faults) != 1 || a.Faults[0] != HealthSource {
		t.Fatalf("after a full disk: %+v, want out of service by the database", a)
	}
	StorageRecovered(r)
	if a := r.Availability(); a.OutOfService || len(a.Reasons) != 0 {
		t.Fatalf("after recovery: %+v", a)
	}
}

package app

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"github.com/absher-kiosk/kiosk/sync/api"
)

func TestReport(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	r := &Report{Version: "1.0", Started: t0, Now: func() time.Time { return t0.Add(90 * time.Second) }}
	hb := r.Heartbeat()
	if hb.UptimeSeconds != 90 || hb.ScannerState != api.DeviceNoDevice || hb.PrinterState != api.DeviceNoDevice || hb.PrinterPaper != api.PaperUnknown {
		t.Fatalf("nothing fitted: %+v", hb)
	}
	r.Scanner = func() string { return api.DeviceOnline }
	for _, tc := range []struct {
		s            escpos.Status
		state, paper string
	}{
		{escpos.Status{Online: true}, api.DeviceOnline, api.PaperOK},
		{escpos.Status{Online: true, PaperNearEnd: true}, api.DeviceOnline, api.PaperLow},
		{escpos.Status{PaperOut: true}, api.DeviceOffline, api.PaperOut},
		{escpos.Status{CoverOpen: true}, api.DeviceOffline, api.PaperOK},
		{escpos.Status{CutterError: true}, api.DeviceHardwareError, api.PaperOK},
		{escpos.Status{NoAnswer: true}, api.DeviceOffline, api.PaperUnknown},
	} {
		r.PrinterSeen(tc.s)
		hb := r.Heartbeat()
		if hb.PrinterState != tc.state || hb.PrinterPaper != tc.paper || hb.ScannerState != api.DeviceOnline {
			t.Errorf("%+v: got %s/%s, want %s/%s", tc.s, hb.PrinterState, hb.PrinterPaper, tc.state, tc.paper)
		}
		ev := api.Event{IdempotencyKey: "0b6f3c1e-7d2a-4c55-9a44-1f2e3d4c5b6a", Kind: api.EventHeartbeat, CreatedAt: t0}
		ev.Payload, _ = jsonMarshal(hb)
		if code, msg := ev.Check(); code != "" {
			t.Errorf("the centre would refuse this heartbeat: %s %s", code, msg)
		}
	}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

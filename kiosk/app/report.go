package app

import (
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// Report is what the kiosk tells the centre about itself in each
// heartbeat: version, uptime and the devices' states. The queue fields are
// filled by the heartbeat itself.
type Report struct {
	Version string
	Started time.Time
	Now     func() time.Time
	// Scanner reads the scanner's state; nil means none is fitted.
	Scanner func() string

	mu      sync.Mutex
	printer *escpos.Status
}

// PrinterSeen records the printer's latest status (a printer.Subscribe
// callback).
func (r *Report) PrinterSeen(s escpos.Status) {
	r.mu.Lock()
	r.printer = &s
	r.mu.Unlock()
}

// Heartbeat is the kiosk's part of a heartbeat.
func (r *Report) Heartbeat() api.Heartbeat {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	hb := api.Heartbeat{Version: r.Version, UptimeSeconds: int64(now().Sub(r.Started) / time.Second),
		ScannerState: api.DeviceNoDevice, PrinterState: api.DeviceNoDevice, PrinterPaper: api.PaperUnknown}
	if r.Scanner != nil {
		hb.ScannerState = r.Scanner()
	}
	r.mu.Lock()
	p := r.printer
	r.mu.Unlock()
	if p != nil {
		hb.PrinterState, hb.PrinterPaper = printerState(*p)
	}
	hb.Devices = []api.DeviceStatus{
		{Name: "scanner", Class: "fingerprint", State: hb.ScannerState},
		{Name: "receipt", Class: "printer", State: hb.PrinterState, Detail: map[string]string{"paper": hb.PrinterPaper}},
	}
	return hb
}

func printerState(s escpos.Status) (state, paper string) {
	switch {
	case s.NoAnswer:
		return api.DeviceOffline, api.PaperUnknown
	case s.PaperOut || s.PaperStop:
		paper = api.PaperOut
	case s.PaperNearEnd:
		paper = api.PaperLow
	default:
		paper = api.PaperOK
	}
	switch {
	case s.Unrecoverable || s.CutterError || s.ErrorOccurred:
		state = api.DeviceHardwareError
	case s.Offline || s.CoverOpen || paper == api.PaperOut:
		state = api.DeviceOffline
	default:
		state = api.DeviceOnline
	}
	return state, paper
}

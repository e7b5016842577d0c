package health

import (
	"errors"
	"time"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// DeviceDelay is how long a device fault must last before it shows. The
// printer is polled every few seconds and the scanner's hot-plug watch sees
// a re-enumeration as a short unplug; five seconds rides over both.
const DeviceDelay = 5 * time.Second

// Printer warning codes.
const (
	CodePaperNearEnd  = "paper_near_end"
	CodePaperOut      = "paper_out"
	CodeCoverOpen     = "cover_open"
	CodeNoAnswer      = "no_answer"
	CodeOffline       = "offline"
	CodeCutterError   = "cutter_error"
	CodeUnrecoverable = "unrecoverable"
)

// PrinterWarnings turns one printer status reading into warnings. Paper
// near its end is only a warning (a receipt still fits); anything that
// stops a job is critical for printing.
func PrinterWarnings(st escpos.Status) []Warning {
	var ws []Warning
	add := func(code string, sev Severity, detail string) {
		ws = append(ws, Warning{Source: SourcePrinter, Code: code, Severity: sev, Delay: DeviceDelay, Detail: detail})
	}
	if st.NoAnswer {
		add(CodeNoAnswer, Critical, "the printer does not answer status requests; check its power and serial cable")
		return ws // nothing else in the reading means anything
	}
	if st.PaperOut || st.PaperStop {
		add(CodePaperOut, Critical, "paper roll is empty; load a new roll")
	} else if st.PaperNearEnd {
		add(CodePaperNearEnd, Warn, "paper roll is nearly empty; load a new roll soon")
	}
	if st.CoverOpen {
		add(CodeCoverOpen, Critical, "printer cover is open; close it")
	}
	if st.CutterError {
		add(CodeCutterError, Critical, "the cutter is jammed; clear it and close the cover")
	}
	if st.Unrecoverable {
		add(CodeUnrecoverable, Critical, "the printer reports an unrecoverable error; power-cycle it")
	}
	if st.Offline && len(ws) == 0 {
		// Offline is a consequence of most faults above; alone it still
		// stops printing.
		add(CodeOffline, Critical, "the printer is offline")
	}
	return ws
}

// ReportPrinter replaces the printer's warnings with those of st.
func (r *Registry) ReportPrinter(st escpos.Status) {
	r.Replace(SourcePrinter, PrinterWarnings(st))
}

// Scanner warning codes.
const (
	CodeNoDevice      = "no_device"
	CodeHardwareError = "hardware_error"
)

// ScannerWarnings turns the scanner's status into warnings: no scanner, an
// offline one or one in hardware error means fingerprints cannot be taken.
func ScannerWarnings(st fingerprint.Status) []Warning {
	var code, detail string
	switch st.State {
	case fingerprint.NoDevice:
		code, detail = CodeNoDevice, "no supported fingerprint scanner is attached; check the USB cable"
	case fingerprint.Offline:
		code, detail = CodeOffline, "the fingerprint scanner is offline"
	case fingerprint.HardwareError:
		code, detail = CodeHardwareError, "the fingerprint scanner reports a hardware error"
	default:
		return nil
	}
	if st.Device != "" {
		detail += " (" + st.Device + ")"
	}
	if st.LastError != "" {
		detail += ": " + st.LastError
	}
	return []Warning{{Source: SourceScanner, Code: code, Severity: Critical, Delay: DeviceDelay, Detail: detail}}
}

// ReportScanner replaces the scanner's warnings with those of st.
func (r *Registry) ReportScanner(st fingerprint.Status) {
	r.Replace(SourceScanner, ScannerWarnings(st))
}

// StorageWarning turns an outbox storage fault into a critical database
// warning with no delay: a full or read-only disk does not heal within
// seconds, and the kiosk must stop taking transactions it cannot record.
// ok is false when err is not a storage fault.
func StorageWarning(err error) (w Warning, ok bool) {
	var se *outbox.StorageError
	if !errors.As(err, &se) {
		return Warning{}, false
	}
	code := se.Fault
	if code == "" {
		code = "storage"
	}
	return Warning{Source: SourceDatabase, Code: code, Severity: Critical, Detail: se.Error()}, true
}

// ReportStorage records a storage fault; it is meant for the outbox's
// Options.OnStorageFault. Errors that are not storage faults are ignored.
func (r *Registry) ReportStorage(err error) {
	if w, ok := StorageWarning(err); ok {
		r.Set(w)
	}
}

// StorageRecovered clears the database warnings once a write succeeded
// again.
func (r *Registry) StorageRecovered() { r.Replace(SourceDatabase, nil) }

// Availability is what the kiosk can offer given its health.
type Availability struct {
	Printing     bool     // print services and receipt offers
	Fingerprint  bool     // fingerprint identification; otherwise only the fallback
	OutOfService bool     // no walk-up service at all
	Reasons      []string // "source.code" of each critical warning that limits service
}

// Compute decides availability from the visible warnings: a critical
// printer warning switches printing off, a critical scanner warning leaves
// only the fallback identification, and a critical queue or database
// warning takes the kiosk out of service because nothing could be recorded.
// Warnings below critical never limit service.
func Compute(visible []Warning) Availability {
	a := Availability{Printing: true, Fingerprint: true}
	for _, w := range visible {
		if w.Severity < Critical {
			continue
		}
		limits := true
		switch w.Source {
		case SourcePrinter:
			a.Printing = false
		case SourceScanner:
			a.Fingerprint = false
		case SourceQueue, SourceDatabase:
			a.OutOfService = true
		default:
			limits = false
		}
		if limits {
			a.Reasons = append(a.Reasons, w.Source+"."+w.Code)
		}
	}
	return a
}

// Availability computes availability from the registry's visible set.
func (r *Registry) Availability() Availability { return Compute(r.Visible()) }

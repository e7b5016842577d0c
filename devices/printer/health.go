package printer

import (
	"time"

	"github.com/absher-kiosk/kiosk/devices/health"
)

// HealthSource names the printer's warnings in the health registry.
const HealthSource = "printer"

// HealthDelay is how long a printer fault must last before it shows: the
// printer is polled every few seconds, and five seconds ride over one
// missed poll.
const HealthDelay = 5 * time.Second

// The printer's warning codes, as heartbeats and the maintenance screen
// report them.
const (
	CodePaperNearEnd  = "paper_near_end"
	CodePaperOut      = "paper_out"
	CodeCoverOpen     = "cover_open"
	CodeNoAnswer      = "no_answer"
	CodeOffline       = "offline"
	CodeCutterError   = "cutter_error"
	CodeUnrecoverable = "unrecoverable"
)

// The printer's warnings. Paper near its end is only a warning (a receipt
// still fits); anything that stops a job is critical and stops printing.
// A printer that does not answer says nothing about its paper or cover, so
// those depend on it.
var (
	warnNoAnswer = declare(CodeNoAnswer, health.Critical, "the printer does not answer status requests; check its power and serial cable")
	answering    = []health.ID{warnNoAnswer.ID()}

	warnPaperOut      = declare(CodePaperOut, health.Critical, "paper roll is empty; load a new roll", answering...)
	warnPaperNearEnd  = declare(CodePaperNearEnd, health.Warn, "paper roll is nearly empty; load a new roll soon", answering...)
	warnCoverOpen     = declare(CodeCoverOpen, health.Critical, "printer cover is open; close it", answering...)
	warnCutterError   = declare(CodeCutterError, health.Critical, "the cutter is jammed; clear it and close the cover", answering...)
	warnUnrecoverable = declare(CodeUnrecoverable, health.Critical, "the printer reports an unrecoverable error; power-cycle it", answering...)
	warnOffline       = declare(CodeOffline, health.Critical, "the printer is offline", answering...)
)

func declare(code string, sev health.Severity, detail string, dependsOn ...health.ID) health.Warning {
	w := health.Warning{Source: HealthSource, Code: code, Severity: sev, Delay: HealthDelay, Detail: detail, DependsOn: dependsOn}
	if sev == health.Critical {
		w.Impact = health.DisablesPrinting
	}
	return w
}

// Warnings turns one status reading into the printer's warnings.
func Warnings(st Status) []health.Warning {
	if st.NoAnswer {
		return []health.Warning{warnNoAnswer} // nothing else in the reading means anything
	}
	var ws []health.Warning
	if st.PaperOut || st.PaperStop {
		ws = append(ws, warnPaperOut)
	} else if st.PaperNearEnd {
		ws = append(ws, warnPaperNearEnd)
	}
	if st.CoverOpen {
		ws = append(ws, warnCoverOpen)
	}
	if st.CutterError {
		ws = append(ws, warnCutterError)
	}
	if st.Unrecoverable {
		ws = append(ws, warnUnrecoverable)
	}
	if st.Offline && len(ws) == 0 {
		// Offline is a consequence of most faults above; alone it still
		// stops printing.
		ws = append(ws, warnOffline)
	}
	return ws
}

// ReportTo returns a status subscriber that makes each reading the
// printer's complete set of warnings in r; pass it to [Printer.Subscribe].
func ReportTo(r *health.Registry) func(Status) {
	return func(st Status) { r.Replace(HealthSource, Warnings(st)) }
}

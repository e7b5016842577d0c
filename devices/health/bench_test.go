package health

import (
	"testing"

	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
)

// BenchmarkReportPrinterSteady is the printer poll's cost when nothing
// changes: one status reading replacing the same warnings.
func BenchmarkReportPrinterSteady(b *testing.B) {
	r := New(Options{Clock: newClock()})
	r.Subscribe(func([]Warning) {})
	st := escpos.Status{Online: true, PaperNearEnd: true}
	for b.Loop() {
		r.ReportPrinter(st)
	}
}

// BenchmarkRaiseClear is a fault appearing and going, with a subscriber.
func BenchmarkRaiseClear(b *testing.B) {
	r := New(Options{Clock: newClock()})
	r.Subscribe(func([]Warning) {})
	w := Warning{Source: SourcePrinter, Code: CodePaperOut, Severity: Critical}
	for b.Loop() {
		r.Set(w)
		r.Clear(SourcePrinter, CodePaperOut)
	}
}

// BenchmarkAvailability is what the service menu asks on every redraw.
func BenchmarkAvailability(b *testing.B) {
	r := New(Options{Clock: newClock()})
	r.ReportPrinter(escpos.Status{Offline: true, CoverOpen: true, CutterError: true})
	r.Set(Warning{Source: SourceCentre, Code: "unreachable", Severity: Warn})
	r.Set(Warning{Source: SourceScanner, Code: CodeNoDevice, Severity: Critical})
	for b.Loop() {
		_ = r.Availability()
	}
}

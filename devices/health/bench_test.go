package health

import (
	"testing"
)

// BenchmarkSetSteady is a status poll's cost when nothing changes: the same
// warnings set again, with a subscriber.
func BenchmarkSetSteady(b *testing.B) {
	r := New(Options{})
	r.Subscribe(func([]Warning) {})
	w := Warning{Source: srcPrinter, Code: "paper_near_end", Severity: Warn, Impact: DisablesPrinting}
	for b.Loop() {
		r.Replace(srcPrinter, []Warning{w})
	}
}

// BenchmarkRaiseClear is a fault appearing and going, with a subscriber.
func BenchmarkRaiseClear(b *testing.B) {
	r := New(Options{})
	r.Subscribe(func([]Warning) {})
	w := Warning{Source: srcPrinter, Code: "paper_out", Severity: Critical, Impact: DisablesPrinting}
	for b.Loop() {
		r.Set(w)
		r.Clear(srcPrinter, "paper_out")
	}
}

// BenchmarkAvailability is what the service menu asks on every redraw.
func BenchmarkAvailability(b *testing.B) {
	r := New(Options{})
	for _, code := range []string{"cover_open", "cutter_error"} {
		r.Set(Warning{Source: srcPrinter, Code: code, Severity: Critical, Impact: DisablesPrinting})
	}
	r.Set(Warning{Source: srcCentre, Code: "unreachable", Severity: Warn})
	r.Set(Warning{Source: srcScanner, Code: "no_device", Severity: Critical, Impact: DisablesFingerprint})
	for b.Loop() {
		_ = r.Availability()
	}
}

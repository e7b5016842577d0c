package printer_test

import (
	"reflect"
	"testing"
	"testing/synctest"
	"time"

	"github.com/absher-kiosk/kiosk/devices/health"
	"github.com/absher-kiosk/kiosk/devices/printer"
	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
)

func TestWarnings(t *testing.T) {
	tests := []struct {
		name string
		st   escpos.Status
		want []string
		sev  []health.Severity
	}{
		{"online", escpos.Status{Online: true}, nil, nil},
		{"near end is a warning", escpos.Status{Online: true, PaperNearEnd: true}, []string{printer.CodePaperNearEnd}, []health.Severity{health.Warn}},
		{"paper out outranks near end", escpos.Status{Offline: true, PaperOut: true, PaperNearEnd: true}, []string{printer.CodePaperOut}, []health.Severity{health.Critical}},
		{"paper stop", escpos.Status{Offline: true, PaperStop: true}, []string{printer.CodePaperOut}, []health.Severity{health.Critical}},
		{"cover open", escpos.Status{Offline: true, CoverOpen: true}, []string{printer.CodeCoverOpen}, []health.Severity{health.Critical}},
		{"no answer hides the rest", escpos.Status{NoAnswer: true, CoverOpen: true}, []string{printer.CodeNoAnswer}, []health.Severity{health.Critical}},
		{"offline alone", escpos.Status{Offline: true}, []string{printer.CodeOffline}, []health.Severity{health.Critical}},
		{"cutter and cover", escpos.Status{Offline: true, CoverOpen: true, CutterError: true}, []string{printer.CodeCoverOpen, printer.CodeCutterError}, []health.Severity{health.Critical, health.Critical}},
		{"unrecoverable", escpos.Status{Offline: true, Unrecoverable: true}, []string{printer.CodeUnrecoverable}, []health.Severity{health.Critical}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ws := printer.Warnings(tc.st)
			var got []string
			var sev []health.Severity
			for _, w := range ws {
				got = append(got, w.Code)
				sev = append(sev, w.Severity)
				if w.Source != printer.HealthSource || w.Delay != printer.HealthDelay {
					t.Fatalf("warning %+v: want source printer, delay %v", w, printer.HealthDelay)
				}
				// Critical printer warnings stop printing; the near-end
				// warning takes nothing away.
				if stops := w.Impact == health.DisablesPrinting; stops != (w.Severity == health.Critical) {
					t.Fatalf("warning %+v: impact %v for severity %v", w, w.Impact, w.Severity)
				}
			}
			if !reflect.DeepEqual(got, tc.want) || !reflect.DeepEqual(sev, tc.sev) {
				t.Fatalf("got %v %v, want %v %v", got, sev, tc.want, tc.sev)
			}
		})
	}
}

func TestReportToReplaces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := health.New(health.Options{})
		report := printer.ReportTo(r)
		report(escpos.Status{Offline: true, CoverOpen: true, PaperNearEnd: true})
		time.Sleep(printer.HealthDelay)
		synctest.Wait()
		if got := ids(r.Visible()); !reflect.DeepEqual(got, []string{"printer.cover_open", "printer.paper_near_end"}) {
			t.Fatalf("visible %v", got)
		}
		if a := r.Availability(); a.Printing || !a.Fingerprint || a.OutOfService {
			t.Fatalf("cover open: %+v, want printing off and nothing else", a)
		}
		report(escpos.Status{Online: true, PaperNearEnd: true})
		if got := ids(r.Visible()); !reflect.DeepEqual(got, []string{"printer.paper_near_end"}) {
			t.Fatalf("after the cover closed: visible %v", got)
		}
		if a := r.Availability(); !a.Printing {
			t.Fatalf("paper near its end: %+v, want printing", a)
		}
		report(escpos.Status{Online: true})
		if got := r.All(); len(got) != 0 {
			t.Fatalf("after all cleared: %v", got)
		}
	})
}

func ids(ws []health.Warning) []string {
	out := []string{}
	for _, w := range ws {
		out = append(out, w.ID().String())
	}
	return out
}

// BenchmarkReportSteady is the printer poll's cost when nothing changes:
// one status reading replacing the same warnings, with a subscriber.
func BenchmarkReportSteady(b *testing.B) {
	r := health.New(health.Options{})
	r.Subscribe(func([]health.Warning) {})
	report := printer.ReportTo(r)
	st := escpos.Status{Online: true, PaperNearEnd: true}
	for b.Loop() {
		report(st)
	}
}

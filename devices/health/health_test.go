package health

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// manualClock fires AfterFunc callbacks only when the test advances it.
type manualClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*manualTimer
}

type manualTimer struct {
	c       *manualClock
	at      time.Time
	f       func()
	stopped bool
}

func (t *manualTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

func newClock() *manualClock {
	return &manualClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &manualTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (c *manualClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.stopped {
			n++
		}
	}
	return n
}

// Advance moves time forward, firing due timers in time order.
func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *manualTimer
		for _, t := range c.timers {
			if !t.stopped && !t.at.After(end) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		next.stopped = true
		c.now = next.at
		c.mu.Unlock()
		next.f()
	}
}

func codes(ws []Warning) []string {
	out := []string{}
	for _, w := range ws {
		out = append(out, w.Source+"."+w.Code)
	}
	return out
}

// TestDelays drives a registry through timed steps and checks what is
// visible and what subscribers were told after each.
func TestDelays(t *testing.T) {
	type step struct {
		at      time.Duration // since the start
		set     *Warning
		clear   [2]string
		visible []string
	}
	paper := &Warning{Source: SourcePrinter, Code: CodePaperOut, Severity: Critical, Delay: 5 * time.Second}
	near := &Warning{Source: SourcePrinter, Code: CodePaperNearEnd, Severity: Warn}
	tests := []struct {
		name     string
		steps    []step
		notified int // number of subscriber calls at the end
	}{
		{
			name: "one-second glitch under the delay never shows",
			steps: []step{
				{at: 0, set: paper, visible: []string{}},
				{at: time.Second, clear: [2]string{SourcePrinter, CodePaperOut}, visible: []string{}},
				{at: time.Minute, visible: []string{}},
			},
			notified: 0,
		},
		{
			name: "a fault lasting past its delay shows when the delay ends",
			steps: []step{
				{at: 0, set: paper, visible: []string{}},
				{at: 4*time.Second + 999*time.Millisecond, visible: []string{}},
				{at: 5 * time.Second, visible: []string{"printer.paper_out"}},
				{at: 9 * time.Second, clear: [2]string{SourcePrinter, CodePaperOut}, visible: []string{}},
			},
			notified: 2,
		},
		{
			name: "repeating the same fault does not restart its delay",
			steps: []step{
				{at: 0, set: paper},
				{at: 3 * time.Second, set: paper, visible: []string{}},
				{at: 5 * time.Second, visible: []string{"printer.paper_out"}},
			},
			notified: 1,
		},
		{
			name: "no delay shows at once",
			steps: []step{
				{at: 0, set: near, visible: []string{"printer.paper_near_end"}},
				{at: time.Second, clear: [2]string{SourcePrinter, CodePaperNearEnd}, visible: []string{}},
			},
			notified: 2,
		},
		{
			name: "a cleared then re-raised fault starts its delay again",
			steps: []step{
				{at: 0, set: paper},
				{at: 4 * time.Second, clear: [2]string{SourcePrinter, CodePaperOut}},
				{at: 4*time.Second + 500*time.Millisecond, set: paper},
				{at: 9 * time.Second, visible: []string{}},
				{at: 9*time.Second + 500*time.Millisecond, visible: []string{"printer.paper_out"}},
			},
			notified: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			start := clk.Now()
			r := New(Options{Clock: clk})
			var mu sync.Mutex
			var calls [][]string
			r.Subscribe(func(v []Warning) {
				mu.Lock()
				calls = append(calls, codes(v))
				mu.Unlock()
			})
			for i, s := range tc.steps {
				clk.Advance(start.Add(s.at).Sub(clk.Now()))
				if s.set != nil {
					r.Set(*s.set)
				}
				if s.clear[0] != "" {
					r.Clear(s.clear[0], s.clear[1])
				}
				if s.visible != nil {
					if got := codes(r.Visible()); !reflect.DeepEqual(got, s.visible) {
						t.Fatalf("step %d at %v: visible %v, want %v", i, s.at, got, s.visible)
					}
					mu.Lock()
					if len(calls) > 0 {
						if last := calls[len(calls)-1]; !reflect.DeepEqual(last, s.visible) {
							t.Fatalf("step %d: last notification %v, visible %v", i, last, s.visible)
						}
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(calls) != tc.notified {
				t.Fatalf("subscriber called %d times (%v), want %d", len(calls), calls, tc.notified)
			}
		})
	}
}

func TestClearStopsTimer(t *testing.T) {
	clk := newClock()
	r := New(Options{Clock: clk})
	r.Set(Warning{Source: SourceScanner, Code: CodeNoDevice, Severity: Critical, Delay: time.Second})
	if clk.pending() != 1 {
		t.Fatalf("pending timers %d, want 1", clk.pending())
	}
	r.Clear(SourceScanner, CodeNoDevice)
	if clk.pending() != 0 {
		t.Fatalf("pending timers after clear %d, want 0", clk.pending())
	}
}

func TestOrdering(t *testing.T) {
	clk := newClock()
	r := New(Options{Clock: clk})
	r.Set(Warning{Source: SourceCentre, Code: "unreachable", Severity: Warn})
	clk.Advance(time.Second)
	r.Set(Warning{Source: SourceScanner, Code: CodeNoDevice, Severity: Critical})
	clk.Advance(time.Second)
	r.Set(Warning{Source: SourcePrinter, Code: CodePaperNearEnd, Severity: Warn, Since: clk.Now().Add(-time.Hour)})
	r.Set(Warning{Source: SourceDatabase, Code: "full", Severity: Critical})
	r.Set(Warning{Source: SourceService, Code: "uploader", Severity: Info})
	r.Set(Warning{Source: SourceDatabase, Code: "readonly", Severity: Critical, Since: clk.Now().Add(-time.Second)})
	want := []string{
		"database.readonly",      // critical, since t=1s; ties with the scanner, database sorts first
		"scanner.no_device",      // critical, t=1s
		"database.full",          // critical, t=2s
		"printer.paper_near_end", // warning, an hour ago
		"centre.unreachable",     // warning, t=0
		"service.uploader",       // info
	}
	if got := codes(r.Visible()); !reflect.DeepEqual(got, want) {
		t.Fatalf("order\n got %v\nwant %v", got, want)
	}
}

func TestHistoryIsBounded(t *testing.T) {
	clk := newClock()
	r := New(Options{Clock: clk, HistorySize: 4})
	for i := range 5 {
		r.Set(Warning{Source: SourceQueue, Code: fmt.Sprintf("c%d", i), Severity: Warn})
		clk.Advance(time.Second)
		r.Clear(SourceQueue, fmt.Sprintf("c%d", i))
	}
	h := r.History()
	var got []string
	for _, e := range h {
		got = append(got, e.What+":"+e.Warning.Code)
	}
	want := []string{"raised:c3", "cleared:c3", "raised:c4", "cleared:c4"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("history %v, want %v", got, want)
	}
	if !h[1].Time.After(h[0].Time) {
		t.Fatalf("history times not increasing: %v", h)
	}
}

func TestChangeOfSeverityIsAnnounced(t *testing.T) {
	clk := newClock()
	r := New(Options{Clock: clk})
	n := 0
	r.Subscribe(func([]Warning) { n++ })
	w := Warning{Source: SourceCentre, Code: "unreachable", Severity: Warn}
	r.Set(w)
	r.Set(w) // same again: nothing new to tell
	w.Severity = Critical
	r.Set(w)
	if n != 2 {
		t.Fatalf("subscriber called %d times, want 2", n)
	}
	h := r.History()
	if len(h) != 2 || h[1].What != Changed {
		t.Fatalf("history %+v, want raised then changed", h)
	}
}

func TestUnsubscribe(t *testing.T) {
	r := New(Options{Clock: newClock()})
	n := 0
	cancel := r.Subscribe(func([]Warning) { n++ })
	r.Set(Warning{Source: SourceQueue, Code: "x"})
	cancel()
	r.Clear(SourceQueue, "x")
	if n != 1 {
		t.Fatalf("called %d times after cancel, want 1", n)
	}
}

func TestDetailIsMasked(t *testing.T) {
	r := New(Options{Clock: newClock()})
	r.Set(Warning{Source: SourceScanner, Code: "x", Detail: "capture for 1012345678 failed"})
	d := r.Visible()[0].Detail
	if strings.Contains(d, "1012345678") || !strings.Contains(d, "5678") {
		t.Fatalf("detail %q: want the ID masked to its last four digits", d)
	}
}

func TestPrinterWarnings(t *testing.T) {
	tests := []struct {
		name string
		st   escpos.Status
		want []string
		sev  []Severity
	}{
		{"online", escpos.Status{Online: true}, nil, nil},
		{"near end is a warning", escpos.Status{Online: true, PaperNearEnd: true}, []string{CodePaperNearEnd}, []Severity{Warn}},
		{"paper out outranks near end", escpos.Status{Offline: true, PaperOut: true, PaperNearEnd: true}, []string{CodePaperOut}, []Severity{Critical}},
		{"paper stop", escpos.Status{Offline: true, PaperStop: true}, []string{CodePaperOut}, []Severity{Critical}},
		{"cover open", escpos.Status{Offline: true, CoverOpen: true}, []string{CodeCoverOpen}, []Severity{Critical}},
		{"no answer hides the rest", escpos.Status{NoAnswer: true, CoverOpen: true}, []string{CodeNoAnswer}, []Severity{Critical}},
		{"offline alone", escpos.Status{Offline: true}, []string{CodeOffline}, []Severity{Critical}},
		{"cutter and cover", escpos.Status{Offline: true, CoverOpen: true, CutterError: true}, []string{CodeCoverOpen, CodeCutterError}, []Severity{Critical, Critical}},
		{"unrecoverable", escpos.Status{Offline: true, Unrecoverable: true}, []string{CodeUnrecoverable}, []Severity{Critical}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ws := PrinterWarnings(tc.st)
			var got []string
			var sev []Severity
			for _, w := range ws {
				got = append(got, w.Code)
				sev = append(sev, w.Severity)
				if w.Source != SourcePrinter || w.Delay != DeviceDelay {
					t.Fatalf("warning %+v: want source printer, delay %v", w, DeviceDelay)
				}
			}
			if !reflect.DeepEqual(got, tc.want) || !reflect.DeepEqual(sev, tc.sev) {
				t.Fatalf("got %v %v, want %v %v", got, sev, tc.want, tc.sev)
			}
		})
	}
}

func TestReportPrinterReplaces(t *testing.T) {
	clk := newClock()
	r := New(Options{Clock: clk})
	r.ReportPrinter(escpos.Status{Offline: true, CoverOpen: true, PaperNearEnd: true})
	clk.Advance(DeviceDelay)
	if got := codes(r.Visible()); !reflect.DeepEqual(got, []string{"printer.cover_open", "printer.paper_near_end"}) {
		t.Fatalf("visible %v", got)
	}
	r.ReportPrinter(escpos.Status{Online: true, PaperNearEnd: true})
	if got := codes(r.Visible()); !reflect.DeepEqual(got, []string{"printer.paper_near_end"}) {
		t.Fatalf("after the cover closed: visible %v", got)
	}
	r.ReportPrinter(escpos.Status{Online: true})
	if got := r.All(); len(got) != 0 {
		t.Fatalf("after all cleared: %v", got)
	}
}

func TestScannerWarnings(t *testing.T) {
	tests := []struct {
		st   fingerprint.State
		want string
	}{
		{fingerprint.Online, ""},
		{fingerprint.Busy, ""},
		{fingerprint.NoDevice, CodeNoDevice},
		{fingerprint.Offline, CodeOffline},
		{fingerprint.HardwareError, CodeHardwareError},
		{fingerprint.State("bogus"), ""},
	}
	for _, tc := range tests {
		t.Run(string(tc.st), func(t *testing.T) {
			ws := ScannerWarnings(fingerprint.Status{State: tc.st, Device: "298d:1010 NB-1010-U", LastError: "usb: pipe"})
			if tc.want == "" {
				if len(ws) != 0 {
					t.Fatalf("got %v, want none", ws)
				}
				return
			}
			if len(ws) != 1 || ws[0].Code != tc.want || ws[0].Severity != Critical || ws[0].Source != SourceScanner {
				t.Fatalf("got %+v, want one critical %s", ws, tc.want)
			}
			if !strings.Contains(ws[0].Detail, "298d:1010") || !strings.Contains(ws[0].Detail, "usb: pipe") {
				t.Fatalf("detail %q lacks device or last error", ws[0].Detail)
			}
		})
	}
}

func TestStorageWarning(t *testing.T) {
	full := &outbox.StorageError{Fault: "full", Path: "/var/lib/absher-kiosk/kiosk.db", Err: errors.New("database or disk is full")}
	tests := []struct {
		name string
		err  error
		ok   bool
		code string
	}{
		{"nil", nil, false, ""},
		{"plain error", errors.New("boom"), false, ""},
		{"full", full, true, "full"},
		{"wrapped readonly", fmt.Errorf("enqueue: %w", &outbox.StorageError{Fault: "readonly", Err: errors.New("ro")}), true, "readonly"},
		{"no fault name", &outbox.StorageError{Err: errors.New("x")}, true, "storage"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, ok := StorageWarning(tc.err)
			if ok != tc.ok || w.Code != tc.code {
				t.Fatalf("got %+v %v, want ok=%v code %q", w, ok, tc.ok, tc.code)
			}
			if ok && (w.Severity != Critical || w.Source != SourceDatabase || w.Delay != 0) {
				t.Fatalf("got %+v, want an immediate critical database warning", w)
			}
		})
	}
	r := New(Options{Clock: newClock()})
	r.ReportStorage(full)
	r.ReportStorage(errors.New("not storage"))
	if a := r.Availability(); !a.OutOfService {
		t.Fatalf("after a full disk: %+v, want out of service", a)
	}
	r.StorageRecovered()
	if a := r.Availability(); a.OutOfService || len(a.Reasons) != 0 {
		t.Fatalf("after recovery: %+v", a)
	}
}

func TestAvailability(t *testing.T) {
	crit := func(src, code string) Warning { return Warning{Source: src, Code: code, Severity: Critical} }
	warn := func(src, code string) Warning { return Warning{Source: src, Code: code, Severity: Warn} }
	tests := []struct {
		name string
		in   []Warning
		want Availability
	}{
		{"healthy", nil, Availability{Printing: true, Fingerprint: true}},
		{"paper low still prints", []Warning{warn(SourcePrinter, CodePaperNearEnd)}, Availability{Printing: true, Fingerprint: true}},
		{"printer down", []Warning{crit(SourcePrinter, CodePaperOut)}, Availability{Fingerprint: true, Reasons: []string{"printer.paper_out"}}},
		{"scanner down", []Warning{crit(SourceScanner, CodeNoDevice)}, Availability{Printing: true, Reasons: []string{"scanner.no_device"}}},
		{"queue failure", []Warning{crit(SourceQueue, "unusable")}, Availability{Printing: true, Fingerprint: true, OutOfService: true, Reasons: []string{"queue.unusable"}}},
		{"database failure", []Warning{crit(SourceDatabase, "readonly")}, Availability{Printing: true, Fingerprint: true, OutOfService: true, Reasons: []string{"database.readonly"}}},
		{"centre unreachable does not limit", []Warning{crit(SourceCentre, "unreachable")}, Availability{Printing: true, Fingerprint: true}},
		{"everything", []Warning{crit(SourceDatabase, "full"), crit(SourcePrinter, CodeCoverOpen), crit(SourceScanner, CodeOffline), warn(SourceQueue, "slow")},
			Availability{OutOfService: true, Reasons: []string{"database.full", "printer.cover_open", "scanner.offline"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Compute(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestAvailabilityFollowsDelay(t *testing.T) {
	clk := newClock()
	r := New(Options{Clock: clk})
	r.ReportScanner(fingerprint.Status{State: fingerprint.NoDevice})
	clk.Advance(time.Second)
	r.ReportScanner(fingerprint.Status{State: fingerprint.Online})
	clk.Advance(time.Minute)
	if a := r.Availability(); !a.Fingerprint {
		t.Fatalf("a one-second unplug took fingerprints away: %+v", a)
	}
	r.ReportScanner(fingerprint.Status{State: fingerprint.NoDevice})
	clk.Advance(DeviceDelay)
	if a := r.Availability(); a.Fingerprint {
		t.Fatalf("scanner gone for %v but fingerprint still offered", DeviceDelay)
	}
}

func TestSeverityText(t *testing.T) {
	for s, want := range map[Severity]string{Info: "info", Warn: "warning", Critical: "critical", Severity(9): "severity(9)"} {
		b, _ := s.MarshalText()
		if string(b) != want {
			t.Fatalf("%d: %q, want %q", int(s), b, want)
		}
	}
}

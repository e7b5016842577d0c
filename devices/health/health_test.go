package health

import (
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// Sources and codes of the warnings the tests raise; the real ones are
// declared by their producers.
const (
	srcPrinter  = "printer"
	srcScanner  = "scanner"
	srcQueue    = "queue"
	srcDatabase = "database"
	srcCentre   = "centre"
	srcService  = "service"
)

// advance moves the bubble's clock forward by d and lets every timer due by
// then finish its callback.
func advance(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
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
	type step = delayStep
	paper := &Warning{Source: srcPrinter, Code: "paper_out", Severity: Critical, Delay: 5 * time.Second}
	near := &Warning{Source: srcPrinter, Code: "paper_near_end", Severity: Warn}
	tests := []struct {
		name     string
		steps    []step
		notified int // number of subscriber calls at the end
	}{
		{
			name: "one-second glitch under the delay never shows",
			steps: []step{
				{at: 0, set: paper, visible: []string{}},
				{at: time.Second, clear: [2]string{srcPrinter, "paper_out"}, visible: []string{}},
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
				{at: 9 * time.Second, clear: [2]string{srcPrinter, "paper_out"}, visible: []string{}},
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
				{at: time.Second, clear: [2]string{srcPrinter, "paper_near_end"}, visible: []string{}},
			},
			notified: 2,
		},
		{
			name: "a cleared then re-raised fault starts its delay again",
			steps: []step{
				{at: 0, set: paper},
				{at: 4 * time.Second, clear: [2]string{srcPrinter, "paper_out"}},
				{at: 4*time.Second + 500*time.Millisecond, set: paper},
				{at: 9 * time.Second, visible: []string{}},
				{at: 9*time.Second + 500*time.Millisecond, visible: []string{"printer.paper_out"}},
			},
			notified: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { runDelaySteps(t, tc.steps, tc.notified) })
		})
	}
}

type delayStep struct {
	at      time.Duration // since the start
	set     *Warning
	clear   [2]string
	visible []string
}

func runDelaySteps(t *testing.T, steps []delayStep, notified int) {
	start := time.Now()
	r := New(Options{})
	var mu sync.Mutex
	var calls [][]string
	r.Subscribe(func(v []Warning) {
		mu.Lock()
		calls = append(calls, codes(v))
		mu.Unlock()
	})
	for i, s := range steps {
		advance(start.Add(s.at).Sub(time.Now()))
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
	if len(calls) != notified {
		t.Fatalf("subscriber called %d times (%v), want %d", len(calls), calls, notified)
	}
}

func TestClearStopsTimer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := New(Options{})
		n := 0
		r.Subscribe(func([]Warning) { n++ })
		r.Set(Warning{Source: srcScanner, Code: "no_device", Severity: Critical, Delay: time.Second})
		if p := r.pending(); p != 1 {
			t.Fatalf("pending timers %d, want 1", p)
		}
		r.Clear(srcScanner, "no_device")
		if p := r.pending(); p != 0 {
			t.Fatalf("pending timers after clear %d, want 0", p)
		}
		advance(time.Minute)
		if n != 0 {
			t.Fatalf("a cleared warning's timer still told subscribers %d times", n)
		}
	})
}

func (r *Registry) pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.timers)
}

// TestDependsOn: a warning stays hidden while one it depends on is present,
// visible or still within its delay, and shows once that one is gone.
func TestDependsOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		noAnswer := Warning{Source: srcPrinter, Code: "no_answer", Severity: Critical, Delay: 5 * time.Second, Impact: DisablesPrinting}
		paper := Warning{Source: srcPrinter, Code: "paper_out", Severity: Critical, Impact: DisablesPrinting, DependsOn: []ID{noAnswer.ID()}}
		r := New(Options{})
		var calls [][]string
		r.Subscribe(func(v []Warning) { calls = append(calls, codes(v)) })
		r.Set(noAnswer)
		r.Set(paper)
		if got := codes(r.Visible()); len(got) != 0 {
			t.Fatalf("visible %v while the printer does not answer (within its delay)", got)
		}
		advance(5 * time.Second)
		if got := codes(r.Visible()); !reflect.DeepEqual(got, []string{"printer.no_answer"}) {
			t.Fatalf("visible %v, want only the printer not answering", got)
		}
		r.Clear(srcPrinter, "no_answer")
		if got := codes(r.Visible()); !reflect.DeepEqual(got, []string{"printer.paper_out"}) {
			t.Fatalf("visible %v once the printer answers, want paper out", got)
		}
		want := [][]string{{"printer.no_answer"}, {"printer.paper_out"}}
		if !reflect.DeepEqual(calls, want) {
			t.Fatalf("subscriber told %v, want %v", calls, want)
		}
	})
}

func TestOrdering(t *testing.T) { synctest.Test(t, testOrdering) }

func testOrdering(t *testing.T) {
	r := New(Options{})
	r.Set(Warning{Source: srcCentre, Code: "unreachable", Severity: Warn})
	advance(time.Second)
	r.Set(Warning{Source: srcScanner, Code: "no_device", Severity: Critical})
	advance(time.Second)
	r.Set(Warning{Source: srcPrinter, Code: "paper_near_end", Severity: Warn, Since: time.Now().Add(-time.Hour)})
	r.Set(Warning{Source: srcDatabase, Code: "full", Severity: Critical})
	r.Set(Warning{Source: srcService, Code: "uploader", Severity: Info})
	r.Set(Warning{Source: srcDatabase, Code: "readonly", Severity: Critical, Since: time.Now().Add(-time.Second)})
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

func TestHistoryIsBounded(t *testing.T) { synctest.Test(t, testHistoryIsBounded) }

func testHistoryIsBounded(t *testing.T) {
	r := New(Options{HistorySize: 4})
	for i := range 5 {
		r.Set(Warning{Source: srcQueue, Code: fmt.Sprintf("c%d", i), Severity: Warn})
		advance(time.Second)
		r.Clear(srcQueue, fmt.Sprintf("c%d", i))
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
	r := New(Options{})
	n := 0
	r.Subscribe(func([]Warning) { n++ })
	w := Warning{Source: srcCentre, Code: "unreachable", Severity: Warn}
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
	r := New(Options{})
	n := 0
	cancel := r.Subscribe(func([]Warning) { n++ })
	r.Set(Warning{Source: srcQueue, Code: "x"})
	cancel()
	r.Clear(srcQueue, "x")
	if n != 1 {
		t.Fatalf("called %d times after cancel, want 1", n)
	}
}

// TestDetailIsMasked: personal numbers in a detail are masked before it is
// kept, shown, recorded or logged.
func TestDetailIsMasked(t *testing.T) {
	var log strings.Builder
	r := New(Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	r.Set(Warning{Source: srcScanner, Code: "x", Detail: "capture for 1012345678 failed"})
	for _, d := range []string{r.Visible()[0].Detail, r.All()[0].Detail, r.History()[0].Warning.Detail, log.String()} {
		if strings.Contains(d, "1012345678") || !strings.Contains(d, "5678") {
			t.Fatalf("detail %q: want the ID masked to its last four digits", d)
		}
	}
}

func TestAvailability(t *testing.T) {
	// The impacts the producers declare: the printer's faults stop
	// printing, the scanner's fingerprints, storage faults all service.
	impact := map[string]Impact{srcPrinter: DisablesPrinting, srcScanner: DisablesFingerprint, srcQueue: OutOfService, srcDatabase: OutOfService}
	crit := func(src, code string) Warning {
		return Warning{Source: src, Code: code, Severity: Critical, Impact: impact[src]}
	}
	warn := func(src, code string) Warning {
		return Warning{Source: src, Code: code, Severity: Warn, Impact: impact[src]}
	}
	tests := []struct {
		name string
		in   []Warning
		want Availability
	}{
		{"healthy", nil, Availability{Printing: true, Fingerprint: true}},
		{"paper low still prints", []Warning{warn(srcPrinter, "paper_near_end")}, Availability{Printing: true, Fingerprint: true}},
		{"printer down", []Warning{crit(srcPrinter, "paper_out")}, Availability{Fingerprint: true, Reasons: []string{"printer.paper_out"}}},
		{"scanner down", []Warning{crit(srcScanner, "no_device")}, Availability{Printing: true, Reasons: []string{"scanner.no_device"}}},
		{"queue failure", []Warning{crit(srcQueue, "unusable")}, Availability{Printing: true, Fingerprint: true, OutOfService: true, Reasons: []string{"queue.unusable"}, Faults: []string{"queue"}}},
		{"database failure", []Warning{crit(srcDatabase, "readonly")}, Availability{Printing: true, Fingerprint: true, OutOfService: true, Reasons: []string{"database.readonly"}, Faults: []string{"database"}}},
		{"centre unreachable does not limit", []Warning{crit(srcCentre, "unreachable")}, Availability{Printing: true, Fingerprint: true}},
		{"everything", []Warning{crit(srcDatabase, "full"), crit(srcPrinter, "cover_open"), crit(srcScanner, "offline"), warn(srcQueue, "slow")},
			Availability{OutOfService: true, Reasons: []string{"database.full", "printer.cover_open", "scanner.offline"}, Faults: []string{"database"}}},
		{"each out-of-service source once, sorted", []Warning{crit(srcQueue, "unusable"), crit(srcDatabase, "full"), crit(srcDatabase, "readonly")},
			Availability{Printing: true, Fingerprint: true, OutOfService: true, Reasons: []string{"queue.unusable", "database.full", "database.readonly"}, Faults: []string{"database", "queue"}}},
		{"a critical warning of the printer's source without an impact does not limit", []Warning{{Source: srcPrinter, Code: "x", Severity: Critical}},
			Availability{Printing: true, Fingerprint: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Compute(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
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

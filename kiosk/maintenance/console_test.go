package maintenance

import (
	"context"
	"errors"
	"image"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/sync/outbox"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

// parts is a stand-in for every part the console drives except the queue,
// which is a real outbox file.
type parts struct {
	printErr, syncErr, pingErr, restartErr, exitErr error
	capture                                         Capture
	lines                                           []string
	oos                                             bool
	calls                                           []string
}

func (p *parts) Devices(context.Context) []Device {
	return []Device{{Name: "scanner", Class: "fingerprint", State: "hardwareError", VIDPID: "1c7a:0603",
		LastError: "capture for 1012345678 timed out", Counters: map[string]int64{"captures": 3}}}
}
func (p *parts) LastSuccess() time.Time { return time.Date(2026, 11, 23, 8, 55, 0, 0, time.UTC) }
func (p *parts) ForceSync(context.Context) error {
	p.calls = append(p.calls, "sync")
	return p.syncErr
}
func (p *parts) Ping(context.Context) error { return p.pingErr }
func (p *parts) ConfigVersion() string      { return `"cfg-17"` }
func (p *parts) TestPrint(context.Context) error {
	p.calls = append(p.calls, "print")
	return p.printErr
}
func (p *parts) TestCapture(context.Context) (Capture, error) { return p.capture, nil }
func (p *parts) Tail(n int) ([]string, error) {
	if len(p.lines) > n {
		return p.lines[len(p.lines)-n:], nil
	}
	return p.lines, nil
}
func (p *parts) SetOutOfService(_ context.Context, on bool) error {
	p.oos = on
	return nil
}
func (p *parts) OutOfServiceByTechnician() bool { return p.oos }
func (p *parts) Restart(context.Context) error {
	p.calls = append(p.calls, "restart")
	return p.restartErr
}
func (p *parts) ExitToOS(context.Context) error {
	p.calls = append(p.calls, "exit")
	return p.exitErr
}

func openOutbox(t *testing.T, c *fakeClock) *store.Store {
	t.Helper()
	dir := t.TempDir()
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "outbox.key"))
	if err != nil {
		t.Fatal(err)
	}
	ob, err := store.Open(context.Background(), filepath.Join(dir, "outbox.db"), keys, store.Options{Clock: c.now, MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ob.Close() })
	return ob
}

func newTestConsole(t *testing.T) (*Console, *parts, *store.Store, *fakeClock, *auditLog) {
	t.Helper()
	c, a, p := newClock(), &auditLog{}, &parts{}
	ob := openOutbox(t, c)
	con, err := NewConsole(Deps{Devices: p, Queue: ob, Sync: p, Centre: p, Printer: p, Scanner: p, Logs: p,
		Service: p, Lifecycle: p, Auditor: a, Clock: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return con, p, ob, c, a
}

func TestSnapshotWithRealQueue(t *testing.T) {
	ctx := context.Background()
	con, p, ob, c, _ := newTestConsole(t)
	created := c.t
	for range 3 {
		if _, err := ob.Enqueue(ctx, outbox.Event{Kind: "audit", Payload: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	items, err := ob.Next(ctx, 1, 1<<20)
	if err != nil || len(items) != 1 {
		t.Fatal(items, err)
	}
	if err := ob.Park(ctx, items[0].ID, "centre refused: bad_payload for 1012345678"); err != nil {
		t.Fatal(err)
	}
	c.add(90 * time.Second)
	p.lines = []string{"a", "id=1012345678 mobile 0551234567", "c"}
	p.pingErr = errors.New("dial tcp 10.0.0.1:443: connection refused")

	s := con.Snapshot(ctx)
	if s.Queue.Depth != 2 || s.Queue.Parked != 1 || s.Queue.OldestAge != 90*time.Second || !s.Queue.Oldest.Equal(created) {
		t.Errorf("queue %+v", s.Queue)
	}
	if len(s.Parked) != 1 || !strings.Contains(s.Parked[0].Reason, "bad_payload") || strings.Contains(s.Parked[0].Reason, "1012345678") {
		t.Errorf("parked %+v", s.Parked)
	}
	if s.CentreOK || !strings.Contains(s.CentreErr, "connection refused") || s.ConfigVersion != `"cfg-17"` {
		t.Errorf("centre %v %q %q", s.CentreOK, s.CentreErr, s.ConfigVersion)
	}
	if got := strings.Join(s.LogLines, "|"); got != "a|id=******5678 mobile ******4567|c" {
		t.Errorf("log lines %q", got)
	}
	if s.Devices[0].LastError != "capture for ******5678 timed out" {
		t.Errorf("device error %q", s.Devices[0].LastError)
	}

	n, err := con.RetryParked(ctx)
	if err != nil || n != 1 {
		t.Fatalf("retry parked: %d %v", n, err)
	}
	if st, _ := ob.Stats(ctx); st.Parked != 0 || st.Depth != 3 {
		t.Errorf("after retry %+v", st)
	}
}

func TestActionsAreAudited(t *testing.T) {
	ctx := context.Background()
	con, p, _, _, audit := newTestConsole(t)
	p.printErr = errors.New("paper out")
	p.capture = Capture{Image: image.NewGray(image.Rect(0, 0, 4, 4)), Quality: "press_harder", Score: 31}

	if err := con.TestPrint(ctx); err == nil || !strings.Contains(err.Error(), "paper out") {
		t.Errorf("test print error %v", err)
	}
	cp, err := con.TestCapture(ctx)
	if err != nil || cp.Quality != "press_harder" {
		t.Errorf("capture %+v %v", cp, err)
	}
	if err := con.ForceSync(ctx); err != nil {
		t.Error(err)
	}
	if err := con.SetOutOfService(ctx, true); err != nil || !p.oos {
		t.Errorf("toggle %v %v", err, p.oos)
	}
	if _, err := con.RetryParked(ctx); err != nil {
		t.Error(err)
	}
	if err := con.Restart(ctx); err != nil {
		t.Error(err)
	}
	con.Leave(ctx, "done")

	want := []struct{ action, outcome string }{
		{ActionTestPrint, "failed"}, {ActionTestCapture, "ok"}, {ActionForceSync, "ok"},
		{ActionOutOfService, "ok"}, {ActionRetryParked, "ok"}, {ActionRestart, "requested"}, {ActionExit, "ok"},
	}
	if len(audit.got) != len(want) {
		t.Fatalf("audit %+v", audit.got)
	}
	for i, w := range want {
		if audit.got[i].Action != w.action || audit.got[i].Outcome != w.outcome {
			t.Errorf("event %d: %s/%s, want %s/%s", i, audit.got[i].Action, audit.got[i].Outcome, w.action, w.outcome)
		}
	}
	if audit.got[0].Detail["error"] != "paper out" || audit.got[1].Detail["quality"] != "press_harder" || audit.got[3].Detail["on"] != "true" {
		t.Errorf("details %+v", audit.got)
	}
}

func TestExitNeedsTwoConfirmations(t *testing.T) {
	ctx := context.Background()
	con, p, _, _, audit := newTestConsole(t)
	for i, want := range []ExitStep{ExitConfirm1, ExitConfirm2} {
		if got, err := con.AskExit(ctx); got != want || err != nil {
			t.Fatalf("ask %d: %v %v", i+1, got, err)
		}
		if len(p.calls) != 0 {
			t.Fatalf("left after %d taps", i+1)
		}
	}
	con.CancelExit()
	if con.ExitStep() != ExitNone {
		t.Fatal("cancel kept the confirmation")
	}
	con.AskExit(ctx)
	con.AskExit(ctx)
	if got, err := con.AskExit(ctx); got != ExitRequested || err != nil {
		t.Fatalf("third tap: %v %v", got, err)
	}
	if !reflect.DeepEqual(p.calls, []string{"exit"}) || audit.outcomes(ActionExitToOS)[0] != "requested" {
		t.Errorf("calls %v audit %+v", p.calls, audit.got)
	}

	// A failed exit starts the confirmation over.
	p.exitErr = errors.New("not permitted")
	con.CancelExit()
	con.AskExit(ctx)
	con.AskExit(ctx)
	if got, err := con.AskExit(ctx); got != ExitNone || err == nil || con.ExitStep() != ExitNone {
		t.Errorf("failed exit: %v %v step %v", got, err, con.ExitStep())
	}
}

func TestNewConsoleNamesMissingParts(t *testing.T) {
	_, err := NewConsole(Deps{Auditor: &auditLog{}})
	if err == nil || !strings.Contains(err.Error(), "Queue") || strings.Contains(err.Error(), "Auditor") {
		t.Errorf("err %v", err)
	}
}

func TestOutOfServiceShown(t *testing.T) {
	tests := []struct {
		name    string
		s       OutOfService
		shown   bool
		reasons string
	}{
		{"in service", OutOfService{}, false, ""},
		{"message alone", OutOfService{Message: apiText("x", "y")}, false, ""},
		{"command", OutOfService{ByCommand: true}, true, "command"},
		{"technician", OutOfService{ByTechnician: true}, true, "technician"},
		{"fault", OutOfService{Faults: []string{"outbox"}}, true, "fault_outbox"},
		{"blank fault", OutOfService{Faults: []string{"", "  "}}, false, ""},
		{"all", OutOfService{ByCommand: true, ByTechnician: true, Faults: []string{"outbox", "database"}}, true,
			"command,technician,fault_outbox,fault_database"},
	}
	for _, tt := range tests {
		if got := tt.s.Shown(); got != tt.shown {
			t.Errorf("%s: shown %v", tt.name, got)
		}
		if got := strings.Join(tt.s.Reasons(), ","); got != tt.reasons {
			t.Errorf("%s: reasons %q", tt.name, got)
		}
	}
	// The screen returns by itself when the last cause clears.
	s := OutOfService{ByCommand: true, Faults: []string{"outbox"}}
	s.ByCommand = false
	if !s.Shown() {
		t.Error("hidden while a fault remains")
	}
	s.Faults = nil
	if s.Shown() {
		t.Error("still shown with no cause")
	}
	m := OutOfService{Message: apiText(" أقرب كشك في الدور الثاني ", "")}
	if m.MessageFor("ar") != "أقرب كشك في الدور الثاني" || m.MessageFor("en") != "" {
		t.Errorf("messages %q %q", m.MessageFor("ar"), m.MessageFor("en"))
	}
}

// BenchmarkSnapshot reads everything the main screen shows, with a real
// outbox of 1000 waiting rows and 20 parked ones.
func BenchmarkSnapshot(b *testing.B) {
	ctx := context.Background()
	c, a, p := newClock(), &auditLog{}, &parts{lines: []string{"a", "b"}}
	dir := b.TempDir()
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "outbox.key"))
	if err != nil {
		b.Fatal(err)
	}
	ob, err := store.Open(ctx, filepath.Join(dir, "outbox.db"), keys, store.Options{Clock: c.now})
	if err != nil {
		b.Fatal(err)
	}
	defer ob.Close()
	for i := range 1020 {
		it, err := ob.Enqueue(ctx, outbox.Event{Kind: "audit", Payload: []byte(`{}`)})
		if err != nil {
			b.Fatal(err)
		}
		if i < 20 {
			if err := ob.Park(ctx, it.ID, "refused"); err != nil {
				b.Fatal(err)
			}
		}
	}
	con, err := NewConsole(Deps{Devices: p, Queue: ob, Sync: p, Centre: p, Printer: p, Scanner: p, Logs: p,
		Service: p, Lifecycle: p, Auditor: a, Clock: c.now})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if s := con.Snapshot(ctx); s.Queue.Depth != 1000 || len(s.Parked) != 20 {
			b.Fatalf("%+v", s.Queue)
		}
	}
}

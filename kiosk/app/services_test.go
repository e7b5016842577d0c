package app

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/health"
	"github.com/absher-kiosk/kiosk/devices/printer"
	"github.com/absher-kiosk/kiosk/kiosk/commands"
	"github.com/absher-kiosk/kiosk/kiosk/maintenance"
	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/outbox"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

func openOutbox(t *testing.T, dir string) *store.Store {
	t.Helper()
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "outbox.key"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := store.Open(context.Background(), filepath.Join(dir, "kiosk.db"), keys, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestServiceCauses: each cause alone takes the kiosk out of service, the
// screen goes when the last one clears, and every change is told.
func TestServiceCauses(t *testing.T) {
	ctx := context.Background()
	o := openOutbox(t, t.TempDir())
	defer o.Close()
	s := &Service{KV: o}
	var seen []bool
	s.OnChange(func(st maintenance.OutOfService) { seen = append(seen, st.Shown()) })
	if err := s.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	s.SetConfigMessage(api.Text{AR: "استخدم جهاز القاعة ب", EN: "Use the kiosk in hall B"})
	if s.State().Shown() {
		t.Fatal("out of service with no cause")
	}

	s.ByCommand(true, "Closed for cleaning")
	if st := s.State(); !st.Shown() || st.Message.EN != "Closed for cleaning" || st.Message.AR != "Closed for cleaning" {
		t.Fatalf("by command: %+v", st)
	}
	if err := s.SetTechnician(ctx, true); err != nil {
		t.Fatal(err)
	}
	s.ByCommand(false, "")
	if st := s.State(); !st.Shown() || st.Message.EN != "Use the kiosk in hall B" || !reflect.DeepEqual(st.Reasons(), []string{"technician"}) {
		t.Fatalf("technician only: %+v", st)
	}
	if err := s.SetTechnician(ctx, false); err != nil {
		t.Fatal(err)
	}

	// Critical queue or database warnings are faults; a printer fault
	// limits printing, not service.
	s.SetFaults(health.Compute(printer.Warnings(printer.Status{Offline: true, CoverOpen: true})))
	if s.State().Shown() {
		t.Fatal("a printer fault took the kiosk out of service")
	}
	s.SetFaults(health.Compute([]health.Warning{
		{Source: outbox.HealthSource, Code: "disk_full", Severity: health.Critical, Impact: health.OutOfService},
		{Source: "queue", Code: "read_only", Severity: health.Critical, Impact: health.OutOfService},
	}))
	if st := s.State(); !reflect.DeepEqual(st.Faults, []string{"database", "queue"}) || s.Reason() != "fault_database,fault_queue" {
		t.Fatalf("faults %+v reason %q", st.Faults, s.Reason())
	}
	s.SetFaults(health.Compute(nil))
	if s.State().Shown() {
		t.Fatal("still out of service after the fault cleared")
	}
	want := []bool{false, false, true, true, true, false, false, true, false}
	if !reflect.DeepEqual(seen, want) {
		t.Fatalf("changes told %v, want %v", seen, want)
	}
}

// TestServiceSurvivesRestart: the command's and the technician's switches
// are read back from the queue's database.
func TestServiceSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	o := openOutbox(t, dir)
	s := &Service{KV: o}
	if err := s.SetTechnician(ctx, true); err != nil {
		t.Fatal(err)
	}
	// The command puller writes the command's switch in its transaction.
	if err := o.Update(ctx, func(tx outbox.Tx) error {
		if err := tx.SetKV(commands.KVOutOfService, "1"); err != nil {
			return err
		}
		return tx.SetKV(commands.KVOutOfServiceMessage, "Use hall B")
	}); err != nil {
		t.Fatal(err)
	}
	o.Close()

	o = openOutbox(t, dir)
	defer o.Close()
	s = &Service{KV: o}
	if err := s.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	st := s.State()
	if !st.ByCommand || !st.ByTechnician || st.Message.EN != "Use hall B" {
		t.Fatalf("restored %+v", st)
	}
	if !(Technician{S: s}).OutOfServiceByTechnician() {
		t.Fatal("technician switch lost")
	}
}

// TestEffects: each command's effect reaches its part.
func TestEffects(t *testing.T) {
	o := openOutbox(t, t.TempDir())
	defer o.Close()
	s := &Service{KV: o}
	var synced, exited, printed int
	fx := &Effects{Service: s, Sync: func() { synced++ }, Exit: func() { exited++ },
		TestPage: func(context.Context) error { printed++; return nil }}
	fx.SetOutOfService(true, "x")
	if !s.State().ByCommand {
		t.Fatal("out of service not applied")
	}
	fx.SetOutOfService(false, "")
	fx.ForceSync()
	fx.Restart()
	if err := fx.PrintTestPage(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s.State().ByCommand || synced != 1 || exited != 1 || printed != 1 {
		t.Fatalf("oos %v synced %d exited %d printed %d", s.State().ByCommand, synced, exited, printed)
	}
	if err := (&Effects{Service: s}).PrintTestPage(context.Background()); err == nil {
		t.Fatal("a test page without a printer did not fail")
	}
}

// TestBeat: the heartbeat carries the service state, the interval in
// force, the config's ETag and at most 20 parked events.
func TestBeat(t *testing.T) {
	ctx := context.Background()
	o := openOutbox(t, t.TempDir())
	defer o.Close()
	for i := 0; i < 25; i++ {
		it, err := o.Enqueue(ctx, outbox.Event{Kind: "audit", Payload: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		if err := o.Park(ctx, it.ID, "refused: bad_event"); err != nil {
			t.Fatal(err)
		}
	}
	s := &Service{KV: o}
	s.ByCommand(true, "")
	start := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	b := &Beat{Report: &Report{Version: "1.2.3", Started: start, Now: func() time.Time { return start.Add(90 * time.Second) }},
		Service: s, Parked: o.Parked, Interval: func() time.Duration { return 30 * time.Second }, ConfigETag: func() string { return `"v7"` }}
	hb := b.Heartbeat()
	if !hb.OutOfService || hb.OutOfServiceReason != "command" || hb.HeartbeatIntervalSeconds != 30 || hb.ConfigETag != `"v7"` ||
		hb.UptimeSeconds != 90 || len(hb.Parked) != api.MaxHeartbeatParked {
		t.Fatalf("heartbeat %+v", hb)
	}
	if hb.Parked[0].Reason != "refused: bad_event" || hb.Parked[0].Kind != "audit" {
		t.Fatalf("parked %+v", hb.Parked[0])
	}
}

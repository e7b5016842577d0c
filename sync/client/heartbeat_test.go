package client

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// TestHeartbeat queues beats on the injected clock, never more than one
// waiting while the centre is out of reach, and the centre's fleet table
// shows what the last one carried.
func TestHeartbeat(t *testing.T) {
	dir := t.TempDir()
	s := startCentre(t, filepath.Join(dir, "centre"))
	clk := newFakeClock()
	o := openOutboxClock(t, filepath.Join(dir, "kiosk.db"), clk.Now)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := o.Enqueue(ctx, outbox.Event{Kind: "audit", Payload: auditPayload(t, "before", 1)}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(90 * time.Second)
	source := func() api.Heartbeat {
		return api.Heartbeat{Version: "1.2.3", UptimeSeconds: 90, PrinterPaper: api.PaperLow, PrinterState: api.DeviceOnline, ScannerState: api.DeviceOnline,
			Devices: []api.DeviceStatus{{Name: "printer", Class: "printer", State: api.DeviceOnline}}}
	}
	hb := NewHeartbeat(o, o, source, func() time.Duration { return 30 * time.Second }, clk, nil)
	done := make(chan error)
	go func() { done <- hb.Serve(ctx) }()
	for i := range 3 {
		w := <-clk.waits
		if w.d != 30*time.Second {
			t.Fatalf("beat %d waits %s, want the configured 30 s", i, w.d)
		}
		clk.Advance(w.d)
		w.fire <- clk.Now()
	}
	<-clk.waits
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Serve: %v", err)
	}
	items, err := o.Next(context.Background(), 10, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var beats []api.Heartbeat
	for _, it := range items {
		if it.Kind == string(api.EventHeartbeat) {
			var h api.Heartbeat
			if err := json.Unmarshal(it.Payload, &h); err != nil {
				t.Fatal(err)
			}
			beats = append(beats, h)
		}
	}
	if len(beats) != 1 {
		t.Fatalf("%d heartbeats queued while none was sent, want 1", len(beats))
	}
	if b := beats[0]; b.QueueDepth != 1 || b.OldestQueuedAgeSeconds != 90 || b.Version != "1.2.3" || b.ParkedCount != 0 {
		t.Fatalf("heartbeat %+v", b)
	}
	c := newClient(t, s, "")
	c.now = clk.Now
	drain(t, NewUploader(c, o, UploaderOptions{}), o, 10*time.Second)
	// Sent: the next beat is queued again and reaches the fleet table.
	queued, err := hb.Beat(context.Background())
	if err != nil || !queued {
		t.Fatalf("beat after drain: %v %v", queued, err)
	}
	drain(t, NewUploader(c, o, UploaderOptions{}), o, 10*time.Second)
	l, err := s.KioskList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range l.Kiosks {
		if k.ID == kiosk {
			if k.Heartbeat == nil || k.Heartbeat.PrinterPaper != api.PaperLow || k.Heartbeat.QueueDepth != 0 {
				t.Fatalf("fleet table shows %+v", k.Heartbeat)
			}
			return
		}
	}
	t.Fatalf("%s not in the fleet table", kiosk)
}

package client

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// statsCounter counts the heartbeat's reads of the queue, one per beat.
type statsCounter struct {
	StatsSource
	n atomic.Int64
}

func (s *statsCounter) Stats(ctx context.Context) (outbox.Stats, error) {
	s.n.Add(1)
	return s.StatsSource.Stats(ctx)
}

// TestHeartbeat queues beats at the configured interval, never more than
// one waiting while the centre is out of reach, and the centre's fleet
// table shows what the last one carried. The beats run in a synctest
// bubble; the centre, on TLS over loopback, only after it.
func TestHeartbeat(t *testing.T) {
	dir := t.TempDir()
	s := startCentre(t, filepath.Join(dir, "centre"))
	o := openOutbox(t, filepath.Join(dir, "kiosk.db"))
	source := func() api.Heartbeat {
		return api.Heartbeat{Version: "1.2.3", UptimeSeconds: 90, PrinterPaper: api.PaperLow, PrinterState: api.DeviceOnline, ScannerState: api.DeviceOnline,
			Devices: []api.DeviceStatus{{Name: "printer", Class: "printer", State: api.DeviceOnline}}}
	}
	var hb *Heartbeat
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		if _, err := o.Enqueue(ctx, outbox.Event{Kind: "audit", Payload: auditPayload(t, "before", 1)}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(90 * time.Second)
		stats := &statsCounter{StatsSource: o}
		hb = NewHeartbeat(o, stats, source, func() time.Duration { return 30 * time.Second }, nil)
		done := make(chan error)
		go func() { done <- hb.Serve(ctx) }()
		for i := range 3 {
			synctest.Wait()
			if n := stats.n.Load(); n != int64(i+1) {
				t.Fatalf("%d beats at %v, want %d", n, time.Duration(i)*30*time.Second, i+1)
			}
			time.Sleep(30*time.Second - time.Millisecond)
			synctest.Wait()
			if stats.n.Load() != int64(i+1) {
				t.Fatalf("beat %d came before the configured 30 s", i+2)
			}
			time.Sleep(time.Millisecond)
		}
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Serve: %v", err)
		}
	})
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

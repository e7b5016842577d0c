package watchdog

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

// TestReportHangQueuesAudit stamps the report with the time of the hang,
// read from the bubble's clock; the outbox is opened inside the bubble.
func TestReportHangQueuesAudit(t *testing.T) { synctest.Test(t, testReportHangQueuesAudit) }

func testReportHangQueuesAudit(t *testing.T) {
	dir := t.TempDir()
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "outbox.key"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := store.Open(context.Background(), filepath.Join(dir, "kiosk.db"), keys, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	time.Sleep(time.Hour) // the bubble's clock reads 01:00
	at := time.Now()
	var failed error
	ReportHang(o, 10*time.Second, func(err error) { failed = err })(12500 * time.Millisecond)
	if failed != nil {
		t.Fatal(failed)
	}
	items, err := o.Next(context.Background(), 10, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Kind != string(api.EventAudit) || !items[0].Created.Equal(at) {
		t.Fatalf("queued %+v, want one audit event at %v", items, at)
	}
	var a api.Audit
	if err := json.Unmarshal(items[0].Payload, &a); err != nil {
		t.Fatal(err)
	}
	if a.Action != ActionUIHung || a.Outcome != "exiting_to_restart" || a.Detail["exit_status"] != "75" || a.Detail["silent_ms"] != "12500" || a.Detail["timeout_ms"] != "10000" {
		t.Fatalf("audit %+v", a)
	}
	// The centre's own validation accepts it.
	ev := api.Event{IdempotencyKey: items[0].Key, Kind: api.EventAudit, CreatedAt: at, Payload: items[0].Payload}
	if code, msg := ev.Check(); code != "" {
		t.Fatalf("centre would reject: %s %s", code, msg)
	}
}

func TestReportHangOnClosedOutbox(t *testing.T) {
	dir := t.TempDir()
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "outbox.key"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := store.Open(context.Background(), filepath.Join(dir, "kiosk.db"), keys, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o.Close()
	var failed error
	ReportHang(o, 10*time.Second, func(err error) { failed = err })(time.Minute)
	if failed == nil {
		t.Fatal("queueing on a closed outbox did not report an error")
	}
}

package client

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/outbox"
	"github.com/google/uuid"
)

func TestUploadToCentre(t *testing.T) {
	dir := t.TempDir()
	s := startCentre(t, filepath.Join(dir, "centre"))
	o := openOutbox(t, filepath.Join(dir, "kiosk.db"))
	ctx := context.Background()
	const n = 450
	for i := range n {
		if _, err := o.Enqueue(ctx, outbox.Event{Kind: "audit", Payload: auditPayload(t, "upload_test", i)}); err != nil {
			t.Fatal(err)
		}
	}
	// Poison items: an unknown kind, a bad payload, a key reused with
	// another payload.
	reused := uuid.NewString()
	if _, err := o.Enqueue(ctx, outbox.Event{Kind: "bogus", Payload: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Enqueue(ctx, outbox.Event{Kind: "audit", Payload: []byte(`{"outcome":"no action"}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Enqueue(ctx, outbox.Event{Kind: "audit", Key: reused, Payload: auditPayload(t, "reused", 1)}); err != nil {
		t.Fatal(err)
	}
	u := NewUploader(newClient(t, s, ""), o, UploaderOptions{MaxBatch: 100})
	drain(t, u, o, 30*time.Second)
	if _, err := o.Enqueue(ctx, outbox.Event{Kind: "audit", Key: reused, Payload: auditPayload(t, "reused", 2)}); err != nil {
		t.Fatal(err)
	}
	drain(t, u, o, 10*time.Second)

	got, err := s.Store.CountEvents(ctx, kiosk, "audit")
	if err != nil {
		t.Fatal(err)
	}
	if got != n+1 {
		t.Errorf("centre holds %d audit events, want %d", got, n+1)
	}
	parked, err := o.Parked(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"rejected: unknown_event_kind", "rejected: bad_payload", "conflict: idempotency_conflict"}
	if len(parked) != len(want) {
		t.Fatalf("parked %+v, want %d rows", parked, len(want))
	}
	for i, p := range parked {
		if !strings.HasPrefix(p.Reason, want[i]) {
			t.Errorf("parked[%d] reason %q, want prefix %q", i, p.Reason, want[i])
		}
	}
	if st := u.Status(); st.LastSuccess.IsZero() || st.ConsecutiveFailures != 0 {
		t.Errorf("status after success %+v", st)
	}
}

func TestUploadSplitsBatchTheCentreRefuses(t *testing.T) {
	dir := t.TempDir()
	s := startCentre(t, filepath.Join(dir, "centre"))
	o := openOutbox(t, filepath.Join(dir, "kiosk.db"))
	ctx := context.Background()
	// Three events that together exceed the centre's 1 MiB body limit,
	// and one that alone does: the first three go in smaller batches, the
	// last is parked, and nothing else is held up.
	big := func(n int) []byte {
		b, _ := json.Marshal(api.Audit{Action: "big", Outcome: "ok", Detail: map[string]string{"pad": strings.Repeat("x", n)}})
		return b
	}
	for i := range 3 {
		if _, err := o.Enqueue(ctx, outbox.Event{Kind: "audit", Payload: big(400<<10 + i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := o.Enqueue(ctx, outbox.Event{Kind: "audit", Payload: big(api.MaxBodyBytes)}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Enqueue(ctx, outbox.Event{Kind: "audit", Payload: auditPayload(t, "after", 1)}); err != nil {
		t.Fatal(err)
	}
	u := NewUploader(newClient(t, s, ""), o, UploaderOptions{MaxBytes: api.MaxBodyBytes, Backoff: Backoff{Base: time.Millisecond, Max: 10 * time.Millisecond}})
	drain(t, u, o, 30*time.Second)
	if got, _ := s.Store.CountEvents(ctx, kiosk, "audit"); got != 4 {
		t.Errorf("centre holds %d events, want 4", got)
	}
	parked, _ := o.Parked(ctx)
	if len(parked) != 1 || !strings.Contains(parked[0].Reason, api.CodeBodyTooLarge) {
		t.Errorf("parked %+v, want the oversized event", parked)
	}
}

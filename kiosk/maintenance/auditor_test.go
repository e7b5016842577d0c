package maintenance

import (
	"context"
	"strings"
	"testing"

	"github.com/absher-kiosk/kiosk/sync/api"
)

// Audit events go through a real outbox and come out as events the
// centre accepts.
func TestOutboxAuditor(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	ob := openOutbox(t, c)
	g, err := NewGate(GateOptions{PINHash: func() string { return testHash(testPIN) }, Clock: c.now,
		Auditor: OutboxAuditor{Queue: ob, Clock: c.now}})
	if err != nil {
		t.Fatal(err)
	}
	g.Opened(ctx)
	g.Try(ctx, "000000")
	g.Try(ctx, testPIN)
	items, err := ob.Next(ctx, 10, 1<<20)
	if err != nil || len(items) != 3 {
		t.Fatalf("%d items, %v", len(items), err)
	}
	want := []string{ActionGesture + "/ok", ActionEntry + "/wrong", ActionEntry + "/ok"}
	for i, it := range items {
		ev := api.Event{IdempotencyKey: it.Key, Kind: api.EventKind(it.Kind), CreatedAt: it.Created, Payload: it.Payload}
		if code, msg := ev.Check(); code != "" {
			t.Errorf("item %d: the centre would refuse it: %s %s", i, code, msg)
		}
		a, err := api.Decode[api.Audit](it.Payload)
		if err != nil || a.Action+"/"+a.Outcome != want[i] {
			t.Errorf("item %d: %+v %v, want %s", i, a, err, want[i])
		}
		if !it.Created.Equal(c.t) {
			t.Errorf("item %d created %v", i, it.Created)
		}
		for _, pin := range []string{testPIN, "000000"} {
			if strings.Contains(string(it.Payload), pin) {
				t.Errorf("item %d holds a PIN: %s", i, it.Payload)
			}
		}
	}
}

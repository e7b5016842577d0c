package client

import (
	"context"
	"crypto/ed25519"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "7", "-1", "1e3", "99999999999999999999", "Mon, 23 Nov 2026 10:00:30 GMT", "Monday, 23-Nov-26 10:00:30 GMT", "Mon Nov 23 10:00:30 2026", "\x00"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseRetryAfter(s, now)
		if d < 0 || d > maxRetryAfter || (!ok && d != 0) {
			t.Fatalf("ParseRetryAfter(%q) = %s, %v", s, d, ok)
		}
	})
}

func FuzzParseError(f *testing.F) {
	f.Add(401, "", []byte(`{"error":{"code":"wrong_password","message":"no","tries_left":2}}`))
	f.Add(429, "3", []byte(`{"error":{"code":"x","message":"y","retry_after_seconds":-5}}`))
	f.Add(503, "Mon, 23 Nov 2026 10:00:30 GMT", []byte(`<html>`))
	f.Add(400, "", []byte(`{"error":{"code":"x","message":"y","locked_until":"never"}}`))
	f.Fuzz(func(t *testing.T, status int, ra string, body []byte) {
		h := http.Header{}
		h.Set("Retry-After", ra)
		e := parseError(status, h, body, time.Now())
		if e.status != status || e.code == "" || e.retryAfter < 0 {
			t.Fatalf("parseError gave %+v", e)
		}
		_ = e.Error()
	})
}

// FuzzSettle: whatever the centre answers, every row is acknowledged,
// parked or left, at most once, and only rows of the batch.
func FuzzSettle(f *testing.F) {
	f.Add([]byte(`{"results":[{"idempotency_key":"a","status":"stored","http_status":201},{"idempotency_key":"b","status":"rejected","http_status":422,"code":"x"}]}`))
	f.Add([]byte(`{"results":[{"idempotency_key":"a","status":"stored","http_status":201},{"idempotency_key":"a","status":"conflict","http_status":409}]}`))
	f.Add([]byte(`{"results":[{"idempotency_key":"zzz","status":"stored","http_status":201}]}`))
	f.Add([]byte(`{"results":null}`))
	f.Add([]byte(`{"results":[{"idempotency_key":"c","status":"weird","http_status":0}]}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, body []byte) {
		byKey := map[string]outbox.Item{"a": {ID: 1, Key: "a"}, "b": {ID: 2, Key: "b"}, "c": {ID: 3, Key: "c"}}
		ack, park, left, err := settle(byKey, body)
		if err != nil {
			if ack != nil || park != nil {
				t.Fatalf("an unreadable answer settled rows")
			}
			return
		}
		seen := map[int64]bool{}
		for _, id := range ack {
			if seen[id] || id < 1 || id > 3 {
				t.Fatalf("ack %v", ack)
			}
			seen[id] = true
		}
		for id := range park {
			if seen[id] || id < 1 || id > 3 {
				t.Fatalf("park %v with ack %v", park, ack)
			}
			seen[id] = true
		}
		if len(seen)+left != 3 {
			t.Fatalf("ack %v park %v left %d", ack, park, left)
		}
	})
}

// FuzzCommand hands arbitrary commands to the puller: none is applied
// without the centre's signature, and none panics.
func FuzzCommand(f *testing.F) {
	f.Add("id-1", "kiosk-001", int64(1), int64(1e18), "out_of_service", []byte("sig"))
	f.Add("", "", int64(-1), int64(0), "", []byte{})
	f.Add("x", "kiosk-002", int64(1<<62), int64(-1<<62), "restart", make([]byte, 64))
	dir := f.TempDir()
	o := openOutbox(f, filepath.Join(dir, "k.db"))
	pub, _, _ := ed25519.GenerateKey(nil)
	c, err := New(Config{BaseURL: "https://127.0.0.1:1", KioskID: kiosk, HTTP: http.DefaultClient})
	if err != nil {
		f.Fatal(err)
	}
	applied := 0
	inTx := func(tx outbox.Tx, c api.Command) error { applied++; return nil }
	h := map[api.CommandKind]Handler{}
	for _, k := range api.CommandKinds {
		h[k] = Handler{InTx: inTx}
	}
	p := NewCommandPuller(c, o, pub, h, PullOptions{})
	f.Fuzz(func(t *testing.T, id, target string, seq, expiry int64, kind string, sig []byte) {
		cmd := api.Command{ID: id, Kiosk: target, Seq: seq, IssuedAt: time.Unix(0, 0), Expiry: time.Unix(0, expiry), Kind: api.CommandKind(kind), Signature: sig}
		if err := p.Handle(context.Background(), cmd); err != nil {
			t.Logf("handle: %v", err)
		}
		if applied != 0 {
			t.Fatalf("an unsigned command was applied: %+v", cmd)
		}
	})
}

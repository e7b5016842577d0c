package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

const backlog = 100_000

// fill queues n audit events, 1,000 per transaction.
func fill(b *testing.B, o *store.Store, n int) {
	b.Helper()
	ctx := context.Background()
	for i := 0; i < n; i += 1000 {
		err := o.Update(ctx, func(tx outbox.Tx) error {
			for j := i; j < min(i+1000, n); j++ {
				if _, err := tx.Enqueue(outbox.Event{Kind: "audit", Payload: auditPayload(b, "bench", j)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func drainBench(b *testing.B, c *Client, o *store.Store) {
	b.Helper()
	u := NewUploader(c, o, UploaderOptions{MaxBatch: 500})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { u.Serve(ctx); close(done) }()
	for {
		st, err := o.Stats(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if st.Depth == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	<-done
}

// BenchmarkDrain100k drains a backlog of 100,000 events to the real centre
// over TLS on loopback; the centre stores each batch in one transaction.
// Compare events/s with sync/outbox's BenchmarkGoqiteCycle.
func BenchmarkDrain100k(b *testing.B) {
	for range b.N {
		b.StopTimer()
		dir := b.TempDir()
		s := startCentre(b, filepath.Join(dir, "centre"))
		o := openOutbox(b, filepath.Join(dir, "kiosk.db"))
		fill(b, o, backlog)
		c := newClient(b, s, "")
		b.StartTimer()
		start := time.Now()
		drainBench(b, c, o)
		b.ReportMetric(backlog/time.Since(start).Seconds(), "events/s")
		b.StopTimer()
		if n, _ := s.Store.CountEvents(context.Background(), kiosk, "audit"); n != backlog {
			b.Fatalf("centre holds %d events, want %d", n, backlog)
		}
	}
}

// BenchmarkDrain100kKioskSide drains the same backlog to a TLS endpoint
// that acknowledges every event without storing it: the kiosk's own
// ceiling (read, open, encode, send, delete), apart from the centre.
func BenchmarkDrain100kKioskSide(b *testing.B) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := readBatch(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Write(body)
	}))
	srv.EnableHTTP2 = false
	srv.StartTLS()
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, KioskID: kiosk, HTTP: srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		b.StopTimer()
		o := openOutbox(b, filepath.Join(b.TempDir(), "kiosk.db"))
		fill(b, o, backlog)
		b.StartTimer()
		start := time.Now()
		drainBench(b, c, o)
		b.ReportMetric(backlog/time.Since(start).Seconds(), "events/s")
		b.StopTimer()
		o.Close()
	}
}

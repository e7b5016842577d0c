package store

import (
	"context"
	"database/sql"
	"github.com/absher-kiosk/kiosk/sync/outbox"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"maragu.dev/goqite"
)

// Each benchmark operation is a fixed run of events, so that one iteration
// (make bench uses -benchtime 1x) still yields a p99 from enough samples.
const (
	eventsPerOp  = 500
	batchSize    = 50
	benchPayload = 512
)

func reportLatency(b *testing.B, lat []time.Duration, events int, elapsed time.Duration) {
	slices.Sort(lat)
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkEnqueue measures one durable enqueue per transaction, as a
// walk-up transaction commits it; latency is per enqueue.
func BenchmarkEnqueue(b *testing.B) {
	e := newEnv(b, Options{Clock: time.Now})
	ctx := context.Background()
	payload := make([]byte, benchPayload)
	var lat []time.Duration
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		for range eventsPerOp {
			t := time.Now()
			if _, err := e.o.Enqueue(ctx, outbox.Event{Kind: "tx.bench", Payload: payload}); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t))
		}
	}
	reportLatency(b, lat, len(lat), time.Since(start))
}

// BenchmarkEnqueueBatched measures batchSize events per transaction, as a
// burst of audit events would commit; latency is per transaction.
func BenchmarkEnqueueBatched(b *testing.B) {
	e := newEnv(b, Options{Clock: time.Now})
	payload := make([]byte, benchPayload)
	var lat []time.Duration
	events := 0
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		for range eventsPerOp / batchSize {
			t := time.Now()
			enqueueInOne(b, e.o, batchSize, payload)
			lat = append(lat, time.Since(t))
			events += batchSize
		}
	}
	reportLatency(b, lat, events, time.Since(start))
}

// BenchmarkDrainCycle measures this outbox's own send side without the
// network: Next a batch of 100, Ack it, as the uploader does per response.
func BenchmarkDrainCycle(b *testing.B) {
	e := newEnv(b, Options{Clock: time.Now})
	ctx := context.Background()
	payload := make([]byte, benchPayload)
	cycles := 0
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		enqueueInOne(b, e.o, eventsPerOp, payload)
		b.StartTimer()
		start := time.Now()
		for {
			items, err := e.o.Next(ctx, 100, 1<<20)
			if err != nil {
				b.Fatal(err)
			}
			if len(items) == 0 {
				break
			}
			if err := e.o.Ack(ctx, ids(items)); err != nil {
				b.Fatal(err)
			}
			cycles += len(items)
		}
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(cycles)/elapsed.Seconds(), "events/s")
	b.ReportMetric(0, "ns/op")
}

// goqiteSchema is schema_sqlite.sql of goqite v0.4.0, which the module
// ships as a file rather than as an exported setup function.
const goqiteSchema = `create table goqite (
  id text primary key default ('m_' || lower(hex(randomblob(16)))),
  created text not null default (strftime('%Y-%m-%dT%H:%M:%fZ')),
  updated text not null default (strftime('%Y-%m-%dT%H:%M:%fZ')),
  queue text not null,
  body blob not null,
  timeout text not null default (strftime('%Y-%m-%dT%H:%M:%fZ')),
  received integer not null default 0,
  priority integer not null default 0
) strict;

create trigger goqite_updated_timestamp after update on goqite begin
  update goqite set updated = strftime('%Y-%m-%dT%H:%M:%fZ') where id = old.id;
end;

create index goqite_queue_priority_created_idx on goqite (queue, priority desc, created);
`

// BenchmarkGoqiteCycle is the reference: goqite v0.4.0's send, receive and
// delete of one message, on mattn/go-sqlite3 with the same durability
// (WAL, synchronous=FULL) as the outbox, one message per transaction.
func BenchmarkGoqiteCycle(b *testing.B) {
	path := filepath.Join(b.TempDir(), "goqite.db")
	db, err := sql.Open("sqlite3", path+"?_journal_mode=WAL&_synchronous=FULL&_txlock=immediate&_busy_timeout=5000")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, goqiteSchema); err != nil {
		b.Fatal(err)
	}
	q := goqite.New(goqite.NewOpts{DB: db, Name: "bench"})
	body := make([]byte, benchPayload)
	var lat []time.Duration
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		for range eventsPerOp {
			t := time.Now()
			if err := q.Send(ctx, goqite.Message{Body: body}); err != nil {
				b.Fatal(err)
			}
			m, err := q.Receive(ctx)
			if err != nil || m == nil {
				b.Fatalf("receive: %v, %v", m, err)
			}
			if err := q.Delete(ctx, m.ID); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t))
		}
	}
	elapsed := time.Since(start)
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "cycles/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// enqueueInOne queues n events in one transaction.
func enqueueInOne(b *testing.B, o *Store, n int, payload []byte) {
	b.Helper()
	err := o.Update(context.Background(), func(tx outbox.Tx) error {
		for range n {
			if _, err := tx.Enqueue(outbox.Event{Kind: "tx.bench", Payload: payload}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

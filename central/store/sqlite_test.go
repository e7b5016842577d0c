package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

func open(t *testing.T) (*SQLite, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "central.db")
	s, err := OpenSQLite(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, p
}

func TestMigrationsRunOnce(t *testing.T) {
	s, p := open(t)
	ctx := context.Background()
	v, err := s.SchemaVersion(ctx)
	if err != nil || v != len(migrations)-1 {
		t.Fatalf("version %d, %v; want %d", v, err, len(migrations)-1)
	}
	s.Close()
	s2, err := OpenSQLite(ctx, p)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	var n int
	s2.db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n)
	if n != len(migrations)-1 {
		t.Fatalf("%d migration rows after reopen, want %d", n, len(migrations)-1)
	}
	s2.db.Exec(`INSERT INTO schema_migrations VALUES (99, 0)`)
	s2.Close()
	if _, err := OpenSQLite(ctx, p); err == nil {
		t.Fatal("a newer schema was accepted")
	}
}

func TestInsertEventOnceWithChange(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e := Event{Kiosk: "k1", Key: "a", Kind: "mobile_updated", CreatedAt: at, ReceivedAt: at, KeyID: "x", Payload: []byte("p1")}
	ch := &PersonChange{Slot: "s", KeyID: "x", Sealed: []byte("v1"), UpdatedAt: at}
	ins, old, err := s.InsertEvent(ctx, e, ch)
	if err != nil || !ins || old != nil {
		t.Fatalf("first insert: %v %v %v", ins, old, err)
	}
	e2 := e
	e2.Payload = []byte("p2")
	ins, old, err = s.InsertEvent(ctx, e2, &PersonChange{Slot: "s", KeyID: "x", Sealed: []byte("v2"), UpdatedAt: at})
	if err != nil || ins || old == nil || string(old.Payload) != "p1" || !old.CreatedAt.Equal(at) {
		t.Fatalf("second insert: %v %+v %v", ins, old, err)
	}
	changes, _ := s.PersonChanges(ctx)
	if len(changes) != 1 || string(changes[0].Sealed) != "v1" {
		t.Fatalf("a duplicate event's change was applied: %+v", changes)
	}
	e3 := e
	e3.Kiosk = "k2"
	if ins, _, _ := s.InsertEvent(ctx, e3, nil); !ins {
		t.Fatal("the same key from another kiosk was refused")
	}
	if n, _ := s.CountEvents(ctx, "k1", ""); n != 1 {
		t.Fatalf("k1 has %d events", n)
	}
	if n, _ := s.CountEvents(ctx, "k1", "audit"); n != 0 {
		t.Fatalf("k1 has %d audit events", n)
	}
}

func TestCommandsSequence(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		seq, err := s.AddCommand(ctx, "k1", func(seq int64) ([]byte, error) { return []byte(fmt.Sprint("c", seq)), nil })
		if err != nil || seq != int64(i) {
			t.Fatalf("AddCommand = %d, %v", seq, err)
		}
	}
	boom := errors.New("boom")
	if _, err := s.AddCommand(ctx, "k1", func(int64) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("build error lost: %v", err)
	}
	envs, last, err := s.Commands(ctx, "k1", 1)
	if err != nil || last != 3 || len(envs) != 2 || string(envs[0]) != "c2" {
		t.Fatalf("Commands = %q %d %v", envs, last, err)
	}
	envs, last, _ = s.Commands(ctx, "k2", 0)
	if len(envs) != 0 || last != 0 {
		t.Fatalf("k2 sees %q %d", envs, last)
	}
}

func TestConfigAndKiosks(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	if _, err := s.Config(ctx, "k1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing config: %v", err)
	}
	s.SetConfig(ctx, "k1", Config{Doc: []byte("{}"), ETag: `"1"`})
	s.SetConfig(ctx, "k1", Config{Doc: []byte("{ }"), ETag: `"2"`})
	c, err := s.Config(ctx, "k1")
	if err != nil || c.ETag != `"2"` {
		t.Fatalf("config %+v %v", c, err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.TouchKiosk(ctx, "k1", t0, []byte(`{"version":"1"}`))
	s.TouchKiosk(ctx, "k1", t0.Add(-time.Minute), nil)
	ks, _ := s.Kiosks(ctx)
	if len(ks) != 1 || !ks[0].LastSeen.Equal(t0) || string(ks[0].Heartbeat) != `{"version":"1"}` {
		t.Fatalf("kiosks %+v", ks)
	}
}

func TestInsertEventsBatch(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := func(key, payload string) Event {
		return Event{Kiosk: "k1", Key: key, Kind: "mobile_updated", CreatedAt: at, ReceivedAt: at, KeyID: "x", Payload: []byte(payload)}
	}
	change := func(v string) *PersonChange {
		return &PersonChange{Slot: "s", KeyID: "x", Sealed: []byte(v), UpdatedAt: at}
	}
	if ins, _, err := s.InsertEvent(ctx, ev("old", "p0"), nil); err != nil || !ins {
		t.Fatalf("seed: %v %v", ins, err)
	}
	res, err := s.InsertEvents(ctx,
		[]Event{ev("a", "p1"), ev("old", "p9"), ev("a", "p2"), ev("b", "p3")},
		[]*PersonChange{change("v1"), change("v9"), change("v2"), nil})
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		ins     bool
		payload string
	}
	var have []got
	for _, r := range res {
		g := got{ins: r.Inserted}
		if r.Existing != nil {
			g.payload = string(r.Existing.Payload)
		}
		have = append(have, g)
	}
	if want := []got{{true, ""}, {false, "p0"}, {false, "p1"}, {true, ""}}; fmt.Sprint(have) != fmt.Sprint(want) {
		t.Fatalf("results %v, want %v", have, want)
	}
	// Only the change of the event stored first applies.
	changes, _ := s.PersonChanges(ctx)
	if len(changes) != 1 || string(changes[0].Sealed) != "v1" {
		t.Fatalf("changes %+v, want only v1", changes)
	}
	if n, _ := s.CountEvents(ctx, "k1", ""); n != 3 {
		t.Fatalf("%d events stored, want 3", n)
	}
	e, err := s.Event(ctx, "k1", "b")
	if err != nil || string(e.Payload) != "p3" || !e.CreatedAt.Equal(at) || e.Kind != "mobile_updated" {
		t.Fatalf("Event(b) = %+v, %v", e, err)
	}
	if _, err := s.Event(ctx, "k2", "b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Event of another kiosk: %v, want ErrNotFound", err)
	}
}

func TestInsertEventsAllOrNothing(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	good := Event{Kiosk: "k1", Key: "a", Kind: "audit", CreatedAt: at, ReceivedAt: at, KeyID: "x", Payload: []byte("p")}
	bad := good
	bad.Key, bad.Payload = "b", nil // payload is NOT NULL
	ch := &PersonChange{Slot: "s", KeyID: "x", Sealed: []byte("v"), UpdatedAt: at}
	if _, err := s.InsertEvents(ctx, []Event{good, bad}, []*PersonChange{ch, nil}); err == nil {
		t.Fatal("a batch with an unstorable event was stored")
	}
	if n, _ := s.CountEvents(ctx, "k1", ""); n != 0 {
		t.Fatalf("%d events kept from a failed batch", n)
	}
	if cs, _ := s.PersonChanges(ctx); len(cs) != 0 {
		t.Fatalf("a failed batch kept its change: %+v", cs)
	}
	if _, err := s.InsertEvents(ctx, []Event{good}, []*PersonChange{ch, ch}); err == nil {
		t.Fatal("changes that do not match the events were accepted")
	}
	if res, err := s.InsertEvents(ctx, nil, nil); err != nil || len(res) != 0 {
		t.Fatalf("empty batch: %v %v", res, err)
	}
}

// BenchmarkInsertEvents compares one transaction per event with one per
// batch of 100 (synchronous=FULL: each commit is an fsync).
func BenchmarkInsertEvents(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			s, err := OpenSQLite(context.Background(), filepath.Join(b.TempDir(), "central.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			payload := make([]byte, 160)
			seq := 0
			b.ResetTimer()
			for range b.N {
				batch := make([]Event, n)
				for j := range batch {
					seq++
					batch[j] = Event{Kiosk: "k1", Key: fmt.Sprint(seq), Kind: "audit", CreatedAt: at, ReceivedAt: at, KeyID: "x", Payload: payload}
				}
				if _, err := s.InsertEvents(ctx, batch, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func TestAttemptsRoundTrip(t *testing.T) {
	s, p := open(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 10, 9, 0, 0, 123, time.UTC)
	a := Attempts{Slot: "s1", Failures: 2, LastFailure: at, Locks: 1, LockedUntil: at.Add(15 * time.Minute), LockCode: "password_attempts_exceeded"}
	if err := s.SetAttempts(ctx, a); err != nil {
		t.Fatal(err)
	}
	a.Failures = 3
	if err := s.SetAttempts(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAttempts(ctx, Attempts{Slot: "s2"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := OpenSQLite(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.Attempts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d rows, want 2: %+v", len(got), got)
	}
	for _, g := range got {
		if g.Slot == "s1" && (g.Failures != 3 || !g.LastFailure.Equal(a.LastFailure) || !g.LockedUntil.Equal(a.LockedUntil) || g.Locks != 1 || g.LockCode != a.LockCode) {
			t.Fatalf("read %+v, wrote %+v", g, a)
		}
		if g.Slot == "s2" && (g.Failures != 0 || !g.LastFailure.IsZero() || !g.LockedUntil.IsZero()) {
			t.Fatalf("zero record read back as %+v", g)
		}
	}
}

package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/absher-kiosk/kiosk/sync/outbox"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/sync/seal"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

type env struct {
	dir, db, keyPath string
	keys             *seal.Keyring
	clock            *fakeClock
	o                *Store
}

func newEnv(t testing.TB, opt Options) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{dir: dir, db: filepath.Join(dir, "kiosk.db"), keyPath: filepath.Join(dir, "outbox.key"), clock: &fakeClock{now: t0}}
	var err error
	e.keys, err = seal.LoadOrCreate(e.keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if opt.Clock == nil {
		opt.Clock = e.clock.Now
	}
	e.o, err = Open(context.Background(), e.db, e.keys, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.o.Close() })
	return e
}

func enqueueN(t testing.TB, o *Store, kind string, n int) []outbox.Item {
	t.Helper()
	var out []outbox.Item
	for i := range n {
		it, err := o.Enqueue(context.Background(), outbox.Event{Kind: kind, Payload: fmt.Appendf(nil, `{"n":%d}`, i)})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
	return out
}

func ids(items []outbox.Item) []int64 {
	var out []int64
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func TestOpenSetsDurablePragmasAndKeyFileMode(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	var syncMode int
	if err := e.o.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&syncMode); err != nil {
		t.Fatal(err)
	}
	if syncMode != 2 {
		t.Errorf("writer synchronous = %d, want 2 (FULL)", syncMode)
	}
	var mode string
	if err := e.o.r.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	if _, err := e.o.r.ExecContext(ctx, "INSERT INTO kv (key, value) VALUES ('a', 'b')"); err == nil {
		t.Error("reader pool accepted a write; it must be query-only")
	}
	fi, err := os.Stat(e.keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, want 0600", fi.Mode().Perm())
	}
}

func TestEnqueueNextAck(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	items := enqueueN(t, e.o, "tx.mobile_update", 3)
	e.clock.Advance(90 * time.Second)

	got, err := e.o.Next(ctx, 10, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("Next returned %d items, want 3", len(got))
	}
	for i, it := range got {
		if it.ID != items[i].ID || it.Key != items[i].Key || it.Kind != "tx.mobile_update" || !it.Created.Equal(t0) {
			t.Errorf("item %d = %+v, want %+v", i, it, items[i])
		}
		if want := fmt.Sprintf(`{"n":%d}`, i); string(it.Payload) != want {
			t.Errorf("item %d payload = %q, want %q", i, it.Payload, want)
		}
	}
	st, err := e.o.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Depth != 3 || st.Parked != 0 || st.OldestAge != 90*time.Second || !st.Oldest.Equal(t0) {
		t.Errorf("Stats = %+v, want depth 3, oldest age 90s", st)
	}
	if err := e.o.Ack(ctx, ids(got[:2])); err != nil {
		t.Fatal(err)
	}
	if err := e.o.Ack(ctx, ids(got[:2])); err != nil {
		t.Fatalf("second Ack of the same ids: %v", err)
	}
	rest, err := e.o.Next(ctx, 10, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 1 || rest[0].ID != items[2].ID {
		t.Fatalf("after Ack, Next = %v, want only id %d", ids(rest), items[2].ID)
	}
}

func TestEnqueueValidates(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	key := "3f0c3f7e-4f4c-4a4e-9a53-7d2f1b9c0a11"
	if _, err := e.o.Enqueue(ctx, outbox.Event{Kind: "audit.login", Key: key}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ev   outbox.Event
		want string
	}{
		{"empty kind", outbox.Event{}, "not a short lower-case name"},
		{"kind with spaces", outbox.Event{Kind: "tx mobile"}, "not a short lower-case name"},
		{"kind with an id number is masked", outbox.Event{Kind: "Tx 1234567890"}, `"Tx ******7890"`},
		{"kind too long", outbox.Event{Kind: strings.Repeat("a", 65)}, "not a short lower-case name"},
		{"key not a uuid", outbox.Event{Kind: "tx.a", Key: "not-a-uuid"}, "not a UUID"},
		{"duplicate key", outbox.Event{Kind: "tx.a", Key: key}, "already queued"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.o.Enqueue(ctx, tc.ev)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Enqueue(%+v) error = %v, want one containing %q", tc.ev, err, tc.want)
			}
		})
	}
	st, err := e.o.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Depth != 1 {
		t.Errorf("depth after refused enqueues = %d, want 1", st.Depth)
	}
}

func TestUpdateCommitsStateAndEventsTogether(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	if err := migrate(ctx, e.o.w, "receipts", []string{`CREATE TABLE receipts (ref TEXT PRIMARY KEY) STRICT`}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("printer said no")
	err := e.o.Update(ctx, func(tx outbox.Tx) error {
		if _, err := tx.(*Tx).exec(`INSERT INTO receipts (ref) VALUES ('K-1')`); err != nil {
			return err
		}
		if _, err := tx.Enqueue(outbox.Event{Kind: "tx.receipt"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update error = %v, want %v", err, boom)
	}
	count := func(q string) int {
		var n int
		if err := e.o.r.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if r, q := count(`SELECT count(*) FROM receipts`), count(`SELECT count(*) FROM outbox`); r != 0 || q != 0 {
		t.Fatalf("after a failed Update: %d receipts and %d events, want none of either", r, q)
	}
	select {
	case <-e.o.Wake():
		t.Fatal("Wake signalled for a rolled-back transaction")
	default:
	}
	err = e.o.Update(ctx, func(tx outbox.Tx) error {
		if _, err := tx.(*Tx).exec(`INSERT INTO receipts (ref) VALUES ('K-1')`); err != nil {
			return err
		}
		_, err := tx.Enqueue(outbox.Event{Kind: "tx.receipt"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if r, q := count(`SELECT count(*) FROM receipts`), count(`SELECT count(*) FROM outbox`); r != 1 || q != 1 {
		t.Fatalf("after Update: %d receipts and %d events, want one of each", r, q)
	}
}

func TestWakeIsCoalescedAndSignalledAfterCommit(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	select {
	case <-e.o.Wake():
		t.Fatal("Wake signalled before any enqueue")
	default:
	}
	enqueueN(t, e.o, "heartbeat", 5)
	select {
	case <-e.o.Wake():
	default:
		t.Fatal("Wake not signalled after enqueue")
	}
	select {
	case <-e.o.Wake():
		t.Fatal("five enqueues gave more than one pending signal")
	default:
	}
	if err := e.o.Update(ctx, func(tx outbox.Tx) error { return tx.SetKV("etag", "v1") }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-e.o.Wake():
		t.Fatal("Wake signalled for a transaction without events")
	default:
	}
}

func TestNextHonoursCountBytesAndDueTime(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	var items []outbox.Item
	for _, size := range []int{100, 100, 100, 5000, 100} {
		it, err := e.o.Enqueue(ctx, outbox.Event{Kind: "tx.doc", Payload: bytes.Repeat([]byte("x"), size)})
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	tests := []struct {
		name            string
		count, maxBytes int
		want            []int64
	}{
		{"count limit", 2, 1 << 20, ids(items[:2])},
		{"byte limit stops before the row that would exceed it", 10, 350, ids(items[:3])},
		{"zero count", 0, 1 << 20, nil},
		{"everything", 10, 1 << 20, ids(items)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.o.Next(ctx, tc.count, tc.maxBytes)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(ids(got)) != fmt.Sprint(tc.want) {
				t.Fatalf("Next(%d, %d) = %v, want %v", tc.count, tc.maxBytes, ids(got), tc.want)
			}
		})
	}
	// An oversized row at the head goes alone rather than blocking the queue.
	if err := e.o.Ack(ctx, ids(items[:3])); err != nil {
		t.Fatal(err)
	}
	got, err := e.o.Next(ctx, 10, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != items[3].ID {
		t.Fatalf("Next with an oversized head = %v, want only %d", ids(got), items[3].ID)
	}
	// A failed row waits for its next attempt time.
	if err := e.o.Fail(ctx, []int64{items[3].ID}, "centre unreachable", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, err = e.o.Next(ctx, 10, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != items[4].ID {
		t.Fatalf("Next before the retry time = %v, want only %d", ids(got), items[4].ID)
	}
	e.clock.Advance(time.Minute)
	got, err = e.o.Next(ctx, 10, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids(got)) != fmt.Sprint(ids(items[3:])) || got[0].Attempts != 1 {
		t.Fatalf("Next at the retry time = %+v, want %v with 1 attempt on the first", got, ids(items[3:]))
	}
}

func TestFailParksAfterMaxAttemptsWithoutBlockingOthers(t *testing.T) {
	e := newEnv(t, Options{MaxAttempts: 3})
	ctx := context.Background()
	items := enqueueN(t, e.o, "tx.visa_extend", 3)
	poison := items[0].ID
	for i := range 3 {
		if err := e.o.Fail(ctx, []int64{poison}, "centre: 422 invalid visa for 1098765432", e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		st, err := e.o.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if wantParked := map[bool]int{true: 1, false: 0}[i == 2]; st.Parked != wantParked {
			t.Fatalf("after %d failures parked = %d, want %d", i+1, st.Parked, wantParked)
		}
	}
	got, err := e.o.Next(ctx, 10, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids(got)) != fmt.Sprint(ids(items[1:])) {
		t.Fatalf("Next with a parked head = %v, want %v", ids(got), ids(items[1:]))
	}
	parked, err := e.o.Parked(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []outbox.Parked{{ID: poison, Kind: "tx.visa_extend", Created: t0, Attempts: 3, Reason: "centre: 422 invalid visa for ******5432"}}
	if fmt.Sprint(parked) != fmt.Sprint(want) {
		t.Fatalf("Parked = %+v, want %+v", parked, want)
	}
	if err := e.o.Park(ctx, items[1].ID, "rejected by centre: duplicate transaction"); err != nil {
		t.Fatal(err)
	}
	if err := e.o.Park(ctx, 999, "x"); err == nil {
		t.Error("Park of a missing row succeeded")
	}
	if err := e.o.Retry(ctx, poison); err != nil {
		t.Fatal(err)
	}
	if err := e.o.Retry(ctx, items[2].ID); err == nil || !strings.Contains(err.Error(), "no parked row") {
		t.Errorf("Retry of a row that is not parked: %v, want a \"no parked row\" error", err)
	}
	got, err = e.o.Next(ctx, 10, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids(got)) != fmt.Sprint([]int64{poison, items[2].ID}) || got[0].Attempts != 0 {
		t.Fatalf("after Retry, Next = %+v, want %d (attempts reset) and %d", got, poison, items[2].ID)
	}
}

func TestCommandsAppliedExactlyOnce(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	apply := func(id string, seq int64) (applied bool, err error) {
		err = e.o.Update(ctx, func(tx outbox.Tx) error {
			done, err := tx.CommandApplied(id)
			if err != nil || done {
				return err
			}
			if err := tx.SetKV("service", "out"); err != nil {
				return err
			}
			if err := tx.SetKV("last_command_seq", fmt.Sprint(seq)); err != nil {
				return err
			}
			if err := tx.RecordCommand(id, seq, "out_of_service"); err != nil {
				return err
			}
			_, err = tx.Enqueue(outbox.Event{Kind: "command.result", Payload: []byte(id)})
			applied = err == nil
			return err
		})
		return applied, err
	}
	for i, want := range []bool{true, false, false} {
		got, err := apply("cmd-7", 7)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("delivery %d applied = %v, want %v", i+1, got, want)
		}
	}
	st, _ := e.o.Stats(ctx)
	if st.Depth != 1 {
		t.Fatalf("result events = %d, want exactly 1", st.Depth)
	}
	if v, ok, err := e.o.GetKV(ctx, "last_command_seq"); err != nil || !ok || v != "7" {
		t.Fatalf("last_command_seq = %q, %v, %v; want 7", v, ok, err)
	}
	// Recording twice without checking fails and rolls the effect back.
	err := e.o.Update(ctx, func(tx outbox.Tx) error {
		if err := tx.SetKV("service", "in"); err != nil {
			return err
		}
		return tx.RecordCommand("cmd-7", 7, "in_service")
	})
	if err == nil {
		t.Fatal("recording an applied command again succeeded")
	}
	if v, _, _ := e.o.GetKV(ctx, "service"); v != "out" {
		t.Fatalf("service = %q after a refused second recording, want the first effect \"out\"", v)
	}
	if _, ok, err := e.o.GetKV(ctx, "missing"); ok || err != nil {
		t.Fatalf("GetKV(missing) = %v, %v; want not found, nil", ok, err)
	}
}

func TestKeyRotationKeepsOldRowsOpen(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	before := enqueueN(t, e.o, "tx.a", 1)
	oldKey := e.keys.Current()
	if err := e.keys.Rotate(); err != nil {
		t.Fatal(err)
	}
	after := enqueueN(t, e.o, "tx.a", 1)
	e.o.Close()

	keys, err := seal.LoadOrCreate(e.keyPath)
	if err != nil {
		t.Fatal(err)
	}
	o, err := Open(ctx, e.db, keys, Options{Clock: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	var keyIDs []string
	rows, err := o.r.QueryContext(ctx, `SELECT key_id FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keyIDs = append(keyIDs, k)
	}
	rows.Close()
	if len(keyIDs) != 2 || keyIDs[0] != oldKey || keyIDs[1] == oldKey {
		t.Fatalf("key ids per row = %v, want [%s, <new key>]", keyIDs, oldKey)
	}
	got, err := o.Next(ctx, 10, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids(got)) != fmt.Sprint([]int64{before[0].ID, after[0].ID}) {
		t.Fatalf("Next after rotation = %v, want both rows", ids(got))
	}
}

func TestPayloadIsNeverOnDiskInPlain(t *testing.T) {
	e := newEnv(t, Options{})
	secret := []byte(`{"national_id":"1098765432","mobile":"+966512345678"}`)
	if _, err := e.o.Enqueue(context.Background(), outbox.Event{Kind: "tx.mobile_update", Payload: secret}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"kiosk.db", "kiosk.db-wal"} {
		data, err := os.ReadFile(filepath.Join(e.dir, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		for _, s := range []string{"1098765432", "512345678", "national_id"} {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains %q in plain text", name, s)
			}
		}
	}
}

func TestTamperedRowsAreParkedNeverSent(t *testing.T) {
	tests := []struct {
		name   string
		tamper string // SQL run on the file; ?1 is the victim's id
		want   string
	}{
		{"ciphertext byte flipped", `UPDATE outbox SET payload = CAST(substr(payload, 1, 20) || CASE WHEN substr(payload, 21, 1) = x'FF' THEN x'00' ELSE x'FF' END || substr(payload, 22) AS BLOB) WHERE id = ?1`, "seal: record does not open"},
		{"ciphertext truncated", `UPDATE outbox SET payload = CAST(substr(payload, 1, 10) AS BLOB) WHERE id = ?1`, "shorter than a nonce and tag"},
		{"kind changed", `UPDATE outbox SET kind = 'tx.refund' WHERE id = ?1`, "seal: record does not open"},
		{"idempotency key changed", `UPDATE outbox SET key = '00000000-0000-4000-8000-000000000000' WHERE id = ?1`, "seal: record does not open"},
		{"id changed", `UPDATE outbox SET id = 1000 WHERE id = ?1`, "seal: record does not open"},
		{"payload moved from another row", `UPDATE outbox SET payload = (SELECT payload FROM outbox WHERE id = ?1 + 1) WHERE id = ?1`, "seal: record does not open"},
		{"unknown key id", `UPDATE outbox SET key_id = 'deadbeef' WHERE id = ?1`, "not in the key file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			ctx := context.Background()
			items := enqueueN(t, e.o, "tx.mobile_update", 3)
			victim := items[1].ID
			e.o.Close()
			// Tamper through a separate connection, as someone with the file would.
			db, err := sql.Open("sqlite3", e.db)
			if err != nil {
				t.Fatal(err)
			}
			res, err := db.Exec(tc.tamper, victim)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("tampering changed %d rows, want 1", n)
			}
			db.Close()

			o, err := Open(ctx, e.db, e.keys, Options{Clock: e.clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			got, err := o.Next(ctx, 10, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			want := []int64{items[0].ID, items[2].ID}
			if fmt.Sprint(ids(got)) != fmt.Sprint(want) {
				t.Fatalf("Next = %v, want the untouched rows %v", ids(got), want)
			}
			parked, err := o.Parked(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(parked) != 1 || !strings.HasPrefix(parked[0].Reason, "seal:") || !strings.Contains(parked[0].Reason, tc.want) {
				t.Fatalf("Parked = %+v, want one row with a seal reason containing %q", parked, tc.want)
			}
			// Retrying a tampered row parks it again instead of sending it.
			if err := o.Retry(ctx, parked[0].ID); err != nil {
				t.Fatal(err)
			}
			got, err = o.Next(ctx, 10, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(ids(got)) != fmt.Sprint(want) {
				t.Fatalf("Next after retrying the tampered row = %v, want %v", ids(got), want)
			}
		})
	}
}

func TestCheckpointTruncatesWAL(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	enqueueN(t, e.o, "heartbeat", 50)
	fi, err := os.Stat(e.db + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() == 0 {
		t.Fatal("WAL is empty before the checkpoint; the test proves nothing")
	}
	if err := e.o.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	fi, err = os.Stat(e.db + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != 0 {
		t.Fatalf("WAL is %d bytes after a TRUNCATE checkpoint, want 0", fi.Size())
	}
	st, err := e.o.Stats(ctx)
	if err != nil || st.Depth != 50 {
		t.Fatalf("after checkpoint depth = %d, %v; want 50", st.Depth, err)
	}
}

func TestOpenRefusesBadArguments(t *testing.T) {
	keys, err := seal.LoadOrCreate(filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		name string
		path string
		keys *seal.Keyring
		want string
	}{
		{"empty path", "", keys, "plain file path"},
		{"query in path", "/tmp/x.db?mode=ro", keys, "plain file path"},
		{"no keyring", filepath.Join(t.TempDir(), "x.db"), nil, "no keyring"},
		{"missing folder", filepath.Join(t.TempDir(), "no", "such", "x.db"), keys, "cannot be opened"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := Open(ctx, tc.path, tc.keys, Options{})
			if err == nil {
				o.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestOpenRefusesDamagedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kiosk.db")
	if err := os.WriteFile(path, bytes.Repeat([]byte("not a database "), 300), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "k"))
	if err != nil {
		t.Fatal(err)
	}
	var hooked error
	o, err := Open(context.Background(), path, keys, Options{OnStorageFault: func(err error) { hooked = err }})
	if err == nil {
		o.Close()
		t.Fatal("Open of a damaged file succeeded")
	}
	var se *outbox.StorageError
	if !errors.Is(err, outbox.ErrStorage) || !errors.As(err, &se) || se.Fault != "corrupt" || !strings.Contains(err.Error(), "is damaged") {
		t.Fatalf("Open error = %v, want a corrupt-file storage error", err)
	}
	if hooked == nil {
		t.Error("OnStorageFault was not called")
	}
}

func TestConcurrentEnqueueAndDrain(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := e.o.Enqueue(ctx, outbox.Event{Kind: "tx.c", Payload: fmt.Appendf(nil, "%d-%d", w, i)}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	seen := map[string]bool{}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	drain := func() {
		items, err := e.o.Next(ctx, 10, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if seen[string(it.Payload)] {
				t.Fatalf("payload %s delivered twice", it.Payload)
			}
			seen[string(it.Payload)] = true
		}
		if err := e.o.Ack(ctx, ids(items)); err != nil {
			t.Fatal(err)
		}
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		case <-e.o.Wake():
			drain()
		}
	}
	for len(seen) < writers*each {
		before := len(seen)
		drain()
		if len(seen) == before {
			break
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(seen) != writers*each {
		t.Fatalf("drained %d distinct events, want %d", len(seen), writers*each)
	}
}

package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/internal/golden"
	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/sync/outbox"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// fixture builds a real outbox file: three waiting rows, two parked ones
// (one after repeated failures, one tampered on disk).
func fixture(t testing.TB) (db, keys string) {
	t.Helper()
	dir := t.TempDir()
	db, keys = filepath.Join(dir, "kiosk.db"), filepath.Join(dir, "outbox.key")
	k, err := seal.LoadOrCreate(keys)
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	ctx := context.Background()
	o, err := store.Open(ctx, db, k, store.Options{MaxAttempts: 2, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { o.Close() }()
	var ids []int64
	for _, kind := range []string{"tx.mobile_update", "audit.login", "heartbeat", "tx.visa_extend", "tx.licence_renew"} {
		it, err := o.Enqueue(ctx, outbox.Event{Kind: kind, Payload: []byte(`{"national_id":"1098765432"}`)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, it.ID)
		now = now.Add(time.Minute)
	}
	for range 2 {
		if err := o.Fail(ctx, []int64{ids[3]}, "centre 422: person 1098765432 has unpaid fines", now); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	tamperKind(t, db, ids[4], "tx.refund")
	if o, err = store.Open(ctx, db, k, store.Options{MaxAttempts: 2, Clock: func() time.Time { return now }}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Next(ctx, 10, 1<<20); err != nil {
		t.Fatal(err)
	}
	return db, keys
}

// tamperKind changes a queued row's kind behind the kiosk's back, as an
// edit of the file would, without sealing its payload again. Only a test
// touches the file with SQL of its own: the kiosk's store offers no way to.
func tamperKind(t testing.TB, db string, id int64, kind string) {
	t.Helper()
	raw, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	res, err := raw.Exec(`UPDATE outbox SET kind = ? WHERE id = ?`, kind, id)
	if err != nil {
		t.Fatalf("tamper with row %d: %v", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("tamper with row %d: %d rows changed", id, n)
	}
}

func TestKioskctl(t *testing.T) {
	db, keys := fixture(t)
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string // for stderr
	}{
		{name: "queue", args: []string{"queue", "-db", db, "-keys", keys}},
		{name: "retry", args: []string{"queue", "-db", db, "-keys", keys, "retry", "4"}},
		{name: "queue_after_retry", args: []string{"queue", "-db", db, "-keys", keys}},
		{name: "retry_not_parked", args: []string{"queue", "-db", db, "-keys", keys, "retry", "1"}, code: 1, contains: "no parked row"},
		{name: "retry_bad_id", args: []string{"queue", "-db", db, "-keys", keys, "retry", "x1"}, code: 2, contains: "positive number"},
		{name: "extra_args", args: []string{"queue", "-db", db, "-keys", keys, "purge"}, code: 2, contains: "unexpected arguments"},
		{name: "bad_flag", args: []string{"queue", "-nope"}, code: 2, contains: "flag provided but not defined"},
		{name: "missing_db", args: []string{"queue", "-db", db + ".missing", "-keys", keys}, code: 1, contains: "pass the kiosk's files"},
		{name: "unknown_command", args: []string{"frobnicate"}, code: 2, contains: `unknown command "frobnicate"`},
		{name: "help", args: []string{"help"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			a := &app{ctx: context.Background(), stdout: &out, stderr: &errOut, now: func() time.Time { return t0.Add(10 * time.Minute) }}
			if code := a.main(tc.args); code != tc.code {
				t.Fatalf("exit code %d, want %d; stderr: %s", code, tc.code, errOut.String())
			}
			if tc.code != 0 {
				if !strings.Contains(errOut.String(), tc.contains) {
					t.Fatalf("stderr %q does not contain %q", errOut.String(), tc.contains)
				}
				return
			}
			got := strings.ReplaceAll(out.String(), db, "DB")
			for _, pii := range []string{"1098765432", "national_id"} {
				if strings.Contains(got, pii) {
					t.Fatalf("output shows personal data %q:\n%s", pii, got)
				}
			}
			path := filepath.Join("testdata", tc.name+".golden")
			want := golden.Read(t, path, []byte(got))
			if got != string(want) {
				t.Fatalf("output:\n%s\nwant (%s):\n%s", got, path, want)
			}
		})
	}
}

// FuzzQueueArgs feeds arbitrary command lines to kioskctl queue against a
// real outbox file: it must never panic and always end with a known code,
// and never print a payload.
func FuzzQueueArgs(f *testing.F) {
	db, keys := fixture(f)
	for _, s := range []string{"", "retry 4", "retry -1", "retry 99999999999999999999", "retry", "-db", "-keys /nope", "retry 4 5", "-x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := []string{"queue", "-db", db, "-keys", keys}
		for _, f := range strings.Fields(line) {
			// Paths elsewhere on the machine are not this test's to open.
			if !strings.Contains(f, "/") {
				args = append(args, f)
			}
		}
		var out, errOut bytes.Buffer
		a := &app{ctx: context.Background(), stdout: &out, stderr: &errOut, now: func() time.Time { return t0 }}
		code := a.main(args)
		if code < 0 || code > 2 {
			t.Fatalf("exit code %d for %q", code, line)
		}
		if strings.Contains(out.String()+errOut.String(), "1098765432") {
			t.Fatalf("command line %q printed personal data", line)
		}
	})
}

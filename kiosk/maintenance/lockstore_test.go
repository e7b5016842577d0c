package maintenance

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

func TestParseLock(t *testing.T) {
	good := map[string]Lock{
		"0:0":          {},
		"3:0":          {Wrong: 3},
		"5:1795424400": {Wrong: 5, Until: time.Unix(1795424400, 0).UTC()},
	}
	for in, want := range good {
		got, err := ParseLock(in)
		if err != nil || got != want {
			t.Errorf("%q: %+v %v, want %+v", in, got, err, want)
		}
		if got.String() != in {
			t.Errorf("%q printed back as %q", in, got.String())
		}
	}
	bad := []string{"", "5", ":", "x:0", "6:0", "-1:0", "05:0", "5:-1", "5:x", "5:01", "5:1e9", "5:99999999999999",
		"5:0:0", " 5:0", "5:0 ", "\xff:\xfe"}
	for _, in := range bad {
		if _, err := ParseLock(in); !errors.Is(err, ErrBadLock) {
			t.Errorf("%q: %v, want ErrBadLock", in, err)
		}
	}
	// Fractions of a second round up, so a reloaded lock never ends early.
	l := Lock{Wrong: 5, Until: time.Unix(100, 1)}
	if l.String() != "5:101" {
		t.Errorf("rounding: %s", l)
	}
}

func FuzzParseLock(f *testing.F) {
	for _, s := range []string{"0:0", "5:1795424400", "x", "5:", ":9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLock(s)
		if err != nil {
			if !errors.Is(err, ErrBadLock) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		again, err := ParseLock(l.String())
		if err != nil || again != l {
			t.Fatalf("%q: round trip %+v %v", s, again, err)
		}
	})
}

// The lockout survives a restart: the record is in the outbox database.
func TestLockSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	dir := t.TempDir()
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "outbox.key"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "outbox.db")
	open := func() (*store.Store, *Gate) {
		ob, err := store.Open(ctx, path, keys, store.Options{Clock: c.now})
		if err != nil {
			t.Fatal(err)
		}
		g, err := NewGate(GateOptions{PINHash: func() string { return testHash(testPIN) }, Clock: c.now,
			Auditor: &auditLog{}, Store: SettingsLockStore{Settings: ob}})
		if err != nil {
			t.Fatal(err)
		}
		return ob, g
	}

	ob, g := open()
	for range 3 {
		g.Try(ctx, "0000")
	}
	ob.Close()
	ob, g = open()
	g.Try(ctx, "0000")
	if a, _ := g.Try(ctx, "0000"); a.Until.IsZero() {
		t.Fatalf("the 5th wrong PIN over a restart did not lock: %+v", a)
	}
	fifth := c.t
	ob.Close()

	c.add(14*time.Minute + 59*time.Second)
	ob, g = open()
	if until, locked := g.LockedUntil(); !locked || !until.Equal(fifth.Add(LockFor)) {
		t.Fatalf("after a restart at 14:59: locked=%v until %v", locked, until)
	}
	c.add(time.Second)
	if _, locked := g.LockedUntil(); locked {
		t.Fatal("locked at 15:00")
	}
	ob.Close()
	ob, g = open()
	defer ob.Close()
	if a, _ := g.Try(ctx, "0000"); a.Outcome != Wrong || a.Left != 4 {
		t.Fatalf("after the lock ran out and a restart: %+v", a)
	}
}

type badStore struct {
	l   Lock
	err error
}

func (s *badStore) LoadLock(context.Context) (Lock, error) { return s.l, s.err }
func (s *badStore) SaveLock(_ context.Context, l Lock) error {
	s.l = l
	return nil
}

func TestLockRecordFailsClosed(t *testing.T) {
	c := newClock()
	tests := []struct {
		name  string
		store *badStore
		until time.Time
	}{
		{"unreadable", &badStore{err: ErrBadLock}, c.t.Add(LockFor)},
		{"far future", &badStore{l: Lock{Wrong: 5, Until: c.t.Add(240 * time.Hour)}}, c.t.Add(LockFor)},
		{"past", &badStore{l: Lock{Wrong: 5, Until: c.t.Add(-time.Minute)}}, time.Time{}},
	}
	for _, tt := range tests {
		g, err := NewGate(GateOptions{PINHash: func() string { return testHash(testPIN) }, Clock: c.now, Auditor: &auditLog{}, Store: tt.store})
		if err != nil {
			t.Fatal(err)
		}
		until, locked := g.LockedUntil()
		if locked != !tt.until.IsZero() || !until.Equal(tt.until) {
			t.Errorf("%s: locked=%v until %v, want %v", tt.name, locked, until, tt.until)
		}
	}
}

package session

import (
	"bytes"
	"fmt"
	"image"
	"reflect"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// advance lets d of fake time pass in the test's synctest bubble and
// waits for the timer callbacks due by then to finish.
func advance(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

func TestFromSeconds(t *testing.T) {
	tests := []struct {
		idle, warn int
		want       Timing
	}{
		{45, 20, Timing{45 * time.Second, 20 * time.Second}},
		{0, 0, Timing{DefaultIdle, MinWarning}},
		{30, 5, Timing{30 * time.Second, MinWarning}},
		{60, 40, Timing{60 * time.Second, 40 * time.Second}},
	}
	for _, tt := range tests {
		if got := FromSeconds(tt.idle, tt.warn); got != tt.want {
			t.Errorf("FromSeconds(%d, %d) = %+v, want %+v", tt.idle, tt.warn, got, tt.want)
		}
	}
	if got := New(Timing{Idle: time.Second, Warning: time.Second}, nil, nil).Timing(); got.Warning != MinWarning {
		t.Errorf("New kept a %v warning, under the %v floor", got.Warning, MinWarning)
	}
}

// callbacks records what the session's timers called. The timers run on
// their own goroutines, so the record takes a lock.
type callbacks struct {
	mu      sync.Mutex
	warned  []time.Duration
	expired int
}

func (c *callbacks) warn(left time.Duration) {
	c.mu.Lock()
	c.warned = append(c.warned, left)
	c.mu.Unlock()
}
func (c *callbacks) expire() { c.mu.Lock(); c.expired++; c.mu.Unlock() }

// got returns a copy of the warnings and the number of expiries so far.
func (c *callbacks) got() ([]time.Duration, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.warned...), c.expired
}

func TestIdleWarningAndExpiry(t *testing.T) {
	synctest.Test(t, testIdleWarningAndExpiry)
}

func testIdleWarningAndExpiry(t *testing.T) {
	var cb callbacks
	var s *Session
	// The owner's onExpire ends the visit, as the flow's does.
	s = New(FromSeconds(45, 20), cb.warn, func() { cb.expire(); s.Wipe() })
	s.Begin()
	s.Data.ID = []byte("1000000008")

	advance(44 * time.Second)
	if on, _ := s.Warning(); on {
		t.Fatal("warning before 45 s idle")
	}
	if warned, _ := cb.got(); len(warned) != 0 {
		t.Fatal("warning callback before 45 s idle")
	}
	s.Touch() // a key press restarts the count
	advance(44 * time.Second)
	if warned, _ := cb.got(); len(warned) != 0 {
		t.Fatal("touch did not restart the idle timer")
	}
	advance(time.Second)
	on, left := s.Warning()
	if warned, _ := cb.got(); !on || left != 20*time.Second || len(warned) != 1 || warned[0] != 20*time.Second {
		t.Fatalf("warning = %v %v, callbacks %v; want on, 20s", on, left, warned)
	}
	advance(10 * time.Second)
	if _, left := s.Warning(); left != 10*time.Second {
		t.Fatalf("warning left %v after 10 s, want 10s", left)
	}
	s.MoreTime()
	if on, _ := s.Warning(); on {
		t.Fatal("MoreTime did not dismiss the warning")
	}
	advance(45*time.Second + 19*time.Second)
	if _, expired := cb.got(); expired != 0 {
		t.Fatal("expired before the warning ran its 20 s")
	}
	advance(time.Second)
	if _, expired := cb.got(); expired != 1 || s.Active() || s.Data.ID != nil {
		t.Fatalf("expired %d, active %v, ID %q: want one expiry and a wiped session", expired, s.Active(), s.Data.ID)
	}
	advance(time.Hour)
	if warned, expired := cb.got(); expired != 1 || len(warned) != 2 {
		t.Fatalf("timers kept running after expiry: expired %d warned %d", expired, len(warned))
	}
}

// TestExpiryWithoutOwnerWipes: with no onExpire the session wipes itself
// when the warning runs out, and not a second before.
func TestExpiryWithoutOwnerWipes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New(FromSeconds(45, 20), nil, nil)
		s.Begin()
		Set(&s.Data.ID, secrets[0])
		advance(64 * time.Second)
		if s.Data.ID == nil || !s.Active() { // the read, then the lock: ordered before the wipe
			t.Fatal("wiped before the warning ran its 20 s")
		}
		advance(time.Second)
		if s.Active() || s.Data.ID != nil {
			t.Fatalf("active %v, ID %q after 65 s idle: want a wiped session", s.Active(), s.Data.ID)
		}
	})
}

func TestNoTimerBeforeBegin(t *testing.T) {
	synctest.Test(t, testNoTimerBeforeBegin)
}

func testNoTimerBeforeBegin(t *testing.T) {
	var cb callbacks
	s := New(FromSeconds(45, 20), nil, cb.expire)
	s.Touch()
	advance(time.Hour)
	if _, expired := cb.got(); expired != 0 {
		t.Fatal("an idle attract screen expired")
	}
}

// secrets is what a visit leaves in the session; after Wipe none of it
// may remain anywhere in the session's fields.
var secrets = [][]byte{[]byte("1000000008"), []byte("+966512345678"), []byte("Fatimah Alharbi"), []byte("tok-9f8e7d"), []byte("ver-1234"), []byte("483920")}

func TestWipeLeavesNothing(t *testing.T) {
	s := New(FromSeconds(45, 20), nil, nil)
	s.Begin()
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = 0xA5
	}
	Set(&s.Data.Entry, []byte("05123"))
	Set(&s.Data.ID, secrets[0])
	Set(&s.Data.Mobile, secrets[1])
	Set(&s.Data.Name, secrets[2])
	Set(&s.Data.Token, secrets[3])
	Set(&s.Data.VerifyRef, secrets[4])
	Set(&s.Data.Code, secrets[5])
	Set(&s.Data.MaskedMobile, []byte("*********5678"))
	Set(&s.Data.Record, []byte{0x46, 0x49, 0x52, 0x00, 0xA5})
	s.Data.Image = img
	s.Data.Extra = map[string][]byte{"plate": []byte("ABC1234")}
	s.Data.Lang = "ar"
	held := [][]byte{s.Data.ID, s.Data.Mobile, s.Data.Name, s.Data.Token, s.Data.Record, s.Data.Extra["plate"]}
	pix := img.Pix

	s.Wipe()

	if !reflect.ValueOf(s.Data).IsZero() {
		t.Fatalf("Data after Wipe is not empty: %+v", s.Data)
	}
	dump := fmt.Sprintf("%+v %#v %v", s.Data, s.Data, s)
	for _, sec := range append(secrets, []byte("5678"), []byte("ABC1234")) {
		if bytes.Contains([]byte(dump), sec) {
			t.Errorf("dump after Wipe still holds %q", sec)
		}
	}
	for _, b := range append(held, pix) {
		if bytes.ContainsFunc(b, func(r rune) bool { return r != 0 }) {
			t.Errorf("buffer %v was dropped without being zeroed", b)
		}
	}
	if s.Active() {
		t.Error("session still active after Wipe")
	}
}

func TestSetWipesOldValue(t *testing.T) {
	var f []byte
	Set(&f, []byte("0512"))
	old := f
	Set(&f, []byte("9"))
	if string(f) != "9" || !bytes.Equal(old, []byte{0, 0, 0, 0}) {
		t.Fatalf("Set left old %q, new %q", old, f)
	}
}

func TestStringHidesData(t *testing.T) {
	s := New(FromSeconds(45, 20), nil, nil)
	Set(&s.Data.ID, secrets[0])
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%#v", s), fmt.Sprintf("%+v", s)} {
		if bytes.Contains([]byte(out), secrets[0]) {
			t.Errorf("formatting the session shows the ID: %s", out)
		}
	}
}

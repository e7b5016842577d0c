package session

import (
	"bytes"
	"fmt"
	"image"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"
)

type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c       *fakeClock
	at      time.Time
	f       func()
	stopped bool
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// Advance moves time on, firing due timers in order on the caller's goroutine.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].at.Before(c.timers[j].at) })
		var due *fakeTimer
		for _, t := range c.timers {
			if !t.stopped && !t.at.After(end) {
				due = t
				break
			}
		}
		if due == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		due.stopped = true
		c.now = due.at
		c.mu.Unlock()
		due.f()
	}
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
	if got := New(&fakeClock{}, Timing{Idle: time.Second, Warning: time.Second}, nil, nil).Timing(); got.Warning != MinWarning {
		t.Errorf("New kept a %v warning, under the %v floor", got.Warning, MinWarning)
	}
}

func TestIdleWarningAndExpiry(t *testing.T) {
	c := &fakeClock{now: time.Unix(1e9, 0)}
	var warned []time.Duration
	expired := 0
	s := New(c, FromSeconds(45, 20), func(l time.Duration) { warned = append(warned, l) }, func() { expired++ })
	s.Begin()
	s.Data.ID = []byte("1000000008")

	c.Advance(44 * time.Second)
	if on, _ := s.Warning(); on || len(warned) != 0 {
		t.Fatal("warning before 45 s idle")
	}
	s.Touch() // a key press restarts the count
	c.Advance(44 * time.Second)
	if len(warned) != 0 {
		t.Fatal("touch did not restart the idle timer")
	}
	c.Advance(time.Second)
	if on, left := s.Warning(); !on || left != 20*time.Second || len(warned) != 1 || warned[0] != 20*time.Second {
		t.Fatalf("warning = %v %v, callbacks %v; want on, 20s", on, left, warned)
	}
	c.Advance(10 * time.Second)
	if _, left := s.Warning(); left != 10*time.Second {
		t.Fatalf("warning left %v after 10 s, want 10s", left)
	}
	s.MoreTime()
	if on, _ := s.Warning(); on {
		t.Fatal("MoreTime did not dismiss the warning")
	}
	c.Advance(45*time.Second + 19*time.Second)
	if expired != 0 {
		t.Fatal("expired before the warning ran its 20 s")
	}
	c.Advance(time.Second)
	if expired != 1 || s.Active() || s.Data.ID != nil {
		t.Fatalf("expired %d, active %v, ID %q: want one expiry and a wiped session", expired, s.Active(), s.Data.ID)
	}
	c.Advance(time.Hour)
	if expired != 1 || len(warned) != 2 {
		t.Fatalf("timers kept running after expiry: expired %d warned %d", expired, len(warned))
	}
}

func TestNoTimerBeforeBegin(t *testing.T) {
	c := &fakeClock{}
	expired := 0
	s := New(c, FromSeconds(45, 20), nil, func() { expired++ })
	s.Touch()
	c.Advance(time.Hour)
	if expired != 0 {
		t.Fatal("an idle attract screen expired")
	}
}

// secrets is what a visit leaves in the session; after Wipe none of it
// may remain anywhere in the session's fields.
var secrets = [][]byte{[]byte("1000000008"), []byte("+966512345678"), []byte("Fatimah Alharbi"), []byte("tok-9f8e7d"), []byte("ver-1234"), []byte("483920")}

func TestWipeLeavesNothing(t *testing.T) {
	c := &fakeClock{}
	s := New(c, FromSeconds(45, 20), nil, nil)
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
	s := New(&fakeClock{}, FromSeconds(45, 20), nil, nil)
	Set(&s.Data.ID, secrets[0])
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%#v", s), fmt.Sprintf("%+v", s)} {
		if bytes.Contains([]byte(out), secrets[0]) {
			t.Errorf("formatting the session shows the ID: %s", out)
		}
	}
}

package watchdog

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"
)

// manualClock: After channels fire only when the test advances time; each
// After call is announced so the test knows the watchdog is waiting.
type manualClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	calls   chan time.Duration
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func newClock() *manualClock {
	return &manualClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), calls: make(chan time.Duration, 1000)}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, waiter{c.now.Add(d), ch})
	c.mu.Unlock()
	c.calls <- d
	return ch
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	keep := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
		} else {
			keep = append(keep, w)
		}
	}
	c.waiters = keep
}

// tick waits for the watchdog to start waiting, then lets one interval pass.
func (c *manualClock) tick(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-c.calls:
	case <-time.After(10 * time.Second):
		t.Fatal("the watchdog never waited for its next interval")
	}
	c.Advance(d)
}

// systemd is a real unixgram socket standing in for systemd's, with a
// reader collecting what arrives (the kernel queues only a few datagrams).
type systemd struct {
	n   *Notifier
	got chan string
}

func systemdSocket(t *testing.T) *systemd {
	t.Helper()
	// Short path: unix socket paths are limited to 107 bytes.
	dir, err := os.MkdirTemp("", "wd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "notify")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatalf("listen on a unixgram socket: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	n, err := NewNotifier(path)
	if err != nil {
		t.Fatal(err)
	}
	s := &systemd{n: n, got: make(chan string, 1000)}
	go func() {
		buf := make([]byte, 256)
		for {
			k, err := l.Read(buf)
			if err != nil {
				return
			}
			s.got <- string(buf[:k])
		}
	}()
	return s
}

const endMark = "TEST_END=1"

// received lists every datagram sent so far: a unix datagram socket keeps
// order, so once the test's own end mark arrives everything before it has.
func received(t *testing.T, s *systemd) []string {
	t.Helper()
	if err := s.n.Notify(endMark); err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		select {
		case m := <-s.got:
			if m == endMark {
				return out
			}
			out = append(out, m)
		case <-time.After(10 * time.Second):
			t.Fatalf("end mark never arrived; got %v", out)
		}
	}
}

// ui answers pings as the test decides.
type ui struct {
	mu      sync.Mutex
	answer  bool // run posted callbacks at once
	pending []func()
	posted  int
}

func (u *ui) post(fn func()) {
	u.mu.Lock()
	u.posted++
	if !u.answer {
		u.pending = append(u.pending, fn)
		u.mu.Unlock()
		return
	}
	u.mu.Unlock()
	fn()
}

func (u *ui) set(answer bool) {
	u.mu.Lock()
	u.answer = answer
	u.mu.Unlock()
}

// catchUp runs callbacks held while the UI was slow.
func (u *ui) catchUp() {
	u.mu.Lock()
	p := u.pending
	u.pending = nil
	u.mu.Unlock()
	for _, fn := range p {
		fn()
	}
}

type rig struct {
	clk     *manualClock
	ui      *ui
	sock    *systemd
	hangs   []time.Duration
	restart int
	done    chan error
	cancel  context.CancelFunc
}

func start(t *testing.T, answer bool) *rig {
	t.Helper()
	sock := systemdSocket(t)
	r := &rig{clk: newClock(), ui: &ui{answer: answer}, sock: sock, done: make(chan error, 1)}
	w, err := New(Options{
		Post:     r.ui.post,
		Interval: time.Second,
		Timeout:  5 * time.Second,
		OnHang:   func(d time.Duration) { r.hangs = append(r.hangs, d) },
		Restart:  func() { r.restart++ },
		Systemd:  sock.n,
		Clock:    r.clk,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	t.Cleanup(cancel)
	go func() { r.done <- w.Serve(ctx) }()
	return r
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestHappyUIFeedsSystemd(t *testing.T) {
	r := start(t, true)
	for range 10 {
		r.clk.tick(t, time.Second)
	}
	<-r.clk.calls // the 11th round has pinged and waits
	r.cancel()
	if err := <-r.done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Serve: %v", err)
	}
	want := append(append([]string{StateReady}, repeat(StatePing, 11)...), StateStopping)
	if got := received(t, r.sock); !reflect.DeepEqual(got, want) {
		t.Fatalf("systemd got %v\nwant %v", got, want)
	}
	if len(r.hangs) != 0 || r.restart != 0 {
		t.Fatalf("hangs %v restarts %d on a happy UI", r.hangs, r.restart)
	}
	if r.ui.posted != 11 {
		t.Fatalf("posted %d pings, want 11", r.ui.posted)
	}
}

func TestHungUIRestartsAndStopsSystemdPings(t *testing.T) {
	r := start(t, true)
	<-r.clk.calls   // t=0: the UI answered the first ping
	r.ui.set(false) // from here the UI thread is stuck
	r.clk.Advance(time.Second)
	// t=1 posts a ping that never runs. Pings to systemd continue while
	// the last answer (t=0) is within the 5 s timeout: t=0..5.
	for range 6 {
		r.clk.tick(t, time.Second)
	}
	// t=7: the ping of t=1 is 6 s old: hung.
	select {
	case err := <-r.done:
		if !errors.Is(err, ErrHung) {
			t.Fatalf("Serve: %v, want ErrHung", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the watchdog did not fire")
	}
	if r.restart != 1 || !reflect.DeepEqual(r.hangs, []time.Duration{7 * time.Second}) {
		t.Fatalf("restarts %d hangs %v, want one restart after 7 s of silence", r.restart, r.hangs)
	}
	want := append([]string{StateReady}, repeat(StatePing, 6)...) // t=0..5
	if got := received(t, r.sock); !reflect.DeepEqual(got, want) {
		t.Fatalf("systemd got %v\nwant %v", got, want)
	}
}

func TestSlowUIWithinTimeoutIsFine(t *testing.T) {
	r := start(t, false)
	// The UI needs 4 s to run its first callback, then keeps up.
	for range 4 {
		r.clk.tick(t, time.Second)
	}
	<-r.clk.calls
	r.ui.catchUp()
	r.ui.set(true)
	r.clk.Advance(time.Second)
	for range 10 {
		r.clk.tick(t, time.Second)
	}
	<-r.clk.calls
	r.cancel()
	if err := <-r.done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Serve: %v", err)
	}
	if len(r.hangs) != 0 || r.restart != 0 {
		t.Fatalf("hangs %v restarts %d for a UI 4 s late", r.hangs, r.restart)
	}
	// No ping before the UI first answered (t=0..4), READY at t=5, then
	// every second to t=15.
	want := append(append([]string{StateReady}, repeat(StatePing, 11)...), StateStopping)
	if got := received(t, r.sock); !reflect.DeepEqual(got, want) {
		t.Fatalf("systemd got %v\nwant %v", got, want)
	}
}

func TestUIThatNeverStartsIsHung(t *testing.T) {
	r := start(t, false)
	for range 6 {
		r.clk.tick(t, time.Second)
	}
	if err := <-r.done; !errors.Is(err, ErrHung) {
		t.Fatalf("Serve: %v", err)
	}
	if got := received(t, r.sock); len(got) != 0 {
		t.Fatalf("systemd got %v from a UI that never answered", got)
	}
	if !reflect.DeepEqual(r.hangs, []time.Duration{6 * time.Second}) {
		t.Fatalf("hangs %v", r.hangs)
	}
}

func TestNewChecksOptions(t *testing.T) {
	ok := Options{Post: func(func()) {}, OnHang: func(time.Duration) {}, Restart: func() {}}
	tests := []struct {
		name string
		mod  func(*Options)
		bad  bool
	}{
		{"defaults", func(*Options) {}, false},
		{"no post", func(o *Options) { o.Post = nil }, true},
		{"no restart", func(o *Options) { o.Restart = nil }, true},
		{"no report", func(o *Options) { o.OnHang = nil }, true},
		{"timeout not above interval", func(o *Options) { o.Interval, o.Timeout = 2*time.Second, 2*time.Second }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := ok
			tc.mod(&o)
			_, err := New(o)
			if (err != nil) != tc.bad {
				t.Fatalf("err %v, want error=%v", err, tc.bad)
			}
		})
	}
}

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
	"testing/synctest"
	"time"
)

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

// notes records what the watchdog tells systemd. The watchdog's tests run
// in a synctest bubble, where a real socket's reader would never count as
// blocked; TestNotifierDeliversInOrder covers the socket itself.
type notes struct {
	mu  sync.Mutex
	got []string
}

func (n *notes) Notify(state string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, state)
	return nil
}

func (n *notes) states() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.got...)
}

// rig runs a watchdog inside the caller's synctest bubble: its time.After
// follows the bubble's clock, which moves when the test sleeps.
type rig struct {
	ui      *ui
	systemd *notes
	hangs   []time.Duration
	restart int
	done    chan error
	cancel  context.CancelFunc
}

func start(t *testing.T, answer bool) *rig {
	t.Helper()
	r := &rig{ui: &ui{answer: answer}, systemd: &notes{}, done: make(chan error, 1)}
	w, err := New(Options{
		Post:     r.ui.post,
		Interval: time.Second,
		Timeout:  5 * time.Second,
		OnHang:   func(d time.Duration) { r.hangs = append(r.hangs, d) },
		Restart:  func() { r.restart++ },
		Systemd:  r.systemd,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	r.cancel = cancel
	go func() { r.done <- w.Serve(ctx) }()
	synctest.Wait() // the round at t=0 has run
	return r
}

// after lets d pass and waits for the watchdog's rounds due by then.
func after(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

// finished reports whether Serve has returned, and with what.
func (r *rig) finished() (bool, error) {
	select {
	case err := <-r.done:
		return true, err
	default:
		return false, nil
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestHappyUIFeedsSystemd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := start(t, true)
		after(10 * time.Second) // rounds at t=0..10
		r.cancel()
		if err := <-r.done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Serve: %v", err)
		}
		want := append(append([]string{StateReady}, repeat(StatePing, 11)...), StateStopping)
		if got := r.systemd.states(); !reflect.DeepEqual(got, want) {
			t.Fatalf("systemd got %v\nwant %v", got, want)
		}
		if len(r.hangs) != 0 || r.restart != 0 {
			t.Fatalf("hangs %v restarts %d on a happy UI", r.hangs, r.restart)
		}
		if r.ui.posted != 11 {
			t.Fatalf("posted %d pings, want 11", r.ui.posted)
		}
	})
}

func TestHungUIRestartsAndStopsSystemdPings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := start(t, true) // t=0: the UI answered the first ping
		r.ui.set(false)     // from here the UI thread is stuck
		// t=1 posts a ping that never runs. Pings to systemd continue while
		// the last answer (t=0) is within the 5 s timeout: t=0..5.
		after(6 * time.Second)
		if done, err := r.finished(); done {
			t.Fatalf("Serve returned %v at t=6, with the ping of t=1 only 5 s old", err)
		}
		// t=7: the ping of t=1 is 6 s old: hung.
		after(time.Second)
		done, err := r.finished()
		if !done {
			t.Fatal("the watchdog did not fire at t=7")
		}
		if !errors.Is(err, ErrHung) {
			t.Fatalf("Serve: %v, want ErrHung", err)
		}
		if r.restart != 1 || !reflect.DeepEqual(r.hangs, []time.Duration{7 * time.Second}) {
			t.Fatalf("restarts %d hangs %v, want one restart after 7 s of silence", r.restart, r.hangs)
		}
		want := append([]string{StateReady}, repeat(StatePing, 6)...) // t=0..5
		if got := r.systemd.states(); !reflect.DeepEqual(got, want) {
			t.Fatalf("systemd got %v\nwant %v", got, want)
		}
	})
}

func TestSlowUIWithinTimeoutIsFine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := start(t, false)
		// The UI needs 4 s to run its first callback, then keeps up.
		after(4 * time.Second)
		r.ui.catchUp()
		r.ui.set(true)
		after(11 * time.Second) // to t=15
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
		if got := r.systemd.states(); !reflect.DeepEqual(got, want) {
			t.Fatalf("systemd got %v\nwant %v", got, want)
		}
	})
}

func TestUIThatNeverStartsIsHung(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := start(t, false)
		after(5 * time.Second)
		if done, err := r.finished(); done {
			t.Fatalf("Serve returned %v at t=5, within the timeout", err)
		}
		after(time.Second)
		done, err := r.finished()
		if !done || !errors.Is(err, ErrHung) {
			t.Fatalf("Serve at t=6: %v (returned %v), want ErrHung", err, done)
		}
		if got := r.systemd.states(); len(got) != 0 {
			t.Fatalf("systemd got %v from a UI that never answered", got)
		}
		if !reflect.DeepEqual(r.hangs, []time.Duration{6 * time.Second}) {
			t.Fatalf("hangs %v", r.hangs)
		}
	})
}

// TestNotifierDeliversInOrder sends what a watchdog sends over a real
// systemd socket and reads it back in the same order.
func TestNotifierDeliversInOrder(t *testing.T) {
	sock := systemdSocket(t)
	want := append(append([]string{StateReady}, repeat(StatePing, 3)...), StateStopping)
	for _, s := range want {
		if err := sock.n.Notify(s); err != nil {
			t.Fatal(err)
		}
	}
	if got := received(t, sock); !reflect.DeepEqual(got, want) {
		t.Fatalf("systemd got %v\nwant %v", got, want)
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

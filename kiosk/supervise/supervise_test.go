package supervise

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/health"
)

// manualClock hands out After channels that fire only when the test
// advances time; every After call is announced on calls so the test knows
// the supervisor is waiting.
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

// waitAfter blocks until the supervisor asks to wait d.
func (c *manualClock) waitAfter(t *testing.T, d time.Duration) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-c.calls:
			if got == d {
				return
			}
		case <-deadline:
			t.Fatalf("the supervisor never waited %v", d)
		}
	}
}

// scripted is a service whose runs the test controls: each Serve reports
// itself and returns what the test sends, or ctx's error.
type scripted struct {
	calls   chan struct{}
	results chan func() error
}

func newScripted() *scripted {
	return &scripted{calls: make(chan struct{}, 10), results: make(chan func() error)}
}

func (s *scripted) Serve(ctx context.Context) error {
	s.calls <- struct{}{}
	select {
	case f := <-s.results:
		return f()
	case <-ctx.Done():
		return ctx.Err()
	}
}

type rig struct {
	t      *testing.T
	clk    *manualClock
	events chan Event
	cancel context.CancelFunc
	done   chan error
	reg    *health.Registry
}

func start(t *testing.T, svcs map[string]Service) *rig {
	t.Helper()
	r := &rig{t: t, clk: newClock(), events: make(chan Event, 100), done: make(chan error, 1)}
	r.reg = health.New(health.Options{})
	report := ReportTo(r.reg)
	sup := New(Options{
		Clock:   r.clk,
		Backoff: Exponential(time.Second, 8*time.Second),
		Healthy: time.Hour,
		OnEvent: func(e Event) { report(e); r.events <- e },
	})
	for name, s := range svcs {
		sup.Add(name, s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- sup.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

func (r *rig) expect(what string, failures int, delay time.Duration) Event {
	r.t.Helper()
	select {
	case e := <-r.events:
		if e.What != what || e.Failures != failures || e.Delay != delay {
			r.t.Fatalf("event %+v, want %s failures=%d delay=%v", e, what, failures, delay)
		}
		return e
	case <-time.After(10 * time.Second):
		r.t.Fatalf("no %s event", what)
	}
	return Event{}
}

func (r *rig) quiet() {
	r.t.Helper()
	select {
	case e := <-r.events:
		r.t.Fatalf("unexpected event %+v", e)
	default:
	}
}

func TestRestartsWithBackoff(t *testing.T) {
	svc := newScripted()
	r := start(t, map[string]Service{"uploader": svc})
	boom := func() error { return errors.New("centre unreachable") }

	wantDelays := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	r.expect(Started, 0, 0)
	for i, d := range wantDelays {
		<-svc.calls
		svc.results <- boom
		e := r.expect(Failed, i+1, d)
		if e.Service != "uploader" || e.Err == nil || e.Err.Error() != "centre unreachable" {
			t.Fatalf("event %+v", e)
		}
		r.clk.waitAfter(t, d)
		r.clk.Advance(d - time.Millisecond)
		r.quiet() // not restarted before the backoff is over
		r.clk.Advance(time.Millisecond)
		r.expect(Started, i+1, 0)
	}
	if got := r.reg.Visible(); len(got) != 1 || got[0].Code != "uploader" || got[0].Source != HealthSource {
		t.Fatalf("health %+v, want the failing uploader", got)
	}
	<-svc.calls
	r.cancel()
	r.expect(Stopped, 0, 0)
	if err := <-r.done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Serve returned %v", err)
	}
	r.done <- nil // for the cleanup
	if got := r.reg.Visible(); len(got) != 0 {
		t.Fatalf("health after stop %+v, want clear", got)
	}
}

func TestPanicIsRestarted(t *testing.T) {
	svc := newScripted()
	r := start(t, map[string]Service{"scanner": svc})
	r.expect(Started, 0, 0)
	<-svc.calls
	svc.results <- func() error { panic("index out of range") }
	e := r.expect(Panicked, 1, time.Second)
	var pe *PanicError
	if !errors.As(e.Err, &pe) || pe.Value != "index out of range" || !strings.Contains(string(pe.Stack), "supervise") {
		t.Fatalf("panic error %#v", e.Err)
	}
	r.clk.waitAfter(t, time.Second)
	r.clk.Advance(time.Second)
	r.expect(Started, 1, 0)
	<-svc.calls
}

func TestHealthyRunResetsBackoff(t *testing.T) {
	svc := newScripted()
	r := start(t, map[string]Service{"heartbeat": svc})
	boom := func() error { return errors.New("x") }
	r.expect(Started, 0, 0)
	<-svc.calls
	svc.results <- boom
	r.expect(Failed, 1, time.Second)
	r.clk.waitAfter(t, time.Second)
	r.clk.Advance(time.Second)
	r.expect(Started, 1, 0)
	<-svc.calls
	svc.results <- boom
	r.expect(Failed, 2, 2*time.Second)
	r.clk.waitAfter(t, 2*time.Second)
	r.clk.Advance(2 * time.Second)
	r.expect(Started, 2, 0)
	<-svc.calls
	r.clk.waitAfter(t, time.Hour) // the healthy timer of this run
	r.clk.Advance(time.Hour)
	r.expect(Healthy, 0, 0)
	if got := r.reg.Visible(); len(got) != 0 {
		t.Fatalf("health after a healthy run %+v, want clear", got)
	}
	svc.results <- boom
	r.expect(Failed, 1, time.Second) // back to the first step
}

func TestFinishedIsNotRestarted(t *testing.T) {
	svc := newScripted()
	r := start(t, map[string]Service{"once": svc})
	r.expect(Started, 0, 0)
	<-svc.calls
	svc.results <- func() error { return nil }
	r.expect(Finished, 0, 0)
	r.clk.Advance(time.Hour)
	r.quiet()
	select {
	case <-svc.calls:
		t.Fatal("a finished service was started again")
	default:
	}
}

func TestServicesAreIndependent(t *testing.T) {
	a, b := newScripted(), newScripted()
	r := start(t, map[string]Service{"a": a, "b": b})
	<-a.calls
	<-b.calls
	r.expect(Started, 0, 0)
	r.expect(Started, 0, 0)
	a.results <- func() error { return errors.New("a broke") }
	e := r.expect(Failed, 1, time.Second)
	if e.Service != "a" {
		t.Fatalf("failed %q, want a", e.Service)
	}
	b.results <- func() error { return nil }
	if e := r.expect(Finished, 0, 0); e.Service != "b" {
		t.Fatalf("finished %q, want b", e.Service)
	}
}

func TestExponential(t *testing.T) {
	b := Exponential(500*time.Millisecond, 5*time.Second)
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for i, w := range want {
		if got := b(i + 1); got != w {
			t.Fatalf("step %d: %v, want %v", i+1, got, w)
		}
	}
	if got := b(1000); got != 5*time.Second {
		t.Fatalf("step 1000: %v", got)
	}
}

func TestAddAfterServePanics(t *testing.T) {
	s := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Serve(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Serve: %v", err)
	}
	if err := s.Serve(ctx); err == nil {
		t.Fatal("second Serve succeeded")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Add after Serve did not panic")
		}
	}()
	s.Add("late", Func(func(context.Context) error { return nil }))
}

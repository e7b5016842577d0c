package supervise

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/absher-kiosk/kiosk/devices/health"
)

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

// called reports whether svc's Serve has been entered once more. It waits
// until the bubble is idle, so a false answer means "not yet at this
// fake instant" rather than "not within some real timeout".
func called(svc *scripted) bool {
	synctest.Wait()
	select {
	case <-svc.calls:
		return true
	default:
		return false
	}
}

func mustCall(t *testing.T, svc *scripted) {
	t.Helper()
	if !called(svc) {
		t.Fatal("the service was not started")
	}
}

// rig runs a supervisor inside the caller's synctest bubble: its
// time.After follows the bubble's fake clock, which moves only when the
// test sleeps and everything else is blocked.
type rig struct {
	t      *testing.T
	events chan Event
	cancel context.CancelFunc
	done   chan error
	reg    *health.Registry
}

func start(t *testing.T, svcs map[string]Service) *rig {
	t.Helper()
	r := &rig{t: t, events: make(chan Event, 100), done: make(chan error, 1)}
	r.reg = health.New(health.Options{})
	report := ReportTo(r.reg)
	sup := New(Options{
		Backoff: Exponential(time.Second, 8*time.Second),
		Healthy: time.Hour,
		OnEvent: func(e Event) { report(e); r.events <- e },
	})
	for name, s := range svcs {
		sup.Add(name, s)
	}
	ctx, cancel := context.WithCancel(t.Context())
	r.cancel = cancel
	go func() { r.done <- sup.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

// expect takes the next event once the bubble is idle; no event by then
// fails the test at once, so time never runs on past the expected moment.
func (r *rig) expect(what string, failures int, delay time.Duration) Event {
	r.t.Helper()
	synctest.Wait()
	select {
	case e := <-r.events:
		if e.What != what || e.Failures != failures || e.Delay != delay {
			r.t.Fatalf("event %+v, want %s failures=%d delay=%v", e, what, failures, delay)
		}
		return e
	default:
		r.t.Fatalf("no %s event at %v", what, time.Now())
	}
	return Event{}
}

func (r *rig) quiet() {
	r.t.Helper()
	synctest.Wait()
	select {
	case e := <-r.events:
		r.t.Fatalf("unexpected event %+v", e)
	default:
	}
}

func TestRestartsWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newScripted()
		r := start(t, map[string]Service{"uploader": svc})
		boom := func() error { return errors.New("centre unreachable") }

		wantDelays := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
		r.expect(Started, 0, 0)
		for i, d := range wantDelays {
			mustCall(t, svc)
			svc.results <- boom
			e := r.expect(Failed, i+1, d)
			if e.Service != "uploader" || e.Err == nil || e.Err.Error() != "centre unreachable" {
				t.Fatalf("event %+v", e)
			}
			time.Sleep(d - time.Millisecond)
			r.quiet() // not restarted before the backoff is over
			if called(svc) {
				t.Fatalf("restarted %v early", time.Millisecond)
			}
			time.Sleep(time.Millisecond)
			r.expect(Started, i+1, 0)
		}
		if got := r.reg.Visible(); len(got) != 1 || got[0].Code != "uploader" || got[0].Source != HealthSource {
			t.Fatalf("health %+v, want the failing uploader", got)
		}
		mustCall(t, svc)
		r.cancel()
		r.expect(Stopped, 0, 0)
		if err := <-r.done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Serve returned %v", err)
		}
		r.done <- nil // for the cleanup
		if got := r.reg.Visible(); len(got) != 0 {
			t.Fatalf("health after stop %+v, want clear", got)
		}
	})
}

// TestRestartFollowsFakeTime checks the backoff against the clock itself
// rather than against the events: the starts of a part that always fails
// fall exactly at 0, 1 s and 3 s.
func TestRestartFollowsFakeTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var starts []time.Time
		sup := New(Options{Backoff: Exponential(time.Second, time.Minute)})
		sup.Add("flaky", Func(func(ctx context.Context) error {
			starts = append(starts, time.Now())
			return errors.New("broke")
		}))
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- sup.Serve(ctx) }()
		t0 := time.Now()
		time.Sleep(3*time.Second + time.Millisecond)
		synctest.Wait()
		cancel()
		<-done
		want := []time.Duration{0, time.Second, 3 * time.Second}
		if len(starts) != len(want) {
			t.Fatalf("%d starts in 3s, want %d", len(starts), len(want))
		}
		for i, w := range want {
			if got := starts[i].Sub(t0); got != w {
				t.Fatalf("start %d at %v, want %v", i, got, w)
			}
		}
	})
}

func TestPanicIsRestarted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newScripted()
		r := start(t, map[string]Service{"scanner": svc})
		r.expect(Started, 0, 0)
		mustCall(t, svc)
		svc.results <- func() error { panic("index out of range") }
		e := r.expect(Panicked, 1, time.Second)
		var pe *PanicError
		if !errors.As(e.Err, &pe) || pe.Value != "index out of range" || !strings.Contains(string(pe.Stack), "supervise") {
			t.Fatalf("panic error %#v", e.Err)
		}
		time.Sleep(time.Second)
		r.expect(Started, 1, 0)
		mustCall(t, svc)
	})
}

func TestHealthyRunResetsBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newScripted()
		r := start(t, map[string]Service{"heartbeat": svc})
		boom := func() error { return errors.New("x") }
		r.expect(Started, 0, 0)
		mustCall(t, svc)
		svc.results <- boom
		r.expect(Failed, 1, time.Second)
		time.Sleep(time.Second)
		r.expect(Started, 1, 0)
		mustCall(t, svc)
		svc.results <- boom
		r.expect(Failed, 2, 2*time.Second)
		time.Sleep(2 * time.Second)
		r.expect(Started, 2, 0)
		mustCall(t, svc)
		time.Sleep(time.Hour - time.Millisecond)
		r.quiet() // not healthy yet
		time.Sleep(time.Millisecond)
		r.expect(Healthy, 0, 0)
		if got := r.reg.Visible(); len(got) != 0 {
			t.Fatalf("health after a healthy run %+v, want clear", got)
		}
		svc.results <- boom
		r.expect(Failed, 1, time.Second) // back to the first step
	})
}

func TestFinishedIsNotRestarted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newScripted()
		r := start(t, map[string]Service{"once": svc})
		r.expect(Started, 0, 0)
		mustCall(t, svc)
		svc.results <- func() error { return nil }
		r.expect(Finished, 0, 0)
		time.Sleep(time.Hour)
		r.quiet()
		if called(svc) {
			t.Fatal("a finished service was started again")
		}
	})
}

func TestServicesAreIndependent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := newScripted(), newScripted()
		r := start(t, map[string]Service{"a": a, "b": b})
		mustCall(t, a)
		mustCall(t, b)
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
	})
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
	ctx, cancel := context.WithCancel(t.Context())
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

// Package supervise keeps the kiosk's background parts running: the scanner
// watch, the printer poll, the uploader, the pullers and the heartbeat each
// run as a Service, and one that fails or panics is started again after a
// backoff that grows with consecutive failures and resets after a healthy
// run.
//
// This is a small supervisor of our own rather than suture. Testing is no
// longer the reason: the supervisor reads time through time.Now and
// time.After, so its tests run it inside a testing/synctest bubble and
// watch the backoffs pass on the fake clock. The reason is the failure
// model: suture counts failures per supervisor with decay, while each part
// of the kiosk needs its own plain exponential backoff and a "healthy
// again" event that health reporting can act on. That fits in this one file.
package supervise

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Service is one background part. Serve runs until ctx ends or the part
// fails; returning nil while ctx is still live means the part finished its
// work for good and is not restarted.
type Service interface {
	Serve(ctx context.Context) error
}

// Func adapts a function to a Service.
type Func func(ctx context.Context) error

// Serve calls f.
func (f Func) Serve(ctx context.Context) error { return f(ctx) }

// What kinds of event a supervisor reports.
const (
	Started  = "started"  // Serve was called
	Healthy  = "healthy"  // the run lasted long enough to reset the backoff
	Failed   = "failed"   // Serve returned an error; a restart follows after Delay
	Panicked = "panicked" // Serve panicked; a restart follows after Delay
	Finished = "finished" // Serve returned nil: not restarted
	Stopped  = "stopped"  // the supervisor's context ended
)

// Event is one thing that happened to a service.
type Event struct {
	Service  string
	What     string
	Time     time.Time
	Err      error         // for Failed and Panicked
	Failures int           // consecutive failures so far
	Delay    time.Duration // wait before the restart, for Failed and Panicked
}

// Backoff gives the wait before restart number n (1 after the first
// failure).
type Backoff func(n int) time.Duration

// Exponential doubles from base up to limit.
func Exponential(base, limit time.Duration) Backoff {
	return func(n int) time.Duration {
		d := base
		for i := 1; i < n && d < limit; i++ {
			d *= 2
		}
		return min(d, limit)
	}
}

// Options tune a Supervisor. The zero value is usable.
type Options struct {
	Backoff Backoff       // default: Exponential(1s, 1min)
	Healthy time.Duration // a run this long resets the failure count; default 1min
	OnEvent func(Event)   // called for every event, from the service's goroutine
	Logger  *slog.Logger  // default discards
}

// Supervisor runs services and restarts them.
type Supervisor struct {
	o        Options
	mu       sync.Mutex
	services []named
	running  bool
}

type named struct {
	name string
	svc  Service
}

// New builds a supervisor.
func New(o Options) *Supervisor {
	if o.Backoff == nil {
		o.Backoff = Exponential(time.Second, time.Minute)
	}
	if o.Healthy <= 0 {
		o.Healthy = time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Supervisor{o: o}
}

// Add registers a service under a name used in events and logs. Services
// must be added before Serve.
func (s *Supervisor) Add(name string, svc Service) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		panic("supervise: Add after Serve; add every service first")
	}
	s.services = append(s.services, named{name, svc})
}

// Serve runs every service until ctx ends, then waits for all of them to
// return. It returns ctx's error.
func (s *Supervisor) Serve(ctx context.Context) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return errors.New("supervise: Serve called twice on one supervisor")
	}
	s.running = true
	svcs := append([]named(nil), s.services...)
	s.mu.Unlock()

	var wg sync.WaitGroup
	for _, n := range svcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.keep(ctx, n)
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// PanicError is a panic recovered from a service.
type PanicError struct {
	Value any
	Stack []byte
}

func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

func (s *Supervisor) emit(e Event) {
	e.Time = time.Now()
	switch e.What {
	case Failed, Panicked:
		s.o.Logger.Warn("service "+e.What, "service", e.Service, "err", e.Err, "failures", e.Failures, "restart_in", e.Delay)
	case Finished, Stopped:
		s.o.Logger.Info("service "+e.What, "service", e.Service)
	default:
		s.o.Logger.Debug("service "+e.What, "service", e.Service)
	}
	if s.o.OnEvent != nil {
		s.o.OnEvent(e)
	}
}

// keep runs one service until ctx ends or it finishes.
func (s *Supervisor) keep(ctx context.Context, n named) {
	failures := 0
	for {
		if ctx.Err() != nil {
			s.emit(Event{Service: n.name, What: Stopped})
			return
		}
		s.emit(Event{Service: n.name, What: Started, Failures: failures})
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- run(ctx, n.svc) }()
		err := s.await(ctx, n.name, done, &failures)
		if ctx.Err() != nil {
			s.emit(Event{Service: n.name, What: Stopped})
			return
		}
		if err == nil {
			s.emit(Event{Service: n.name, What: Finished})
			return
		}
		if time.Now().Sub(start) >= s.o.Healthy {
			failures = 0
		}
		failures++
		d := s.o.Backoff(failures)
		what := Failed
		var pe *PanicError
		if errors.As(err, &pe) {
			what = Panicked
			s.o.Logger.Error("service panicked", "service", n.name, "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
		}
		s.emit(Event{Service: n.name, What: what, Err: err, Failures: failures, Delay: d})
		select {
		case <-ctx.Done():
		case <-time.After(d):
		}
	}
}

// await waits for the run to end, reporting Healthy once it has lasted
// o.Healthy.
func (s *Supervisor) await(ctx context.Context, name string, done <-chan error, failures *int) error {
	healthy := time.After(s.o.Healthy)
	for {
		select {
		case err := <-done:
			return err
		case <-healthy:
			healthy = nil
			if *failures > 0 {
				*failures = 0
				s.emit(Event{Service: name, What: Healthy})
			}
		}
	}
}

func run(ctx context.Context, svc Service) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return svc.Serve(ctx)
}

package client

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/pii"
)

// Backoff is exponential backoff with full jitter: the n-th consecutive
// failure waits a uniformly random time in [0, min(Max, Base·2ⁿ)]. Full
// jitter spreads a fleet that lost the centre at the same moment, so it
// does not come back as one wave.
type Backoff struct {
	Base time.Duration // default 500 ms
	Max  time.Duration // default 5 min
	// Rand returns a value in [0, n); default math/rand/v2.
	Rand func(n int64) int64
}

// Delay is the wait after the failures-th consecutive failure (1 = first).
func (b Backoff) Delay(failures int) time.Duration {
	base, cap := b.Base, b.Max
	if base <= 0 {
		base = 500 * time.Millisecond
	}
	if cap <= 0 {
		cap = 5 * time.Minute
	}
	ceil := cap
	if failures < 1 {
		failures = 1
	}
	if s := failures - 1; s < 40 && base<<s < cap && base<<s > 0 {
		ceil = base << s
	}
	rnd := b.Rand
	if rnd == nil {
		rnd = rand.Int64N
	}
	return time.Duration(rnd(int64(ceil) + 1))
}

// sleep waits d or until ctx ends or kick fires; it reports whether ctx
// ended.
func sleep(ctx context.Context, d time.Duration, kick <-chan struct{}) bool {
	if d <= 0 {
		return ctx.Err() != nil
	}
	select {
	case <-ctx.Done():
		return true
	case <-time.After(d):
	case <-kick:
	}
	return false
}

// Status is what the maintenance screen and the heartbeat show of one
// background service.
type Status struct {
	LastSuccess         time.Time
	LastAttempt         time.Time
	LastError           string
	ConsecutiveFailures int
	NextAttempt         time.Time
}

type status struct {
	mu sync.Mutex
	s  Status
}

func (s *status) get() Status { s.mu.Lock(); defer s.mu.Unlock(); return s.s }

func (s *status) ok(now time.Time) {
	s.mu.Lock()
	s.s.LastSuccess, s.s.LastAttempt, s.s.LastError, s.s.ConsecutiveFailures, s.s.NextAttempt = now, now, "", 0, time.Time{}
	s.mu.Unlock()
}

func (s *status) fail(now time.Time, err error, next time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.s.LastAttempt, s.s.NextAttempt = now, next
	s.s.LastError = pii.Scrub(err.Error())
	s.s.ConsecutiveFailures++
	return s.s.ConsecutiveFailures
}

func (s *status) failures() int { s.mu.Lock(); defer s.mu.Unlock(); return s.s.ConsecutiveFailures }

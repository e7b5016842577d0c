package central

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/central/store"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
)

// Limits on guessing that hold across verifications, kiosks and restarts.
// A verification's own limits (MaxFingerTries, MaxPasswordTries) end one
// user's session at a kiosk; these bound what a guesser gets by starting
// again. docs/central.md gives the reasoning behind the numbers.
const (
	// MaxPersonFailures failures of any kind (fingerprint, password, SMS
	// code) lock the person, however many verifications they are spread
	// over.
	MaxPersonFailures = 5
	// Each lock that follows another without a success in between lasts
	// twice as long, up to MaxLockDuration.
	MaxLockDuration = 24 * time.Hour
	// AttemptWindow of quiet (no failure, no lock running) forgets the
	// failures and the doubling, so an occasional typo never adds up.
	AttemptWindow = 24 * time.Hour
)

// lockDuration is the length of the person's next lock after locks
// earlier ones in a row.
func lockDuration(locks int) time.Duration {
	d := LockDuration
	for i := 0; i < locks && d < MaxLockDuration; i++ {
		d *= 2
	}
	return min(d, MaxLockDuration)
}

// current is a as it stands at now: after a quiet AttemptWindow the
// failures and earlier locks no longer count.
func current(a store.Attempts, now time.Time) store.Attempts {
	quiet := a.LastFailure
	if a.LockedUntil.After(quiet) {
		quiet = a.LockedUntil
	}
	if !quiet.IsZero() && !now.Before(quiet.Add(AttemptWindow)) {
		a.Failures, a.Locks = 0, 0
	}
	return a
}

// lockOf returns the person's record and whether a lock holds at now; the
// caller holds s.mu.
func (s *Server) lockOf(id string, now time.Time) (store.Attempts, bool) {
	a, ok := s.attempts[s.slot(id)]
	return a, ok && now.Before(a.LockedUntil)
}

// personLeft is how many failures the person has before the lock; the
// caller holds s.mu.
func (s *Server) personLeft(id string, now time.Time) int {
	return MaxPersonFailures - current(s.attempts[s.slot(id)], now).Failures
}

// recordFailure counts one failure; spent says the verification's own
// limit is reached, which locks as well. The caller holds s.mu and the
// person's turn (hold), and persists the returned record before answering.
func (s *Server) recordFailure(id string, now time.Time, code string, spent bool) (store.Attempts, bool) {
	slot := s.slot(id)
	a := current(s.attempts[slot], now)
	a.Slot = slot
	a.Failures++
	a.LastFailure = now
	locked := spent || a.Failures >= MaxPersonFailures
	if locked {
		a.LockedUntil = now.Add(lockDuration(a.Locks))
		a.LockCode = code
		a.Locks++
		// The lock is the penalty for these failures; after it the person
		// gets a full set again, and the next lock is longer.
		a.Failures = 0
	}
	s.attempts[slot] = a
	return a, locked
}

// forgive clears the person's record after a successful identification;
// the caller holds s.mu. It returns the record to persist, if any changed.
func (s *Server) forgive(id string) (store.Attempts, bool) {
	slot := s.slot(id)
	if _, ok := s.attempts[slot]; !ok {
		return store.Attempts{}, false
	}
	delete(s.attempts, slot)
	return store.Attempts{Slot: slot}, true
}

// persist writes a person's record; the caller holds the person's turn
// but not s.mu, so writes for one person land in order. The write ignores
// the request's cancellation: a guesser who hangs up must still be
// counted. A failed write is logged and the attempt answered as decided:
// the count in memory holds until a restart.
func (s *Server) persist(r *http.Request, id string, a store.Attempts) {
	if err := s.Store.SetAttempts(context.WithoutCancel(r.Context()), a); err != nil {
		s.log.Error("attempt record not stored", "id", pii.ID(id), "err", err)
	}
}

// turn is one person's attempt gate; n counts holders and waiters so the
// gate is dropped when nobody needs it.
type turn struct {
	mu sync.Mutex
	n  int
}

// hold waits for the person's turn and returns its release. Attempts on
// one person run one at a time, across all their verifications, so that
// every attempt sees the count left by the one before and a burst is
// never evaluated past the limit.
func (s *Server) hold(id string) (release func()) {
	s.mu.Lock()
	t := s.turns[id]
	if t == nil {
		t = &turn{}
		s.turns[id] = t
	}
	t.n++
	s.mu.Unlock()
	t.mu.Lock()
	return func() {
		t.mu.Unlock()
		s.mu.Lock()
		if t.n--; t.n == 0 {
			delete(s.turns, id)
		}
		s.mu.Unlock()
	}
}

// beginAttempt finds the caller's verification and waits for the
// person's turn, then checks the verification again: an attempt before
// this one may have ended it or locked the person. On success it holds
// s.mu and the turn; the caller unlocks s.mu and calls release.
func (s *Server) beginAttempt(w http.ResponseWriter, r *http.Request) (*verification, func(), bool) {
	v, ok := s.verif(w, r)
	if !ok {
		return nil, nil, false
	}
	id := v.personID
	s.mu.Unlock()
	release := s.hold(id)
	if v, ok = s.verif(w, r); !ok {
		release()
		return nil, nil, false
	}
	return v, release, true
}

// loadAttempts reads the stored records at start.
func (s *Server) loadAttempts(ctx context.Context) error {
	all, err := s.Store.Attempts(ctx)
	if err != nil {
		return err
	}
	for _, a := range all {
		s.attempts[a.Slot] = a
	}
	return nil
}

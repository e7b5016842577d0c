package maintenance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/passhash"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// Auditor records an audit event; the program's wiring queues it in the
// outbox as an api.EventAudit for the centre.
type Auditor interface {
	Audit(ctx context.Context, a api.Audit) error
}

// Audit actions written by this package. Outcomes are "ok", "failed",
// "wrong", "locked" or "refused"; no event ever carries the PIN.
const (
	ActionGesture = "maintenance.gesture" // the hidden gesture opened the PIN pad
	ActionEntry   = "maintenance.entry"   // a PIN was tried
	ActionExit    = "maintenance.exit"    // the technician left maintenance
)

// Lockout rules.
const (
	MaxWrongPINs = 5
	LockFor      = 15 * time.Minute
)

// PIN lengths accepted on the pad.
const (
	MinPINLen = 4
	MaxPINLen = 12
)

// Outcome of a PIN attempt.
type Outcome int

const (
	Granted Outcome = iota + 1
	Wrong           // wrong PIN; Left tries remain before the lock
	Locked          // entry is locked until Until (this attempt was not checked)
	Refused         // the config's hash is unusable; nothing was checked
)

// Attempt is the result of Gate.Try.
type Attempt struct {
	Outcome Outcome
	Left    int       // Wrong: tries left before the lock
	Until   time.Time // Locked, or Wrong that caused the lock: when entry opens again
}

// Gate guards entry to maintenance: the PIN check against the config's
// argon2id hash and the lockout after MaxWrongPINs wrong PINs.
type Gate struct {
	hash  func() string
	now   func() time.Time
	audit Auditor
	log   *slog.Logger
	store LockStore

	mu     sync.Mutex
	wrong  int
	until  time.Time
	parsed string // the hash text last parsed, to parse once per config
	h      passhash.Hash
	dirty  bool // the lock changed since it was last saved
}

// GateOptions configure a Gate.
type GateOptions struct {
	// PINHash returns the technician PIN hash of the current central
	// config (api.Config.TechnicianPINHash); read at every try, so a new
	// config takes effect at once.
	PINHash func() string
	Clock   func() time.Time // default time.Now
	Auditor Auditor          // required
	Logger  *slog.Logger     // default discards
	// Store keeps wrong PINs and the lock across restarts; nil keeps them
	// in memory only.
	Store LockStore
}

// NewGate returns a gate.
func NewGate(o GateOptions) (*Gate, error) {
	if o.PINHash == nil || o.Auditor == nil {
		return nil, errors.New("maintenance gate needs the config's PIN hash and an auditor")
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	g := &Gate{hash: o.PINHash, now: o.Clock, audit: o.Auditor, log: o.Logger, store: o.Store}
	if o.Store != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		l, err := o.Store.LoadLock(ctx)
		if err != nil {
			// Fail closed: an unreadable record locks entry for a period
			// rather than wiping the count of wrong PINs.
			o.Logger.Error("technician lock record unreadable; entry locked for a full period", "err", err)
			l = Lock{Wrong: MaxWrongPINs, Until: o.Clock().Add(LockFor)}
		}
		// A lock further away than a full period means a clock or record
		// gone wrong; it is cut to one period from now.
		if limit := o.Clock().Add(LockFor); l.Until.After(limit) {
			l.Until = limit
		}
		g.wrong, g.until = l.Wrong, l.Until
	}
	return g, nil
}

// Opened records that the hidden gesture opened the PIN pad.
func (g *Gate) Opened(ctx context.Context) {
	g.record(ctx, api.Audit{Action: ActionGesture, Outcome: "ok"})
}

// LockedUntil reports when entry opens again, and whether it is locked now.
func (g *Gate) LockedUntil() (time.Time, bool) {
	g.mu.Lock()
	until, locked := g.lockedLocked(g.now())
	g.mu.Unlock()
	g.save(context.Background())
	return until, locked
}

// save writes the lock if it changed. A failure is logged: the lock still
// holds in memory, and the next change tries again.
func (g *Gate) save(ctx context.Context) {
	if g.store == nil {
		return
	}
	g.mu.Lock()
	if !g.dirty {
		g.mu.Unlock()
		return
	}
	l := Lock{Wrong: g.wrong, Until: g.until}
	g.dirty = false
	g.mu.Unlock()
	if err := g.store.SaveLock(ctx, l); err != nil {
		g.mu.Lock()
		g.dirty = true
		g.mu.Unlock()
		g.log.Error("technician lock not saved; it holds until the program restarts", "err", err)
	}
}

func (g *Gate) lockedLocked(now time.Time) (time.Time, bool) {
	if g.until.IsZero() {
		return time.Time{}, false
	}
	if !now.Before(g.until) {
		// The lock has run out: a fresh series of tries begins.
		g.until, g.wrong = time.Time{}, 0
		g.dirty = true
		return time.Time{}, false
	}
	return g.until, true
}

// Try checks pin. The error is non-nil only with Refused: the config's hash
// is malformed (wraps ErrMalformedHash). Every try is audited.
func (g *Gate) Try(ctx context.Context, pin string) (Attempt, error) {
	g.mu.Lock()
	now := g.now()
	if until, locked := g.lockedLocked(now); locked {
		g.mu.Unlock()
		g.record(ctx, api.Audit{Action: ActionEntry, Outcome: "locked",
			Detail: map[string]string{"until": until.UTC().Format(time.RFC3339)}})
		return Attempt{Outcome: Locked, Until: until}, nil
	}
	text := g.hash()
	if text != g.parsed || g.h.Key == nil {
		h, err := parsePINHash(text)
		if err != nil {
			g.mu.Unlock()
			g.log.Error("technician entry refused: PIN hash in config is malformed", "err", err)
			g.record(ctx, api.Audit{Action: ActionEntry, Outcome: "refused", Detail: map[string]string{"reason": "malformed_pin_hash"}})
			return Attempt{Outcome: Refused}, err
		}
		g.h, g.parsed = h, text
	}
	h := g.h
	g.mu.Unlock()

	// A PIN of the wrong length is checked like any other, so the time
	// taken says nothing about why it failed.
	ok := h.Matches(pin) && len(pin) >= MinPINLen && len(pin) <= MaxPINLen

	g.mu.Lock()
	var a Attempt
	if ok {
		g.dirty = g.dirty || g.wrong != 0
		g.wrong = 0
		a = Attempt{Outcome: Granted}
	} else {
		g.dirty = true
		g.wrong++
		a = Attempt{Outcome: Wrong, Left: max(MaxWrongPINs-g.wrong, 0)}
		if g.wrong >= MaxWrongPINs {
			g.until = now.Add(LockFor)
			a.Until = g.until
		}
	}
	g.mu.Unlock()
	g.save(ctx)

	switch {
	case ok:
		g.record(ctx, api.Audit{Action: ActionEntry, Outcome: "ok"})
	case !a.Until.IsZero():
		g.log.Warn("technician entry locked after wrong PINs", "wrong", MaxWrongPINs, "for", LockFor.String())
		g.record(ctx, api.Audit{Action: ActionEntry, Outcome: "wrong",
			Detail: map[string]string{"left": "0", "locked_until": a.Until.UTC().Format(time.RFC3339)}})
	default:
		g.record(ctx, api.Audit{Action: ActionEntry, Outcome: "wrong", Detail: map[string]string{"left": fmt.Sprint(a.Left)}})
	}
	return a, nil
}

// record audits a and logs (never fails the caller on) an audit failure:
// the technician's work must not stop because the queue is full, but the
// gap must be visible.
func (g *Gate) record(ctx context.Context, a api.Audit) {
	if err := g.audit.Audit(ctx, a); err != nil {
		g.log.Error("maintenance audit event was not recorded", "action", a.Action, "outcome", a.Outcome, "err", err)
	}
}

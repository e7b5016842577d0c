package maintenance

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// Lock is the gate's count of wrong PINs and the end of a lock, kept so
// that pulling the plug does not reset the lockout.
type Lock struct {
	Wrong int
	Until time.Time // zero: not locked
}

// LockStore keeps the Lock across restarts.
type LockStore interface {
	LoadLock(ctx context.Context) (Lock, error)
	SaveLock(ctx context.Context, l Lock) error
}

// ErrBadLock is wrapped when a stored lock cannot be read.
var ErrBadLock = errors.New("stored technician lock is unreadable")

// lockKV is the key of the lock in the outbox's kv table.
const lockKV = "maintenance.lock"

// OutboxLockStore keeps the lock in the outbox database beside the queue.
type OutboxLockStore struct{ Outbox *outbox.Outbox }

// LoadLock reads the lock; none stored is the zero Lock.
func (s OutboxLockStore) LoadLock(ctx context.Context) (Lock, error) {
	v, ok, err := s.Outbox.GetKV(ctx, lockKV)
	if err != nil || !ok {
		return Lock{}, err
	}
	return ParseLock(v)
}

// SaveLock writes the lock.
func (s OutboxLockStore) SaveLock(ctx context.Context, l Lock) error {
	return s.Outbox.Update(ctx, func(tx *outbox.Tx) error { return tx.SetKV(lockKV, l.String()) })
}

// String is the stored form: "<wrong>:<until, unix seconds or 0>".
func (l Lock) String() string {
	until := int64(0)
	if !l.Until.IsZero() {
		until = l.Until.Unix()
		if l.Until.Nanosecond() > 0 {
			until++ // round up: a reloaded lock must not end early
		}
	}
	return fmt.Sprintf("%d:%d", l.Wrong, until)
}

// ParseLock reads the stored form. A lock that cannot be read is an
// error; the gate then locks entry for a full period rather than opening
// it, since a damaged record must not be a way around the lockout.
func ParseLock(s string) (Lock, error) {
	w, u, ok := strings.Cut(s, ":")
	if !ok {
		return Lock{}, fmt.Errorf("%w: %q has no ':'", ErrBadLock, clip(s))
	}
	wrong, err := strconv.Atoi(w)
	if err != nil || wrong < 0 || wrong > MaxWrongPINs || w != strconv.Itoa(wrong) {
		return Lock{}, fmt.Errorf("%w: wrong-PIN count %q is not 0 to %d", ErrBadLock, clip(w), MaxWrongPINs)
	}
	until, err := strconv.ParseInt(u, 10, 64)
	if err != nil || until < 0 || u != strconv.FormatInt(until, 10) || until > 1<<40 {
		return Lock{}, fmt.Errorf("%w: lock end %q is not unix seconds", ErrBadLock, clip(u))
	}
	l := Lock{Wrong: wrong}
	if until > 0 {
		l.Until = time.Unix(until, 0).UTC()
	}
	return l, nil
}

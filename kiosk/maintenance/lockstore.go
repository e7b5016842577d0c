package maintenance

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
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

// lockKV is the key of the lock among the kiosk's settings. It is on disk in
// kiosks in the field, so it never changes.
const lockKV = "maintenance.lock"

// Settings are durable key-value settings; the kiosk's store is one.
type Settings interface {
	GetKV(ctx context.Context, key string) (value string, ok bool, err error)
	SetKV(ctx context.Context, key, value string) error
}

// SettingsLockStore keeps the lock among the kiosk's settings, in the
// database beside the queue.
type SettingsLockStore struct{ Settings Settings }

// LoadLock reads the lock; none stored is the zero Lock.
func (s SettingsLockStore) LoadLock(ctx context.Context) (Lock, error) {
	v, ok, err := s.Settings.GetKV(ctx, lockKV)
	if err != nil || !ok {
		return Lock{}, err
	}
	return ParseLock(v)
}

// SaveLock writes the lock.
func (s SettingsLockStore) SaveLock(ctx context.Context, l Lock) error {
	return s.Settings.SetKV(ctx, lockKV, l.String())
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

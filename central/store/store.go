// Package store keeps the centre's state: events received from kiosks,
// kiosk heartbeats, per-kiosk config, signed commands with their sequence,
// and changes to person records. Personal data arrives here already sealed
// (package sync/seal): the store sees only key ids and ciphertext.
//
// Store is the interface the server uses; SQLite implements it in one file,
// and a PostgreSQL implementation can follow behind the same methods.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound means the row asked for does not exist.
var ErrNotFound = errors.New("store: not found")

// Event is one stored kiosk event. Payload is sealed under KeyID with the
// associated data "event|<kiosk>|<key>".
type Event struct {
	Kiosk      string
	Key        string
	Kind       string
	CreatedAt  time.Time
	ReceivedAt time.Time
	KeyID      string
	Payload    []byte
}

// PersonChange is the sealed overlay of one person's record (for example a
// new mobile number). Slot is a keyed hash of the ID number so the row does
// not reveal whose it is.
type PersonChange struct {
	Slot      string
	KeyID     string
	Sealed    []byte
	UpdatedAt time.Time
}

// InsertResult is what InsertEvents did with one event: stored it, or
// found Existing under the same kiosk and key and left it alone.
type InsertResult struct {
	Inserted bool
	Existing *Event
}

// Kiosk is one kiosk as the centre last heard from it.
type Kiosk struct {
	ID        string
	LastSeen  time.Time
	Heartbeat []byte // JSON api.Heartbeat; holds no personal data
}

// Config is one kiosk's config document and its ETag.
type Config struct {
	Doc  []byte
	ETag string
}

// Attempts is one person's record of failed sign-in attempts and locks,
// kept across verifications, kiosks and restarts. Slot is the keyed hash
// that also names the person's PersonChange row.
type Attempts struct {
	Slot        string
	Failures    int       // failures since the last lock or success
	LastFailure time.Time // zero when there was none
	Locks       int       // locks in a row without a success
	LockedUntil time.Time // zero when never locked
	LockCode    string    // the error code the lock answers with
}

// Store is what the server needs from its database.
type Store interface {
	// InsertEvent stores e unless (e.Kiosk, e.Key) exists. When it is new,
	// change (if not nil) is written in the same transaction, so an event's
	// effect happens exactly when the event is first stored. When it
	// exists, inserted is false and existing is the stored event.
	InsertEvent(ctx context.Context, e Event, change *PersonChange) (inserted bool, existing *Event, err error)
	// InsertEvents is InsertEvent for a batch in one transaction: one
	// commit (one fsync) instead of one per event. changes is nil or as
	// long as events, changes[i] belonging to events[i]. Results are in
	// order; a key that appears twice gets Inserted for the first and the
	// first as Existing for the second. On error nothing is stored.
	InsertEvents(ctx context.Context, events []Event, changes []*PersonChange) ([]InsertResult, error)
	// Event returns one stored event, or ErrNotFound.
	Event(ctx context.Context, kiosk, key string) (Event, error)
	// CountEvents counts a kiosk's stored events of one kind ("" for all).
	CountEvents(ctx context.Context, kiosk, kind string) (int, error)

	// TouchKiosk records that a kiosk was seen; heartbeat, when not nil,
	// replaces its last heartbeat.
	TouchKiosk(ctx context.Context, kiosk string, at time.Time, heartbeat []byte) error
	Kiosks(ctx context.Context) ([]Kiosk, error)

	// Config returns ErrNotFound when ops never set one.
	Config(ctx context.Context, kiosk string) (Config, error)
	SetConfig(ctx context.Context, kiosk string, c Config) error

	// AddCommand gives the kiosk's next sequence number to build, which
	// returns the envelope to store (signed, with that seq), atomically.
	AddCommand(ctx context.Context, kiosk string, build func(seq int64) ([]byte, error)) (int64, error)
	// Commands returns envelopes with seq > after, in order, and the
	// kiosk's highest seq.
	Commands(ctx context.Context, kiosk string, after int64) (envelopes [][]byte, lastSeq int64, err error)

	PersonChanges(ctx context.Context) ([]PersonChange, error)

	// Attempts returns every stored attempt record.
	Attempts(ctx context.Context) ([]Attempts, error)
	// SetAttempts replaces the record for a.Slot.
	SetAttempts(ctx context.Context, a Attempts) error

	Close() error
}

// Package outbox is the vocabulary of the kiosk's durable queue of events
// bound for the centre: what an event is, how a queued one looks when it is
// handed to the uploader, the queue's health figures, the write transaction
// the sync loops commit through, and the classification of storage faults.
//
// The queue itself lives in the kiosk's one SQLite file, owned by
// kiosk/store; this package holds no storage so that the sync loops can be
// written, and tested, against the small interfaces they declare.
package outbox

import "time"

// Event is something to deliver to the centre.
type Event struct {
	Kind    string    // short name such as "tx.mobile_update"; never personal data
	Key     string    // idempotency key (UUID); generated when empty
	Payload []byte    // sealed before it is stored
	Created time.Time // when it happened; the clock's now when zero
}

// Item is a queued event, opened, as handed to the uploader.
type Item struct {
	ID       int64
	Key      string
	Kind     string
	Created  time.Time
	Attempts int
	Payload  []byte
}

// Parked describes a parked row. It carries no payload, so it is safe to
// show to a technician.
type Parked struct {
	ID       int64
	Kind     string
	Created  time.Time
	Attempts int
	Reason   string
}

// Stats is the queue's health at a glance.
type Stats struct {
	Depth     int           // rows waiting to be sent (parked rows excluded)
	Parked    int           // rows set aside with a reason
	Oldest    time.Time     // created time of the oldest waiting row; zero when empty
	OldestAge time.Duration // now minus Oldest; zero when empty
}

// Tx is one write transaction as the sync loops use it: the caller's state
// (settings kept beside the queue, the record of applied commands) and the
// events that report it commit together or not at all.
type Tx interface {
	// Enqueue adds ev to the queue as part of this transaction.
	Enqueue(ev Event) (Item, error)
	// Waiting counts the events of this kind waiting to be sent (parked
	// ones excluded).
	Waiting(kind string) (int, error)
	// GetKV reads a setting kept beside the queue, such as the last
	// applied command sequence or the configuration ETag.
	GetKV(key string) (value string, ok bool, err error)
	// SetKV writes a setting kept beside the queue.
	SetKV(key, value string) error
	// CommandApplied reports whether the command with this id was applied
	// before; ask in the transaction that applies it, so a command
	// delivered twice is applied once.
	CommandApplied(id string) (bool, error)
	// RecordCommand records that a command was applied; recording the same
	// id twice is an error, which rolls back the second application.
	RecordCommand(id string, seq int64, kind string) error
}

// Package outbox is the kiosk's durable queue of events bound for the
// centre: transactions, audit events and heartbeats. It lives in one SQLite
// file, committed with synchronous=FULL so an event whose enqueue returned is
// on disk before the kiosk loses power. Payloads are sealed at rest; a row
// whose seal does not open is parked, never sent. The same file holds the
// record of commands already applied, so a command and its effect commit
// together and are applied exactly once.
package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/seal"
	"github.com/google/uuid"
	"github.com/mattn/go-sqlite3"
	"golang.org/x/sys/unix"
)

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

// Options tune an Outbox. The zero value is usable.
type Options struct {
	MaxAttempts    int              // K: failed attempts before a row is parked; default 10
	Clock          func() time.Time // default time.Now
	Logger         *slog.Logger     // default discards
	OnStorageFault func(error)      // called with each *StorageError, for health reporting
}

// Outbox is the queue. Its methods are safe for concurrent use; Next is
// meant for one uploader at a time (it does not lease rows).
type Outbox struct {
	path  string
	w     *sql.DB // one connection: SQLite allows one writer, and queueing in Go is cheaper than SQLITE_BUSY
	r     *sql.DB
	keys  *seal.Keyring
	opt   Options
	log   *slog.Logger
	wake  chan struct{}
	newID func() string
}

const schemaComponent = "outbox"

// schema is append-only: add steps, never edit old ones.
var schema = []string{
	`CREATE TABLE outbox (
		id           INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused, so a sealed row cannot be replayed under a new id
		key          TEXT    NOT NULL UNIQUE,
		kind         TEXT    NOT NULL,
		created      INTEGER NOT NULL, -- unix nanoseconds, UTC
		attempts     INTEGER NOT NULL DEFAULT 0,
		next_attempt INTEGER NOT NULL,
		last_error   TEXT    NOT NULL DEFAULT '',
		parked       INTEGER NOT NULL DEFAULT 0,
		key_id       TEXT    NOT NULL,
		payload      BLOB    NOT NULL
	) STRICT;
	CREATE INDEX outbox_due ON outbox (next_attempt, id) WHERE parked = 0;
	CREATE TABLE applied_commands (
		id         TEXT PRIMARY KEY,
		seq        INTEGER NOT NULL,
		kind       TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT;
	CREATE TABLE kv (
		key   TEXT PRIMARY KEY,
		value TEXT NOT NULL
	) STRICT;`,
}

// Open opens or creates the outbox at path, sealing payloads with keys.
func Open(ctx context.Context, path string, keys *seal.Keyring, opt Options) (*Outbox, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("outbox: database path %q must be a plain file path without '?' or '#'", path)
	}
	if keys == nil {
		return nil, errors.New("outbox: no keyring: load one with seal.LoadOrCreate")
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 10
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	o := &Outbox{path: path, keys: keys, opt: opt, log: opt.Logger, wake: make(chan struct{}, 1), newID: uuid.NewString}
	if err := checkWritable(path); err != nil {
		return nil, o.fault(err)
	}

	// The driver's default is synchronous=NORMAL, which in WAL mode may lose
	// the last commits on power loss; FULL syncs the WAL on every commit.
	w, err := sql.Open("sqlite3", path+"?_journal_mode=WAL&_synchronous=FULL&_txlock=immediate&_busy_timeout=5000&_foreign_keys=1")
	if err != nil {
		return nil, o.fault(fmt.Errorf("outbox: open %s: %w", path, err))
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	o.w = w
	r, err := sql.Open("sqlite3", path+"?_query_only=true&_busy_timeout=5000")
	if err != nil {
		w.Close()
		return nil, o.fault(fmt.Errorf("outbox: open %s for reading: %w", path, err))
	}
	r.SetMaxOpenConns(4)
	o.r = r
	if err := o.init(ctx); err != nil {
		o.Close()
		return nil, err
	}
	return o, nil
}

// checkWritable refuses a database SQLite would open read-only: it would
// open without complaint and fail only at the first enqueue.
func checkWritable(path string) error {
	for _, p := range []string{path, filepath.Dir(path)} {
		err := unix.Access(p, unix.W_OK)
		if errors.Is(err, unix.EROFS) || errors.Is(err, unix.EACCES) {
			return &StorageError{Fault: "readonly", Path: path, Err: fmt.Errorf("%s: %w", p, err)}
		}
	}
	return nil
}

func (o *Outbox) init(ctx context.Context) error {
	var mode string
	if err := o.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return o.fault(fmt.Errorf("outbox: open %s: %w", o.path, err))
	}
	if mode != "wal" {
		return o.fault(fmt.Errorf("outbox: open %s: journal mode is %q, want wal: the file may be on a filesystem without shared memory support", o.path, mode))
	}
	var syncMode int
	if err := o.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&syncMode); err != nil {
		return o.fault(fmt.Errorf("outbox: open %s: %w", o.path, err))
	}
	if syncMode != 2 {
		return fmt.Errorf("outbox: open %s: synchronous is %d, want 2 (FULL)", o.path, syncMode)
	}
	if err := Migrate(ctx, o.w, schemaComponent, schema); err != nil {
		return o.fault(err)
	}
	return nil
}

// Close closes both connection pools.
func (o *Outbox) Close() error {
	var errs []error
	if o.r != nil {
		errs = append(errs, o.r.Close())
	}
	if o.w != nil {
		errs = append(errs, o.w.Close())
	}
	return errors.Join(errs...)
}

// Writer is the single writer connection, for Migrate by components that
// keep their own tables in the outbox file. Write through Update instead of
// Writer when the write must commit with events.
func (o *Outbox) Writer() *sql.DB { return o.w }

// DB is the read-only pool, for other kiosk stores' reads.
func (o *Outbox) DB() *sql.DB { return o.r }

// Path is the database file's path.
func (o *Outbox) Path() string { return o.path }

// Wake is signalled after each committed transaction that enqueued events.
// Signals coalesce: one pending signal stands for any number of enqueues.
func (o *Outbox) Wake() <-chan struct{} { return o.wake }

// fault classifies err and reports storage faults to the hook.
func (o *Outbox) fault(err error) error {
	err = classify(o.path, err)
	var se *StorageError
	if errors.As(err, &se) {
		o.log.Error("outbox storage fault", "fault", se.Fault, "err", se.Err)
		if o.opt.OnStorageFault != nil {
			o.opt.OnStorageFault(err)
		}
	}
	return err
}

// Tx is one write transaction: the caller's own changes and the events that
// record them commit together or not at all.
type Tx struct {
	ctx      context.Context
	o        *Outbox
	tx       *sql.Tx
	enqueued int
}

// Exec runs a statement on the caller's own tables.
func (t *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(t.ctx, query, args...)
}

// QueryRow runs a query expected to return at most one row.
func (t *Tx) QueryRow(query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

// Query runs a query returning rows.
func (t *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(t.ctx, query, args...)
}

var kindRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

// Enqueue adds ev to the outbox as part of this transaction.
//
// The row id is part of the sealed payload's associated data, so the row is
// inserted first (to let SQLite allocate the id) and its payload sealed and
// written in the same transaction: nobody ever sees the unsealed placeholder.
func (t *Tx) Enqueue(ev Event) (Item, error) {
	if !kindRE.MatchString(ev.Kind) {
		return Item{}, fmt.Errorf("outbox: event kind %q is not a short lower-case name such as \"tx.mobile_update\"", pii.Scrub(ev.Kind))
	}
	if ev.Key == "" {
		ev.Key = t.o.newID()
	} else if _, err := uuid.Parse(ev.Key); err != nil {
		return Item{}, fmt.Errorf("outbox: idempotency key %q is not a UUID: %w", pii.Scrub(ev.Key), err)
	}
	now := t.o.opt.Clock()
	if ev.Created.IsZero() {
		ev.Created = now
	}
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO outbox (key, kind, created, next_attempt, key_id, payload) VALUES (?, ?, ?, ?, '', x'')`,
		ev.Key, ev.Kind, ev.Created.UnixNano(), now.UnixNano())
	if err != nil {
		if sq := (sqlite3.Error{}); errors.As(err, &sq) && sq.ExtendedCode == sqlite3.ErrConstraintUnique {
			return Item{}, fmt.Errorf("outbox: an event with idempotency key %s is already queued", ev.Key)
		}
		return Item{}, fmt.Errorf("outbox: enqueue %s: %w", ev.Kind, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Item{}, fmt.Errorf("outbox: enqueue %s: row id: %w", ev.Kind, err)
	}
	keyID, sealed, err := t.o.keys.Seal(aad(id, ev.Kind, ev.Key), ev.Payload)
	if err != nil {
		return Item{}, fmt.Errorf("outbox: enqueue %s: %w", ev.Kind, err)
	}
	if _, err := t.tx.ExecContext(t.ctx, `UPDATE outbox SET key_id = ?, payload = ? WHERE id = ?`, keyID, sealed, id); err != nil {
		return Item{}, fmt.Errorf("outbox: enqueue %s: store sealed payload: %w", ev.Kind, err)
	}
	t.enqueued++
	return Item{ID: id, Key: ev.Key, Kind: ev.Kind, Created: time.Unix(0, ev.Created.UnixNano()), Payload: ev.Payload}, nil
}

// aad binds a sealed payload to its row: moving a payload to another row, or
// changing a row's kind or idempotency key, makes it fail to open.
func aad(id int64, kind, key string) []byte {
	return fmt.Appendf(nil, "%d|%s|%s", id, kind, key)
}

// Update runs fn inside one write transaction (BEGIN IMMEDIATE). If fn
// returns an error nothing of it is committed. fn must write only through tx:
// the outbox has one writer connection, which fn already holds, so calling
// Enqueue, Ack or another Update on the Outbox from inside fn would wait
// forever.
func (o *Outbox) Update(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqlTx, err := o.w.BeginTx(ctx, nil)
	if err != nil {
		return o.fault(fmt.Errorf("outbox: begin: %w", err))
	}
	t := &Tx{ctx: ctx, o: o, tx: sqlTx}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(t); err != nil {
		_ = sqlTx.Rollback()
		return o.fault(err)
	}
	if err := sqlTx.Commit(); err != nil {
		return o.fault(fmt.Errorf("outbox: commit: %w", err))
	}
	if t.enqueued > 0 {
		select {
		case o.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

// Enqueue adds one event in a transaction of its own.
func (o *Outbox) Enqueue(ctx context.Context, ev Event) (Item, error) {
	var it Item
	err := o.Update(ctx, func(tx *Tx) error {
		var err error
		it, err = tx.Enqueue(ev)
		return err
	})
	return it, err
}

// Next returns up to maxCount due rows (next attempt not in the future),
// oldest first, opened, whose payloads add up to at most maxBytes; the first
// row is returned even when it alone exceeds maxBytes, so a large event
// cannot stall the queue. Rows whose seal does not open are parked with a
// reason starting "seal:" and skipped.
func (o *Outbox) Next(ctx context.Context, maxCount, maxBytes int) ([]Item, error) {
	if maxCount <= 0 {
		return nil, nil
	}
	now := o.opt.Clock().UnixNano()
	var (
		items []Item
		bytes int
		after int64 = -1
	)
	for len(items) < maxCount {
		batch, err := o.due(ctx, now, after, maxCount-len(items))
		if err != nil {
			return nil, err
		}
		if len(batch) == 0 {
			break
		}
		for _, r := range batch {
			after = r.ID
			plain, err := o.keys.Open(r.keyID, aad(r.ID, r.Kind, r.Key), r.sealed)
			if err != nil {
				if perr := o.Park(ctx, r.ID, err.Error()); perr != nil {
					return nil, perr
				}
				continue
			}
			if len(items) > 0 && bytes+len(plain) > maxBytes {
				return items, nil
			}
			r.Payload = plain
			bytes += len(plain)
			items = append(items, r.Item)
			if len(items) == maxCount {
				break
			}
		}
	}
	return items, nil
}

type sealedRow struct {
	Item
	keyID  string
	sealed []byte
}

// due reads up to limit sealed rows with ids above after. Each call is its
// own read snapshot, taken after any park committed by the previous batch.
func (o *Outbox) due(ctx context.Context, now, after int64, limit int) ([]sealedRow, error) {
	rows, err := o.r.QueryContext(ctx, `SELECT id, key, kind, created, attempts, key_id, payload FROM outbox
		WHERE parked = 0 AND next_attempt <= ? AND id > ? ORDER BY id LIMIT ?`, now, after, limit)
	if err != nil {
		return nil, o.fault(fmt.Errorf("outbox: read due rows: %w", err))
	}
	defer rows.Close()
	var out []sealedRow
	for rows.Next() {
		var r sealedRow
		var created int64
		if err := rows.Scan(&r.ID, &r.Key, &r.Kind, &created, &r.Attempts, &r.keyID, &r.sealed); err != nil {
			return nil, o.fault(fmt.Errorf("outbox: read due rows: %w", err))
		}
		r.Created = time.Unix(0, created)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, o.fault(fmt.Errorf("outbox: read due rows: %w", err))
	}
	return out, nil
}

// Ack deletes acknowledged rows, all in one transaction. Ids no longer in
// the queue are ignored: acknowledging twice is harmless.
func (o *Outbox) Ack(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return o.Update(ctx, func(tx *Tx) error {
		for _, id := range ids {
			if _, err := tx.Exec(`DELETE FROM outbox WHERE id = ?`, id); err != nil {
				return fmt.Errorf("outbox: ack %d: %w", id, err)
			}
		}
		return nil
	})
}

// Fail records a failed attempt for each row: attempts+1, the reason, and
// when to try again. A row that reaches MaxAttempts is parked instead.
func (o *Outbox) Fail(ctx context.Context, ids []int64, reason string, next time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	reason = pii.Scrub(reason)
	var parked []int64
	err := o.Update(ctx, func(tx *Tx) error {
		parked = parked[:0]
		for _, id := range ids {
			var attempts int
			err := tx.QueryRow(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt = ?,
				parked = CASE WHEN attempts + 1 >= ? THEN 1 ELSE parked END
				WHERE id = ? RETURNING attempts`, reason, next.UnixNano(), o.opt.MaxAttempts, id).Scan(&attempts)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("outbox: record failure of %d: %w", id, err)
			}
			if attempts >= o.opt.MaxAttempts {
				parked = append(parked, id)
			}
		}
		return nil
	})
	if err == nil {
		for _, id := range parked {
			o.log.Warn("outbox row parked after repeated failures", "id", id, "attempts", o.opt.MaxAttempts, "reason", reason)
		}
	}
	return err
}

// Park sets a row aside with a reason; it is not sent again until Retry.
func (o *Outbox) Park(ctx context.Context, id int64, reason string) error {
	reason = pii.Scrub(reason)
	var kind string
	err := o.Update(ctx, func(tx *Tx) error {
		err := tx.QueryRow(`UPDATE outbox SET parked = 1, last_error = ? WHERE id = ? RETURNING kind`, reason, id).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("outbox: park %d: no such row; it may have been acknowledged already", id)
		}
		if err != nil {
			return fmt.Errorf("outbox: park %d: %w", id, err)
		}
		return nil
	})
	if err == nil {
		o.log.Warn("outbox row parked", "id", id, "kind", kind, "reason", reason)
	}
	return err
}

// Retry puts a parked row back in the queue, due now, with its attempts
// reset. A row parked because its seal does not open is parked again by the
// next Next.
func (o *Outbox) Retry(ctx context.Context, id int64) error {
	return o.Update(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE outbox SET parked = 0, attempts = 0, last_error = '', next_attempt = ? WHERE id = ? AND parked = 1`,
			o.opt.Clock().UnixNano(), id)
		if err != nil {
			return fmt.Errorf("outbox: retry %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("outbox: retry %d: no parked row with that id; list parked rows with \"kioskctl queue\"", id)
		}
		return nil
	})
}

// Stats reports depth, parked count and the oldest waiting row.
func (o *Outbox) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	var oldest sql.NullInt64
	err := o.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM outbox WHERE parked = 0),
		(SELECT count(*) FROM outbox WHERE parked = 1),
		(SELECT min(created) FROM outbox WHERE parked = 0)`).Scan(&s.Depth, &s.Parked, &oldest)
	if err != nil {
		return Stats{}, o.fault(fmt.Errorf("outbox: stats: %w", err))
	}
	if oldest.Valid {
		s.Oldest = time.Unix(0, oldest.Int64)
		s.OldestAge = max(o.opt.Clock().Sub(s.Oldest), 0)
	}
	return s, nil
}

// Parked lists parked rows, oldest first, without their payloads.
func (o *Outbox) Parked(ctx context.Context) ([]Parked, error) {
	rows, err := o.r.QueryContext(ctx, `SELECT id, kind, created, attempts, last_error FROM outbox WHERE parked = 1 ORDER BY id`)
	if err != nil {
		return nil, o.fault(fmt.Errorf("outbox: list parked: %w", err))
	}
	defer rows.Close()
	var out []Parked
	for rows.Next() {
		var p Parked
		var created int64
		if err := rows.Scan(&p.ID, &p.Kind, &created, &p.Attempts, &p.Reason); err != nil {
			return nil, o.fault(fmt.Errorf("outbox: list parked: %w", err))
		}
		p.Created = time.Unix(0, created)
		// Kinds are validated on enqueue, but the file may have been edited.
		p.Kind = pii.Scrub(p.Kind)
		p.Reason = pii.Scrub(p.Reason)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, o.fault(fmt.Errorf("outbox: list parked: %w", err))
	}
	return out, nil
}

// ErrCheckpointBusy means readers kept the WAL from being truncated; the
// data is safe and the checkpoint can be tried again when idle.
var ErrCheckpointBusy = errors.New("outbox: checkpoint could not truncate the WAL because readers were active; try again when idle")

// Checkpoint copies the WAL into the database file and truncates it. Run it
// when the kiosk is idle: it waits for readers.
func (o *Outbox) Checkpoint(ctx context.Context) error {
	var busy, logFrames, done int
	if err := o.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
		return o.fault(fmt.Errorf("outbox: checkpoint: %w", err))
	}
	if busy != 0 {
		return ErrCheckpointBusy
	}
	return nil
}

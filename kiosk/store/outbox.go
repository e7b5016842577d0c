package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/outbox"
	"github.com/google/uuid"
	"github.com/mattn/go-sqlite3"
)

// The outbox is the queue of events bound for the centre: transactions,
// audit events and heartbeats. The same component's schema holds the record
// of applied commands and the key-value settings, which commit with events.
// The schema component is named "outbox" on disk.

// outboxSchema is append-only: add steps, never edit old ones.
var outboxSchema = []string{
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

// Tx is one write transaction: settings, the record of applied commands
// and the events that report them commit together or not at all. It is the
// [outbox.Tx] the sync loops write through.
type Tx struct {
	ctx      context.Context
	s        *Store
	tx       *sql.Tx
	enqueued int
}

var _ outbox.Tx = (*Tx)(nil)

// Update runs fn inside one write transaction (BEGIN IMMEDIATE). If fn
// returns an error nothing of it is committed. fn must write only through tx:
// the store has one writer connection, which fn already holds, so calling
// Enqueue, Ack, a print-job method or another Update on the Store from
// inside fn would wait forever. The Wake channel is signalled after a
// commit that enqueued events.
func (s *Store) Update(ctx context.Context, fn func(tx outbox.Tx) error) error {
	return s.update(ctx, func(t *Tx) error { return fn(t) })
}

// update is Update with the store's own transaction type, for the typed
// operations of this package.
func (s *Store) update(ctx context.Context, fn func(t *Tx) error) error {
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.fault(fmt.Errorf("store: begin: %w", err))
	}
	t := &Tx{ctx: ctx, s: s, tx: sqlTx}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(t); err != nil {
		_ = sqlTx.Rollback()
		return s.fault(err)
	}
	if err := sqlTx.Commit(); err != nil {
		return s.fault(fmt.Errorf("store: commit: %w", err))
	}
	if t.enqueued > 0 {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

func (t *Tx) exec(query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(t.ctx, query, args...)
}

func (t *Tx) queryRow(query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

var kindRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

// Enqueue adds ev to the outbox as part of this transaction.
//
// The row id is part of the sealed payload's associated data, so the row is
// inserted first (to let SQLite allocate the id) and its payload sealed and
// written in the same transaction: nobody ever sees the unsealed placeholder.
func (t *Tx) Enqueue(ev outbox.Event) (outbox.Item, error) {
	if !kindRE.MatchString(ev.Kind) {
		return outbox.Item{}, fmt.Errorf("outbox: event kind %q is not a short lower-case name such as \"tx.mobile_update\"", pii.Scrub(ev.Kind))
	}
	if ev.Key == "" {
		ev.Key = t.s.newID()
	} else if _, err := uuid.Parse(ev.Key); err != nil {
		return outbox.Item{}, fmt.Errorf("outbox: idempotency key %q is not a UUID: %w", pii.Scrub(ev.Key), err)
	}
	now := t.s.opt.Clock()
	if ev.Created.IsZero() {
		ev.Created = now
	}
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO outbox (key, kind, created, next_attempt, key_id, payload) VALUES (?, ?, ?, ?, '', x'')`,
		ev.Key, ev.Kind, ev.Created.UnixNano(), now.UnixNano())
	if err != nil {
		if sq := (sqlite3.Error{}); errors.As(err, &sq) && sq.ExtendedCode == sqlite3.ErrConstraintUnique {
			return outbox.Item{}, fmt.Errorf("outbox: an event with idempotency key %s is already queued", ev.Key)
		}
		return outbox.Item{}, fmt.Errorf("outbox: enqueue %s: %w", ev.Kind, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return outbox.Item{}, fmt.Errorf("outbox: enqueue %s: row id: %w", ev.Kind, err)
	}
	keyID, sealed, err := t.s.keys.Seal(aad(id, ev.Kind, ev.Key), ev.Payload)
	if err != nil {
		return outbox.Item{}, fmt.Errorf("outbox: enqueue %s: %w", ev.Kind, err)
	}
	if _, err := t.tx.ExecContext(t.ctx, `UPDATE outbox SET key_id = ?, payload = ? WHERE id = ?`, keyID, sealed, id); err != nil {
		return outbox.Item{}, fmt.Errorf("outbox: enqueue %s: store sealed payload: %w", ev.Kind, err)
	}
	t.enqueued++
	return outbox.Item{ID: id, Key: ev.Key, Kind: ev.Kind, Created: time.Unix(0, ev.Created.UnixNano()), Payload: ev.Payload}, nil
}

// Waiting counts the events of kind waiting to be sent, parked ones
// excluded.
func (t *Tx) Waiting(kind string) (int, error) {
	var n int
	if err := t.queryRow(`SELECT count(*) FROM outbox WHERE kind = ? AND parked = 0`, kind).Scan(&n); err != nil {
		return 0, fmt.Errorf("outbox: count waiting %s events: %w", kind, err)
	}
	return n, nil
}

// aad binds a sealed payload to its row: moving a payload to another row, or
// changing a row's kind or idempotency key, makes it fail to open.
func aad(id int64, kind, key string) []byte {
	return fmt.Appendf(nil, "%d|%s|%s", id, kind, key)
}

// Enqueue adds one event in a transaction of its own.
func (s *Store) Enqueue(ctx context.Context, ev outbox.Event) (outbox.Item, error) {
	var it outbox.Item
	err := s.Update(ctx, func(tx outbox.Tx) error {
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
func (s *Store) Next(ctx context.Context, maxCount, maxBytes int) ([]outbox.Item, error) {
	if maxCount <= 0 {
		return nil, nil
	}
	now := s.opt.Clock().UnixNano()
	var (
		items []outbox.Item
		bytes int
		after int64 = -1
	)
	for len(items) < maxCount {
		batch, err := s.due(ctx, now, after, maxCount-len(items))
		if err != nil {
			return nil, err
		}
		if len(batch) == 0 {
			break
		}
		for _, r := range batch {
			after = r.ID
			plain, err := s.keys.Open(r.keyID, aad(r.ID, r.Kind, r.Key), r.sealed)
			if err != nil {
				if perr := s.Park(ctx, r.ID, err.Error()); perr != nil {
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
	outbox.Item
	keyID  string
	sealed []byte
}

// due reads up to limit sealed rows with ids above after. Each call is its
// own read snapshot, taken after any park committed by the previous batch.
func (s *Store) due(ctx context.Context, now, after int64, limit int) ([]sealedRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, key, kind, created, attempts, key_id, payload FROM outbox
		WHERE parked = 0 AND next_attempt <= ? AND id > ? ORDER BY id LIMIT ?`, now, after, limit)
	if err != nil {
		return nil, s.fault(fmt.Errorf("outbox: read due rows: %w", err))
	}
	defer rows.Close()
	var out []sealedRow
	for rows.Next() {
		var r sealedRow
		var created int64
		if err := rows.Scan(&r.ID, &r.Key, &r.Kind, &created, &r.Attempts, &r.keyID, &r.sealed); err != nil {
			return nil, s.fault(fmt.Errorf("outbox: read due rows: %w", err))
		}
		r.Created = time.Unix(0, created)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fault(fmt.Errorf("outbox: read due rows: %w", err))
	}
	return out, nil
}

// Ack deletes acknowledged rows, all in one transaction. Ids no longer in
// the queue are ignored: acknowledging twice is harmless.
func (s *Store) Ack(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return s.update(ctx, func(tx *Tx) error {
		for _, id := range ids {
			if _, err := tx.exec(`DELETE FROM outbox WHERE id = ?`, id); err != nil {
				return fmt.Errorf("outbox: ack %d: %w", id, err)
			}
		}
		return nil
	})
}

// Fail records a failed attempt for each row: attempts+1, the reason, and
// when to try again. A row that reaches MaxAttempts is parked instead.
func (s *Store) Fail(ctx context.Context, ids []int64, reason string, next time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	reason = pii.Scrub(reason)
	var parked []int64
	err := s.update(ctx, func(tx *Tx) error {
		parked = parked[:0]
		for _, id := range ids {
			var attempts int
			err := tx.queryRow(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt = ?,
				parked = CASE WHEN attempts + 1 >= ? THEN 1 ELSE parked END
				WHERE id = ? RETURNING attempts`, reason, next.UnixNano(), s.opt.MaxAttempts, id).Scan(&attempts)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("outbox: record failure of %d: %w", id, err)
			}
			if attempts >= s.opt.MaxAttempts {
				parked = append(parked, id)
			}
		}
		return nil
	})
	if err == nil {
		for _, id := range parked {
			s.log.Warn("outbox row parked after repeated failures", "id", id, "attempts", s.opt.MaxAttempts, "reason", reason)
		}
	}
	return err
}

// Park sets a row aside with a reason; it is not sent again until Retry.
func (s *Store) Park(ctx context.Context, id int64, reason string) error {
	reason = pii.Scrub(reason)
	var kind string
	err := s.update(ctx, func(tx *Tx) error {
		err := tx.queryRow(`UPDATE outbox SET parked = 1, last_error = ? WHERE id = ? RETURNING kind`, reason, id).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("outbox: park %d: no such row; it may have been acknowledged already", id)
		}
		if err != nil {
			return fmt.Errorf("outbox: park %d: %w", id, err)
		}
		return nil
	})
	if err == nil {
		s.log.Warn("outbox row parked", "id", id, "kind", kind, "reason", reason)
	}
	return err
}

// Retry puts a parked row back in the queue, due now, with its attempts
// reset. A row parked because its seal does not open is parked again by the
// next Next.
func (s *Store) Retry(ctx context.Context, id int64) error {
	return s.update(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE outbox SET parked = 0, attempts = 0, last_error = '', next_attempt = ? WHERE id = ? AND parked = 1`,
			s.opt.Clock().UnixNano(), id)
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
func (s *Store) Stats(ctx context.Context) (outbox.Stats, error) {
	var st outbox.Stats
	var oldest sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM outbox WHERE parked = 0),
		(SELECT count(*) FROM outbox WHERE parked = 1),
		(SELECT min(created) FROM outbox WHERE parked = 0)`).Scan(&st.Depth, &st.Parked, &oldest)
	if err != nil {
		return outbox.Stats{}, s.fault(fmt.Errorf("outbox: stats: %w", err))
	}
	if oldest.Valid {
		st.Oldest = time.Unix(0, oldest.Int64)
		st.OldestAge = max(s.opt.Clock().Sub(st.Oldest), 0)
	}
	return st, nil
}

// Parked lists parked rows, oldest first, without their payloads.
func (s *Store) Parked(ctx context.Context) ([]outbox.Parked, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, kind, created, attempts, last_error FROM outbox WHERE parked = 1 ORDER BY id`)
	if err != nil {
		return nil, s.fault(fmt.Errorf("outbox: list parked: %w", err))
	}
	defer rows.Close()
	var out []outbox.Parked
	for rows.Next() {
		var p outbox.Parked
		var created int64
		if err := rows.Scan(&p.ID, &p.Kind, &created, &p.Attempts, &p.Reason); err != nil {
			return nil, s.fault(fmt.Errorf("outbox: list parked: %w", err))
		}
		p.Created = time.Unix(0, created)
		// Kinds are validated on enqueue, but the file may have been edited.
		p.Kind = pii.Scrub(p.Kind)
		p.Reason = pii.Scrub(p.Reason)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fault(fmt.Errorf("outbox: list parked: %w", err))
	}
	return out, nil
}

// ErrCheckpointBusy means readers kept the WAL from being truncated; the
// data is safe and the checkpoint can be tried again when idle.
var ErrCheckpointBusy = errors.New("outbox: checkpoint could not truncate the WAL because readers were active; try again when idle")

// Checkpoint copies the WAL into the database file and truncates it. Run it
// when the kiosk is idle: it waits for readers.
func (s *Store) Checkpoint(ctx context.Context) error {
	var busy, logFrames, done int
	if err := s.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
		return s.fault(fmt.Errorf("outbox: checkpoint: %w", err))
	}
	if busy != 0 {
		return ErrCheckpointBusy
	}
	return nil
}

// Wake is signalled after each committed transaction that enqueued events.
// Signals coalesce: one pending signal stands for any number of enqueues.
func (s *Store) Wake() <-chan struct{} { return s.wake }

// Queued reports whether an event with this idempotency key is still in the
// queue, waiting or parked; acknowledged events are deleted, so a key gone
// is an event the centre has stored.
func (s *Store) Queued(ctx context.Context, key string) (bool, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE key = ?`, key).Scan(&n); err != nil {
		return false, s.fault(fmt.Errorf("outbox: look up idempotency key %s: %w", key, err))
	}
	return n > 0, nil
}

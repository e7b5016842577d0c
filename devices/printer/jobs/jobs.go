// Package jobs records every print job in the kiosk's SQLite database, so
// that a job cut short — by paper running out or by a power cut — is known
// afterwards and can be printed again.
//
// A receipt can carry a name or an ID number, so the job's bytes are stored
// sealed (AES-256-GCM, the row id bound as associated data) and dropped as
// soon as the job is done; only failed jobs keep them, for the reprint.
package jobs

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/absher-kiosk/kiosk/devices/printer"
	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// State of a job.
type State string

// Job states: queued → printing → done | failed.
const (
	Queued   State = "queued"
	Printing State = "printing"
	Done     State = "done"
	Failed   State = "failed"
)

// ReasonInterrupted marks a job that was printing when the kiosk stopped.
const ReasonInterrupted = "interrupted"

// Job is a row of the job table.
type Job struct {
	ID      int64
	Kind    string // what was printed, e.g. "receipt", "visa"; never personal data
	State   State
	Reason  string
	Done    int // bytes the printer confirmed
	Total   int
	Created time.Time
	Updated time.Time
}

// Sealer is the keyring (sync/seal) as the store uses it.
type Sealer interface {
	Seal(aad, plain []byte) (keyID string, sealed []byte, err error)
	Open(keyID string, aad, sealed []byte) ([]byte, error)
}

// Store keeps jobs in a SQLite database.
type Store struct {
	db   *sql.DB
	keys Sealer
	now  func() time.Time
}

var steps = []string{`CREATE TABLE printer_jobs (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	kind    TEXT NOT NULL,
	state   TEXT NOT NULL CHECK (state IN ('queued','printing','done','failed')),
	reason  TEXT NOT NULL DEFAULT '',
	done    INTEGER NOT NULL DEFAULT 0,
	total   INTEGER NOT NULL,
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL,
	key_id  TEXT NOT NULL DEFAULT '',
	content BLOB
) STRICT`}

// Open migrates the table (component "printer") in db. now may be nil.
func Open(ctx context.Context, db *sql.DB, keys Sealer, now func() time.Time) (*Store, error) {
	if now == nil {
		now = time.Now
	}
	if err := outbox.Migrate(ctx, db, "printer", steps); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Store{db: db, keys: keys, now: now}, nil
}

// Recover marks jobs left printing by a stopped kiosk as failed with reason
// "interrupted" and returns them, to be offered for reprint. Call it once
// at start-up, before any job is printed.
func (s *Store) Recover(ctx context.Context) ([]Job, error) {
	rows, err := s.list(ctx, `state = 'printing'`)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE printer_jobs SET state = 'failed', reason = ?, updated = ? WHERE state = 'printing'`,
		ReasonInterrupted, s.now().UnixMilli()); err != nil {
		return nil, fmt.Errorf("jobs: mark interrupted jobs: %w", err)
	}
	for i := range rows {
		rows[i].State, rows[i].Reason = Failed, ReasonInterrupted
	}
	return rows, nil
}

func aad(id int64) []byte { return []byte("printer-job:" + strconv.FormatInt(id, 10)) }

// Add records a queued job with its bytes, sealed.
func (s *Store) Add(ctx context.Context, kind string, data escpos.Encoded) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("jobs: add: %w", err)
	}
	defer tx.Rollback()
	now := s.now().UnixMilli()
	res, err := tx.ExecContext(ctx, `INSERT INTO printer_jobs (kind, state, total, created, updated) VALUES (?, 'queued', ?, ?, ?)`,
		kind, len(data.Bytes), now, now)
	if err != nil {
		return 0, fmt.Errorf("jobs: add: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("jobs: add: %w", err)
	}
	keyID, sealed, err := s.keys.Seal(aad(id), MarshalEncoded(data))
	if err != nil {
		return 0, fmt.Errorf("jobs: seal job %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE printer_jobs SET key_id = ?, content = ? WHERE id = ?`, keyID, sealed, id); err != nil {
		return 0, fmt.Errorf("jobs: add: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("jobs: add: %w", err)
	}
	return id, nil
}

func (s *Store) set(ctx context.Context, id int64, q string, args ...any) error {
	args = append(args, s.now().UnixMilli(), id)
	res, err := s.db.ExecContext(ctx, `UPDATE printer_jobs SET `+q+`, updated = ? WHERE id = ?`, args...)
	if err != nil {
		return fmt.Errorf("jobs: update job %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("jobs: no job %d", id)
	}
	return nil
}

// Start marks a job as printing (also for a reprint of a failed job).
func (s *Store) Start(ctx context.Context, id int64) error {
	return s.set(ctx, id, `state = 'printing', reason = '', done = 0`)
}

// Progress records how many bytes the printer has confirmed.
func (s *Store) Progress(ctx context.Context, id int64, done int) error {
	return s.set(ctx, id, `done = ?`, done)
}

// Finish marks a job done and drops its content.
func (s *Store) Finish(ctx context.Context, id int64) error {
	return s.set(ctx, id, `state = 'done', done = total, key_id = '', content = NULL`)
}

// Fail marks a job failed, keeping its content for a reprint.
func (s *Store) Fail(ctx context.Context, id int64, reason string, done int) error {
	return s.set(ctx, id, `state = 'failed', reason = ?, done = ?`, reason, done)
}

// Get reads one job.
func (s *Store) Get(ctx context.Context, id int64) (Job, error) {
	js, err := s.list(ctx, `id = ?`, id)
	if err != nil {
		return Job{}, err
	}
	if len(js) == 0 {
		return Job{}, fmt.Errorf("jobs: no job %d", id)
	}
	return js[0], nil
}

// Failed lists failed jobs that can still be printed again, oldest first.
func (s *Store) Failed(ctx context.Context) ([]Job, error) {
	return s.list(ctx, `state = 'failed' AND content IS NOT NULL`)
}

// Discard drops a failed job's content once it will not be reprinted.
func (s *Store) Discard(ctx context.Context, id int64) error {
	return s.set(ctx, id, `key_id = '', content = NULL`)
}

func (s *Store) list(ctx context.Context, where string, args ...any) ([]Job, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, kind, state, reason, done, total, created, updated FROM printer_jobs WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		var j Job
		var c, u int64
		if err := rows.Scan(&j.ID, &j.Kind, &j.State, &j.Reason, &j.Done, &j.Total, &c, &u); err != nil {
			return nil, fmt.Errorf("jobs: list: %w", err)
		}
		j.Created, j.Updated = time.UnixMilli(c), time.UnixMilli(u)
		out = append(out, j)
	}
	return out, rows.Err()
}

// Content unseals a job's bytes for a reprint.
func (s *Store) Content(ctx context.Context, id int64) (escpos.Encoded, error) {
	var keyID string
	var sealed []byte
	err := s.db.QueryRowContext(ctx, `SELECT key_id, content FROM printer_jobs WHERE id = ?`, id).Scan(&keyID, &sealed)
	if err != nil {
		return escpos.Encoded{}, fmt.Errorf("jobs: read job %d: %w", id, err)
	}
	if sealed == nil {
		return escpos.Encoded{}, fmt.Errorf("jobs: job %d has no content left (done or discarded); generate the document again", id)
	}
	plain, err := s.keys.Open(keyID, aad(id), sealed)
	if err != nil {
		return escpos.Encoded{}, fmt.Errorf("jobs: unseal job %d: %w", id, err)
	}
	return UnmarshalEncoded(plain)
}

// Printer is what Run needs of the driver.
type Printer interface {
	Print(ctx context.Context, job printer.Job) error
}

// Run prints job id and records its fate. Progress is written at the
// driver's checkpoints, so a power cut leaves the last confirmed count.
// The print error is returned as it came from the driver.
func (s *Store) Run(ctx context.Context, p Printer, id int64) error {
	data, err := s.Content(ctx, id)
	if err != nil {
		return err
	}
	if err := s.Start(ctx, id); err != nil {
		return err
	}
	var lastDone int
	perr := p.Print(ctx, printer.Job{Data: data, Progress: func(done, total int) {
		if done != lastDone && done < total {
			lastDone = done
			// A failed progress write only loses precision, the final
			// state below is what matters.
			_ = s.Progress(context.WithoutCancel(ctx), id, done)
		}
	}})
	wctx := context.WithoutCancel(ctx)
	if perr == nil {
		return s.Finish(wctx, id)
	}
	reason, done := "error", lastDone
	var je *printer.JobError
	if errors.As(perr, &je) {
		reason, done = je.Reason, je.Done
	}
	if err := s.Fail(wctx, id, reason, done); err != nil {
		return errors.Join(perr, err)
	}
	return perr
}

// MarshalEncoded serialises a job: uvarint count of breaks, each break as
// a uvarint, then the bytes.
func MarshalEncoded(e escpos.Encoded) []byte {
	out := binary.AppendUvarint(nil, uint64(len(e.Breaks)))
	for _, b := range e.Breaks {
		out = binary.AppendUvarint(out, uint64(b))
	}
	return append(out, e.Bytes...)
}

// UnmarshalEncoded reads what MarshalEncoded wrote and checks that the
// breaks rise and fall inside the bytes.
func UnmarshalEncoded(b []byte) (escpos.Encoded, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return escpos.Encoded{}, errors.New("jobs: stored job is cut short before its break count; discard it and print again")
	}
	b = b[k:]
	if n > uint64(len(b)) {
		return escpos.Encoded{}, fmt.Errorf("jobs: stored job claims %d breaks in %d bytes; discard it", n, len(b))
	}
	breaks := make([]int, 0, n)
	for i := uint64(0); i < n; i++ {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			return escpos.Encoded{}, fmt.Errorf("jobs: stored job break %d is unreadable; discard it", i)
		}
		b = b[k:]
		breaks = append(breaks, int(v))
	}
	last := -1
	for i, v := range breaks {
		if v > len(b) || v <= last {
			return escpos.Encoded{}, fmt.Errorf("jobs: stored job break %d (%d) is out of order or past the end (%d bytes); discard it", i, v, len(b))
		}
		last = v
	}
	return escpos.Encoded{Bytes: append([]byte(nil), b...), Breaks: breaks}, nil
}

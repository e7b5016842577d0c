package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/absher-kiosk/kiosk/devices/printer/jobs"
)

// The print-job journal records every print job, so that a job cut short,
// by paper running out or by a power cut, is known afterwards and can be
// printed again. A receipt can carry a name or an ID number, so a job's
// bytes are stored sealed (the row id bound as associated data) and dropped
// as soon as the job is done; only failed jobs keep them, for the reprint.
// The schema component is named "printer" on disk.

var printJobSchema = []string{`CREATE TABLE printer_jobs (
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

// PrintJobs is the print-job journal of a Store, as the printer's job
// runner ([jobs.Journal]) uses it.
type PrintJobs struct{ s *Store }

var _ jobs.Journal = PrintJobs{}

// PrintJobs returns the store's print-job journal.
func (s *Store) PrintJobs() PrintJobs { return PrintJobs{s} }

func jobAAD(id int64) []byte { return []byte("printer-job:" + strconv.FormatInt(id, 10)) }

func (p PrintJobs) now() int64 { return p.s.opt.Clock().UnixMilli() }

// Recover marks jobs left printing by a stopped kiosk as failed with reason
// [jobs.ReasonInterrupted] and returns them, in one transaction.
func (p PrintJobs) Recover(ctx context.Context) ([]jobs.Job, error) {
	var out []jobs.Job
	err := p.s.update(ctx, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx, `SELECT id, kind, state, reason, done, total, created, updated FROM printer_jobs WHERE state = 'printing' ORDER BY id`)
		if err != nil {
			return fmt.Errorf("jobs: list interrupted jobs: %w", err)
		}
		if out, err = scanJobs(rows); err != nil {
			return fmt.Errorf("jobs: list interrupted jobs: %w", err)
		}
		if _, err := tx.exec(`UPDATE printer_jobs SET state = 'failed', reason = ?, updated = ? WHERE state = 'printing'`,
			jobs.ReasonInterrupted, p.now()); err != nil {
			return fmt.Errorf("jobs: mark interrupted jobs: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].State, out[i].Reason = jobs.Failed, jobs.ReasonInterrupted
	}
	return out, nil
}

// Add records a queued job of total printable bytes with its content,
// sealed.
func (p PrintJobs) Add(ctx context.Context, kind string, content []byte, total int) (int64, error) {
	var id int64
	err := p.s.update(ctx, func(tx *Tx) error {
		now := p.now()
		res, err := tx.exec(`INSERT INTO printer_jobs (kind, state, total, created, updated) VALUES (?, 'queued', ?, ?, ?)`,
			kind, total, now, now)
		if err != nil {
			return fmt.Errorf("jobs: add: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("jobs: add: %w", err)
		}
		keyID, sealed, err := p.s.keys.Seal(jobAAD(id), content)
		if err != nil {
			return fmt.Errorf("jobs: seal job %d: %w", id, err)
		}
		if _, err := tx.exec(`UPDATE printer_jobs SET key_id = ?, content = ? WHERE id = ?`, keyID, sealed, id); err != nil {
			return fmt.Errorf("jobs: add: %w", err)
		}
		return nil
	})
	return id, err
}

func (p PrintJobs) set(ctx context.Context, id int64, q string, args ...any) error {
	args = append(args, p.now(), id)
	return p.s.update(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE printer_jobs SET `+q+`, updated = ? WHERE id = ?`, args...)
		if err != nil {
			return fmt.Errorf("jobs: update job %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("jobs: no job %d", id)
		}
		return nil
	})
}

// Start marks a job as printing (also for a reprint of a failed job).
func (p PrintJobs) Start(ctx context.Context, id int64) error {
	return p.set(ctx, id, `state = 'printing', reason = '', done = 0`)
}

// Progress records how many bytes the printer has confirmed.
func (p PrintJobs) Progress(ctx context.Context, id int64, done int) error {
	return p.set(ctx, id, `done = ?`, done)
}

// Finish marks a job done and drops its content.
func (p PrintJobs) Finish(ctx context.Context, id int64) error {
	return p.set(ctx, id, `state = 'done', done = total, key_id = '', content = NULL`)
}

// Fail marks a job failed, keeping its content for a reprint.
func (p PrintJobs) Fail(ctx context.Context, id int64, reason string, done int) error {
	return p.set(ctx, id, `state = 'failed', reason = ?, done = ?`, reason, done)
}

// Discard drops a failed job's content once it will not be reprinted.
func (p PrintJobs) Discard(ctx context.Context, id int64) error {
	return p.set(ctx, id, `key_id = '', content = NULL`)
}

// Get reads one job.
func (p PrintJobs) Get(ctx context.Context, id int64) (jobs.Job, error) {
	js, err := p.list(ctx, `id = ?`, id)
	if err != nil {
		return jobs.Job{}, err
	}
	if len(js) == 0 {
		return jobs.Job{}, fmt.Errorf("jobs: no job %d", id)
	}
	return js[0], nil
}

// Failed lists failed jobs that can still be printed again, oldest first.
func (p PrintJobs) Failed(ctx context.Context) ([]jobs.Job, error) {
	return p.list(ctx, `state = 'failed' AND content IS NOT NULL`)
}

func (p PrintJobs) list(ctx context.Context, where string, args ...any) ([]jobs.Job, error) {
	rows, err := p.s.r.QueryContext(ctx, `SELECT id, kind, state, reason, done, total, created, updated FROM printer_jobs WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, p.s.fault(fmt.Errorf("jobs: list: %w", err))
	}
	out, err := scanJobs(rows)
	if err != nil {
		return nil, p.s.fault(fmt.Errorf("jobs: list: %w", err))
	}
	return out, nil
}

type rowScanner interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

func scanJobs(rows rowScanner) ([]jobs.Job, error) {
	defer rows.Close()
	var out []jobs.Job
	for rows.Next() {
		var j jobs.Job
		var c, u int64
		if err := rows.Scan(&j.ID, &j.Kind, &j.State, &j.Reason, &j.Done, &j.Total, &c, &u); err != nil {
			return nil, err
		}
		j.Created, j.Updated = time.UnixMilli(c), time.UnixMilli(u)
		out = append(out, j)
	}
	return out, rows.Err()
}

// Content unseals a job's stored bytes for a reprint.
func (p PrintJobs) Content(ctx context.Context, id int64) ([]byte, error) {
	var keyID string
	var sealed []byte
	err := p.s.r.QueryRowContext(ctx, `SELECT key_id, content FROM printer_jobs WHERE id = ?`, id).Scan(&keyID, &sealed)
	if err != nil {
		return nil, p.s.fault(fmt.Errorf("jobs: read job %d: %w", id, err))
	}
	if sealed == nil {
		return nil, fmt.Errorf("jobs: job %d has no content left (done or discarded); generate the document again", id)
	}
	plain, err := p.s.keys.Open(keyID, jobAAD(id), sealed)
	if err != nil {
		return nil, fmt.Errorf("jobs: unseal job %d: %w", id, err)
	}
	return plain, nil
}

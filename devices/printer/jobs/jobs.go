// Package jobs prints a job and records its fate in a journal, so that a
// job cut short — by paper running out or by a power cut — is known
// afterwards and can be printed again. The journal is durable storage that
// the kiosk provides (kiosk/store); this package holds what a job is, how
// its bytes are serialised, and how a print run moves it between states.
//
// A receipt can carry a name or an ID number, so the journal keeps the
// job's bytes sealed and drops them as soon as the job is done; only failed
// jobs keep them, for the reprint.
package jobs

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/absher-kiosk/kiosk/devices/printer"
	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
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

// Job is a journal entry.
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

// Journal keeps jobs durably: the kiosk's store is one. It seals the
// content it keeps and drops it when a job is finished or discarded.
type Journal interface {
	Add(ctx context.Context, kind string, content []byte, total int) (int64, error)
	Start(ctx context.Context, id int64) error
	Progress(ctx context.Context, id int64, done int) error
	Finish(ctx context.Context, id int64) error
	Fail(ctx context.Context, id int64, reason string, done int) error
	Discard(ctx context.Context, id int64) error
	Get(ctx context.Context, id int64) (Job, error)
	Failed(ctx context.Context) ([]Job, error)
	Recover(ctx context.Context) ([]Job, error)
	Content(ctx context.Context, id int64) ([]byte, error)
}

// Store records print jobs in a Journal and prints them.
type Store struct {
	Journal
}

// New returns a Store keeping its jobs in j.
func New(j Journal) *Store { return &Store{Journal: j} }

// Add records a queued job with its bytes.
func (s *Store) Add(ctx context.Context, kind string, data escpos.Encoded) (int64, error) {
	return s.Journal.Add(ctx, kind, MarshalEncoded(data), len(data.Bytes))
}

// Content reads a job's bytes back for a reprint.
func (s *Store) Content(ctx context.Context, id int64) (escpos.Encoded, error) {
	b, err := s.Journal.Content(ctx, id)
	if err != nil {
		return escpos.Encoded{}, err
	}
	return UnmarshalEncoded(b)
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

package receipt

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/devices/printer"
	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"github.com/absher-kiosk/kiosk/devices/printer/jobs"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// Source is the centre's list of the person's documents; sync/client's
// Client serves it. Its errors reach the flow as they are, so a source
// that should read as "centre unreachable" wraps domain.ErrUnreachable.
type Source interface {
	Documents(ctx context.Context, token string) (*api.DocumentList, error)
}

// Paper prints a laid-out document. kind labels the job ("receipt" or a
// document kind) and never carries personal data.
type Paper interface {
	Print(ctx context.Context, kind string, doc escpos.Doc) error
	CanPrint() bool
}

// Desk is the print counter of the kiosk: it gives the flow the person's
// document list and prints documents and receipts. It satisfies
// flow.DocumentCentre, flow.DocumentPrinter and flow.Printer.
type Desk struct {
	Source  Source
	Paper   Paper
	Profile escpos.Profile
}

var (
	_ flow.DocumentCentre  = (*Desk)(nil)
	_ flow.DocumentPrinter = (*Desk)(nil)
	_ flow.Printer         = (*Desk)(nil)
)

// ErrNotListed is a document the centre no longer lists for the person.
var ErrNotListed = errors.New("receipt: the centre no longer lists this document; choose again from the list")

// Documents lists the printable documents, leaving out kinds the kiosk
// has no layout for rather than offering something it cannot print.
func (d *Desk) Documents(ctx context.Context, token string) ([]domain.DocumentInfo, error) {
	list, err := d.Source.Documents(ctx, token)
	if err != nil {
		return nil, fmt.Errorf("receipt: list documents: %w", err)
	}
	var out []domain.DocumentInfo
	for _, doc := range list.Documents {
		if !Printable(doc.Kind) {
			continue
		}
		out = append(out, domain.DocumentInfo{ID: doc.ID, Kind: doc.Kind, TitleAR: doc.TitleAR, TitleEN: doc.TitleEN, IssuedAt: doc.IssuedAt})
	}
	return out, nil
}

// CanPrint is the printer's last known state.
func (d *Desk) CanPrint() bool { return d.Paper.CanPrint() }

// PrintDocument fetches the document afresh (the flow keeps none of its
// content) and prints it in lang with its verification QR code.
func (d *Desk) PrintDocument(ctx context.Context, token, lang, id string) error {
	list, err := d.Source.Documents(ctx, token)
	if err != nil {
		return fmt.Errorf("receipt: fetch document: %w", err)
	}
	for _, doc := range list.Documents {
		if doc.ID != id {
			continue
		}
		laid, err := Document(lang, doc, d.Profile)
		if err != nil {
			return err
		}
		return d.Paper.Print(ctx, doc.Kind, laid)
	}
	return ErrNotListed
}

// Print prints the receipt of a finished service.
func (d *Desk) Print(ctx context.Context, r flow.Receipt) error {
	var laid escpos.Doc
	var err error
	if r.Service == domain.UpdateMobile {
		laid, err = UpdateMobile(r.Lang, Mobile{IDNumber: r.MaskedID, Mobile: r.MaskedMobile, Reference: r.Reference, Time: r.Time, Done: r.Done}, d.Profile)
	} else {
		var s Summary
		if s, err = serviceSummary(r); err == nil {
			laid, err = ServiceReceipt(r.Lang, s, d.Profile)
		}
	}
	if err != nil {
		return err
	}
	return d.Paper.Print(ctx, "receipt", laid)
}

// JobPaper prints through the driver and records every job in the
// kiosk's job store, so a job cut short is known and can be reprinted.
type JobPaper struct {
	p    *printer.Printer
	jobs *jobs.Store

	mu   sync.Mutex
	last printer.Status
	stop func()
}

// NewJobPaper asks the printer for its status once and then follows what
// the driver publishes (its poller and every job).
func NewJobPaper(ctx context.Context, p *printer.Printer, j *jobs.Store) *JobPaper {
	o := &JobPaper{p: p, jobs: j, last: printer.Status{NoAnswer: true}}
	o.stop = p.Subscribe(o.seen)
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if s, err := p.Status(cctx); err == nil {
		o.seen(s)
	}
	return o
}

func (o *JobPaper) seen(s printer.Status) {
	o.mu.Lock()
	o.last = s
	o.mu.Unlock()
}

// Close stops following the driver's status.
func (o *JobPaper) Close() { o.stop() }

// CanPrint is false when the last status said no paper, cover open, no
// answer or an error; paper near end still prints.
func (o *JobPaper) CanPrint() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last.CanPrint()
}

// Print encodes doc for the printer's profile, stores the job sealed and
// runs it. A failure keeps the job for a reprint offer.
func (o *JobPaper) Print(ctx context.Context, kind string, doc escpos.Doc) error {
	enc, err := o.p.Encode(doc)
	if err != nil {
		return fmt.Errorf("receipt: encode %s: %w", kind, err)
	}
	id, err := o.jobs.Add(ctx, kind, enc)
	if err != nil {
		return fmt.Errorf("receipt: record %s job: %w", kind, err)
	}
	if err := o.jobs.Run(ctx, o.p, id); err != nil {
		return fmt.Errorf("receipt: print %s (job %d): %w", kind, id, err)
	}
	return nil
}

package flow

import (
	"context"
	"errors"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
)

// Steps of Print a document: after identification the person's printable
// documents are listed from the centre, one is chosen and printed.
const (
	StepDocuments   Step = "documents"    // loading, then the list
	StepDocPrinting Step = "doc_printing" // the chosen document on its way to paper
)

// DocumentCentre lists the identified person's printable documents.
type DocumentCentre interface {
	Documents(ctx context.Context, token string) ([]domain.DocumentInfo, error)
}

// DocumentPrinter prints one of the person's documents, in the visit's
// language, with its verification QR code. CanPrint is the printer's last
// known status: the service is only offered while it is true.
type DocumentPrinter interface {
	CanPrint() bool
	PrintDocument(ctx context.Context, token, lang, id string) error
}

// printDocument is the Print-a-document service. It prints at the kiosk
// and submits nothing, so it has no delivery.
func printDocument() Service {
	return Service{
		ID:    domain.PrintDocument,
		Steps: []Step{StepIdentify, StepDocuments, StepDocPrinting},
		Ready: func(d *Deps) bool {
			return d.DocCentre != nil && d.DocPrinter != nil && d.DocPrinter.CanPrint()
		},
	}
}

// ChooseDocument picks a document from the list by its ID.
type ChooseDocument struct{ ID string }

// docState is the Print-a-document part of the visit's state.
type docState struct {
	docs   []domain.DocumentInfo
	chosen domain.DocumentInfo
}

// menu is the config's menu without the services the kiosk cannot run
// now, so nobody chooses a service only to be told it is unavailable.
func (m *Machine) menu() []ServiceItem {
	var out []ServiceItem
	for _, it := range m.d.Menu {
		if s := m.d.Services[it.ID]; s != nil && s.Ready != nil && !s.Ready(&m.d) {
			continue
		}
		out = append(out, it)
	}
	return out
}

// loadDocuments asks the centre for the list; Retry asks again.
func (m *Machine) loadDocuments() {
	token := string(m.sess.Data.Token)
	m.docs, m.chosen = nil, domain.DocumentInfo{}
	m.retry = m.loadDocuments
	m.run(func(ctx context.Context) func(*Machine) {
		list, err := m.d.DocCentre.Documents(ctx, token)
		return func(m *Machine) {
			switch {
			case err != nil:
				m.problem = problemFor(err)
				if isLocked(err) {
					m.fail(m.problem)
				}
			case len(list) == 0:
				m.problem = &Problem{Code: domain.ProblemNoDocuments}
			default:
				m.problem = nil
				m.docs = list
			}
		}
	})
}

func (m *Machine) onDocuments(ev Event) {
	switch e := ev.(type) {
	case Retry:
		if m.step == StepDocuments && m.problem != nil && m.problem.CanRetry && m.retry != nil {
			m.problem = nil
			m.retry()
		}
	case ChooseDocument:
		if m.step != StepDocuments {
			return
		}
		for _, d := range m.docs {
			if d.ID == e.ID {
				m.printDocument(d)
				return
			}
		}
	case SubmitEntry:
		// "Done" on an empty list ends the visit politely.
		if m.step == StepDocuments && m.problem != nil && m.problem.Code == domain.ProblemNoDocuments {
			m.thankYou(nil)
		}
	}
}

// printDocument checks the printer once more (it may have run out of
// paper while the person read the list) and prints. A failure mid-job is
// reported on the thank-you screen; the job's record is the adapter's.
func (m *Machine) printDocument(d domain.DocumentInfo) {
	if !m.d.DocPrinter.CanPrint() {
		m.problem = &Problem{Code: domain.ProblemDocPrinterDown}
		return
	}
	token, lang := string(m.sess.Data.Token), m.lang
	docs := m.docs
	m.goTo(StepDocPrinting)
	m.docs, m.chosen = docs, d
	m.run(func(ctx context.Context) func(*Machine) {
		err := m.d.DocPrinter.PrintDocument(ctx, token, lang, d.ID)
		return func(m *Machine) {
			switch {
			case err == nil:
				m.thankYou(nil)
			case errors.Is(err, domain.ErrUnreachable), errors.Is(err, context.DeadlineExceeded):
				// The adapter fetches the document before printing; with
				// the centre gone nothing was printed.
				m.thankYou(&Problem{Code: domain.ProblemUnreachable})
			default:
				m.thankYou(&Problem{Code: domain.ProblemPrinterFailed})
			}
		}
	})
}

package flow

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
)

type fakeDocCentre struct {
	errs  []error // returned by successive calls, then the list
	list  []domain.DocumentInfo
	calls int
}

func (f *fakeDocCentre) Documents(ctx context.Context, token string) ([]domain.DocumentInfo, error) {
	f.calls++
	if token != testToken {
		return nil, fmt.Errorf("centre got token %q", token)
	}
	if len(f.errs) > 0 {
		e := f.errs[0]
		f.errs = f.errs[1:]
		if e != nil {
			return nil, e
		}
	}
	return f.list, nil
}

type printed struct{ token, lang, id string }

type fakeDocPrinter struct {
	ready []bool // successive CanPrint answers, then the last one again
	err   error
	jobs  []printed
}

func (p *fakeDocPrinter) CanPrint() bool {
	if len(p.ready) == 0 {
		return true
	}
	r := p.ready[0]
	if len(p.ready) > 1 {
		p.ready = p.ready[1:]
	}
	return r
}

func (p *fakeDocPrinter) PrintDocument(ctx context.Context, token, lang, id string) error {
	p.jobs = append(p.jobs, printed{token, lang, id})
	return p.err
}

var twoDocs = []domain.DocumentInfo{
	{ID: "exit_reentry_visa:4401928371", Kind: "exit_reentry_visa", TitleAR: "تأشيرة خروج وعودة", TitleEN: "Exit/re-entry visa"},
	{ID: "traffic_violations", Kind: "traffic_violation_statement", TitleAR: "بيان المخالفات المرورية", TitleEN: "Traffic violation statement"},
}

// docRig is the flow rig with the Print-a-document parts fitted.
func docRig(t *testing.T, c *fakeDocCentre, p *fakeDocPrinter) *rig {
	return newRig(t, func(d *Deps, r *rig) {
		d.DocCentre, d.DocPrinter = c, p
		d.Menu = append(d.Menu, ServiceItem{ID: domain.PrintDocument, Enabled: true})
	})
}

// toDocuments walks to the list: language, ID, menu, fingerprint.
func toDocuments(r *rig, lang string) {
	r.t.Helper()
	r.send(Start{}, ChooseLanguage{lang})
	r.typeIn(testID)
	r.send(ChooseService{domain.PrintDocument})
	r.want(StepFingerprint)
	r.send(Capture{})
}

func TestPrintDocument(t *testing.T) {
	for _, lang := range []string{"ar", "en"} {
		t.Run(lang, bubble(func(t *testing.T) {
			c, p := &fakeDocCentre{list: twoDocs}, &fakeDocPrinter{}
			r := docRig(t, c, p)
			toDocuments(r, lang)
			r.want(StepDocuments)
			v := r.m.View()
			if !reflect.DeepEqual(v.Documents, twoDocs) || v.Problem != nil || v.Busy {
				t.Fatalf("list view %+v", v)
			}
			r.hold = true
			r.send(ChooseDocument{twoDocs[1].ID})
			v = r.m.View()
			if v.Step != StepDocPrinting || !v.Busy || v.Document != twoDocs[1] {
				t.Fatalf("printing view %+v", v)
			}
			r.flush()
			r.want(StepThankYou)
			r.wantProblem("")
			if want := []printed{{testToken, lang, twoDocs[1].ID}}; !reflect.DeepEqual(p.jobs, want) {
				t.Fatalf("printed %+v, want %+v", p.jobs, want)
			}
			r.wantWiped()
			r.wantSteps(StepLanguage, StepIDEntry, StepMenu, StepIdentify, StepFingerprint, StepDocuments, StepDocPrinting, StepThankYou)
			r.advance(8 * time.Second)
			r.want(StepAttract)
		}))
	}
}

func TestPrintDocumentProblems(t *testing.T) {
	cases := []struct {
		name    string
		centre  *fakeDocCentre
		printer *fakeDocPrinter
		do      func(r *rig)
		step    Step
		problem domain.ProblemCode
		jobs    int
	}{
		{name: "centre unreachable, then retry", centre: &fakeDocCentre{errs: []error{fmt.Errorf("list: %w", domain.ErrUnreachable)}, list: twoDocs},
			printer: &fakeDocPrinter{}, step: StepThankYou, jobs: 1,
			do: func(r *rig) {
				r.wantProblem(domain.ProblemUnreachable)
				if !r.m.View().Problem.CanRetry {
					r.t.Fatal("unreachable centre without Retry")
				}
				r.send(ChooseDocument{twoDocs[0].ID}) // nothing listed yet
				r.want(StepDocuments)
				r.send(Retry{})
				r.wantProblem("")
				r.send(ChooseDocument{twoDocs[0].ID})
			}},
		{name: "centre too slow", centre: &fakeDocCentre{errs: []error{context.DeadlineExceeded}}, printer: &fakeDocPrinter{},
			step: StepDocuments, problem: domain.ProblemUnreachable, do: func(r *rig) {}},
		{name: "centre refuses", centre: &fakeDocCentre{errs: []error{&domain.Refusal{Code: "session_expired"}}}, printer: &fakeDocPrinter{},
			step: StepDocuments, problem: "session_expired", do: func(r *rig) {}},
		{name: "centre locks", centre: &fakeDocCentre{errs: []error{&domain.Refusal{Code: domain.ProblemLocked, RetryAfter: time.Hour}}}, printer: &fakeDocPrinter{},
			step: StepError, problem: domain.ProblemLocked, do: func(r *rig) {}},
		{name: "unexpected error", centre: &fakeDocCentre{errs: []error{errors.New("bad json")}}, printer: &fakeDocPrinter{},
			step: StepDocuments, problem: domain.ProblemUnexpected, do: func(r *rig) {}},
		{name: "no documents", centre: &fakeDocCentre{}, printer: &fakeDocPrinter{}, step: StepThankYou,
			do: func(r *rig) {
				r.wantProblem(domain.ProblemNoDocuments)
				if r.m.View().Problem.CanRetry {
					r.t.Fatal("an empty list offers Retry")
				}
				r.send(Retry{})
				r.want(StepDocuments)
				r.wantProblem(domain.ProblemNoDocuments)
				r.send(SubmitEntry{})
			}},
		{name: "unknown document", centre: &fakeDocCentre{list: twoDocs}, printer: &fakeDocPrinter{}, step: StepDocuments,
			do: func(r *rig) { r.send(ChooseDocument{"passport_scan"}) }},
		{name: "printer fails mid-job", centre: &fakeDocCentre{list: twoDocs},
			printer: &fakeDocPrinter{err: errors.New("printer: paper-out after 4096 of 19491 bytes")},
			step:    StepThankYou, problem: domain.ProblemPrinterFailed, jobs: 1,
			do: func(r *rig) { r.send(ChooseDocument{twoDocs[0].ID}) }},
		{name: "document fetch unreachable", centre: &fakeDocCentre{list: twoDocs},
			printer: &fakeDocPrinter{err: fmt.Errorf("fetch document: %w", domain.ErrUnreachable)},
			step:    StepThankYou, problem: domain.ProblemUnreachable, jobs: 1,
			do: func(r *rig) { r.send(ChooseDocument{twoDocs[0].ID}) }},
		{name: "paper ran out while choosing", centre: &fakeDocCentre{list: twoDocs},
			printer: &fakeDocPrinter{ready: []bool{true, true, false}}, // menu view, choice, then at printing
			step:    StepDocuments, problem: domain.ProblemDocPrinterDown,
			do: func(r *rig) { r.send(ChooseDocument{twoDocs[0].ID}) }},
	}
	for _, c := range cases {
		t.Run(c.name, bubble(func(t *testing.T) {
			r := docRig(t, c.centre, c.printer)
			toDocuments(r, "en")
			c.do(r)
			r.want(c.step)
			r.wantProblem(c.problem)
			if len(c.printer.jobs) != c.jobs {
				t.Fatalf("%d print jobs, want %d", len(c.printer.jobs), c.jobs)
			}
			if c.step == StepThankYou || c.step == StepError {
				r.wantWiped()
			}
		}))
	}
}

// TestPrintDocumentOffered: the service is on the menu only with a list
// source and a printer that can print.
func TestPrintDocumentOffered(t *testing.T) {
	cases := []struct {
		name    string
		centre  DocumentCentre
		printer DocumentPrinter
		offered bool
	}{
		{"ready", &fakeDocCentre{}, &fakeDocPrinter{}, true},
		{"printer cannot print", &fakeDocCentre{}, &fakeDocPrinter{ready: []bool{false}}, false},
		{"no printer", &fakeDocCentre{}, nil, false},
		{"no centre", nil, &fakeDocPrinter{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, bubble(func(t *testing.T) {
			r := newRig(t, func(d *Deps, r *rig) {
				d.DocCentre, d.DocPrinter = c.centre, c.printer
				d.Menu = append(d.Menu, ServiceItem{ID: domain.PrintDocument, Enabled: true})
			})
			r.send(Start{}, ChooseLanguage{"en"})
			r.typeIn(testID)
			r.want(StepMenu)
			var ids []domain.ServiceID
			for _, s := range r.m.View().Services {
				ids = append(ids, s.ID)
			}
			want := []domain.ServiceID{"update_mobile", "renew_iqama"}
			if c.offered {
				want = append(want, domain.PrintDocument)
			}
			if !reflect.DeepEqual(ids, want) {
				t.Fatalf("menu %v, want %v", ids, want)
			}
			r.send(ChooseService{domain.PrintDocument})
			if c.offered {
				r.want(StepFingerprint)
				return
			}
			r.want(StepMenu)
			r.wantProblem(domain.ProblemServiceUnavailable)
		}))
	}
}

// TestPrintDocumentCancelAtEachStep ends the visit while the list loads,
// while it shows and while the document prints; late answers are dropped.
func TestPrintDocumentCancelAtEachStep(t *testing.T) {
	at := map[string]func(r *rig){
		"loading": func(r *rig) {
			r.send(Start{}, ChooseLanguage{"en"})
			r.typeIn(testID)
			r.send(ChooseService{domain.PrintDocument})
			r.hold = true
			r.send(Capture{})
			op := r.pending[0] // the fingerprint check; its answer starts the list call
			r.pending = r.pending[1:]
			op()
			r.want(StepDocuments)
			if !r.m.View().Busy || len(r.pending) != 1 {
				r.t.Fatalf("list call not pending: busy %v, %d pending", r.m.View().Busy, len(r.pending))
			}
		},
		"list": func(r *rig) { toDocuments(r, "en"); r.want(StepDocuments) },
		"printing": func(r *rig) {
			toDocuments(r, "en")
			r.hold = true
			r.send(ChooseDocument{twoDocs[0].ID})
			r.want(StepDocPrinting)
		},
	}
	ends := map[string]func(r *rig){
		"cancel":  func(r *rig) { r.send(Cancel{}) },
		"timeout": func(r *rig) { r.send(Timeout{}) },
		"idle": func(r *rig) {
			r.advance(45 * time.Second)
			r.advance(20 * time.Second)
		},
	}
	for where, walk := range at {
		for how, end := range ends {
			t.Run(where+"/"+how, bubble(func(t *testing.T) {
				c, p := &fakeDocCentre{list: twoDocs}, &fakeDocPrinter{}
				r := docRig(t, c, p)
				walk(r)
				r.hold = true
				end(r)
				r.want(StepAttract)
				r.wantWiped()
				r.flush()
				r.want(StepAttract)
				r.wantWiped()
				if v := r.m.View(); v.Documents != nil || v.Document != (domain.DocumentInfo{}) {
					t.Fatalf("documents survive the visit: %+v", v)
				}
			}))
		}
	}
}

package flow

import (
	"context"
	"fmt"
	"image"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/session"
)

const (
	testID     = "1000000008"
	testMobile = "0512345678"
	testName   = "Fatimah Alharbi"
	testToken  = "tok-51f0c2"
	testRef    = "ver-77aa"
)

// fakeCentre answers from per-call functions; nil means the happy answer.
type fakeCentre struct {
	start      func() (domain.Verification, error)
	finger     func(n int, pos int) (domain.FingerResult, error)
	password   func() (domain.CodeSent, error)
	code       func(code string) (domain.Identified, error)
	resend     func() (domain.CodeSent, error)
	mobileCode func() (domain.CodeSent, error)
	fingers    []int
	record     []byte
}

func (f *fakeCentre) StartVerification(ctx context.Context, id string) (domain.Verification, error) {
	if id != testID {
		return domain.Verification{}, fmt.Errorf("centre got id %q", id)
	}
	if f.start != nil {
		return f.start()
	}
	return domain.Verification{Ref: testRef, FingersEnrolled: true, HasAccount: true}, nil
}

func (f *fakeCentre) VerifyFinger(ctx context.Context, ref string, rec []byte, pos int) (domain.FingerResult, error) {
	f.fingers = append(f.fingers, pos)
	f.record = rec
	if ref != testRef {
		return domain.FingerResult{}, fmt.Errorf("bad ref %q", ref)
	}
	if f.finger != nil {
		return f.finger(len(f.fingers), pos)
	}
	return domain.FingerResult{Matched: true, Identified: domain.Identified{Token: testToken, Name: testName}}, nil
}

func (f *fakeCentre) VerifyPassword(ctx context.Context, ref, pw string) (domain.CodeSent, error) {
	if f.password != nil {
		return f.password()
	}
	if pw != "Secret#1" {
		return domain.CodeSent{}, &domain.Refusal{Code: "password_wrong"}
	}
	return domain.CodeSent{MaskedMobile: "*********4321"}, nil
}

func (f *fakeCentre) VerifyCode(ctx context.Context, ref, code string) (domain.Identified, error) {
	if f.code != nil {
		return f.code(code)
	}
	if code != "2468" {
		return domain.Identified{}, &domain.Refusal{Code: domain.ProblemCodeWrong}
	}
	return domain.Identified{Token: testToken, Name: testName}, nil
}

func (f *fakeCentre) ResendCode(ctx context.Context, ref string) (domain.CodeSent, error) {
	if f.resend != nil {
		return f.resend()
	}
	return domain.CodeSent{MaskedMobile: "*********4321"}, nil
}

func (f *fakeCentre) RequestMobileCode(ctx context.Context, token, mobile string) (domain.CodeSent, error) {
	if token != testToken || mobile != "+966512345678" {
		return domain.CodeSent{}, fmt.Errorf("centre got token %q mobile %q", token, mobile)
	}
	if f.mobileCode != nil {
		return f.mobileCode()
	}
	return domain.CodeSent{}, nil
}

func (f *fakeCentre) ResendMobileCode(ctx context.Context, token, mobile string) (domain.CodeSent, error) {
	return f.ResendCode(ctx, token)
}

type fakeScanner struct {
	usable bool
	err    []error // returned by successive captures, then success
	images []*image.Gray
}

func (s *fakeScanner) Usable() bool { return s.usable }
func (s *fakeScanner) Capture(ctx context.Context) (ScanImage, error) {
	if len(s.err) > 0 {
		e := s.err[0]
		s.err = s.err[1:]
		if e != nil {
			return ScanImage{}, e
		}
	}
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = 0x5A
	}
	s.images = append(s.images, img)
	return ScanImage{Image: img, DPI: 500}, nil
}

type fakePrinter struct {
	err      error
	receipts []Receipt
}

func (p *fakePrinter) Print(ctx context.Context, r Receipt) error {
	p.receipts = append(p.receipts, r)
	return p.err
}

type fakeSubmitter struct {
	errs []error
	ack  domain.Ack
	txns []domain.Txn
}

func (s *fakeSubmitter) Submit(ctx context.Context, t domain.Txn) (domain.Ack, error) {
	s.txns = append(s.txns, t)
	if len(s.errs) > 0 {
		e := s.errs[0]
		s.errs = s.errs[1:]
		if e != nil {
			return domain.Ack{}, e
		}
	}
	return s.ack, nil
}

// rig drives a machine with fakes. Long operations wait in pending until
// the rig runs them, so tests can act while one is under way.
//
// The machine's timers come from the time package. A test that moves time
// runs the rig inside a testing/synctest bubble (see [bubble]) and calls
// advance; the walks through the real centre, which need TLS on loopback,
// run outside one and never wait on a timer. Timer callbacks run on their
// own goroutines, so what they reach in the rig is kept under mu.
type rig struct {
	t       *testing.T
	m       *Machine
	centre  *fakeCentre
	scanner *fakeScanner
	printer *fakePrinter
	sub     *fakeSubmitter
	hold    bool

	mu      sync.Mutex
	pending []func()
	steps   []Step
	probs   []domain.ProblemCode
	views   []View
}

// bubble runs a test body in a synctest bubble, so that the machine's
// timers follow a fake clock that moves only when the test calls advance.
func bubble(f func(t *testing.T)) func(t *testing.T) {
	return func(t *testing.T) { synctest.Test(t, f) }
}

// advance lets d of fake time pass and waits until the timer callbacks due
// by then have run. Only inside a bubble.
func (r *rig) advance(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

func newRig(t *testing.T, opts ...func(*Deps, *rig)) *rig {
	r := &rig{t: t,
		centre: &fakeCentre{}, scanner: &fakeScanner{usable: true}, printer: &fakePrinter{},
		sub: &fakeSubmitter{ack: domain.Ack{Done: true, Reference: "K-7F3A9C"}}}
	keys := 0
	d := Deps{
		Centre: r.centre, Scanner: r.scanner, Printer: r.printer, Submitter: r.sub,
		EncodeRecord: func(img *image.Gray, dpi, pos int) ([]byte, error) {
			return []byte{'F', 'I', 'R', 0, byte(pos), img.Pix[0]}, nil
		},
		Timing:   session.FromSeconds(45, 20),
		Services: Services(),
		Menu:     []ServiceItem{{ID: "update_mobile", Enabled: true}, {ID: "renew_iqama", Enabled: false}},
		NewKey:   func() string { keys++; return fmt.Sprintf("key-%d", keys) },
		Go:       func(f func()) { r.mu.Lock(); r.pending = append(r.pending, f); r.mu.Unlock() },
	}
	for _, o := range opts {
		o(&d, r)
	}
	r.m = New(d)
	r.m.Subscribe(func(v View) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.views = append(r.views, v)
		if len(r.steps) == 0 || r.steps[len(r.steps)-1] != v.Step {
			r.steps = append(r.steps, v.Step)
		}
		if v.Problem != nil && (len(r.probs) == 0 || r.probs[len(r.probs)-1] != v.Problem.Code) {
			r.probs = append(r.probs, v.Problem.Code)
		}
	})
	return r
}

func noPrinter(d *Deps, r *rig) { d.Printer = nil }
func noScanner(d *Deps, r *rig) { d.Scanner = nil }

// send delivers events, then runs the operations they started unless the
// rig holds them.
func (r *rig) send(evs ...Event) {
	r.t.Helper()
	for _, ev := range evs {
		r.m.Send(ev)
		if !r.hold {
			r.flush()
		}
	}
}

func (r *rig) flush() {
	for {
		r.mu.Lock()
		if len(r.pending) == 0 {
			r.mu.Unlock()
			return
		}
		f := r.pending[0]
		r.pending = r.pending[1:]
		r.mu.Unlock()
		f()
	}
}

func (r *rig) typeIn(s string) {
	r.send(Clear{})
	for _, c := range s {
		r.send(Key{c})
	}
	r.send(SubmitEntry{})
}

func (r *rig) want(s Step) {
	r.t.Helper()
	if got := r.m.View().Step; got != s {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.t.Fatalf("at %s, want %s (steps %v, problems %v)", got, s, r.steps, r.probs)
	}
}

func (r *rig) wantProblem(code domain.ProblemCode) {
	r.t.Helper()
	p := r.m.View().Problem
	if code == "" && p != nil || code != "" && (p == nil || p.Code != code) {
		r.t.Fatalf("problem %+v, want %q (step %s)", p, code, r.m.View().Step)
	}
}

func (r *rig) wantSteps(want ...Step) {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if !reflect.DeepEqual(r.steps, want) {
		r.t.Fatalf("steps\n got %v\nwant %v", r.steps, want)
	}
}

// wantWiped checks that the visit left nothing personal behind: not in the
// session, not in the current view, and not in any captured pixel buffer.
func (r *rig) wantWiped() {
	r.t.Helper()
	if !reflect.ValueOf(r.m.Session().Data).IsZero() {
		r.t.Fatalf("session not empty after the visit: %+v", r.m.Session().Data)
	}
	// The data is read before View takes the machine's lock, so that a
	// timer's later wipe (under the same lock) is ordered after the read.
	data := r.m.Session().Data
	dump := fmt.Sprintf("%+v %#v", data, r.m.View())
	for _, s := range []string{testID, "512345678", testName, testToken, testRef, "Secret", "2468", "1234"} {
		if strings.Contains(dump, s) {
			r.t.Fatalf("%q remains after the visit: %s", s, dump)
		}
	}
	for _, img := range r.scanner.images {
		for _, p := range img.Pix {
			if p != 0 {
				r.t.Fatal("a fingerprint image was dropped without being zeroed")
			}
		}
	}
}

// walk drives the happy path from the attract screen until step s.
func (r *rig) walk(s Step) {
	r.t.Helper()
	path := []struct {
		at Step
		do func()
	}{
		{StepAttract, func() { r.send(Start{}) }},
		{StepLanguage, func() { r.send(ChooseLanguage{"en"}) }},
		{StepIDEntry, func() { r.typeIn(testID) }},
		{StepMenu, func() { r.send(ChooseService{"update_mobile"}) }},
		{StepFingerprint, func() { r.send(Capture{}) }},
		{StepMobileEntry, func() { r.typeIn(testMobile) }},
		{StepMobileCode, func() { r.typeIn("1234") }},
		{StepResult, func() { r.send(SubmitEntry{}) }},
		{StepReceiptOffer, func() { r.send(AcceptReceipt{}) }},
	}
	hold := r.hold
	r.hold = true
	defer func() { r.hold = hold }()
	for _, p := range path {
		if r.m.View().Step == s {
			return
		}
		r.want(p.at)
		p.do()
		if r.m.View().Step == s {
			return // a busy step stops with its operation pending
		}
		r.flush()
	}
	r.want(s)
}

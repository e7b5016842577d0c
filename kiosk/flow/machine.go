package flow

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/kiosk/session"
	"github.com/google/uuid"
)

// Deps are the parts a machine works with. Centre, Submitter and Services
// are required; Scanner, EncodeRecord and Printer may be nil when not
// fitted.
type Deps struct {
	Centre       Centre
	Scanner      Scanner
	EncodeRecord EncodeRecord
	Printer      Printer
	DocCentre    DocumentCentre  // nil: Print a document is not offered
	DocPrinter   DocumentPrinter // nil: Print a document is not offered
	Catalogue    CatalogueCentre // nil: the catalogue services are not offered
	Submitter    Submitter
	Timing       session.Timing // zero: 45 s idle, 20 s warning
	Services     Catalogue      // the services this machine can run (flow.Services())
	Menu         []ServiceItem  // the menu, from config
	// Optional knobs; zero values take the defaults in parentheses.
	FingerTries int           // (3)
	CodeTries   int           // (3)
	MaxResends  int           // (3)
	ResendWait  time.Duration // (60 s) when the centre does not say
	ThanksFor   time.Duration // (8 s) on the thank-you screen
	NewKey      func() string // (uuid) idempotency keys
	Go          func(func())  // (go statement) runs long operations
}

// Machine is one kiosk's flow. State changes happen one event at a time;
// Send may be called from any goroutine.
type Machine struct {
	d    Deps
	sess *session.Session

	mu       sync.Mutex
	queue    []Event
	draining bool
	subs     []func(View)
	last     View

	opGen int
	state
}

// state is the visit's non-personal progress; finish resets it whole.
type state struct {
	step     Step
	lang     string
	svc      *Service
	svcAt    int
	problem  *Problem
	busy     bool
	ctx      context.Context
	cancel   context.CancelFunc
	retry    func()
	warning  bool
	warnEnds time.Time
	tick     *time.Timer
	thanks   *time.Timer

	revealed                   bool // the person asked to see the typed password
	finger, triesLeft          int
	hasAccount, canFinger      bool
	resendAt                   time.Time
	resendsLeft, codeTriesLeft int
	key, reference             string
	done, received             bool
	receipt                    Receipt
	docState
	catalogueState
}

// internal events carry results of long operations and timers back into
// the machine; they never count as user activity.
type internal interface{ internal() }

type opDone struct {
	gen int
	fn  func(m *Machine)
}
type tickEv struct{}
type warnEv struct{ left time.Duration }
type thanksOver struct{}

func (opDone) internal()     {}
func (tickEv) internal()     {}
func (warnEv) internal()     {}
func (thanksOver) internal() {}

// New makes a machine showing the attract screen.
func New(d Deps) *Machine {
	if d.FingerTries <= 0 {
		d.FingerTries = 3
	}
	if d.CodeTries <= 0 {
		d.CodeTries = 3
	}
	if d.MaxResends <= 0 {
		d.MaxResends = 3
	}
	if d.ResendWait <= 0 {
		d.ResendWait = 60 * time.Second
	}
	if d.ThanksFor <= 0 {
		d.ThanksFor = 8 * time.Second
	}
	if d.NewKey == nil {
		d.NewKey = uuid.NewString
	}
	if d.Go == nil {
		d.Go = func(f func()) { go f() }
	}
	m := &Machine{d: d, state: state{step: StepAttract, lang: "ar"}}
	m.sess = session.New(d.Timing,
		func(left time.Duration) { m.Send(warnEv{left}) },
		func() { m.Send(Timeout{}) })
	m.last = m.viewLocked()
	return m
}

// Session exposes the session, for the wipe checks of the UI's tests.
func (m *Machine) Session() *session.Session { return m.sess }

// View is the current screen.
func (m *Machine) View() View {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.viewLocked()
}

// Subscribe registers f for every change of View. f runs on whichever
// goroutine caused the change, without the machine's lock held.
func (m *Machine) Subscribe(f func(View)) {
	m.mu.Lock()
	m.subs = append(m.subs, f)
	m.mu.Unlock()
}

// Send hands the machine one event. Events are handled in order; an event
// sent while another is being handled (from a subscriber or a finishing
// operation) waits its turn instead of re-entering.
func (m *Machine) Send(ev Event) {
	m.mu.Lock()
	m.queue = append(m.queue, ev)
	if m.draining {
		m.mu.Unlock()
		return
	}
	m.draining = true
	for len(m.queue) > 0 {
		e := m.queue[0]
		m.queue = m.queue[1:]
		m.handle(e)
		v := m.viewLocked()
		if reflect.DeepEqual(v, m.last) {
			continue
		}
		m.last = v
		subs := append([]func(View){}, m.subs...)
		m.mu.Unlock()
		for _, f := range subs {
			f(v)
		}
		m.mu.Lock()
	}
	m.draining = false
	m.mu.Unlock()
}

func (m *Machine) viewLocked() View {
	d := &m.sess.Data
	v := View{
		Step:           m.step,
		Lang:           m.lang,
		Problem:        m.problem,
		Busy:           m.busy,
		PrinterPresent: m.d.Printer != nil,
		Reference:      m.reference,
		Done:           m.done,
		Received:       m.received,
		MaskedMobile:   string(d.MaskedMobile),
		Name:           string(d.Name),
		Entry:          string(d.Entry),
		MaxEntry:       maxEntry(m.step),
		EntryPlaces:    entryPlaces(m.step),
		IdleWarning:    m.warning,
		CanFallback:    m.hasAccount && (m.step == StepFingerprint || m.step == StepIdentify),
	}
	if m.svc != nil {
		v.Service = m.svc.ID
	}
	if m.warning {
		v.IdleLeft = max(m.warnEnds.Sub(time.Now()), 0)
	}
	switch m.step {
	case StepMenu:
		v.Services = m.menu()
	case StepFingerprint:
		v.Finger, v.TriesLeft = m.finger, m.triesLeft
	case StepFallbackPassword:
		// The password shows as dots unless the person asks to see it; the
		// screens offer that on this step only.
		v.CanReveal, v.Revealed = true, m.revealed
		if !m.revealed {
			v.Entry = strings.Repeat("•", len([]rune(v.Entry)))
		}
	case StepFallbackCode, StepMobileCode:
		v.ResendsLeft, v.CodeTriesLeft = m.resendsLeft, m.codeTriesLeft
		v.ResendIn = max(m.resendAt.Sub(time.Now()), 0)
	case StepDocuments:
		v.Documents = append([]domain.DocumentInfo(nil), m.docs...)
	case StepDocPrinting:
		v.Document = m.chosen
	}
	m.catalogueView(&v)
	return v
}

// entryPlaces is the usual length of the field being typed: what the
// screen draws places for before anything is typed. A mobile number's
// places are its local form, 05XXXXXXXX, which most people type; the
// international forms are longer and the line grows with them.
func entryPlaces(s Step) int {
	if s == StepMobileEntry {
		return 10
	}
	return maxEntry(s)
}

func maxEntry(s Step) int {
	switch s {
	case StepIDEntry:
		return 10
	case StepMobileEntry:
		// The longest form a digits-only keypad can type: 009665XXXXXXXX.
		return 14
	case StepFallbackPassword:
		return 64
	case StepFallbackCode, StepMobileCode:
		return 6
	}
	return 0
}

func (m *Machine) handle(ev Event) {
	if _, ok := ev.(internal); !ok && m.step != StepAttract {
		m.sess.Touch()
		m.warning = false
	}
	switch e := ev.(type) {
	case opDone:
		if e.gen == m.opGen && m.busy {
			m.busy = false
			e.fn(m)
		}
		return
	case tickEv:
		m.tick = nil
		m.scheduleTick()
		return
	case warnEv:
		if m.step != StepAttract {
			// The person may have walked away: a shown password hides
			// again before anyone else reaches the screen.
			m.revealed = false
			m.warning = true
			m.warnEnds = time.Now().Add(e.left)
			m.scheduleTick()
		}
		return
	case thanksOver:
		if m.step == StepThankYou {
			m.finish()
		}
		return
	case Cancel, Timeout:
		if m.step != StepAttract {
			m.finish()
		}
		return
	case MoreTime:
		return // Touch above already gave the time back
	}
	if m.busy {
		return // one operation at a time; Cancel and Timeout still work
	}
	switch m.step {
	case StepAttract:
		if _, ok := ev.(Start); ok {
			m.begin()
		}
	case StepLanguage:
		switch e := ev.(type) {
		case ChooseLanguage:
			if e.Lang == "ar" || e.Lang == "en" {
				m.lang = e.Lang
				m.goTo(StepIDEntry)
			}
		case Back:
			m.finish()
		}
	case StepIDEntry:
		if m.edit(ev, isDigit) {
			return
		}
		switch ev.(type) {
		case SubmitEntry:
			id, err := pii.ParseID(string(m.sess.Data.Entry))
			if err != nil {
				m.refuseInput(err)
				return
			}
			session.Set(&m.sess.Data.ID, []byte(id.Reveal()))
			m.goTo(StepMenu)
		case Back:
			m.goTo(StepLanguage)
		}
	case StepMenu:
		switch e := ev.(type) {
		case ChooseService:
			svc := m.offered(e.ID)
			if svc == nil {
				m.problem = &Problem{Code: domain.ProblemServiceUnavailable, CanRetry: true}
				return
			}
			m.svc, m.svcAt = svc, 0
			m.enter(svc.Steps[0])
		case Back:
			m.goTo(StepIDEntry)
		}
	case StepIdentify:
		m.onIdentify(ev)
	case StepFingerprint:
		m.onFingerprint(ev)
	case StepFallbackPassword:
		m.onPassword(ev)
	case StepFallbackCode, StepMobileCode:
		m.onCode(ev)
	case StepMobileEntry:
		m.onMobile(ev)
	case StepDocuments, StepDocPrinting:
		m.onDocuments(ev)
	case StepSubject, StepOptions, StepEligibility, StepSecondFinger:
		m.onCatalogue(ev)
	case StepSubmitting:
		if _, ok := ev.(Retry); ok && m.retry != nil && m.problem != nil && m.problem.CanRetry {
			m.retry()
		}
	case StepResult:
		if _, ok := ev.(SubmitEntry); ok {
			if m.d.Printer != nil {
				m.goTo(StepReceiptOffer)
			} else {
				m.thankYou(nil)
			}
		}
	case StepReceiptOffer:
		switch ev.(type) {
		case AcceptReceipt:
			m.goTo(StepPrinting)
			r := m.receipt
			m.run(func(ctx context.Context) func(*Machine) {
				err := m.d.Printer.Print(ctx, r)
				return func(m *Machine) {
					if err != nil {
						m.thankYou(&Problem{Code: domain.ProblemPrinterFailed})
						return
					}
					m.thankYou(nil)
				}
			})
		case DeclineReceipt:
			m.thankYou(nil)
		}
	case StepThankYou, StepError:
		switch ev.(type) {
		case SubmitEntry, Retry, Back, Start:
			m.finish()
		}
	}
}

// begin leaves the attract screen: a visit starts, with its own context.
func (m *Machine) begin() {
	m.sess.Begin()
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.goTo(StepLanguage)
}

// finish ends the visit however it ended: operations are cancelled, their
// late results ignored, and the session wiped.
func (m *Machine) finish() {
	if m.cancel != nil {
		m.cancel()
	}
	m.opGen++
	m.sess.Wipe()
	for _, t := range []*time.Timer{m.tick, m.thanks} {
		if t != nil {
			t.Stop()
		}
	}
	m.state = state{step: StepAttract, lang: "ar"}
}

func (m *Machine) goTo(s Step) {
	m.step = s
	m.revealed = false
	m.problem = nil
	m.retry = nil
	clearEntry(m)
}

func clearEntry(m *Machine) { session.Set(&m.sess.Data.Entry, nil) }

// enter runs the step's entry action: steps that talk to the centre start
// their call here.
func (m *Machine) enter(s Step) {
	m.goTo(s)
	switch s {
	case StepIdentify:
		m.startVerification()
	case StepSubmitting:
		m.key = m.d.NewKey()
		m.submit()
	case StepDocuments:
		m.loadDocuments()
	case StepResult:
		m.receipt = Receipt{
			Service:      m.svc.ID,
			MaskedID:     pii.Mask(string(m.sess.Data.ID)),
			MaskedMobile: pii.Mask(string(m.sess.Data.Mobile)),
			Reference:    m.reference,
			Time:         time.Now(),
			Lang:         m.lang,
			Done:         m.done,
			Details:      copyMap(m.details),
		}
		if m.elig != nil {
			m.receipt.FeeSAR = m.elig.FeeSAR
		}
	default:
		m.enterCatalogue(s)
	}
}

// advance moves to the service's next step after the current one.
func (m *Machine) advance() {
	m.svcAt++
	if m.svcAt < len(m.svc.Steps) {
		m.enter(m.svc.Steps[m.svcAt])
	}
}

// identified continues after the step that identified the person.
func (m *Machine) identified(id domain.Identified) {
	session.Set(&m.sess.Data.Token, []byte(id.Token))
	session.Set(&m.sess.Data.Name, []byte(id.Name))
	for i, s := range m.svc.Steps {
		if s == StepIdentify {
			m.svcAt = i
		}
	}
	m.advance()
}

func (m *Machine) thankYou(p *Problem) {
	m.sess.Wipe()
	m.goTo(StepThankYou)
	m.problem = p
	m.receipt = Receipt{}
	m.thanks = time.AfterFunc(m.d.ThanksFor, func() { m.Send(thanksOver{}) })
}

func (m *Machine) fail(p *Problem) {
	m.sess.Wipe()
	m.goTo(StepError)
	m.problem = p
}

func (m *Machine) offered(id domain.ServiceID) *Service {
	for _, it := range m.d.Menu {
		if it.ID == id && it.Enabled {
			if s := m.d.Services[id]; s != nil && (s.Ready == nil || s.Ready(&m.d)) {
				return s
			}
		}
	}
	return nil
}

// run starts a long operation. Its result is applied as an internal event
// only if the machine has not moved on (cancel, timeout, another try).
func (m *Machine) run(op func(ctx context.Context) func(*Machine)) {
	m.opGen++
	gen, ctx := m.opGen, m.ctx
	m.busy = true
	m.d.Go(func() {
		apply := op(ctx)
		m.Send(opDone{gen: gen, fn: apply})
	})
}

// problemFor maps an operation's error to what the user sees.
func problemFor(err error) *Problem {
	var r *domain.Refusal
	var q *QualityError
	switch {
	case errors.Is(err, domain.ErrUnreachable), errors.Is(err, context.DeadlineExceeded):
		return &Problem{Code: domain.ProblemUnreachable, CanRetry: true}
	case errors.As(err, &r):
		return &Problem{Code: r.Code, Lock: r.RetryAfter, CanRetry: r.Code != domain.ProblemLocked}
	case errors.As(err, &q):
		return &Problem{Code: domain.ProblemQuality, Hint: q.Hint, CanRetry: true}
	}
	return &Problem{Code: domain.ProblemUnexpected, CanRetry: true}
}

func isLocked(err error) bool {
	var r *domain.Refusal
	return errors.As(err, &r) && r.Code == domain.ProblemLocked
}

func (m *Machine) refuseInput(err error) {
	var e *pii.Error
	if errors.As(err, &e) {
		m.problem = &Problem{Code: domain.ProblemCode(e.Code), CanRetry: true}
		return
	}
	m.problem = &Problem{Code: domain.ProblemUnexpected, CanRetry: true}
}

// edit applies keypad editing to the current field; it reports whether ev
// was an editing event.
func (m *Machine) edit(ev Event, ok func(rune) bool) bool {
	e := &m.sess.Data.Entry
	switch k := ev.(type) {
	case Key:
		if ok(k.Rune) && len([]rune(string(*e))) < maxEntry(m.step) {
			session.Set(e, append(append([]byte(nil), *e...), string(k.Rune)...))
		}
	case Backspace:
		r := []rune(string(*e))
		if len(r) > 0 {
			session.Set(e, []byte(string(r[:len(r)-1])))
		}
	case Clear:
		clearEntry(m)
	default:
		return false
	}
	m.problem = nil // the user is correcting; the old complaint no longer fits
	return true
}

func isDigit(r rune) bool {
	_, ok := pii.Digit(r)
	return ok
}

func isMobileRune(r rune) bool { return isDigit(r) || r == '+' }

func isPasswordRune(r rune) bool { return r > ' ' && r != 0x7f }

// scheduleTick keeps a one-second tick running while a countdown shows.
func (m *Machine) scheduleTick() {
	counting := m.warning || ((m.step == StepFallbackCode || m.step == StepMobileCode) && time.Now().Before(m.resendAt))
	if m.tick != nil || !counting {
		return
	}
	m.tick = time.AfterFunc(time.Second, func() { m.Send(tickEv{}) })
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

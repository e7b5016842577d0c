package flow

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/kiosk/session"
)

// Steps of the catalogue services (activation, visa extension, exit/re-entry,
// licence renewal, lost passport). They sit between identification and the
// shared submitting/result steps.
const (
	StepSubject      Step = "subject"       // whom the service is for: oneself, a dependent, a hosted visitor
	StepOptions      Step = "options"       // visa type and months, licence years
	StepEligibility  Step = "eligibility"   // the centre's rules: the fee, or every failed rule by name
	StepSecondFinger Step = "second_finger" // activation: a finger of the other hand
)

// ReasonAlreadyIssued is the rules' code for an exit/re-entry visa that is
// issued and unused; the kiosk offers to print or cancel it.
const ReasonAlreadyIssued = "exit_reentry_already_issued"

// Relations a subject can have to the person at the kiosk.
const (
	RelationSelf      = "self"
	RelationDependent = "dependent"
	RelationVisitor   = "visitor"
)

// CatalogueCentre is what the catalogue services need from the centre
// beyond identification. nil in Deps: they are not offered.
type CatalogueCentre interface {
	// Subjects lists the person's dependents and hosted visitors.
	Subjects(ctx context.Context, token string) ([]domain.SubjectInfo, error)
	Eligibility(ctx context.Context, token string, service domain.ServiceID, subjectID string, options map[string]string) (domain.Eligibility, error)
	// RequestActivationCode sends a code to the number an activation will
	// register; resending is the same call.
	RequestActivationCode(ctx context.Context, token, mobile string) (domain.CodeSent, error)
}

// Events of the catalogue steps.
type (
	ChooseSubject  struct{ Index int }          // an entry of CatalogueView.Subjects
	ChooseOption   struct{ Name, Value string } // a value of CatalogueView.Options
	PrintExisting  struct{}                     // print the already issued exit/re-entry visa
	CancelExisting struct{}                     // cancel it, then a new one may be issued
)

// SubjectChoice is one entry of the subject list as the screen shows it.
type SubjectChoice struct {
	Name     string // in the visit's language
	MaskedID string
	Relation string
}

// OptionChoice is one option with the values offered and the one chosen.
type OptionChoice struct {
	Name   string
	Values []string
	Chosen string
}

// CatalogueView is what the catalogue steps add to View.
type CatalogueView struct {
	Subjects         []SubjectChoice
	Options          []OptionChoice
	Subject          SubjectChoice // the one chosen, on later steps
	Checked          bool          // an eligibility answer is shown
	Eligible         bool
	Reasons          []string
	FeeSAR           int
	Details          map[string]string
	Existing         string // an issued exit/re-entry visa that can be printed or cancelled
	CanPrintExisting bool
	Cancelling       bool // the submission cancels Existing
}

// optionSpec is one choice a service asks for; values may depend on
// earlier choices (months depend on the visa type).
type optionSpec struct {
	name   string
	values func(chosen map[string]string) []string
}

type catalogueSpec struct {
	relations []string // who the service can be for, in list order
	options   []optionSpec
}

// exitMonths are the months offered for each exit/re-entry visa type.
func exitMonths(visaType string) []string {
	switch visaType {
	case "single":
		return []string{"1", "2", "3", "6", "12"}
	case "multiple":
		return []string{"3", "6", "12", "24"}
	}
	return nil
}

func catalogueReady(d *Deps) bool { return d.Catalogue != nil }

// The activation proves the person with two fingers, so it needs the
// scanner; without one it is left out of the menu.
func activationReady(d *Deps) bool {
	return d.Catalogue != nil && d.Scanner != nil && d.EncodeRecord != nil && d.Scanner.Usable()
}

// catalogueFields are the submission's fields: subject_id, option.<name>,
// and for activation mobile, code and finger_record (base64).
func catalogueFields(d sessionData) map[string]string {
	out := map[string]string{}
	for k, v := range d.Extra {
		switch {
		case k == extraSubject:
			out["subject_id"] = v
		case strings.HasPrefix(k, "option."):
			out[k] = v
		}
	}
	return out
}

// activationFields add the new mobile, its code and the second finger.
func activationFields(d sessionData) map[string]string {
	out := catalogueFields(d)
	out["mobile"], out["code"] = d.Mobile, d.Code
	out["finger_record"] = base64.StdEncoding.EncodeToString(d.Record)
	return out
}

// mobileCoder is the call that sends a code to a new number: activation
// registers a number, Update Mobile changes one.
func (m *Machine) mobileCoder() func(ctx context.Context, token, mobile string) (domain.CodeSent, error) {
	if m.svc != nil && m.svc.ID == domain.ActivateAbsher && m.d.Catalogue != nil {
		return m.d.Catalogue.RequestActivationCode
	}
	return nil
}

// The catalogue's services. They are decided by the centre's rules while
// the person waits, so they are submitted online.
func activateAbsher() Service {
	return Service{ID: domain.ActivateAbsher, Delivery: domain.Online, Ready: activationReady, Fields: activationFields,
		catalogue: &catalogueSpec{relations: []string{RelationSelf}},
		Steps:     []Step{StepIdentify, StepEligibility, StepSecondFinger, StepMobileEntry, StepMobileCode, StepSubmitting, StepResult}}
}

func visaExtension() Service {
	return Service{ID: domain.VisaExtension, Delivery: domain.Online, Ready: catalogueReady, Fields: catalogueFields,
		catalogue: &catalogueSpec{relations: []string{RelationVisitor}},
		Steps:     []Step{StepIdentify, StepSubject, StepEligibility, StepSubmitting, StepResult}}
}

func exitReentry() Service {
	return Service{ID: domain.ExitReentry, Delivery: domain.Online, Ready: catalogueReady, Fields: catalogueFields,
		catalogue: &catalogueSpec{relations: []string{RelationSelf, RelationDependent}, options: []optionSpec{
			{"visa_type", func(map[string]string) []string { return []string{"single", "multiple"} }},
			{"months", func(c map[string]string) []string { return exitMonths(c["visa_type"]) }},
		}},
		Steps: []Step{StepIdentify, StepSubject, StepOptions, StepEligibility, StepSubmitting, StepResult}}
}

func licenceRenewal() Service {
	return Service{ID: domain.LicenceRenewal, Delivery: domain.Online, Ready: catalogueReady, Fields: catalogueFields,
		catalogue: &catalogueSpec{relations: []string{RelationSelf}, options: []optionSpec{
			{"years", func(map[string]string) []string { return []string{"2", "5", "10"} }},
		}},
		Steps: []Step{StepIdentify, StepOptions, StepEligibility, StepSubmitting, StepResult}}
}

func reportLostPassport() Service {
	return Service{ID: domain.ReportLostPassport, Delivery: domain.Online, Ready: catalogueReady, Fields: catalogueFields,
		catalogue: &catalogueSpec{relations: []string{RelationSelf, RelationDependent}},
		Steps:     []Step{StepIdentify, StepSubject, StepEligibility, StepSubmitting, StepResult}}
}

// Keys of session.Data.Extra: personal values live in the session so the
// wipe zeroes them.
const (
	extraSubjects = "subjects" // JSON []SubjectInfo
	extraSubject  = "subject"  // the chosen subject's ID; absent for oneself
)

// catalogueState is the non-personal part of a catalogue visit.
type catalogueState struct {
	options    map[string]string
	elig       *domain.Eligibility
	existing   string
	cancelling bool
	details    map[string]string // the submission's result
}

func (m *Machine) subjects() []domain.SubjectInfo {
	var list []domain.SubjectInfo
	if b := m.sess.Data.Extra[extraSubjects]; len(b) > 0 {
		json.Unmarshal(b, &list)
	}
	return list
}

func (m *Machine) setExtra(key string, v []byte) {
	if m.sess.Data.Extra == nil {
		m.sess.Data.Extra = map[string][]byte{}
	}
	old := m.sess.Data.Extra[key]
	session.Set(&old, v)
	m.sess.Data.Extra[key] = old
}

func (m *Machine) subjectChoice(s domain.SubjectInfo) SubjectChoice {
	name := s.NameAR
	if m.lang == "en" || name == "" {
		name = s.NameEN
	}
	return SubjectChoice{Name: name, MaskedID: pii.Mask(s.ID), Relation: s.Relation}
}

// catalogueView fills the catalogue part of the view on its steps.
func (m *Machine) catalogueView(v *View) {
	if m.svc == nil || catalogueOf(m.svc) == nil {
		return
	}
	if m.step == StepSecondFinger {
		v.Finger = m.finger
	}
	switch m.step {
	case StepSubject, StepOptions, StepEligibility, StepSecondFinger, StepSubmitting, StepResult:
	default:
		return
	}
	cv := &CatalogueView{Existing: m.existing, Cancelling: m.cancelling}
	list := m.subjects()
	chosen := string(m.sess.Data.Extra[extraSubject])
	for _, s := range list {
		if m.step == StepSubject {
			cv.Subjects = append(cv.Subjects, m.subjectChoice(s))
		}
		if (chosen == "" && s.Relation == RelationSelf) || (chosen != "" && s.ID == chosen) {
			cv.Subject = m.subjectChoice(s)
		}
	}
	if m.step == StepOptions {
		for _, o := range catalogueOf(m.svc).options {
			cv.Options = append(cv.Options, OptionChoice{Name: o.name, Values: o.values(m.options), Chosen: m.options[o.name]})
		}
	}
	if e := m.elig; e != nil && m.step == StepEligibility {
		cv.Checked, cv.Eligible, cv.FeeSAR = true, e.Eligible, e.FeeSAR
		cv.Reasons = append([]string(nil), e.Reasons...)
		cv.Details = copyMap(e.Details)
		cv.CanPrintExisting = m.existing != "" && m.d.DocPrinter != nil && m.d.DocPrinter.CanPrint()
	}
	if m.step == StepResult || m.step == StepSubmitting {
		cv.Details = copyMap(m.details)
		if m.elig != nil {
			cv.FeeSAR = m.elig.FeeSAR
		}
	}
	v.Catalogue = cv
}

func copyMap(in map[string]string) map[string]string {
	if in == nil {
		return nil
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// catalogueOf is what the catalogue steps need of s beyond its step
// table; nil for the services that are not catalogue services.
func catalogueOf(s *Service) *catalogueSpec { return s.catalogue }

// enterCatalogue runs the entry action of a catalogue step; it reports
// whether s was one.
func (m *Machine) enterCatalogue(s Step) bool {
	switch s {
	case StepSubject:
		m.loadSubjects()
	case StepOptions:
		if m.options == nil {
			m.options = map[string]string{}
		}
	case StepEligibility:
		m.checkEligibility()
	case StepSecondFinger:
		m.finger, m.triesLeft = LeftIndex, m.d.FingerTries
	default:
		return false
	}
	return true
}

func (m *Machine) loadSubjects() {
	token := string(m.sess.Data.Token)
	spec := catalogueOf(m.svc)
	m.retry = m.loadSubjects
	m.run(func(ctx context.Context) func(*Machine) {
		list, err := m.d.Catalogue.Subjects(ctx, token)
		return func(m *Machine) {
			if err != nil {
				m.problem = problemFor(err)
				if isLocked(err) {
					m.fail(m.problem)
				}
				return
			}
			var keep []domain.SubjectInfo
			for _, rel := range spec.relations {
				if rel == RelationSelf {
					keep = append(keep, domain.SubjectInfo{Relation: RelationSelf, NameAR: string(m.sess.Data.Name), NameEN: string(m.sess.Data.Name)})
					continue
				}
				for _, s := range list {
					if s.Relation == rel {
						keep = append(keep, s)
					}
				}
			}
			b, _ := json.Marshal(keep)
			m.setExtra(extraSubjects, b)
			clear(b)
			m.problem = nil
			switch len(keep) {
			case 0:
				m.problem = &Problem{Code: domain.ProblemNoSubjects}
			case 1:
				if keep[0].Relation == RelationSelf {
					m.advance() // nobody else to choose: oneself
				}
			}
		}
	})
}

func (m *Machine) checkEligibility() {
	token := string(m.sess.Data.Token)
	subject := string(m.sess.Data.Extra[extraSubject])
	opts := copyMap(m.options)
	svc := m.svc.ID
	m.elig, m.existing = nil, ""
	m.retry = m.checkEligibility
	m.run(func(ctx context.Context) func(*Machine) {
		e, err := m.d.Catalogue.Eligibility(ctx, token, svc, subject, opts)
		return func(m *Machine) {
			if err != nil {
				m.problem = problemFor(err)
				if isLocked(err) {
					m.fail(m.problem)
				}
				return
			}
			m.problem = nil
			m.elig = &e
			for _, r := range e.Reasons {
				if r == ReasonAlreadyIssued {
					m.existing = e.Details["existing_visa"]
				}
			}
			if !e.Eligible {
				m.problem = &Problem{Code: domain.ProblemNotEligible}
			}
		}
	})
}

// onCatalogue handles events on the catalogue steps.
func (m *Machine) onCatalogue(ev Event) {
	switch m.step {
	case StepSubject:
		switch e := ev.(type) {
		case ChooseSubject:
			list := m.subjects()
			if e.Index < 0 || e.Index >= len(list) {
				return
			}
			if list[e.Index].Relation == RelationSelf {
				delete(m.sess.Data.Extra, extraSubject)
			} else {
				m.setExtra(extraSubject, []byte(list[e.Index].ID))
			}
			m.advance()
		case SubmitEntry:
			if m.problem != nil && m.problem.Code == domain.ProblemNoSubjects {
				m.thankYou(nil)
			}
		case Retry:
			m.retryOp()
		}
	case StepOptions:
		switch e := ev.(type) {
		case ChooseOption:
			for i, o := range catalogueOf(m.svc).options {
				for _, v := range o.values(m.options) {
					if o.name == e.Name && v == e.Value {
						m.options[o.name] = v
						m.problem = nil
						// A later option may not fit the new choice.
						for _, later := range catalogueOf(m.svc).options[i+1:] {
							if !contains(later.values(m.options), m.options[later.name]) {
								delete(m.options, later.name)
							}
						}
						return
					}
				}
			}
		case SubmitEntry:
			for _, o := range catalogueOf(m.svc).options {
				if m.options[o.name] == "" {
					m.problem = &Problem{Code: domain.ProblemChooseOption, Hint: o.name, CanRetry: true}
					return
				}
			}
			for k, v := range m.options {
				m.setExtra("option."+k, []byte(v))
			}
			m.advance()
		}
	case StepEligibility:
		switch ev.(type) {
		case SubmitEntry:
			switch {
			case m.elig != nil && m.elig.Eligible:
				m.advance()
			case m.elig != nil:
				m.thankYou(nil) // the reasons were read; nothing to do here
			}
		case Retry:
			m.retryOp()
		case PrintExisting:
			if m.existing != "" && m.d.DocPrinter != nil && m.d.DocPrinter.CanPrint() {
				m.printDocument(domain.DocumentInfo{ID: "exit_reentry_visa:" + m.existing, Kind: "exit_reentry_visa"})
			}
		case CancelExisting:
			if m.existing == "" {
				return
			}
			m.cancelling = true
			for k := range m.sess.Data.Extra {
				if strings.HasPrefix(k, "option.") {
					delete(m.sess.Data.Extra, k)
				}
			}
			m.setExtra("option.action", []byte("cancel"))
			m.setExtra("option.visa", []byte(m.existing))
			m.advance()
		}
	case StepSecondFinger:
		switch ev.(type) {
		case Capture, Retry:
			m.captureSecond()
		}
	}
}

func (m *Machine) retryOp() {
	if m.problem != nil && m.problem.CanRetry && m.retry != nil {
		m.problem = nil
		m.retry()
	}
}

// captureSecond takes the activation's second finger. The centre compares
// it when the activation is submitted; here only the quality gate and the
// scanner can refuse it.
func (m *Machine) captureSecond() {
	if !m.d.Scanner.Usable() {
		m.problem = &Problem{Code: domain.ProblemScannerUnavailable, CanRetry: true}
		return
	}
	m.problem = nil
	pos := m.finger
	m.run(func(ctx context.Context) func(*Machine) {
		img, err := m.d.Scanner.Capture(ctx)
		if err != nil {
			return func(m *Machine) { m.captureFailed(err) }
		}
		rec, err := m.d.EncodeRecord(img.Image, img.DPI, pos)
		return func(m *Machine) {
			m.keepCapture(img, rec)
			if err != nil {
				m.captureFailed(err)
				return
			}
			m.advance()
		}
	})
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func extraText(in map[string][]byte) map[string]string {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		if k != extraSubjects {
			out[k] = string(v)
		}
	}
	return out
}

// Package rules decides whether a person may run a kiosk service, and if not,
// names every rule that stands in the way. It is pure: facts in, answer out,
// with the date injected, so every edge can be tested on any day.
package rules

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/absher-kiosk/kiosk/central/civil"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
)

// Fees and periods. They are the published Saudi amounts; docs/services.md
// gives the sources and the reasoning.
const (
	VisaExtensionFeeSAR   = 100
	VisaExtensionDays     = 90 // default and longest extension, counted from the current expiry
	ExtendDaysBefore      = 7  // earliest: this many days before expiry
	ExtendDaysAfter       = 3  // latest: this many days after expiry
	SingleBaseSAR         = 200
	SingleBaseMonths      = 2
	SingleExtraMonthSAR   = 100
	MultipleBaseSAR       = 500
	MultipleBaseMonths    = 3
	MultipleExtraMonthSAR = 200
	MaxExitReentryMonths  = 24
	LicenceFeePerYearSAR  = 40
	PassportMinMonths     = 3
)

// Input is everything a decision needs. Subject may be left zero for
// services a person runs for themselves; it then means the applicant.
type Input struct {
	Today     civil.Date        // the day in Riyadh, injected
	Applicant people.Person     // who is at the kiosk
	Subject   people.Person     // whom the service is for: oneself, a dependent, or a hosted visitor
	Options   map[string]string // service options, see docs/services.md
}

// Answer is the decision. Reasons is never nil, so it is [] and not null in
// JSON when the person is eligible.
type Answer struct {
	Eligible bool              `json:"eligible"`
	Reasons  []string          `json:"reasons"`
	FeeSAR   int               `json:"fee_sar"`
	Details  map[string]string `json:"details,omitempty"`
}

// ErrUnknownService is returned, wrapped, for a service name Check does not know.
var ErrUnknownService = errors.New("unknown service")

// OptionError says which service option was missing or malformed and what
// would have been accepted, so the caller can answer 400 with a useful text.
type OptionError struct {
	Service domain.ServiceID
	Option  string
	Value   string
	Want    string
}

func (e *OptionError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: option %q is required: want %s", e.Service, e.Option, e.Want)
	}
	return fmt.Sprintf("%s: option %q is %q: want %s", e.Service, e.Option, e.Value, e.Want)
}

// Check decides one service for one input. The error is only for an unknown
// service or malformed options; a refusal is an Answer with reasons.
func Check(service domain.ServiceID, in Input) (Answer, error) {
	if in.Subject.ID == "" {
		in.Subject = in.Applicant
	}
	d := &decision{reasons: map[string]bool{}, details: map[string]string{}}
	var err error
	switch service {
	case domain.UpdateMobile:
		checkUpdateMobile(in, d)
	case domain.PrintDocument:
		checkPrintDocument(in, d)
	case domain.ActivateAbsher:
		checkActivate(in, d)
	case domain.VisaExtension:
		err = checkVisaExtension(in, d)
	case domain.ExitReentry:
		err = checkExitReentry(in, d)
	case domain.LicenceRenewal:
		err = checkLicenceRenewal(in, d)
	case domain.ReportLostPassport:
		checkLostPassport(in, d)
	default:
		return Answer{}, fmt.Errorf("rules: %w %q: want one of %v", ErrUnknownService, service, domain.Services())
	}
	if err != nil {
		return Answer{}, err
	}
	return d.answer(), nil
}

type decision struct {
	reasons map[string]bool
	fee     int
	details map[string]string
}

func (d *decision) fail(reason string) { d.reasons[reason] = true }

func (d *decision) answer() Answer {
	a := Answer{Reasons: []string{}, FeeSAR: d.fee}
	for _, r := range reasonOrder {
		if d.reasons[r] {
			a.Reasons = append(a.Reasons, r)
		}
	}
	a.Eligible = len(a.Reasons) == 0
	if len(d.details) > 0 {
		a.Details = d.details
	}
	return a
}

// Visitors never log in at a kiosk: only citizens and residents apply.
func checkApplicant(in Input, d *decision) {
	if in.Applicant.Kind != people.Citizen && in.Applicant.Kind != people.Resident {
		d.fail(ReasonNotCitizenOrResident)
	}
}

// checkSelfOrDependent accepts the applicant themselves or one of their
// registered dependents.
func checkSelfOrDependent(in Input, d *decision) {
	if in.Subject.ID == in.Applicant.ID {
		return
	}
	for _, id := range in.Applicant.DependentIDs {
		if id == in.Subject.ID {
			return
		}
	}
	d.fail(ReasonNotYourDependent)
}

// checkSelf is for services a person can only run for themselves; asking for
// someone else is refused with the dependent reason, the closest the kiosk
// can explain.
func checkSelf(in Input, d *decision) {
	if in.Subject.ID != in.Applicant.ID {
		d.fail(ReasonNotYourDependent)
	}
}

func hasUnpaidFines(p people.Person) bool {
	for _, f := range p.Fines {
		if !f.Paid {
			return true
		}
	}
	return false
}

// feePaid looks for a paid bill of exactly the fee: a bill raised for another
// amount (another visa type or period) is another purchase.
func feePaid(p people.Person, service domain.ServiceID, subjectID string, amount int) bool {
	for _, b := range p.Bills {
		if b.Paid && b.Service == service && b.SubjectID == subjectID && b.AmountSAR == amount {
			return true
		}
	}
	return false
}

// billPaid looks in the applicant's and the subject's bills: the host may pay
// for the visitor or the visitor for themselves.
func billPaid(in Input, service domain.ServiceID, amount int) bool {
	return feePaid(in.Applicant, service, in.Subject.ID, amount) ||
		(in.Subject.ID != in.Applicant.ID && feePaid(in.Subject, service, in.Subject.ID, amount))
}

// Update mobile needs no active Absher account: the fingerprint identifies
// the person, and a person who lost their number is exactly who needs this.
func checkUpdateMobile(in Input, d *decision) {
	checkApplicant(in, d)
	checkSelf(in, d)
}

func checkActivate(in Input, d *decision) {
	checkApplicant(in, d)
	checkSelf(in, d)
	if !in.Applicant.InsideKingdom {
		d.fail(ReasonOutsideKingdom)
	}
	if in.Applicant.AbsherActive {
		d.fail(ReasonAccountAlreadyActive)
	}
	if enrolledPositions(in.Applicant) < 2 {
		d.fail(ReasonNoEnrolledFingerprints)
	}
}

func enrolledPositions(p people.Person) int {
	seen := map[int]bool{}
	for _, f := range p.Fingers {
		seen[f.Position] = true
	}
	return len(seen)
}

func checkLostPassport(in Input, d *decision) {
	checkApplicant(in, d)
	checkSelfOrDependent(in, d)
	switch {
	case in.Subject.Passport == nil:
		d.fail(ReasonNoPassport)
	case in.Subject.Passport.Lost:
		d.fail(ReasonPassportAlreadyReported)
	}
}

func checkPrintDocument(in Input, d *decision) {
	checkApplicant(in, d)
	checkSelfOrDependent(in, d)
	docs := Printable(in.Subject, in.Today)
	if len(docs) == 0 {
		d.fail(ReasonNoPrintableDocuments)
		return
	}
	d.details["documents"] = strings.Join(docs, ",")
}

// Printable lists the documents the kiosk can print for p on today, as
// "kind" or "kind:number": issued exit/re-entry and final exit visas that
// have not expired, the residence card summary for residents, and the
// traffic-violation statement when any fine is recorded.
func Printable(p people.Person, today civil.Date) []string {
	var docs []string
	for _, v := range p.Visas {
		if v.Status != people.VisaIssued || v.Expiry.Before(today) {
			continue
		}
		switch v.Kind {
		case people.ExitReentrySingle, people.ExitReentryMultiple:
			docs = append(docs, "exit_reentry_visa:"+v.Number)
		case people.FinalExit:
			docs = append(docs, "final_exit_visa:"+v.Number)
		}
	}
	if p.Kind == people.Resident {
		docs = append(docs, "residence_card")
	}
	if len(p.Fines) > 0 {
		docs = append(docs, "traffic_violations")
	}
	return docs
}

func optInt(service domain.ServiceID, opts map[string]string, name string, dflt, lo, hi int, required bool) (int, error) {
	v, ok := opts[name]
	want := fmt.Sprintf("a whole number from %d to %d", lo, hi)
	if !ok {
		if required {
			return 0, &OptionError{Service: service, Option: name, Want: want}
		}
		return dflt, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi || strings.HasPrefix(v, "+") {
		return 0, &OptionError{Service: service, Option: name, Value: v, Want: want}
	}
	return n, nil
}

// currentVisitVisa is the visit visa to extend: the issued one that expires
// last, since an older one was replaced by it.
func currentVisitVisa(p people.Person) *people.Visa {
	var cur *people.Visa
	for i := range p.Visas {
		v := &p.Visas[i]
		if v.Kind != people.VisitVisa || v.Status != people.VisaIssued {
			continue
		}
		if cur == nil || v.Expiry.After(cur.Expiry) {
			cur = v
		}
	}
	return cur
}

func checkVisaExtension(in Input, d *decision) error {
	days, err := optInt(domain.VisaExtension, in.Options, "days", VisaExtensionDays, 1, VisaExtensionDays, false)
	if err != nil {
		return err
	}
	d.fee = VisaExtensionFeeSAR
	checkApplicant(in, d)
	v := in.Subject
	if v.Kind != people.Visitor || v.HostID != in.Applicant.ID || v.ID == in.Applicant.ID {
		d.fail(ReasonNotYourVisitor)
	}
	if !v.InsideKingdom {
		d.fail(ReasonVisitorOutsideKingdom)
	}
	visa := currentVisitVisa(v)
	var start, newExpiry civil.Date
	if visa == nil {
		d.fail(ReasonNoVisitVisa)
	} else {
		// Seed 003: "7 days or less remaining before the visa expires" or
		// "expired within the last 3 days", counted in days in Riyadh.
		exp := visa.Expiry
		if in.Today.Before(exp.AddDays(-ExtendDaysBefore)) {
			d.fail(ReasonTooEarlyToExtend)
		}
		if in.Today.After(exp.AddDays(ExtendDaysAfter)) {
			d.fail(ReasonVisaExpiredTooLong)
		}
		// The visa is valid through its expiry day; the extension is the
		// days after it, up to and including the new expiry.
		start, newExpiry = exp.AddDays(1), exp.AddDays(days)
		d.details["visa"] = visa.Number
		d.details["current_expiry"] = exp.String()
		d.details["new_expiry"] = newExpiry.String()
	}
	checkValidPassport(v, in.Today, d)
	if hasUnpaidFines(v) {
		d.fail(ReasonUnpaidTrafficFines)
	}
	switch {
	case v.Insurance == nil:
		d.fail(ReasonNoMedicalInsurance)
	case visa != nil && !covers(*v.Insurance, start, newExpiry):
		d.fail(ReasonInsuranceDoesNotCover)
	}
	if !billPaid(in, domain.VisaExtension, d.fee) {
		d.fail(ReasonFeeUnpaid)
	}
	return nil
}

// covers tells whether the policy is in force on every day from first to
// last. Seed 003 asks for the whole extension to be covered: a policy that
// only reaches the new expiry but starts late leaves the visitor uninsured
// for the first days. A policy with no recorded start is taken to have
// begun before the visa, as every policy recorded so far did.
func covers(ins people.Insurance, first, last civil.Date) bool {
	return !ins.Start.After(first) && !ins.End.Before(last)
}

func checkValidPassport(p people.Person, today civil.Date, d *decision) {
	switch {
	case p.Passport == nil:
		d.fail(ReasonNoPassport)
	case p.Passport.Lost:
		d.fail(ReasonPassportReportedLost)
	case p.Passport.Expiry.Before(today):
		d.fail(ReasonPassportExpired)
	}
}

// ExitReentryFee is the fee of an exit/re-entry visa of the given type and
// number of months (the options must already be valid).
func ExitReentryFee(multiple bool, months int) int {
	if multiple {
		return MultipleBaseSAR + MultipleExtraMonthSAR*max(0, months-MultipleBaseMonths)
	}
	return SingleBaseSAR + SingleExtraMonthSAR*max(0, months-SingleBaseMonths)
}

func checkExitReentry(in Input, d *decision) error {
	var multiple bool
	switch t := in.Options["visa_type"]; t {
	case "single":
	case "multiple":
		multiple = true
	default:
		return &OptionError{Service: domain.ExitReentry, Option: "visa_type", Value: t, Want: `"single" or "multiple"`}
	}
	lo := 1
	if multiple {
		lo = MultipleBaseMonths
	}
	months, err := optInt(domain.ExitReentry, in.Options, "months", 0, lo, MaxExitReentryMonths, true)
	if err != nil {
		return err
	}
	d.fee = ExitReentryFee(multiple, months)
	d.details["months"] = strconv.Itoa(months)
	checkApplicant(in, d)
	checkSelfOrDependent(in, d)
	s := in.Subject
	if s.Kind != people.Resident {
		d.fail(ReasonSubjectNotResident)
	}
	switch {
	case s.Passport == nil:
		d.fail(ReasonNoPassport)
	case s.Passport.Lost:
		d.fail(ReasonPassportReportedLost)
	// Seed 004: valid "for at least 3 months at the time of applying";
	// from 30 November that is through the end of February.
	case s.Passport.Expiry.Before(in.Today.AddMonths(PassportMinMonths)):
		d.fail(ReasonPassportUnder3Months)
	}
	if existing := issuedExitReentry(s, in.Today); existing != nil {
		d.fail(ReasonExitReentryAlreadyIssued)
		d.details["existing_visa"] = existing.Number
	}
	if !billPaid(in, domain.ExitReentry, d.fee) {
		d.fail(ReasonFeeUnpaid)
	}
	return nil
}

// issuedExitReentry is an exit/re-entry visa still in force: issued, neither
// used nor cancelled, and not past its expiry. Several would be a data error;
// the earliest-numbered one is named so the answer is stable.
func issuedExitReentry(p people.Person, today civil.Date) *people.Visa {
	var found []*people.Visa
	for i := range p.Visas {
		v := &p.Visas[i]
		if (v.Kind == people.ExitReentrySingle || v.Kind == people.ExitReentryMultiple) &&
			v.Status == people.VisaIssued && !v.Expiry.Before(today) {
			found = append(found, v)
		}
	}
	if len(found) == 0 {
		return nil
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Number < found[j].Number })
	return found[0]
}

// LicenceFee maps the allowed renewal periods to their fee, SAR 40 a year.
var LicenceFee = map[int]int{2: 80, 5: 200, 10: 400}

func checkLicenceRenewal(in Input, d *decision) error {
	y := in.Options["years"]
	years, err := strconv.Atoi(y)
	fee, ok := LicenceFee[years]
	if err != nil || !ok || strings.HasPrefix(y, "+") {
		return &OptionError{Service: domain.LicenceRenewal, Option: "years", Value: y, Want: `"2", "5" or "10"`}
	}
	d.fee = fee
	checkApplicant(in, d)
	checkSelf(in, d)
	p := in.Applicant
	if p.Licence == nil {
		d.fail(ReasonNoDrivingLicence)
	} else {
		// A licence still in force is renewed from its expiry so no paid time
		// is lost; a lapsed one from today.
		from := p.Licence.Expiry
		if from.Before(in.Today) {
			from = in.Today
		}
		// A licence expiring on 29 February renewed for five years ends on
		// 28 February, not 1 March: the months clamp.
		d.details["new_expiry"] = from.AddYears(years).String()
	}
	if hasUnpaidFines(p) {
		d.fail(ReasonUnpaidTrafficFines)
	}
	if !billPaid(in, domain.LicenceRenewal, d.fee) {
		d.fail(ReasonFeeUnpaid)
	}
	return nil
}

// ExitReentryExpiry is the last day of an exit/re-entry visa of months
// issued today: the same day months later, or the end of a shorter month.
func ExitReentryExpiry(today civil.Date, months int) civil.Date {
	return today.AddMonths(months)
}

package flow

import (
	"context"
	"encoding/base64"
	"reflect"
	"testing"
	"testing/synctest"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/sync/api"
)

const (
	visitorID   = "3104413392"
	dependentID = "2760025748"
)

// fakeCatalogue answers eligibility from a table keyed by service; a nil
// entry is eligible.
type fakeCatalogue struct {
	subjects []domain.SubjectInfo
	subErr   error
	answers  map[domain.ServiceID]domain.Eligibility
	eligErr  []error
	asked    []eligAsk
	codes    []string // mobiles an activation code went to
}

type eligAsk struct {
	service domain.ServiceID
	subject string
	options map[string]string
}

func (f *fakeCatalogue) Subjects(ctx context.Context, token string) ([]domain.SubjectInfo, error) {
	if token != testToken {
		return nil, &domain.Refusal{Code: "session_expired"}
	}
	return f.subjects, f.subErr
}

func (f *fakeCatalogue) Eligibility(ctx context.Context, token string, service domain.ServiceID, subject string, opts map[string]string) (domain.Eligibility, error) {
	f.asked = append(f.asked, eligAsk{service, subject, opts})
	if len(f.eligErr) > 0 {
		e := f.eligErr[0]
		f.eligErr = f.eligErr[1:]
		if e != nil {
			return domain.Eligibility{}, e
		}
	}
	if a, ok := f.answers[service]; ok {
		return a, nil
	}
	return domain.Eligibility{Eligible: true, Reasons: []string{}}, nil
}

func (f *fakeCatalogue) RequestActivationCode(ctx context.Context, token, mobile string) (domain.CodeSent, error) {
	f.codes = append(f.codes, mobile)
	return domain.CodeSent{MaskedMobile: "*********5678"}, nil
}

var family = []domain.SubjectInfo{
	{ID: visitorID, NameAR: "ضيف", NameEN: "Guest Visitor", Relation: RelationVisitor},
	{ID: dependentID, NameAR: "زوجة", NameEN: "Wife Dependent", Relation: RelationDependent},
}

func catRig(t *testing.T, c *fakeCatalogue, opts ...func(*Deps, *rig)) *rig {
	all := append([]func(*Deps, *rig){func(d *Deps, r *rig) {
		d.Catalogue = c
		for _, s := range []domain.ServiceID{domain.ActivateAbsher, domain.VisaExtension, domain.ExitReentry, domain.LicenceRenewal, domain.ReportLostPassport} {
			d.Menu = append(d.Menu, ServiceItem{ID: s, Enabled: true})
		}
	}}, opts...)
	return newRig(t, all...)
}

func toService(r *rig, lang string, service domain.ServiceID) {
	r.t.Helper()
	r.send(Start{}, ChooseLanguage{lang})
	r.typeIn(testID)
	r.send(ChooseService{service})
	r.want(StepFingerprint)
	r.send(Capture{})
}

func TestVisaExtensionSuccess(t *testing.T) {
	for _, lang := range []string{"ar", "en"} {
		t.Run(lang, bubble(func(t *testing.T) {
			c := &fakeCatalogue{subjects: family, answers: map[domain.ServiceID]domain.Eligibility{
				"visa_extension": {Eligible: true, Reasons: []string{}, FeeSAR: 100, Details: map[string]string{"new_expiry": "2026-06-05"}}}}
			r := catRig(t, c)
			r.sub.ack = domain.Ack{Done: true, Reference: "S-1A2B", Details: map[string]string{"new_expiry": "2026-06-05", "visa": "V1"}}
			toService(r, lang, "visa_extension")
			r.want(StepSubject)
			v := r.m.View()
			wantName := map[string]string{"ar": "ضيف", "en": "Guest Visitor"}[lang]
			if len(v.Catalogue.Subjects) != 1 || v.Catalogue.Subjects[0].Name != wantName || v.Catalogue.Subjects[0].MaskedID != "******3392" {
				t.Fatalf("visitors offered: %+v", v.Catalogue.Subjects)
			}
			r.send(ChooseSubject{5}) // out of range: ignored
			r.want(StepSubject)
			r.send(ChooseSubject{0})
			r.want(StepEligibility)
			v = r.m.View()
			if !v.Catalogue.Checked || !v.Catalogue.Eligible || v.Catalogue.FeeSAR != 100 || v.Catalogue.Details["new_expiry"] != "2026-06-05" || v.Catalogue.Subject.MaskedID != "******3392" {
				t.Fatalf("eligibility view %+v", v.Catalogue)
			}
			if want := (eligAsk{"visa_extension", visitorID, nil}); !reflect.DeepEqual(c.asked, []eligAsk{want}) {
				t.Fatalf("asked %+v", c.asked)
			}
			r.send(SubmitEntry{})
			r.want(StepResult)
			if got := r.m.View().Catalogue.Details["new_expiry"]; got != "2026-06-05" {
				t.Fatalf("result shows new expiry %q", got)
			}
			tx := r.sub.txns[0]
			if tx.Kind != "visa_extension" || tx.Delivery != domain.Online || tx.Token != testToken || !reflect.DeepEqual(tx.Fields, map[string]string{"subject_id": visitorID}) {
				t.Fatalf("submitted %+v", tx)
			}
			r.send(SubmitEntry{}, AcceptReceipt{})
			rc := r.printer.receipts[0]
			if rc.Details["new_expiry"] != "2026-06-05" || rc.FeeSAR != 100 || rc.Reference != "S-1A2B" || rc.Lang != lang {
				t.Fatalf("receipt %+v", rc)
			}
			r.want(StepThankYou)
			r.wantWiped()
			r.wantSteps(StepLanguage, StepIDEntry, StepMenu, StepIdentify, StepFingerprint, StepSubject, StepEligibility, StepSubmitting, StepResult, StepReceiptOffer, StepPrinting, StepThankYou)
		}))
	}
}

// TestEveryRefusalIsShownByName: whatever rules the centre names, the
// eligibility screen lists them all, in order, in both languages, and
// nothing is submitted.
func TestEveryRefusalIsShownByName(t *testing.T) {
	cases := []struct {
		service domain.ServiceID
		reasons []string
	}{
		{"visa_extension", []string{"too_early_to_extend"}},
		{"visa_extension", []string{"visa_expired_too_long"}},
		{"visa_extension", []string{"insurance_does_not_cover_extension"}},
		{"visa_extension", []string{"visitor_outside_kingdom", "no_visit_visa", "passport_expired", "unpaid_traffic_fines", "no_medical_insurance", "fee_unpaid"}},
		{"visa_extension", []string{"not_your_visitor", "no_passport", "passport_reported_lost"}},
		{"exit_reentry", []string{"passport_validity_under_3_months"}},
		{"exit_reentry", []string{"subject_not_resident", "not_your_dependent", "fee_unpaid"}},
		{"licence_renewal", []string{"no_driving_licence", "unpaid_traffic_fines", "fee_unpaid"}},
		{"report_lost_passport", []string{"passport_already_reported"}},
		{"report_lost_passport", []string{"no_passport"}},
		{"activate_absher", []string{"account_already_active"}},
		{"activate_absher", []string{"not_citizen_or_resident", "outside_kingdom", "no_enrolled_fingerprints"}},
	}
	for _, lang := range []string{"ar", "en"} {
		for _, c := range cases {
			t.Run(lang+"/"+string(c.service)+"/"+c.reasons[0], bubble(func(t *testing.T) {
				cat := &fakeCatalogue{subjects: family, answers: map[domain.ServiceID]domain.Eligibility{c.service: {Reasons: c.reasons, FeeSAR: 200}}}
				r := catRig(t, cat)
				toService(r, lang, c.service)
				switch c.service {
				case "visa_extension", "exit_reentry", "report_lost_passport":
					r.want(StepSubject)
					r.send(ChooseSubject{0})
				}
				if c.service == "exit_reentry" || c.service == "licence_renewal" {
					r.want(StepOptions)
					o := r.m.View().Catalogue.Options
					r.send(ChooseOption{o[0].Name, o[0].Values[0]})
					if len(o) > 1 {
						o = r.m.View().Catalogue.Options
						r.send(ChooseOption{o[1].Name, o[1].Values[0]})
					}
					r.send(SubmitEntry{})
				}
				r.want(StepEligibility)
				v := r.m.View()
				if v.Lang != lang || v.Catalogue.Eligible || !reflect.DeepEqual(v.Catalogue.Reasons, c.reasons) || v.Catalogue.FeeSAR != 200 {
					t.Fatalf("refusal view %+v", v.Catalogue)
				}
				r.wantProblem(domain.ProblemNotEligible)
				r.send(SubmitEntry{})
				r.want(StepThankYou)
				if len(r.sub.txns) != 0 {
					t.Fatalf("a refused service was submitted: %+v", r.sub.txns)
				}
				r.wantWiped()
			}))
		}
	}
}

func TestExitReentryOptionsAndFields(t *testing.T) { synctest.Test(t, testExitReentryOptionsAndFields) }

func testExitReentryOptionsAndFields(t *testing.T) {
	c := &fakeCatalogue{subjects: family, answers: map[domain.ServiceID]domain.Eligibility{"exit_reentry": {Eligible: true, Reasons: []string{}, FeeSAR: 1100}}}
	r := catRig(t, c)
	toService(r, "en", "exit_reentry")
	r.want(StepSubject)
	v := r.m.View()
	if len(v.Catalogue.Subjects) != 2 || v.Catalogue.Subjects[0].Relation != RelationSelf || v.Catalogue.Subjects[0].Name != testName || v.Catalogue.Subjects[1].Relation != RelationDependent {
		t.Fatalf("exit/re-entry subjects: %+v", v.Catalogue.Subjects)
	}
	r.send(ChooseSubject{1})
	r.want(StepOptions)
	r.send(SubmitEntry{})
	r.wantProblem(domain.ProblemChooseOption)
	r.send(ChooseOption{"visa_type", "single"}, ChooseOption{"months", "2"})
	r.send(ChooseOption{"visa_type", "multiple"})
	if o := r.m.View().Catalogue.Options[1]; o.Chosen != "" || !reflect.DeepEqual(o.Values, []string{"3", "6", "12", "24"}) {
		t.Fatalf("months after switching to multiple: %+v", o)
	}
	r.send(ChooseOption{"months", "2"}) // not offered for multiple
	if r.m.View().Catalogue.Options[1].Chosen != "" {
		t.Fatal("an option value not offered was taken")
	}
	r.send(ChooseOption{"months", "6"}, SubmitEntry{})
	r.want(StepEligibility)
	if want := (eligAsk{"exit_reentry", dependentID, map[string]string{"visa_type": "multiple", "months": "6"}}); !reflect.DeepEqual(c.asked[0], want) {
		t.Fatalf("asked %+v", c.asked)
	}
	r.send(SubmitEntry{})
	r.want(StepResult)
	want := map[string]string{"subject_id": dependentID, "option.visa_type": "multiple", "option.months": "6"}
	if !reflect.DeepEqual(r.sub.txns[0].Fields, want) {
		t.Fatalf("fields %+v", r.sub.txns[0].Fields)
	}
}

func TestExitReentryAlreadyIssuedPrintOrCancel(t *testing.T) {
	issued := domain.Eligibility{Reasons: []string{ReasonAlreadyIssued}, FeeSAR: 200, Details: map[string]string{"existing_visa": "ER1"}}
	walk := func(r *rig) {
		toService(r, "ar", "exit_reentry")
		r.send(ChooseSubject{0}, ChooseOption{"visa_type", "single"}, ChooseOption{"months", "2"}, SubmitEntry{})
		r.want(StepEligibility)
	}
	t.Run("cancel", bubble(func(t *testing.T) {
		r := catRig(t, &fakeCatalogue{subjects: family, answers: map[domain.ServiceID]domain.Eligibility{"exit_reentry": issued}})
		walk(r)
		if v := r.m.View().Catalogue; v.Existing != "ER1" || v.CanPrintExisting {
			t.Fatalf("without a document printer: %+v", v)
		}
		r.send(PrintExisting{}) // no document printer: nothing happens
		r.want(StepEligibility)
		r.send(CancelExisting{})
		r.want(StepResult)
		if want := map[string]string{"option.action": "cancel", "option.visa": "ER1"}; !reflect.DeepEqual(r.sub.txns[0].Fields, want) {
			t.Fatalf("cancel fields %+v", r.sub.txns[0].Fields)
		}
		if !r.m.View().Catalogue.Cancelling {
			t.Fatal("result does not say it cancelled")
		}
	}))
	t.Run("print", bubble(func(t *testing.T) {
		p := &fakeDocPrinter{}
		r := catRig(t, &fakeCatalogue{subjects: family, answers: map[domain.ServiceID]domain.Eligibility{"exit_reentry": issued}}, func(d *Deps, r *rig) {
			d.DocCentre, d.DocPrinter = &fakeDocCentre{}, p
		})
		walk(r)
		if !r.m.View().Catalogue.CanPrintExisting {
			t.Fatal("print not offered with a document printer")
		}
		r.send(PrintExisting{})
		r.want(StepThankYou)
		if want := []printed{{testToken, "ar", "exit_reentry_visa:ER1"}}; !reflect.DeepEqual(p.jobs, want) {
			t.Fatalf("printed %+v", p.jobs)
		}
		r.wantWiped()
	}))
}

func TestLicenceAndLostPassport(t *testing.T) { synctest.Test(t, testLicenceAndLostPassport) }

func testLicenceAndLostPassport(t *testing.T) {
	c := &fakeCatalogue{subjects: family}
	r := catRig(t, c)
	r.sub.ack = domain.Ack{Done: true, Reference: "S-9", Details: map[string]string{"new_expiry": "2031-03-21"}}
	toService(r, "en", "licence_renewal")
	r.want(StepOptions)
	if o := r.m.View().Catalogue.Options; len(o) != 1 || !reflect.DeepEqual(o[0].Values, []string{"2", "5", "10"}) {
		t.Fatalf("licence options %+v", o)
	}
	r.send(ChooseOption{"years", "3"}, SubmitEntry{})
	r.wantProblem(domain.ProblemChooseOption)
	r.send(ChooseOption{"years", "10"}, SubmitEntry{}, SubmitEntry{})
	r.want(StepResult)
	if want := map[string]string{"option.years": "10"}; !reflect.DeepEqual(r.sub.txns[0].Fields, want) {
		t.Fatalf("licence fields %+v", r.sub.txns[0].Fields)
	}

	// Lost passport for oneself: the first entry of the list.
	r = catRig(t, &fakeCatalogue{subjects: family}, noPrinter)
	toService(r, "ar", "report_lost_passport")
	r.want(StepSubject)
	if s := r.m.View().Catalogue.Subjects; len(s) != 2 || s[1].Relation != RelationDependent {
		t.Fatalf("lost passport subjects %+v", s)
	}
	r.send(ChooseSubject{0}, SubmitEntry{})
	r.want(StepResult)
	if len(r.sub.txns[0].Fields) != 0 {
		t.Fatalf("lost passport for oneself sent %+v", r.sub.txns[0].Fields)
	}
	r.send(SubmitEntry{})
	r.want(StepThankYou)
	r.wantWiped()
}

func TestNoVisitorsToExtend(t *testing.T) { synctest.Test(t, testNoVisitorsToExtend) }

func testNoVisitorsToExtend(t *testing.T) {
	r := catRig(t, &fakeCatalogue{subjects: family[1:]})
	toService(r, "en", "visa_extension")
	r.want(StepSubject)
	r.wantProblem(domain.ProblemNoSubjects)
	r.send(SubmitEntry{})
	r.want(StepThankYou)
}

func TestCatalogueUnreachableAndRetry(t *testing.T) {
	synctest.Test(t, testCatalogueUnreachableAndRetry)
}

func testCatalogueUnreachableAndRetry(t *testing.T) {
	c := &fakeCatalogue{subjects: family, subErr: domain.ErrUnreachable}
	r := catRig(t, c)
	toService(r, "en", "visa_extension")
	r.wantProblem(domain.ProblemUnreachable)
	c.subErr = nil
	r.send(Retry{})
	r.wantProblem("")
	c.eligErr = []error{domain.ErrUnreachable}
	r.send(ChooseSubject{0})
	r.want(StepEligibility)
	r.wantProblem(domain.ProblemUnreachable)
	r.send(Retry{})
	if !r.m.View().Catalogue.Eligible {
		t.Fatal("eligibility not asked again")
	}
	r.sub.errs = []error{domain.ErrUnreachable}
	r.send(SubmitEntry{})
	r.want(StepSubmitting)
	r.wantProblem(domain.ProblemUnreachable)
	r.send(Retry{})
	r.want(StepResult)
	if len(r.sub.txns) != 2 || r.sub.txns[0].Key != r.sub.txns[1].Key {
		t.Fatalf("retry changed the idempotency key: %+v", r.sub.txns)
	}
}

func TestActivation(t *testing.T) { synctest.Test(t, testActivation) }

func testActivation(t *testing.T) {
	c := &fakeCatalogue{}
	r := catRig(t, c)
	r.sub.ack = domain.Ack{Done: true, Reference: "S-ACT", Details: map[string]string{"mobile": "*********5678"}}
	toService(r, "ar", "activate_absher")
	r.want(StepEligibility)
	r.send(SubmitEntry{})
	r.want(StepSecondFinger)
	if v := r.m.View(); v.Finger != LeftIndex {
		t.Fatalf("second finger asks for %d", v.Finger)
	}
	r.scanner.err = []error{&QualityError{Hint: "press_harder"}}
	r.send(Capture{})
	r.wantProblem(domain.ProblemQuality)
	r.send(Capture{})
	r.want(StepMobileEntry)
	r.typeIn(testMobile)
	r.want(StepMobileCode)
	if !reflect.DeepEqual(c.codes, []string{"+966512345678"}) {
		t.Fatalf("activation code sent to %v", c.codes)
	}
	r.typeIn("123456")
	r.want(StepResult)
	f := r.sub.txns[0].Fields
	rec, _ := base64.StdEncoding.DecodeString(f["finger_record"])
	if f["mobile"] != "+966512345678" || f["code"] != "123456" || len(rec) != 6 || rec[4] != LeftIndex {
		t.Fatalf("activation fields %+v", f)
	}
	r.send(SubmitEntry{}, DeclineReceipt{})
	r.want(StepThankYou)
	r.wantWiped()
}

func TestActivationNeedsTheScanner(t *testing.T) { synctest.Test(t, testActivationNeedsTheScanner) }

func testActivationNeedsTheScanner(t *testing.T) {
	r := catRig(t, &fakeCatalogue{}, noScanner)
	r.send(Start{}, ChooseLanguage{"en"})
	r.typeIn(testID)
	for _, it := range r.m.View().Services {
		if it.ID == "activate_absher" {
			t.Fatal("activation offered without a scanner")
		}
	}
	r.send(ChooseService{"activate_absher"})
	r.wantProblem(domain.ProblemServiceUnavailable)
	// Without the catalogue centre none of them is offered.
	r = newRig(t, func(d *Deps, r *rig) {
		d.Menu = append(d.Menu, ServiceItem{ID: "licence_renewal", Enabled: true})
	})
	r.send(Start{}, ChooseLanguage{"en"})
	r.typeIn(testID)
	if s := r.m.View().Services; len(s) != 2 {
		t.Fatalf("menu without the catalogue centre: %+v", s)
	}
}

func TestCatalogueCancelAtEachStep(t *testing.T) {
	for _, at := range []Step{StepSubject, StepOptions, StepEligibility} {
		t.Run(string(at), bubble(func(t *testing.T) {
			r := catRig(t, &fakeCatalogue{subjects: family})
			toService(r, "en", "exit_reentry")
			if at != StepSubject {
				r.send(ChooseSubject{1})
			}
			if at == StepEligibility {
				r.send(ChooseOption{"visa_type", "single"}, ChooseOption{"months", "1"}, SubmitEntry{})
			}
			r.want(at)
			r.send(Cancel{})
			r.want(StepAttract)
			r.wantWiped()
		}))
	}
}

// FuzzCatalogueEvents drives the catalogue services with arbitrary event
// sequences, answers and refusals: never a panic, and Cancel always leaves
// an empty session on the attract screen.
func FuzzCatalogueEvents(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
	f.Add([]byte{0, 1, 2, 22, 5, 6, 7, 7, 7, 8, 9, 10})
	services := []domain.ServiceID{"activate_absher", "visa_extension", "exit_reentry", "licence_renewal", "report_lost_passport", ""}
	answers := []domain.Eligibility{
		{Eligible: true, Reasons: []string{}},
		{Reasons: []string{"fee_unpaid"}},
		{Reasons: []string{ReasonAlreadyIssued}, Details: map[string]string{"existing_visa": "ER1"}},
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		c := &fakeCatalogue{subjects: family, answers: map[domain.ServiceID]domain.Eligibility{}}
		r := catRig(t, c, func(d *Deps, r *rig) { d.DocCentre, d.DocPrinter = &fakeDocCentre{}, &fakeDocPrinter{} })
		r.hold = true
		for _, b := range script {
			n := int(b / 16)
			switch b % 16 {
			case 0:
				r.send(Start{}, ChooseLanguage{"en"})
			case 1:
				r.typeIn(testID)
			case 2:
				r.send(ChooseService{services[n%len(services)]})
			case 3:
				r.send(Capture{})
			case 4:
				r.send(ChooseSubject{n%4 - 1})
			case 5:
				r.send(ChooseOption{[]string{"visa_type", "months", "years", "x"}[n%4], []string{"single", "multiple", "2", "6", "10"}[n%5]})
			case 6:
				r.send(SubmitEntry{})
			case 7:
				r.flush()
			case 8:
				r.send(PrintExisting{})
			case 9:
				r.send(CancelExisting{})
			case 10:
				r.send(Retry{})
			case 11:
				r.send(Back{})
			case 12:
				c.eligErr = append(c.eligErr, domain.ErrUnreachable)
			case 13:
				for _, s := range services[:5] {
					c.answers[s] = answers[n%len(answers)]
				}
			case 14:
				r.typeIn(testMobile)
			case 15:
				r.typeIn("123456")
			}
		}
		r.send(Cancel{})
		r.flush()
		if v := r.m.View(); v.Step != StepAttract || v.Busy || v.Problem != nil || v.Catalogue != nil {
			t.Fatalf("after Cancel: %+v", v)
		}
		if len(r.m.Session().Data.Extra) != 0 {
			t.Fatal("catalogue values left in the session")
		}
	})
}

func TestCatalogueMenu(t *testing.T) { synctest.Test(t, testCatalogueMenu) }

func testCatalogueMenu(t *testing.T) {
	cfg := []api.ServiceEntry{
		{ID: "licence_renewal", Enabled: true, Order: 3, Icon: "car"},
		{ID: "visa_extension", Enabled: false, Order: 1, Icon: "visa"},
		{ID: "teleport", Enabled: true, Order: 0, Icon: "x"},
		{ID: "update_mobile", Enabled: true, Order: 2, Icon: "phone"},
		{ID: "report_lost_passport", Enabled: true, Order: 3, Icon: "passport"},
	}
	got := Services().Menu(cfg)
	want := []ServiceItem{{"visa_extension", false, "visa"}, {"update_mobile", true, "phone"}, {"licence_renewal", true, "car"}, {"report_lost_passport", true, "passport"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("menu %+v", got)
	}
	// Every service of the default config is known to the engine.
	def := api.DefaultConfig().Services
	if got := Services().Menu(def); len(got) != len(def) {
		t.Fatalf("default config menu %+v", got)
	}
	// A disabled service cannot be chosen.
	r := catRig(t, &fakeCatalogue{subjects: family}, func(d *Deps, r *rig) { d.Menu = d.Services.Menu(cfg) })
	r.send(Start{}, ChooseLanguage{"en"})
	r.typeIn(testID)
	r.send(ChooseService{"visa_extension"})
	r.wantProblem(domain.ProblemServiceUnavailable)
	r.send(ChooseService{"licence_renewal"})
	r.want(StepFingerprint)
}

package rules

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central/civil"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
)

var today = civil.New(2026, 11, 23)

func day(offset int) civil.Date { return today.AddDays(offset) }

func host() people.Person {
	return people.Person{
		ID: "1000000008", Kind: people.Citizen, InsideKingdom: true,
		AbsherActive: true, PasswordHash: "x",
		Fingers:      []people.Finger{{Position: people.RightIndex, Seed: 1}, {Position: people.LeftIndex, Seed: 2}},
		DependentIDs: []string{"2000000007"},
		Passport:     &people.Passport{Number: "A1", Expiry: day(2000)},
		Licence:      &people.Licence{Number: "L1", Expiry: day(30)},
		Bills: []people.Bill{
			{Number: "B1", Service: domain.LicenceRenewal, SubjectID: "1000000008", AmountSAR: 200, Paid: true},
		},
	}
}

func visitor() people.Person {
	return people.Person{
		ID: "3000000005", Kind: people.Visitor, HostID: "1000000008", InsideKingdom: true,
		Passport:  &people.Passport{Number: "V1", Expiry: day(400)},
		Visas:     []people.Visa{{Number: "VV1", Kind: people.VisitVisa, Status: people.VisaIssued, Expiry: day(5)}},
		Insurance: &people.Insurance{Provider: "Tawuniya", End: day(5 + 90)},
		Bills:     []people.Bill{{Number: "B2", Service: domain.VisaExtension, SubjectID: "3000000005", AmountSAR: VisaExtensionFeeSAR, Paid: true}},
	}
}

func resident() people.Person {
	return people.Person{
		ID: "2000000007", Kind: people.Resident, InsideKingdom: true,
		DependentIDs: []string{"2000000015"},
		Passport:     &people.Passport{Number: "R1", Expiry: today.AddMonths(3)},
		Bills:        []people.Bill{{Number: "B3", Service: domain.ExitReentry, SubjectID: "2000000007", AmountSAR: 200, Paid: true}},
	}
}

type tcase struct {
	name    string
	service domain.ServiceID
	in      func() Input
	want    []string // nil: eligible
	fee     int
	details map[string]string
}

func run(t *testing.T, cases []tcase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := Check(c.service, c.in())
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			want := c.want
			if want == nil {
				want = []string{}
			}
			if !reflect.DeepEqual(a.Reasons, want) {
				t.Errorf("reasons = %q, want %q", a.Reasons, want)
			}
			if a.Eligible != (len(want) == 0) {
				t.Errorf("eligible = %v with reasons %q", a.Eligible, a.Reasons)
			}
			if a.FeeSAR != c.fee {
				t.Errorf("fee = %d, want %d", a.FeeSAR, c.fee)
			}
			for k, v := range c.details {
				if a.Details[k] != v {
					t.Errorf("details[%q] = %q, want %q", k, a.Details[k], v)
				}
			}
		})
	}
}

func extIn(mod func(v *people.Person, h *people.Person)) func() Input {
	return func() Input {
		h, v := host(), visitor()
		if mod != nil {
			mod(&v, &h)
		}
		return Input{Today: today, Applicant: h, Subject: v}
	}
}

func setVisaExpiry(offset int) func(v, h *people.Person) {
	return func(v, h *people.Person) {
		v.Visas[0].Expiry = day(offset)
		v.Insurance.End = day(offset + 90)
	}
}

func TestVisaExtension(t *testing.T) {
	run(t, []tcase{
		{name: "5 days before expiry, all in order", service: domain.VisaExtension, in: extIn(nil), fee: 100,
			details: map[string]string{"new_expiry": "2027-02-26", "current_expiry": "2026-11-28", "visa": "VV1"}},
		{name: "8 days before expiry is too early", service: domain.VisaExtension, in: extIn(setVisaExpiry(8)), fee: 100,
			want: []string{ReasonTooEarlyToExtend}},
		{name: "7 days before expiry is allowed", service: domain.VisaExtension, in: extIn(setVisaExpiry(7)), fee: 100},
		{name: "expiring today", service: domain.VisaExtension, in: extIn(setVisaExpiry(0)), fee: 100},
		{name: "3 days after expiry is allowed", service: domain.VisaExtension, in: extIn(setVisaExpiry(-3)), fee: 100,
			details: map[string]string{"new_expiry": day(-3 + 90).String()}},
		{name: "4 days after expiry is too late", service: domain.VisaExtension, in: extIn(setVisaExpiry(-4)), fee: 100,
			want: []string{ReasonVisaExpiredTooLong}},
		{name: "insurance ends on the new expiry", service: domain.VisaExtension, in: extIn(nil), fee: 100},
		{name: "insurance ends one day before the new expiry", service: domain.VisaExtension, fee: 100,
			in:   extIn(func(v, h *people.Person) { v.Insurance.End = day(5 + 90 - 1) }),
			want: []string{ReasonInsuranceDoesNotCover}},
		{name: "shorter extension is covered by shorter insurance", service: domain.VisaExtension, fee: 100,
			in: func() Input {
				i := extIn(func(v, h *people.Person) { v.Insurance.End = day(5 + 30) })()
				i.Options = map[string]string{"days": "30"}
				return i
			},
			details: map[string]string{"new_expiry": day(35).String()}},
		{name: "no insurance", service: domain.VisaExtension, fee: 100,
			in: extIn(func(v, h *people.Person) { v.Insurance = nil }), want: []string{ReasonNoMedicalInsurance}},
		{name: "unpaid fine", service: domain.VisaExtension, fee: 100,
			in:   extIn(func(v, h *people.Person) { v.Fines = []people.Fine{{Number: "F1", AmountSAR: 300}} }),
			want: []string{ReasonUnpaidTrafficFines}},
		{name: "paid fine does not block", service: domain.VisaExtension, fee: 100,
			in: extIn(func(v, h *people.Person) { v.Fines = []people.Fine{{Number: "F1", AmountSAR: 300, Paid: true}} })},
		{name: "fee unpaid", service: domain.VisaExtension, fee: 100,
			in: extIn(func(v, h *people.Person) { v.Bills[0].Paid = false }), want: []string{ReasonFeeUnpaid}},
		{name: "fee paid for another visitor", service: domain.VisaExtension, fee: 100,
			in: extIn(func(v, h *people.Person) { v.Bills[0].SubjectID = "3000000013" }), want: []string{ReasonFeeUnpaid}},
		{name: "fee paid by the host", service: domain.VisaExtension, fee: 100,
			in: extIn(func(v, h *people.Person) {
				h.Bills = append(h.Bills, people.Bill{Service: domain.VisaExtension, SubjectID: v.ID, AmountSAR: 100, Paid: true})
				v.Bills = nil
			})},
		{name: "bill of another amount", service: domain.VisaExtension, fee: 100,
			in: extIn(func(v, h *people.Person) { v.Bills[0].AmountSAR = 50 }), want: []string{ReasonFeeUnpaid}},
		{name: "passport expired", service: domain.VisaExtension, fee: 100,
			in: extIn(func(v, h *people.Person) { v.Passport.Expiry = day(-1) }), want: []string{ReasonPassportExpired}},
		{name: "passport expiring today is still valid", service: domain.VisaExtension, fee: 100,
			in: extIn(func(v, h *people.Person) { v.Passport.Expiry = day(0) })},
		{name: "passport reported lost", service: domain.VisaExtension, fee: 100,
			in: extIn(func(v, h *people.Person) { v.Passport.Lost = true }), want: []string{ReasonPassportReportedLost}},
		{name: "no passport", service: domain.VisaExtension, fee: 100,
			in: extIn(func(v, h *people.Person) { v.Passport = nil }), want: []string{ReasonNoPassport}},
		{name: "visitor outside the Kingdom", service: domain.VisaExtension, fee: 100,
			in: extIn(func(v, h *people.Person) { v.InsideKingdom = false }), want: []string{ReasonVisitorOutsideKingdom}},
		{name: "not your visitor", service: domain.VisaExtension, fee: 100,
			in: extIn(func(v, h *people.Person) { v.HostID = "1000000016" }), want: []string{ReasonNotYourVisitor}},
		{name: "subject is not a visitor", service: domain.VisaExtension, fee: 100,
			in: func() Input {
				r := resident()
				r.HostID = "1000000008"
				return Input{Today: today, Applicant: host(), Subject: r}
			},
			want: []string{ReasonNotYourVisitor, ReasonNoVisitVisa, ReasonNoMedicalInsurance, ReasonFeeUnpaid}},
		{name: "visa used", service: domain.VisaExtension, fee: 100,
			in: extIn(func(v, h *people.Person) { v.Visas[0].Status = people.VisaUsed }), want: []string{ReasonNoVisitVisa}},
		{name: "every failure at once in fixed order", service: domain.VisaExtension, fee: 100,
			in: extIn(func(v, h *people.Person) {
				v.HostID = ""
				v.InsideKingdom = false
				v.Visas[0].Expiry = day(30)
				v.Passport.Lost = true
				v.Fines = []people.Fine{{Number: "F9"}}
				v.Insurance.End = day(1)
				v.Bills = nil
			}),
			want: []string{ReasonNotYourVisitor, ReasonVisitorOutsideKingdom, ReasonTooEarlyToExtend,
				ReasonPassportReportedLost, ReasonInsuranceDoesNotCover, ReasonUnpaidTrafficFines, ReasonFeeUnpaid}},
		{name: "visitor cannot apply", service: domain.VisaExtension, fee: 100,
			in: func() Input {
				v := visitor()
				return Input{Today: today, Applicant: v, Subject: v}
			},
			want: []string{ReasonNotCitizenOrResident, ReasonNotYourVisitor}},
		{name: "time of day and zone do not matter", service: domain.VisaExtension, fee: 100,
			in: func() Input {
				i := extIn(setVisaExpiry(-3))()
				i.Today = civil.Of(time.Date(2026, 11, 23, 23, 59, 0, 0, civil.Riyadh))
				return i
			}},
	})
}

func erIn(opts map[string]string, mod func(r *people.Person)) func() Input {
	return func() Input {
		r := resident()
		if mod != nil {
			mod(&r)
		}
		return Input{Today: today, Applicant: r, Subject: r, Options: opts}
	}
}

var single2 = map[string]string{"visa_type": "single", "months": "2"}

func TestExitReentry(t *testing.T) {
	run(t, []tcase{
		{name: "single 2 months, passport exactly 3 months", service: domain.ExitReentry, in: erIn(single2, nil), fee: 200},
		{name: "passport 3 months less a day", service: domain.ExitReentry, fee: 200,
			in:   erIn(single2, func(r *people.Person) { r.Passport.Expiry = today.AddMonths(3).AddDays(-1) }),
			want: []string{ReasonPassportUnder3Months}},
		{name: "passport expired", service: domain.ExitReentry, fee: 200,
			in:   erIn(single2, func(r *people.Person) { r.Passport.Expiry = day(-10) }),
			want: []string{ReasonPassportUnder3Months}},
		{name: "passport lost", service: domain.ExitReentry, fee: 200,
			in:   erIn(single2, func(r *people.Person) { r.Passport.Lost = true }),
			want: []string{ReasonPassportReportedLost}},
		{name: "no passport", service: domain.ExitReentry, fee: 200,
			in: erIn(single2, func(r *people.Person) { r.Passport = nil }), want: []string{ReasonNoPassport}},
		{name: "fee unpaid", service: domain.ExitReentry, fee: 200,
			in: erIn(single2, func(r *people.Person) { r.Bills[0].Paid = false }), want: []string{ReasonFeeUnpaid}},
		{name: "bill for single, asking multiple", service: domain.ExitReentry, fee: 500,
			in: erIn(map[string]string{"visa_type": "multiple", "months": "3"}, nil), want: []string{ReasonFeeUnpaid}},
		{name: "single 1 month costs the base", service: domain.ExitReentry, fee: 200,
			in: erIn(map[string]string{"visa_type": "single", "months": "1"}, nil)},
		{name: "single 6 months", service: domain.ExitReentry, fee: 600,
			in:      erIn(map[string]string{"visa_type": "single", "months": "6"}, func(r *people.Person) { r.Bills[0].AmountSAR = 600 }),
			details: map[string]string{"months": "6"}},
		{name: "multiple 3 months", service: domain.ExitReentry, fee: 500,
			in: erIn(map[string]string{"visa_type": "multiple", "months": "3"}, func(r *people.Person) { r.Bills[0].AmountSAR = 500 })},
		{name: "multiple 6 months", service: domain.ExitReentry, fee: 1100,
			in: erIn(map[string]string{"visa_type": "multiple", "months": "6"}, func(r *people.Person) { r.Bills[0].AmountSAR = 1100 })},
		{name: "already issued", service: domain.ExitReentry, fee: 200,
			in: erIn(single2, func(r *people.Person) {
				r.Visas = []people.Visa{{Number: "ER77", Kind: people.ExitReentrySingle, Status: people.VisaIssued, Expiry: day(20)}}
			}),
			want: []string{ReasonExitReentryAlreadyIssued}, details: map[string]string{"existing_visa": "ER77"}},
		{name: "used, cancelled and lapsed visas do not block", service: domain.ExitReentry, fee: 200,
			in: erIn(single2, func(r *people.Person) {
				r.Visas = []people.Visa{
					{Number: "ER1", Kind: people.ExitReentrySingle, Status: people.VisaUsed, Expiry: day(20)},
					{Number: "ER2", Kind: people.ExitReentryMultiple, Status: people.VisaCancelled, Expiry: day(20)},
					{Number: "ER3", Kind: people.ExitReentrySingle, Status: people.VisaIssued, Expiry: day(-1)},
				}
			})},
		{name: "citizen needs none", service: domain.ExitReentry, fee: 200,
			in: func() Input {
				h := host()
				h.Bills = []people.Bill{{Service: domain.ExitReentry, SubjectID: h.ID, AmountSAR: 200, Paid: true}}
				return Input{Today: today, Applicant: h, Options: single2}
			},
			want: []string{ReasonSubjectNotResident}},
		{name: "for a dependent, fee paid by the applicant", service: domain.ExitReentry, fee: 200,
			in: func() Input {
				h, dep := resident(), resident()
				dep.ID, dep.DependentIDs, dep.Bills = "2000000015", nil, nil
				h.Bills = []people.Bill{{Service: domain.ExitReentry, SubjectID: dep.ID, AmountSAR: 200, Paid: true}}
				return Input{Today: today, Applicant: h, Subject: dep, Options: single2}
			}},
		{name: "not your dependent", service: domain.ExitReentry, fee: 200,
			in: func() Input {
				h, other := resident(), resident()
				other.ID = "2000000023"
				other.Bills[0].SubjectID = other.ID
				return Input{Today: today, Applicant: h, Subject: other, Options: single2}
			},
			want: []string{ReasonNotYourDependent}},
	})
}

func licIn(years string, mod func(p *people.Person)) func() Input {
	return func() Input {
		h := host()
		if mod != nil {
			mod(&h)
		}
		return Input{Today: today, Applicant: h, Options: map[string]string{"years": years}}
	}
}

func TestLicenceRenewal(t *testing.T) {
	run(t, []tcase{
		{name: "5 years from the current expiry", service: domain.LicenceRenewal, in: licIn("5", nil), fee: 200,
			details: map[string]string{"new_expiry": day(30).AddYears(5).String()}},
		{name: "lapsed licence renews from today", service: domain.LicenceRenewal, fee: 200,
			in:      licIn("5", func(p *people.Person) { p.Licence.Expiry = day(-100) }),
			details: map[string]string{"new_expiry": today.AddYears(5).String()}},
		{name: "2 years, bill for 5", service: domain.LicenceRenewal, in: licIn("2", nil), fee: 80, want: []string{ReasonFeeUnpaid}},
		{name: "10 years paid", service: domain.LicenceRenewal, fee: 400,
			in: licIn("10", func(p *people.Person) { p.Bills[0].AmountSAR = 400 })},
		{name: "no licence", service: domain.LicenceRenewal, fee: 200,
			in: licIn("5", func(p *people.Person) { p.Licence = nil }), want: []string{ReasonNoDrivingLicence}},
		{name: "unpaid fines", service: domain.LicenceRenewal, fee: 200,
			in:   licIn("5", func(p *people.Person) { p.Fines = []people.Fine{{Number: "F1", AmountSAR: 150}} }),
			want: []string{ReasonUnpaidTrafficFines}},
		{name: "fee unpaid", service: domain.LicenceRenewal, fee: 200,
			in: licIn("5", func(p *people.Person) { p.Bills = nil }), want: []string{ReasonFeeUnpaid}},
	})
}

func TestActivateUpdatePrintLost(t *testing.T) {
	self := func(mod func(p *people.Person)) func() Input {
		return func() Input {
			h := host()
			if mod != nil {
				mod(&h)
			}
			return Input{Today: today, Applicant: h}
		}
	}
	inactive := func(p *people.Person) { p.AbsherActive, p.PasswordHash = false, "" }
	run(t, []tcase{
		{name: "activate", service: domain.ActivateAbsher, in: self(inactive)},
		{name: "activate through the wire name", service: "activate_absher", in: self(inactive)},
		{name: "activate: already active", service: domain.ActivateAbsher, in: self(nil), want: []string{ReasonAccountAlreadyActive}},
		{name: "activate: one finger", service: domain.ActivateAbsher,
			in:   self(func(p *people.Person) { inactive(p); p.Fingers = p.Fingers[:1] }),
			want: []string{ReasonNoEnrolledFingerprints}},
		{name: "activate: same finger twice", service: domain.ActivateAbsher,
			in: self(func(p *people.Person) {
				inactive(p)
				p.Fingers = []people.Finger{{Position: people.RightIndex, Seed: 1}, {Position: people.RightIndex, Seed: 1}}
			}),
			want: []string{ReasonNoEnrolledFingerprints}},
		{name: "activate: outside", service: domain.ActivateAbsher,
			in:   self(func(p *people.Person) { inactive(p); p.InsideKingdom = false }),
			want: []string{ReasonOutsideKingdom}},
		{name: "activate: visitor", service: domain.ActivateAbsher,
			in:   func() Input { return Input{Today: today, Applicant: visitor()} },
			want: []string{ReasonNotCitizenOrResident, ReasonNoEnrolledFingerprints}},
		{name: "update mobile", service: domain.UpdateMobile, in: self(nil)},
		{name: "update mobile without an account", service: domain.UpdateMobile, in: self(inactive)},
		{name: "update mobile: visitor", service: domain.UpdateMobile,
			in: func() Input { return Input{Today: today, Applicant: visitor()} }, want: []string{ReasonNotCitizenOrResident}},
		{name: "update mobile: for someone else", service: domain.UpdateMobile,
			in: func() Input { return Input{Today: today, Applicant: host(), Subject: resident()} }, want: []string{ReasonNotYourDependent}},
		{name: "print: resident card", service: domain.PrintDocument,
			in: func() Input { return Input{Today: today, Applicant: resident()} }, details: map[string]string{"documents": "residence_card"}},
		{name: "print: citizen with nothing", service: domain.PrintDocument, in: self(nil), want: []string{ReasonNoPrintableDocuments}},
		{name: "print: citizen with a fine and a visa", service: domain.PrintDocument,
			in: self(func(p *people.Person) {
				p.Fines = []people.Fine{{Number: "F1", Paid: true}}
				p.Visas = []people.Visa{
					{Number: "FE1", Kind: people.FinalExit, Status: people.VisaIssued, Expiry: day(0)},
					{Number: "ER1", Kind: people.ExitReentrySingle, Status: people.VisaUsed, Expiry: day(9)},
				}
			}),
			details: map[string]string{"documents": "final_exit_visa:FE1,traffic_violations"}},
		{name: "lost passport", service: domain.ReportLostPassport, in: self(nil)},
		{name: "lost passport through the wire name", service: "report_lost_passport", in: self(nil)},
		{name: "lost passport: dependent", service: domain.ReportLostPassport,
			in: func() Input { return Input{Today: today, Applicant: host(), Subject: resident()} }},
		{name: "lost passport: already", service: domain.ReportLostPassport,
			in: self(func(p *people.Person) { p.Passport.Lost = true }), want: []string{ReasonPassportAlreadyReported}},
		{name: "lost passport: none", service: domain.ReportLostPassport,
			in: self(func(p *people.Person) { p.Passport = nil }), want: []string{ReasonNoPassport}},
	})
}

func TestBadOptions(t *testing.T) {
	h := host()
	cases := []struct {
		service domain.ServiceID
		opts    map[string]string
		want    string
	}{
		{domain.ExitReentry, nil, `option "visa_type" is required`},
		{domain.ExitReentry, map[string]string{"visa_type": "double", "months": "3"}, `"visa_type" is "double"`},
		{domain.ExitReentry, map[string]string{"visa_type": "single"}, `option "months" is required`},
		{domain.ExitReentry, map[string]string{"visa_type": "single", "months": "0"}, `from 1 to 24`},
		{domain.ExitReentry, map[string]string{"visa_type": "single", "months": "25"}, `from 1 to 24`},
		{domain.ExitReentry, map[string]string{"visa_type": "multiple", "months": "2"}, `from 3 to 24`},
		{domain.ExitReentry, map[string]string{"visa_type": "multiple", "months": "three"}, `"three"`},
		{domain.ExitReentry, map[string]string{"visa_type": "multiple", "months": "+4"}, `"+4"`},
		{domain.ExitReentry, map[string]string{"visa_type": "multiple", "months": "99999999999999999999"}, `from 3 to 24`},
		{domain.LicenceRenewal, nil, `"2", "5" or "10"`},
		{domain.LicenceRenewal, map[string]string{"years": "3"}, `"years" is "3"`},
		{domain.LicenceRenewal, map[string]string{"years": "-5"}, `"-5"`},
		{domain.LicenceRenewal, map[string]string{"years": " 5"}, `" 5"`},
		{domain.VisaExtension, map[string]string{"days": "91"}, `from 1 to 90`},
		{domain.VisaExtension, map[string]string{"days": ""}, `"days" is required`},
	}
	for _, c := range cases {
		_, err := Check(c.service, Input{Today: today, Applicant: h, Options: c.opts})
		var oe *OptionError
		if !errors.As(err, &oe) {
			t.Errorf("%s %v: err = %v, want *OptionError", c.service, c.opts, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: err = %q, want it to contain %q", c.service, c.opts, err, c.want)
		}
	}
	_, err := Check("renew_passport", Input{Today: today, Applicant: h})
	if !errors.Is(err, ErrUnknownService) || !strings.Contains(err.Error(), "update_mobile") {
		t.Errorf("unknown service: err = %v", err)
	}
}

func TestEligibleAnswerHasEmptyReasonsInJSON(t *testing.T) {
	a, err := Check(domain.UpdateMobile, Input{Today: today, Applicant: host()})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(a)
	if got := string(b); got != `{"eligible":true,"reasons":[],"fee_sar":0}` {
		t.Errorf("json = %s", got)
	}
}

func TestReasonText(t *testing.T) {
	for _, r := range Reasons() {
		en, ar := ReasonText(r, "en"), ReasonText(r, "ar")
		if en == r || ar == r || en == ar {
			t.Errorf("%s: missing text: en=%q ar=%q", r, en, ar)
		}
		if !strings.ContainsFunc(ar, func(c rune) bool { return c >= 0x0600 && c <= 0x06FF }) {
			t.Errorf("%s: Arabic text has no Arabic letters: %q", r, ar)
		}
		if ReasonText(r, "fr") != en {
			t.Errorf("%s: other languages should fall back to English", r)
		}
	}
	if len(reasonTexts) != len(reasonOrder) {
		t.Errorf("%d texts for %d reasons", len(reasonTexts), len(reasonOrder))
	}
	if got := ReasonText("from_the_future", "ar"); got != "from_the_future" {
		t.Errorf("unknown code = %q", got)
	}
}

// FuzzCheck feeds arbitrary option strings, the outside bytes of a request,
// to every service: the answer is either an error or a well-formed Answer.
func FuzzCheck(f *testing.F) {
	f.Add(0, "single", "3", "5", "90")
	f.Add(4, "multiple", "24", "10", "1")
	f.Add(5, "", "", "", "")
	f.Add(3, "single", "-1", "+5", "0x10")
	f.Add(4, "multiple", "٣", "١٠", "９０")
	f.Fuzz(func(t *testing.T, svc int, visaType, months, years, days string) {
		if svc < 0 {
			svc = -svc
		}
		service := domain.Services()[svc%len(domain.Services())]
		in := Input{Today: today, Applicant: host(), Subject: visitor(),
			Options: map[string]string{"visa_type": visaType, "months": months, "years": years, "days": days}}
		a, err := Check(service, in)
		if err != nil {
			if a.Reasons != nil || a.Eligible {
				t.Fatalf("error %v with a non-zero answer %+v", err, a)
			}
			return
		}
		if a.Reasons == nil || a.Eligible != (len(a.Reasons) == 0) || a.FeeSAR < 0 {
			t.Fatalf("malformed answer %+v", a)
		}
	})
}

func BenchmarkCheckVisaExtension(b *testing.B) {
	in := Input{Today: today, Applicant: host(), Subject: visitor()}
	for b.Loop() {
		if _, err := Check(domain.VisaExtension, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckExitReentry(b *testing.B) {
	in := Input{Today: today, Applicant: resident(), Options: single2}
	for b.Loop() {
		if _, err := Check(domain.ExitReentry, in); err != nil {
			b.Fatal(err)
		}
	}
}

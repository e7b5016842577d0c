package central

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central/civil"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// Persons of the calendar test, whose dates sit on the boundaries of
// 10 March 2026 in Riyadh.
var (
	idCalHost     = mustID("100000200")
	idCalRes      = mustID("200000201")
	idCalResShort = mustID("200000202")
	idCalV4after  = mustID("300000203")
	idCalV3after  = mustID("300000204")
	idCalV7before = mustID("300000205")
	idCalV8before = mustID("300000206")
	idCalVInsLate = mustID("300000207")
)

var riyadhTest = time.FixedZone("AST", 3*3600)

// calDay is a stored date.
var calDay = civil.MustParse

func calendarPopulation() []people.Person {
	pass := func(exp string) *people.Passport {
		return &people.Passport{Number: "P" + exp, Issued: calDay("2024-01-01"), Expiry: calDay(exp)}
	}
	host := people.Person{ID: idCalHost, Kind: people.Citizen, NameEN: "C", NameAR: "م", Mobile: "+966500000200", Fingers: twoFingers,
		InsideKingdom: true, AbsherActive: true, PasswordHash: "x", Passport: pass("2030-01-01")}
	resident := func(id, passExp string) people.Person {
		p := host
		p.ID, p.Kind, p.Passport = id, people.Resident, pass(passExp)
		p.Bills = []people.Bill{{Number: "B" + id[6:], Service: "exit_reentry", SubjectID: id, AmountSAR: 200, Paid: true}}
		return p
	}
	visitor := func(id, expiry, insStart, insEnd string) people.Person {
		return people.Person{ID: id, Kind: people.Visitor, NameEN: "V", HostID: idCalHost, InsideKingdom: true,
			Passport:  pass("2028-01-01"),
			Visas:     []people.Visa{{Number: "VV" + id[6:], Kind: people.VisitVisa, Status: people.VisaIssued, Issued: calDay("2025-12-01"), Expiry: calDay(expiry)}},
			Insurance: &people.Insurance{Provider: "Tawuniya", Policy: "I" + id[6:], Start: calDay(insStart), End: calDay(insEnd)},
			Bills:     []people.Bill{{Number: "B" + id[6:], Service: "visa_extension", SubjectID: id, AmountSAR: 100, Paid: true}}}
	}
	return []people.Person{host,
		resident(idCalRes, "2026-06-10"),
		resident(idCalResShort, "2026-06-09"),
		visitor(idCalV4after, "2026-03-06", "2025-12-01", "2026-12-31"),
		visitor(idCalV3after, "2026-03-07", "2025-12-01", "2026-12-31"),
		visitor(idCalV7before, "2026-03-17", "2025-12-01", "2026-12-31"),
		visitor(idCalV8before, "2026-03-18", "2025-12-01", "2026-12-31"),
		// The extension of this visa runs 18 March to 15 June; the policy
		// starts ten days into it.
		visitor(idCalVInsLate, "2026-03-17", "2026-03-28", "2026-12-31"),
	}
}

// TestCalendarRulesAtOneInTheMorning runs the date rules through the real
// centre over TLS with its clock at 01:00 in Riyadh on 10 March 2026, when
// UTC still shows 9 March. Seed 003: "There are 7 days or less remaining
// before the visa expires, or ... The visa expired within the last 3 days",
// and "Medical insurance covers the entire extension period"; seed 004:
// "The passport must be valid for at least 3 months at the time of applying".
func TestCalendarRulesAtOneInTheMorning(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 10, 1, 0, 0, 0, riyadhTest)}
	s, err := Start(context.Background(), Options{StateDir: t.TempDir(), Clock: clk.Now, Population: calendarPopulation(), Fingers: svcFingers{}, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h := &harness{t: t, srv: s, clk: clk}
	single2 := map[string]string{"visa_type": "single", "months": "2"}
	cases := []struct {
		name, applicant, service string
		sub                      api.ServiceSubmission
		reasons                  []string // nil: completed
		details                  map[string]string
	}{
		{"visa expired 4 days ago", idCalHost, "visa_extension", api.ServiceSubmission{SubjectID: idCalV4after}, []string{"visa_expired_too_long"}, nil},
		{"visa expired 3 days ago", idCalHost, "visa_extension", api.ServiceSubmission{SubjectID: idCalV3after}, nil,
			map[string]string{"current_expiry": "2026-03-07", "new_expiry": "2026-06-05"}},
		{"visa expires in 7 days", idCalHost, "visa_extension", api.ServiceSubmission{SubjectID: idCalV7before}, nil,
			map[string]string{"current_expiry": "2026-03-17", "new_expiry": "2026-06-15"}},
		{"visa expires in 8 days", idCalHost, "visa_extension", api.ServiceSubmission{SubjectID: idCalV8before}, []string{"too_early_to_extend"}, nil},
		{"insurance starts ten days into the extension", idCalHost, "visa_extension", api.ServiceSubmission{SubjectID: idCalVInsLate}, []string{"insurance_does_not_cover_extension"}, nil},
		{"passport valid exactly 3 months", idCalRes, "exit_reentry", api.ServiceSubmission{Options: single2}, nil,
			map[string]string{"expiry": "2026-05-10"}},
		{"passport valid 3 months less a day", idCalResShort, "exit_reentry", api.ServiceSubmission{Options: single2}, []string{"passport_validity_under_3_months"}, nil},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := h.session("kiosk-001", c.applicant)
			er := h.do("kiosk-001", "POST", "/v1/services/"+c.service+"/eligibility", tok, api.EligibilityRequest{SubjectID: c.sub.SubjectID, Options: c.sub.Options})
			want(t, er, 200, "")
			e := decode[api.Eligibility](t, er)
			wantReasons := c.reasons
			if wantReasons == nil {
				wantReasons = []string{}
			}
			if !reflect.DeepEqual(e.Reasons, wantReasons) {
				t.Fatalf("eligibility reasons %q, want %q", e.Reasons, wantReasons)
			}
			r, out := h.submit(tok, c.service, fmt.Sprintf("cal-%d", i), c.sub)
			if c.reasons == nil {
				if r.status != 201 || !out.Completed {
					t.Fatalf("want completed, got %d %s", r.status, r.body)
				}
			} else if r.status != 200 || out.Completed || !reflect.DeepEqual(out.Reasons, c.reasons) {
				t.Fatalf("want refused %v, got %d %s", c.reasons, r.status, r.body)
			}
			for k, v := range c.details {
				if out.Details[k] != v {
					t.Errorf("details[%s] = %q, want %q (%v)", k, out.Details[k], v, out.Details)
				}
			}
		})
	}
	// The extended visa is recorded with its new last day, read back as
	// the same day.
	if v, _ := h.srv.person(idCalV7before); day(v.Visas[0].Expiry) != "2026-06-15" {
		t.Errorf("extended visa recorded as ending %s, want 2026-06-15", day(v.Visas[0].Expiry))
	}
	// The passport endpoint reads the resident's expiry as the day it is.
	tok := h.session("kiosk-001", idCalRes)
	r := h.do("kiosk-001", "GET", "/v1/person/passport", tok, nil)
	want(t, r, 200, "")
	if p := decode[api.Passport](t, r); p.Expiry != "2026-06-10" || !p.Valid {
		t.Errorf("passport %+v, want valid and expiring 2026-06-10", p)
	}
}

package rules

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central/civil"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
)

// The calendar rules hold on days in Riyadh. Each table runs a rule at its
// boundary and one day either side, with the kiosk's clock just after
// midnight (00:30, when UTC still shows the day before) and just before it
// (23:30), across month ends and 29 February.

// ast is Riyadh's offset written out, so the tests do not lean on the zone
// the code under test loads.
var ast = time.FixedZone("AST", 3*3600)

// on is a stored date.
var on = civil.MustParse

// at is the centre's today when its clock shows hhmm in Riyadh.
func at(s, hhmm string) civil.Date {
	t, err := time.ParseInLocation(time.DateOnly+" 15:04", s+" "+hhmm, ast)
	if err != nil {
		panic(err)
	}
	return civil.Of(t)
}

func str(d civil.Date) string { return d.String() }

var clockTimes = []string{"00:30", "23:30"}

// reasonsOf runs one check and keeps only the reasons a table is about, so
// that each case fixes one rule and leaves the others satisfied.
func reasonsOf(t *testing.T, service domain.ServiceID, in Input, about ...string) ([]string, Answer) {
	t.Helper()
	a, err := Check(service, in)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	got := []string{}
	for _, r := range a.Reasons {
		for _, w := range about {
			if r == w {
				got = append(got, r)
			}
		}
	}
	return got, a
}

func wantReasons(t *testing.T, got []string, refused bool, reason string) {
	t.Helper()
	want := []string{}
	if refused {
		want = []string{reason}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reasons %q, want %q", got, want)
	}
}

// Seed 003: "There are 7 days or less remaining before the visa expires, or
// ... The visa expired within the last 3 days."
func TestExtensionWindowOnRiyadhDays(t *testing.T) {
	cases := []struct {
		today, expiry string
		reason        string // "" when inside the window
	}{
		{"2026-03-02", "2026-03-10", ReasonTooEarlyToExtend},
		{"2026-03-03", "2026-03-10", ""},
		{"2026-03-04", "2026-03-10", ""},
		{"2026-03-10", "2026-03-10", ""},
		{"2026-03-13", "2026-03-10", ""},
		{"2026-03-14", "2026-03-10", ReasonVisaExpiredTooLong},
		{"2026-03-12", "2026-03-10", ""},
		// across a month end and 29 February
		{"2028-02-21", "2028-02-29", ReasonTooEarlyToExtend},
		{"2028-02-22", "2028-02-29", ""},
		{"2028-03-03", "2028-02-29", ""},
		{"2028-03-04", "2028-02-29", ReasonVisaExpiredTooLong},
		{"2027-02-21", "2027-03-01", ReasonTooEarlyToExtend},
		{"2027-02-22", "2027-03-01", ""},
		{"2026-12-24", "2026-12-31", ""},
		{"2027-01-03", "2026-12-31", ""},
		{"2027-01-04", "2026-12-31", ReasonVisaExpiredTooLong},
	}
	for _, c := range cases {
		for _, hm := range clockTimes {
			t.Run(fmt.Sprintf("expiry %s, today %s %s", c.expiry, c.today, hm), func(t *testing.T) {
				h, v := host(), visitor()
				exp := on(c.expiry)
				v.Visas[0].Expiry = exp
				v.Passport.Expiry = exp.AddYears(2)
				v.Insurance.Start = exp.AddMonths(-6)
				v.Insurance.End = exp.AddMonths(6)
				got, a := reasonsOf(t, domain.VisaExtension, Input{Today: at(c.today, hm), Applicant: h, Subject: v},
					ReasonTooEarlyToExtend, ReasonVisaExpiredTooLong)
				wantReasons(t, got, c.reason != "", c.reason)
				if a.Details["current_expiry"] != c.expiry {
					t.Errorf("current expiry %q, want %s", a.Details["current_expiry"], c.expiry)
				}
				if want := str(exp.AddDays(VisaExtensionDays)); a.Details["new_expiry"] != want {
					t.Errorf("new expiry %q, want %s", a.Details["new_expiry"], want)
				}
			})
		}
	}
}

// Seed 003: "The visitor's medical insurance must remain valid for the
// requested extension period" and "Medical insurance covers the entire
// extension period": from the first day after the current expiry to the
// new expiry, both included.
func TestInsuranceCoversTheWholeExtension(t *testing.T) {
	const expiry = "2028-02-27" // the extension starts on 28 February; 90 days end on 27 May
	cases := []struct {
		name, start, end string
		refused          bool
	}{
		{"policy runs from long before to the new expiry", "2027-06-01", "2028-05-27", false},
		{"policy starts on the first day of the extension", "2028-02-28", "2028-05-27", false},
		{"policy starts one day into the extension", "2028-02-29", "2028-05-27", true},
		{"policy starts ten days into the extension", "2028-03-08", "2028-06-30", true},
		{"policy starts on the current expiry", "2028-02-27", "2028-05-27", false},
		{"policy ends one day before the new expiry", "2027-06-01", "2028-05-26", true},
		{"policy ends one day after the new expiry", "2027-06-01", "2028-05-28", false},
	}
	for _, c := range cases {
		for _, hm := range clockTimes {
			t.Run(c.name+" "+hm, func(t *testing.T) {
				h, v := host(), visitor()
				v.Visas[0].Expiry = on(expiry)
				v.Insurance.Start, v.Insurance.End = on(c.start), on(c.end)
				got, a := reasonsOf(t, domain.VisaExtension, Input{Today: at("2028-02-25", hm), Applicant: h, Subject: v},
					ReasonInsuranceDoesNotCover)
				wantReasons(t, got, c.refused, ReasonInsuranceDoesNotCover)
				if a.Details["new_expiry"] != "2028-05-27" {
					t.Errorf("new expiry %q", a.Details["new_expiry"])
				}
			})
		}
	}
}

// Seed 003: "The visitor's passport must be valid." A passport is valid
// through its expiry day, in Riyadh.
func TestVisitorPassportValidOnRiyadhDays(t *testing.T) {
	cases := []struct {
		today, passport string
		refused         bool
	}{
		{"2026-03-10", "2026-03-11", false},
		{"2026-03-10", "2026-03-10", false},
		{"2026-03-10", "2026-03-09", true},
		{"2028-03-01", "2028-02-29", true},
		{"2028-02-29", "2028-02-29", false},
	}
	for _, c := range cases {
		for _, hm := range clockTimes {
			t.Run(fmt.Sprintf("passport %s, today %s %s", c.passport, c.today, hm), func(t *testing.T) {
				h, v := host(), visitor()
				v.Visas[0].Expiry = on(c.today)
				v.Passport.Expiry = on(c.passport)
				got, _ := reasonsOf(t, domain.VisaExtension, Input{Today: at(c.today, hm), Applicant: h, Subject: v}, ReasonPassportExpired)
				wantReasons(t, got, c.refused, ReasonPassportExpired)
			})
		}
	}
}

// Seed 004: "The passport must be valid for at least 3 months at the time of
// applying for exit re-entry visa." Three months from 30 November end on the
// last day of February.
func TestPassportThreeMonthsClampsToMonthEnd(t *testing.T) {
	cases := []struct {
		today, passport string
		refused         bool
	}{
		{"2026-03-10", "2026-06-09", true},
		{"2026-03-10", "2026-06-10", false},
		{"2026-03-10", "2026-06-11", false},
		{"2026-11-30", "2027-02-27", true},
		{"2026-11-30", "2027-02-28", false},
		{"2026-11-30", "2027-03-01", false},
		{"2027-11-30", "2028-02-28", true},
		{"2027-11-30", "2028-02-29", false},
		{"2027-11-30", "2028-03-01", false},
		{"2026-11-28", "2027-02-27", true},
		{"2026-11-28", "2027-02-28", false},
		{"2026-12-01", "2027-02-28", true},
		{"2026-12-01", "2027-03-01", false},
		{"2028-02-29", "2028-05-28", true},
		{"2028-02-29", "2028-05-29", false},
	}
	for _, c := range cases {
		for _, hm := range clockTimes {
			t.Run(fmt.Sprintf("passport %s, today %s %s", c.passport, c.today, hm), func(t *testing.T) {
				r := resident()
				r.Passport.Expiry = on(c.passport)
				got, _ := reasonsOf(t, domain.ExitReentry, Input{Today: at(c.today, hm), Applicant: r, Options: single2},
					ReasonPassportUnder3Months)
				wantReasons(t, got, c.refused, ReasonPassportUnder3Months)
			})
		}
	}
}

// Seed 004: "SR 500 for 3 months and SR 200 for each additional month"; a
// visa of n months ends n calendar months after the day it is issued,
// clamped to the last day of a shorter month.
func TestExitReentryExpiryClampsToMonthEnd(t *testing.T) {
	cases := []struct {
		today  string
		months int
		want   string
	}{
		{"2026-11-30", 3, "2027-02-28"},
		{"2027-11-30", 3, "2028-02-29"},
		{"2026-12-31", 2, "2027-02-28"},
		{"2026-08-31", 6, "2027-02-28"},
		{"2026-03-10", 2, "2026-05-10"},
		{"2028-02-29", 24, "2030-02-28"},
	}
	for _, c := range cases {
		for _, hm := range clockTimes {
			if got := str(ExitReentryExpiry(at(c.today, hm), c.months)); got != c.want {
				t.Errorf("issued %s %s for %d months: expires %s, want %s", c.today, hm, c.months, got, c.want)
			}
		}
	}
}

// Seed 002: "the applicable fee is SAR 40 'per year'" for a licence of two,
// five or ten years. A licence still in force is renewed from its expiry,
// a lapsed one from today; 29 February plus five years is 28 February.
func TestLicenceTermOnRiyadhDays(t *testing.T) {
	cases := []struct {
		today, expiry, years, want string
	}{
		{"2028-02-20", "2028-02-29", "5", "2033-02-28"},
		{"2028-02-29", "2028-02-29", "5", "2033-02-28"},
		{"2028-03-01", "2028-02-29", "5", "2033-03-01"},
		{"2028-02-29", "2028-02-28", "2", "2030-02-28"},
		{"2026-03-10", "2026-03-09", "2", "2028-03-10"},
		{"2026-03-10", "2026-03-10", "2", "2028-03-10"},
		{"2026-03-10", "2026-03-11", "10", "2036-03-11"},
		{"2026-11-30", "2026-11-30", "10", "2036-11-30"},
	}
	for _, c := range cases {
		for _, hm := range clockTimes {
			t.Run(fmt.Sprintf("expiry %s, today %s %s, %s years", c.expiry, c.today, hm, c.years), func(t *testing.T) {
				h := host()
				h.Licence.Expiry = on(c.expiry)
				_, a := reasonsOf(t, domain.LicenceRenewal, Input{Today: at(c.today, hm), Applicant: h, Options: map[string]string{"years": c.years}})
				if a.Details["new_expiry"] != c.want {
					t.Errorf("new expiry %q, want %s", a.Details["new_expiry"], c.want)
				}
			})
		}
	}
}

// An exit/re-entry visa is printable and blocks a new one through its expiry
// day in Riyadh, and not a day longer.
func TestExitReentryInForceOnRiyadhDays(t *testing.T) {
	cases := []struct {
		today, expiry string
		inForce       bool
	}{
		{"2026-03-10", "2026-03-10", true},
		{"2026-03-11", "2026-03-10", false},
		{"2026-03-09", "2026-03-10", true},
		{"2028-03-01", "2028-02-29", false},
		{"2028-02-29", "2028-02-29", true},
	}
	for _, c := range cases {
		for _, hm := range clockTimes {
			t.Run(fmt.Sprintf("expiry %s, today %s %s", c.expiry, c.today, hm), func(t *testing.T) {
				r := resident()
				r.Passport.Expiry = on(c.today).AddYears(1)
				r.Visas = []people.Visa{{Number: "ER9", Kind: people.ExitReentrySingle, Status: people.VisaIssued, Expiry: on(c.expiry)}}
				got, _ := reasonsOf(t, domain.ExitReentry, Input{Today: at(c.today, hm), Applicant: r, Options: single2}, ReasonExitReentryAlreadyIssued)
				wantReasons(t, got, c.inForce, ReasonExitReentryAlreadyIssued)
				printed := false
				for _, d := range Printable(r, at(c.today, hm)) {
					printed = printed || d == "exit_reentry_visa:ER9"
				}
				if printed != c.inForce {
					t.Errorf("printable = %v, want %v", printed, c.inForce)
				}
			})
		}
	}
}

package demo

import (
	"hash/fnv"

	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/central/rules"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
)

// Case is one named demonstration: who types their ID at the kiosk, which
// service they choose (with which options, for whom), what the centre must
// answer, and which finger the demo scanner presents for them.
type Case struct {
	ID           string            `json:"id"`
	Password     string            `json:"password,omitempty"` // Absher password for the fallback; empty: no account
	NameEN       string            `json:"name_en"`
	NameAR       string            `json:"name_ar"`
	Service      domain.ServiceID  `json:"service"`
	Options      map[string]string `json:"options,omitempty"`
	SubjectID    string            `json:"subject_id,omitempty"` // the dependent or visitor; empty: oneself
	Story        string            `json:"story"`
	WantEligible bool              `json:"want_eligible"`
	WantReasons  []string          `json:"want_reasons"`
	ScannerSeed  int64             `json:"scanner_seed"`
}

// ShowcasePassword is the Absher password of every showcase person who has
// an account.
const ShowcasePassword = "Demo@2026"

type scannerMode int

const (
	scanMatch  scannerMode = iota // the enrolled right index
	scanReject                    // a finger that is not theirs
)

type spec struct {
	applicant, subject name
	service            domain.ServiceID
	options            map[string]string
	story              string
	noAccount          bool
	scanner            scannerMode
	featured           bool
	want               []string
	build              func(g *gen, s spec)
}

// self builds a complete adult and lets mod change the fact the case is about.
func self(kind people.Kind, nat string, mod func(g *gen, a *people.Person)) func(*gen, spec) {
	return func(g *gen, s spec) {
		a := g.adult(kind, s.applicant, nat)
		if !s.noAccount {
			g.setPassword(a, ShowcasePassword)
		}
		if mod != nil {
			mod(g, a)
		}
	}
}

// hosting builds a citizen host and a visitor of theirs whose visa expires
// in expiryIn days; mod breaks one rule.
func hosting(expiryIn int, mod func(g *gen, h, v *people.Person)) func(*gen, spec) {
	return func(g *gen, s spec) {
		h := g.adult(people.Citizen, s.applicant, "SAU")
		g.setPassword(h, ShowcasePassword)
		v := g.visitor(h.ID, s.subject, "EGY", expiryIn)
		if mod != nil {
			mod(g, h, v)
		}
	}
}

// withDependent builds a resident with one resident dependent.
func withDependent(mod func(g *gen, a, d *people.Person)) func(*gen, spec) {
	return func(g *gen, s spec) {
		a := g.adult(people.Resident, s.applicant, "IND")
		g.setPassword(a, ShowcasePassword)
		d := g.adult(people.Resident, s.subject, "IND")
		d.Fingers, d.Licence, d.Mobile = nil, nil, ""
		a.DependentIDs = []string{d.ID}
		if mod != nil {
			mod(g, a, d)
		}
	}
}

func paid(service domain.ServiceID, amount int) func(g *gen, a *people.Person) {
	return func(g *gen, a *people.Person) {
		a.Bills = append(a.Bills, g.bill(service, a.ID, amount, true))
	}
}

var (
	single2   = map[string]string{"visa_type": "single", "months": "2"}
	multiple6 = map[string]string{"visa_type": "multiple", "months": "6"}
	years5    = map[string]string{"years": "5"}
)

// specs is the showcase, in the order the README lists it. Family names here
// are not used by the random population, so each full name is unique.
var specs = []spec{
	{applicant: name{"Fahad Al-Rasheed", "فهد الراشد"}, service: domain.UpdateMobile, featured: true,
		story: "Update mobile, the happy path: fingerprint matches, new number, SMS code, receipt.",
		build: self(people.Citizen, "SAU", nil)},
	{applicant: name{"Nora Al-Sudairi", "نورة السديري"}, service: domain.UpdateMobile, featured: true, scanner: scanReject,
		story: "Her fingerprint is rejected (the scanner presents someone else's finger); after a miss she continues with password and SMS code. A third miss locks her sign-in for 15 minutes.",
		build: self(people.Citizen, "SAU", nil)},
	{applicant: name{"Majed Al-Jaber", "ماجد الجابر"}, service: domain.UpdateMobile, featured: true,
		story: "No fingerprints enrolled: the kiosk goes straight to the fallback, password and SMS code.",
		build: self(people.Citizen, "SAU", func(g *gen, a *people.Person) { a.Fingers = nil })},
	{applicant: name{"Ravi Menon", "رافي مينون"}, service: domain.PrintDocument, featured: true,
		story: "Enrolled with the recorded USB scanner's capture (right index) when the fixture is present; prints his residence card summary.",
		build: func(g *gen, s spec) {
			self(people.Resident, "IND", nil)(g, s)
			if g.fixture != "" {
				g.out[len(g.out)-1].Fingers[0].Fixture = g.fixture
			}
		}},
	{applicant: name{"Saad Al-Fayez", "سعد الفايز"}, service: domain.ActivateAbsher, featured: true, noAccount: true,
		story: "Activates his Absher account with his fingerprint instead of visiting an office.",
		build: self(people.Citizen, "SAU", nil)},
	{applicant: name{"Huda Al-Mansour", "هدى المنصور"}, service: domain.ActivateAbsher, featured: true,
		want:  []string{rules.ReasonAccountAlreadyActive},
		story: "Tries to activate an account that is already active.",
		build: self(people.Citizen, "SAU", nil)},
	{applicant: name{"Khalid Al-Badr", "خالد البدر"}, service: domain.ActivateAbsher, featured: true, noAccount: true,
		want:  []string{rules.ReasonNoEnrolledFingerprints},
		story: "Only one finger enrolled: activation needs two, so he is sent to an office.",
		build: self(people.Citizen, "SAU", func(g *gen, a *people.Person) { a.Fingers = a.Fingers[:1] })},
	{applicant: name{"Turki Al-Sharif", "تركي الشريف"}, service: domain.ActivateAbsher, noAccount: true,
		want:  []string{rules.ReasonOutsideKingdom},
		story: "Recorded as outside the Kingdom (his entry is not yet registered): activation refused.",
		build: self(people.Citizen, "SAU", func(g *gen, a *people.Person) { a.InsideKingdom = false })},
	{applicant: name{"Abdulaziz Al-Obaid", "عبدالعزيز العبيد"}, subject: name{"Omar Farouk", "عمر فاروق"},
		service: domain.VisaExtension, featured: true,
		story: "Extends his visitor's visa 5 days before it expires: insured, no fines, fee paid; new expiry 90 days on.",
		build: hosting(5, nil)},
	{applicant: name{"Salman Al-Turki", "سلمان التركي"}, subject: name{"Layla Nasser", "ليلى ناصر"},
		service: domain.VisaExtension, featured: true, want: []string{rules.ReasonUnpaidTrafficFines},
		story: "The same, but the visitor has an unpaid traffic fine.",
		build: hosting(5, func(g *gen, h, v *people.Person) { v.Fines = []people.Fine{g.fine(false)} })},
	{applicant: name{"Mansour Al-Hamad", "منصور الحمد"}, subject: name{"Karim Saleh", "كريم صالح"},
		service: domain.VisaExtension, featured: true, want: []string{rules.ReasonTooEarlyToExtend},
		story: "Visa expires in 8 days: one day too early.",
		build: hosting(8, nil)},
	{applicant: name{"Ziad Al-Khudair", "زياد الخضير"}, subject: name{"Hana Darwish", "هناء درويش"},
		service: domain.VisaExtension,
		story:   "Visa expires in exactly 7 days: the first day it may be extended.",
		build:   hosting(7, nil)},
	{applicant: name{"Rashid Al-Muqbil", "راشد المقبل"}, subject: name{"Samir Abbas", "سمير عباس"},
		service: domain.VisaExtension,
		story:   "Visa expired 3 days ago: the last day it may be extended.",
		build:   hosting(-3, nil)},
	{applicant: name{"Nawaf Al-Saud", "نواف السعود"}, subject: name{"Yasmin Bakr", "ياسمين بكر"},
		service: domain.VisaExtension, featured: true, want: []string{rules.ReasonVisaExpiredTooLong},
		story: "Visa expired 4 days ago: too late for the kiosk.",
		build: hosting(-4, nil)},
	{applicant: name{"Omar Al-Fahd", "عمر الفهد"}, subject: name{"Adel Qasim", "عادل قاسم"},
		service: domain.VisaExtension, featured: true, want: []string{rules.ReasonInsuranceDoesNotCover},
		story: "Medical insurance ends one day before the extended visa would.",
		build: hosting(5, func(g *gen, h, v *people.Person) {
			v.Insurance.End = v.Visas[0].Expiry.AddDays(rules.VisaExtensionDays - 1)
		})},
	{applicant: name{"Badr Al-Nasser", "بدر الناصر"}, subject: name{"Rania Saleh", "رانيا صالح"},
		service: domain.VisaExtension, want: []string{rules.ReasonNoMedicalInsurance},
		story: "The visitor has no medical insurance.",
		build: hosting(5, func(g *gen, h, v *people.Person) { v.Insurance = nil })},
	{applicant: name{"Hamza Al-Amri", "حمزة العمري"}, subject: name{"Tamer Bakr", "تامر بكر"},
		service: domain.VisaExtension, want: []string{rules.ReasonPassportExpired},
		story: "The visitor's passport expired yesterday.",
		build: hosting(5, func(g *gen, h, v *people.Person) { v.Passport.Expiry = g.day(-1) })},
	{applicant: name{"Mazen Al-Rajhi", "مازن الراجحي"}, subject: name{"Walid Abbas", "وليد عباس"},
		service: domain.VisaExtension, want: []string{rules.ReasonPassportReportedLost},
		story: "The visitor's passport was reported lost.",
		build: hosting(5, func(g *gen, h, v *people.Person) { v.Passport.Lost = true })},
	{applicant: name{"Yazeed Al-Askar", "يزيد العسكر"}, subject: name{"Nabil Darwish", "نبيل درويش"},
		service: domain.VisaExtension, want: []string{rules.ReasonVisitorOutsideKingdom},
		story: "The visitor has left the Kingdom.",
		build: hosting(5, func(g *gen, h, v *people.Person) { v.InsideKingdom = false })},
	{applicant: name{"Saleh Al-Dakheel", "صالح الدخيل"}, subject: name{"Mona Qasim", "منى قاسم"},
		service: domain.VisaExtension, want: []string{rules.ReasonFeeUnpaid},
		story: "The extension fee has not been paid yet.",
		build: hosting(5, func(g *gen, h, v *people.Person) { v.Bills[0].Paid = false })},
	{applicant: name{"Fawaz Al-Hokair", "فواز الحكير"}, subject: name{"Ayman Farouk", "أيمن فاروق"},
		service: domain.VisaExtension, want: []string{rules.ReasonNoVisitVisa},
		story: "The visitor's visit visa was cancelled: nothing to extend.",
		build: hosting(5, func(g *gen, h, v *people.Person) { v.Visas[0].Status = people.VisaCancelled })},
	{applicant: name{"Anas Al-Zamil", "أنس الزامل"}, subject: name{"Tariq Farouk", "طارق فاروق"},
		service: domain.VisaExtension, want: []string{rules.ReasonNotYourVisitor},
		story: "Asks to extend the visa of a visitor someone else hosts.",
		build: func(g *gen, s spec) {
			a := g.adult(people.Citizen, s.applicant, "SAU")
			g.setPassword(a, ShowcasePassword)
			other := g.adult(people.Citizen, name{"Ghazi Al-Zamil", "غازي الزامل"}, "SAU")
			g.visitor(other.ID, s.subject, "EGY", 5)
		}},
	{applicant: name{"Imran Qureshi", "عمران قريشي"}, service: domain.ExitReentry, options: single2, featured: true,
		story: "Single exit/re-entry for 2 months (SAR 200); his passport is valid for exactly 3 more months.",
		build: self(people.Resident, "PAK", func(g *gen, a *people.Person) {
			a.Passport.Expiry = g.today.AddMonths(rules.PassportMinMonths)
			paid(domain.ExitReentry, 200)(g, a)
		})},
	{applicant: name{"Bilal Chaudhry", "بلال شودري"}, service: domain.ExitReentry, options: single2, featured: true,
		want:  []string{rules.ReasonPassportUnder3Months},
		story: "Passport valid for 3 months less a day: refused.",
		build: self(people.Resident, "PAK", func(g *gen, a *people.Person) {
			a.Passport.Expiry = g.today.AddMonths(rules.PassportMinMonths).AddDays(-1)
			paid(domain.ExitReentry, 200)(g, a)
		})},
	{applicant: name{"Suresh Pillai", "سوريش بيلاي"}, subject: name{"Meera Pillai", "ميرا بيلاي"},
		service: domain.ExitReentry, options: multiple6, featured: true,
		story: "Multiple exit/re-entry for his wife, 6 months: SAR 500 + 3 × 200 = SAR 1,100, paid.",
		build: withDependent(func(g *gen, a, d *people.Person) {
			a.Bills = append(a.Bills, g.bill(domain.ExitReentry, d.ID, rules.ExitReentryFee(true, 6), true))
		})},
	{applicant: name{"Jose Dela Cruz", "خوسيه ديلا كروز"}, service: domain.ExitReentry, options: single2, featured: true,
		want:  []string{rules.ReasonExitReentryAlreadyIssued},
		story: "Already has an exit/re-entry visa issued and unused: the kiosk offers to print or cancel it.",
		build: self(people.Resident, "PHL", func(g *gen, a *people.Person) {
			paid(domain.ExitReentry, 200)(g, a)
			a.Visas = []people.Visa{{Number: g.digits(10), Kind: people.ExitReentrySingle, Status: people.VisaIssued,
				Issued: g.day(-5), Expiry: g.day(55)}}
		})},
	{applicant: name{"Tahir Mirza", "طاهر ميرزا"}, service: domain.ExitReentry, options: single2,
		want:  []string{rules.ReasonFeeUnpaid},
		story: "The exit/re-entry fee is not paid.",
		build: self(people.Resident, "PAK", nil)},
	{applicant: name{"Anil Varma", "أنيل فارما"}, subject: name{"Deepa Iyer", "ديبا آيير"},
		service: domain.ExitReentry, options: single2, want: []string{rules.ReasonNotYourDependent},
		story: "Asks for a resident who is not his dependent.",
		build: withDependent(func(g *gen, a, d *people.Person) {
			a.DependentIDs = nil
			a.Bills = append(a.Bills, g.bill(domain.ExitReentry, d.ID, 200, true))
		})},
	{applicant: name{"Mishari Al-Sayari", "مشاري السياري"}, service: domain.ExitReentry, options: single2,
		want:  []string{rules.ReasonSubjectNotResident},
		story: "A citizen asks for an exit/re-entry visa, which only residents need.",
		build: self(people.Citizen, "SAU", paid(domain.ExitReentry, 200))},
	{applicant: name{"Farhan Siddiqui", "فرحان صديقي"}, service: domain.ExitReentry, options: single2,
		want:  []string{rules.ReasonNoPassport},
		story: "No passport recorded.",
		build: self(people.Resident, "PAK", func(g *gen, a *people.Person) {
			a.Passport = nil
			paid(domain.ExitReentry, 200)(g, a)
		})},
	{applicant: name{"Sami Al-Juhani", "سامي الجهني"}, service: domain.LicenceRenewal, options: years5, featured: true,
		story: "Renews his driving licence for 5 years (SAR 200, paid).",
		build: self(people.Citizen, "SAU", paid(domain.LicenceRenewal, 200))},
	{applicant: name{"Adel Al-Sharari", "عادل الشراري"}, service: domain.LicenceRenewal, options: years5,
		want:  []string{rules.ReasonNoDrivingLicence},
		story: "Has no driving licence to renew.",
		build: self(people.Citizen, "SAU", func(g *gen, a *people.Person) {
			a.Licence = nil
			paid(domain.LicenceRenewal, 200)(g, a)
		})},
	{applicant: name{"Majid Al-Balawi", "ماجد البلوي"}, service: domain.LicenceRenewal, options: years5, featured: true,
		want:  []string{rules.ReasonUnpaidTrafficFines},
		story: "Unpaid traffic fines block the renewal.",
		build: self(people.Citizen, "SAU", func(g *gen, a *people.Person) {
			a.Fines = []people.Fine{g.fine(false), g.fine(true)}
			paid(domain.LicenceRenewal, 200)(g, a)
		})},
	{applicant: name{"Hisham Al-Ruwaili", "هشام الرويلي"}, service: domain.LicenceRenewal, options: years5,
		want:  []string{rules.ReasonFeeUnpaid},
		story: "Paid for 2 years (SAR 80) but asks for 5.",
		build: self(people.Citizen, "SAU", paid(domain.LicenceRenewal, 80))},
	{applicant: name{"Dalia Al-Hazmi", "داليا الحازمي"}, service: domain.ReportLostPassport, featured: true,
		story: "Reports her passport lost.",
		build: self(people.Citizen, "SAU", nil)},
	{applicant: name{"Ghada Al-Khaldi", "غادة الخالدي"}, service: domain.ReportLostPassport,
		want:  []string{rules.ReasonPassportAlreadyReported},
		story: "Her passport was already reported lost.",
		build: self(people.Citizen, "SAU", func(g *gen, a *people.Person) { a.Passport.Lost = true })},
	{applicant: name{"Rayan Al-Tamimi", "ريان التميمي"}, service: domain.ReportLostPassport,
		want:  []string{rules.ReasonNoPassport},
		story: "Has never had a passport.",
		build: self(people.Citizen, "SAU", func(g *gen, a *people.Person) { a.Passport = nil })},
	{applicant: name{"Lulwa Al-Qasimi", "لولوة القاسمي"}, service: domain.PrintDocument, featured: true,
		want:  []string{rules.ReasonNoPrintableDocuments},
		story: "A citizen with no visas and no fines: nothing to print.",
		build: self(people.Citizen, "SAU", nil)},
	{applicant: name{"Nasima Begum", "نسيمة بيغم"}, service: domain.UpdateMobile, noAccount: true,
		story: "A resident without an Absher account may still update her mobile after a fingerprint match.",
		build: self(people.Resident, "BGD", nil)},
}

// Showcase is the short list of featured demonstrations (about twenty) for
// the README and the kiosk's demo mode.
func Showcase(ppl []people.Person) []Case { return cases(ppl, true) }

// Cases is every deliberate case of the population: the showcase plus one
// case for each remaining refusal reason and edge. A person missing from ppl
// (a population that was not generated here) leaves their case out.
func Cases(ppl []people.Person) []Case { return cases(ppl, false) }

func cases(ppl []people.Person, featuredOnly bool) []Case {
	byName := make(map[string]*people.Person, len(specs)*2)
	for i := range ppl {
		byName[ppl[i].NameEN] = &ppl[i]
	}
	var out []Case
	for _, s := range specs {
		if featuredOnly && !s.featured {
			continue
		}
		a := byName[s.applicant.en]
		if a == nil {
			continue
		}
		c := Case{ID: a.ID, NameEN: a.NameEN, NameAR: a.NameAR, Service: s.service, Options: s.options,
			Story: s.story, WantEligible: len(s.want) == 0, WantReasons: append([]string{}, s.want...)}
		if !s.noAccount {
			c.Password = ShowcasePassword
		}
		if s.subject.en != "" {
			sub := byName[s.subject.en]
			if sub == nil {
				continue
			}
			c.SubjectID = sub.ID
		}
		c.ScannerSeed = scannerSeed(*a, s.scanner)
		out = append(out, c)
	}
	return out
}

// scannerSeed is the synthetic finger the demo scanner presents: the
// enrolled right index (or the only enrolled finger) for a match, and for a
// rejection or a person with nothing enrolled, a seed derived from the ID
// that differs from every finger they have.
func scannerSeed(p people.Person, mode scannerMode) int64 {
	if mode == scanMatch {
		for _, f := range p.Fingers {
			if f.Position == people.RightIndex {
				return f.Seed
			}
		}
		if len(p.Fingers) > 0 {
			return p.Fingers[0].Seed
		}
	}
	h := fnv.New64a()
	h.Write([]byte("not-enrolled:" + p.ID))
	s := int64(h.Sum64() >> 1)
	for _, f := range p.Fingers {
		if f.Seed == s {
			s++
		}
	}
	return s
}

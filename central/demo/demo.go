// Package demo generates the centre's demo population: a thousand-odd
// citizens, residents, their dependents and the visitors they host, with a
// deliberate showcase of named persons for which every service says yes, and
// says no for each of its reasons. Everything is derived from a seed and
// dated relative to "today", so the same cases hold on whatever day the demo
// runs.
package demo

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/absher-kiosk/kiosk/central/civil"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/central/rules"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/passhash"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
)

// MinPopulation is the least number of persons Generate returns.
const MinPopulation = 1000

// FixturePath is where, under the fixture directory, the recorded nb1010
// scanner's capture lies; one showcase person is enrolled with it.
const FixturePath = "nb1010/capture.png"

// gen carries the state of one generation. Every random choice goes through
// rng in a fixed order, so the output is a pure function of seed and today.
type gen struct {
	seed    int64
	rng     *rand.Rand
	today   civil.Date
	used    map[string]bool
	out     []*people.Person
	fixture string
}

// Generate makes the demo population for seed, dated relative to the day in
// Riyadh at the instant today. When
// fixtureDir holds nb1010/capture.png, the showcase's real-scanner person is
// enrolled with that image on the right index; otherwise they are enrolled
// with a synthetic finger like everyone else.
func Generate(seed int64, today time.Time, fixtureDir string) ([]people.Person, error) {
	g := &gen{
		seed:  seed,
		rng:   rand.New(rand.NewPCG(uint64(seed), 0x6b696f736b)),
		today: civil.Of(today),
		used:  map[string]bool{},
	}
	if fixtureDir != "" {
		p := filepath.Join(fixtureDir, FixturePath)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			g.fixture = p
		} else if err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("demo: reading fixture %s: %w", p, err)
		}
	}
	for _, s := range specs {
		s.build(g, s)
	}
	for len(g.out) < MinPopulation {
		g.household()
	}
	all := make([]people.Person, len(g.out))
	for i, p := range g.out {
		all[i] = *p
	}
	return all, nil
}

func (g *gen) day(offset int) civil.Date { return g.today.AddDays(offset) }

func (g *gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.rng.IntN(10))
	}
	return string(b)
}

// newID draws an unused ten-digit number: 1 citizen, 2 resident, 3 or 4
// visitor (border number).
func (g *gen) newID(prefix byte) string {
	for {
		id, err := pii.WithCheckDigit(string(prefix) + g.digits(8))
		if err != nil {
			// A prefix digit and eight drawn digits always complete.
			panic("demo: " + err.Error())
		}
		if !g.used[id] {
			g.used[id] = true
			return id
		}
	}
}

// FingerSeed is the synthetic finger of one person's finger: a hash of the
// population seed, the ID and the position, so it survives regeneration and
// no two enrolled fingers share a seed by construction of the inputs.
func FingerSeed(seed int64, id string, position int) int64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(seed))
	h.Write(b[:])
	h.Write([]byte(id))
	h.Write([]byte{byte(position)})
	return int64(h.Sum64() >> 1)
}

func (g *gen) enrol(p *people.Person, positions ...int) {
	p.Fingers = nil
	for _, pos := range positions {
		p.Fingers = append(p.Fingers, people.Finger{Position: pos, Seed: FingerSeed(g.seed, p.ID, pos)})
	}
}

func (g *gen) salt() []byte {
	s := make([]byte, 16)
	for i := range s {
		s[i] = byte(g.rng.Uint32())
	}
	return s
}

func (g *gen) setPassword(p *people.Person, pw string) {
	p.PasswordHash = passhash.Encode(DemoParams, pw, g.salt())
	p.AbsherActive = true
}

// PopulationPassword is the password of every account in the random
// population: "Kiosk#" and the last four digits of the ID, so an operator
// can log in as anyone in a demonstration.
func PopulationPassword(id string) string {
	if len(id) < 4 {
		return "Kiosk#" + id
	}
	return "Kiosk#" + id[len(id)-4:]
}

func (g *gen) mobile() string { return "+9665" + g.digits(8) }

func (g *gen) passport(validDays int) *people.Passport {
	exp := g.day(validDays)
	return &people.Passport{Number: string(rune('A'+g.rng.IntN(26))) + g.digits(8), Issued: exp.AddYears(-5), Expiry: exp}
}

func (g *gen) birth(minAge, maxAge int) civil.Date {
	return g.today.AddYears(-minAge - g.rng.IntN(maxAge-minAge+1)).AddDays(-g.rng.IntN(365))
}

// adult makes a complete, unremarkable citizen or resident: inside the
// Kingdom, a mobile, two enrolled fingers, a passport valid for years, a
// licence, no fines and no account. Showcase builders change one fact at a
// time from here.
func (g *gen) adult(kind people.Kind, n name, nat string) *people.Person {
	prefix := byte('1')
	if kind == people.Resident {
		prefix = '2'
	}
	p := people.Person{
		ID: g.newID(prefix), Kind: kind, NameEN: n.en, NameAR: n.ar,
		BirthDate: g.birth(22, 60), Nationality: nat, Mobile: g.mobile(),
		InsideKingdom: true,
		Passport:      g.passport(400 + g.rng.IntN(1400)),
	}
	p.Licence = &people.Licence{Number: p.ID, Expiry: g.day(60 + g.rng.IntN(900))}
	g.enrol(&p, people.RightIndex, people.LeftIndex)
	g.out = append(g.out, &p)
	return &p
}

// visitor makes a visitor hosted by host whose visit visa expires in
// expiryIn days, insured to ten days past a full extension, with the
// extension fee paid: eligible when the window allows.
func (g *gen) visitor(hostID string, n name, nat string, expiryIn int) *people.Person {
	prefix := byte('3' + g.rng.IntN(2))
	p := people.Person{
		ID: g.newID(prefix), Kind: people.Visitor, NameEN: n.en, NameAR: n.ar,
		BirthDate: g.birth(25, 70), Nationality: nat, HostID: hostID, InsideKingdom: true,
		Passport: g.passport(300 + g.rng.IntN(1000)),
	}
	exp := g.day(expiryIn)
	p.Visas = []people.Visa{{Number: g.digits(10), Kind: people.VisitVisa, Status: people.VisaIssued, Issued: exp.AddDays(-90), Expiry: exp}}
	p.Insurance = &people.Insurance{Provider: insurers[g.rng.IntN(len(insurers))], Policy: g.digits(9),
		Start: exp.AddDays(-90), End: exp.AddDays(rules.VisaExtensionDays + 10)}
	p.Bills = []people.Bill{g.bill(domain.VisaExtension, p.ID, rules.VisaExtensionFeeSAR, true)}
	g.out = append(g.out, &p)
	return &p
}

func (g *gen) bill(service domain.ServiceID, subject string, amount int, paid bool) people.Bill {
	return people.Bill{Number: "SADAD-" + g.digits(10), Service: service, SubjectID: subject, AmountSAR: amount, Paid: paid}
}

func (g *gen) fine(paid bool) people.Fine {
	v := violations[g.rng.IntN(len(violations))]
	return people.Fine{Number: g.digits(10), Violation: v.en, Code: v.code,
		AmountSAR: 150 * (1 + g.rng.IntN(6)), Date: g.day(-1 - g.rng.IntN(400)), Paid: paid}
}

func (g *gen) pick(list []name) name { return list[g.rng.IntN(len(list))] }

func (g *gen) fullName(first, family name) name {
	return name{first.en + " " + family.en, first.ar + " " + family.ar}
}

// household adds one random head of household with dependents and perhaps a
// hosted visitor. Proportions are loose, realistic-looking mixes; the
// deliberate cases are in the showcase.
func (g *gen) household() {
	resident := g.rng.IntN(10) < 4
	female := g.rng.IntN(3) == 0
	first := g.pick(maleNames)
	if female {
		first = g.pick(femaleNames)
	}
	kind, nat := people.Citizen, "SAU"
	var fam name
	if resident {
		f := residentFamilies[g.rng.IntN(len(residentFamilies))]
		kind, nat, fam = people.Resident, f.nat, f.name
	} else {
		fam = g.pick(citizenFamilies)
	}
	head := g.adult(kind, g.fullName(first, fam), nat)
	headID := head.ID
	r := g.rng.IntN(100)
	switch {
	case r < 8:
		head.Fingers = nil
	case r < 12:
		head.Fingers = head.Fingers[:1]
	}
	if g.rng.IntN(10) < 7 {
		g.setPassword(head, PopulationPassword(head.ID))
	}
	if g.rng.IntN(10) < 3 {
		head.Licence = nil
	}
	if g.rng.IntN(10) < 3 {
		for range 1 + g.rng.IntN(3) {
			head.Fines = append(head.Fines, g.fine(g.rng.IntN(2) == 0))
		}
	}
	if g.rng.IntN(20) == 0 {
		head.Passport.Lost = true
	}
	if head.Licence != nil && g.rng.IntN(4) == 0 {
		head.Bills = append(head.Bills, g.bill(domain.LicenceRenewal, head.ID, rules.LicenceFee[5], g.rng.IntN(3) > 0))
	}
	if resident && g.rng.IntN(4) == 0 {
		head.Bills = append(head.Bills, g.bill(domain.ExitReentry, head.ID, rules.ExitReentryFee(false, 2), true))
	}
	if resident && g.rng.IntN(8) == 0 {
		head.Visas = append(head.Visas, people.Visa{Number: g.digits(10), Kind: people.ExitReentrySingle,
			Status: people.VisaIssued, Issued: g.day(-10), Expiry: g.day(50)})
	}
	var deps []string
	for range g.rng.IntN(4) {
		dfirst := g.pick(femaleNames)
		if g.rng.IntN(2) == 0 {
			dfirst = g.pick(maleNames)
		}
		d := g.adult(kind, g.fullName(dfirst, fam), nat)
		d.BirthDate = g.birth(1, 17)
		d.Mobile, d.Licence, d.Fingers = "", nil, nil
		if g.rng.IntN(3) == 0 {
			d.Passport = nil
		}
		deps = append(deps, d.ID)
	}
	head.DependentIDs = deps
	if g.rng.IntN(5) == 0 {
		vf := visitorFamilies[g.rng.IntN(len(visitorFamilies))]
		v := g.visitor(headID, g.fullName(g.pick(maleNames), vf.name), vf.nat, -10+g.rng.IntN(90))
		if g.rng.IntN(6) == 0 {
			v.Fines = append(v.Fines, g.fine(false))
		}
		if g.rng.IntN(6) == 0 {
			v.Bills[0].Paid = false
		}
	}
}

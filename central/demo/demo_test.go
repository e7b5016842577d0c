package demo

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central/civil"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/central/rules"
	"github.com/absher-kiosk/kiosk/internal/golden"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
)

var today = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func generate(t testing.TB, seed int64, day time.Time, dir string) []people.Person {
	t.Helper()
	ppl, err := Generate(seed, day, dir)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return ppl
}

func TestGenerateIsDeterministic(t *testing.T) {
	a := generate(t, 7, today, "")
	b := generate(t, 7, today.Add(15*time.Hour), "")
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed and civil date gave different populations")
	}
	// The README names showcase IDs: they must not change with the date.
	later := generate(t, 7, today.AddDate(1, 2, 3), "")
	for i := range a {
		if a[i].ID != later[i].ID || a[i].NameEN != later[i].NameEN {
			t.Fatalf("person %d is %s %s on one day and %s %s on another", i, a[i].ID, a[i].NameEN, later[i].ID, later[i].NameEN)
		}
	}
	c := generate(t, 8, today, "")
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds gave the same population")
	}
}

var (
	mobileRE = regexp.MustCompile(`^\+9665\d{8}$`)
	arabicRE = regexp.MustCompile(`^[\p{Arabic} ]+$`)
	latinRE  = regexp.MustCompile(`^[A-Za-z][A-Za-z '-]+$`)
)

func TestPopulationInvariants(t *testing.T) {
	ppl := generate(t, 1, today, "")
	if len(ppl) < MinPopulation {
		t.Fatalf("%d persons, want at least %d", len(ppl), MinPopulation)
	}
	byID := map[string]people.Person{}
	names := map[string]int{}
	counts := map[people.Kind]int{}
	var deps, visitors, accounts, unpaidFines int
	for _, p := range ppl {
		if _, dup := byID[p.ID]; dup {
			t.Errorf("duplicate ID %s", p.ID)
		}
		byID[p.ID] = p
		names[p.NameEN]++
		counts[p.Kind]++
		if len(p.ID) != 10 || !pii.Luhn(p.ID) {
			t.Errorf("%s: not a valid ten-digit number", p.ID)
		}
		want := map[people.Kind]string{people.Citizen: "1", people.Resident: "2", people.Visitor: "34"}[p.Kind]
		if want == "" || !slices.Contains([]byte(want), p.ID[0]) {
			t.Errorf("%s: kind %q with prefix %c", p.ID, p.Kind, p.ID[0])
		}
		if !arabicRE.MatchString(p.NameAR) || !latinRE.MatchString(p.NameEN) {
			t.Errorf("%s: names %q / %q", p.ID, p.NameEN, p.NameAR)
		}
		if p.Mobile != "" && !mobileRE.MatchString(p.Mobile) {
			t.Errorf("%s: mobile %q", p.ID, p.Mobile)
		}
		if p.AbsherActive != (p.PasswordHash != "") {
			t.Errorf("%s: account active %v with hash %q", p.ID, p.AbsherActive, p.PasswordHash)
		}
		if p.Kind == people.Visitor && (p.AbsherActive || len(p.Fingers) > 0) {
			t.Errorf("%s: a visitor with an account or fingers", p.ID)
		}
		if p.AbsherActive {
			accounts++
		}
		if !p.BirthDate.Before(civil.Of(today)) {
			t.Errorf("%s: born %v", p.ID, p.BirthDate)
		}
		deps += len(p.DependentIDs)
		if p.Kind == people.Visitor {
			visitors++
		}
		for _, f := range p.Fines {
			if !f.Paid {
				unpaidFines++
			}
		}
		for _, f := range p.Fingers {
			if f.Seed != FingerSeed(1, p.ID, f.Position) {
				t.Errorf("%s: finger %d seed %d not derived from seed and ID", p.ID, f.Position, f.Seed)
			}
		}
	}
	for _, p := range ppl {
		for _, d := range p.DependentIDs {
			if dp, ok := byID[d]; !ok || dp.Kind != p.Kind {
				t.Errorf("%s: dependent %s missing or of another kind", p.ID, d)
			}
		}
		if p.Kind == people.Visitor {
			h, ok := byID[p.HostID]
			if !ok || h.Kind == people.Visitor {
				t.Errorf("%s: host %q is not a citizen or resident of the population", p.ID, p.HostID)
			}
		}
	}
	for _, n := range []people.Kind{people.Citizen, people.Resident, people.Visitor} {
		if counts[n] < 50 {
			t.Errorf("only %d of kind %s", counts[n], n)
		}
	}
	if deps < 200 || visitors < 50 || accounts < 200 || unpaidFines < 50 {
		t.Errorf("thin population: %d dependents, %d visitors, %d accounts, %d unpaid fines", deps, visitors, accounts, unpaidFines)
	}
	for _, s := range specs {
		for _, n := range []string{s.applicant.en, s.subject.en} {
			if n != "" && names[n] != 1 {
				t.Errorf("showcase name %q appears %d times, want once", n, names[n])
			}
		}
	}
}

func TestPopulationPasswordsVerify(t *testing.T) {
	ppl := generate(t, 1, today, "")
	showcase := map[string]bool{}
	for _, c := range Cases(ppl) {
		showcase[c.ID] = true
	}
	checked := 0
	for _, p := range ppl {
		if p.PasswordHash == "" || checked >= 50 {
			continue
		}
		pw := PopulationPassword(p.ID)
		if showcase[p.ID] {
			pw = ShowcasePassword
		}
		ok, err := VerifyPassword(p.PasswordHash, pw)
		if err != nil || !ok {
			t.Errorf("%s: password does not verify: %v", p.ID, err)
		}
		if ok, _ := VerifyPassword(p.PasswordHash, pw+"x"); ok {
			t.Errorf("%s: a wrong password verified", p.ID)
		}
		checked++
	}
}

// TestCasesHoldUnderRules is the contract between the demo and the rules:
// every deliberate case gets exactly the answer it promises, on ordinary
// days and on the awkward ones (month ends, a leap day, New Year's Eve).
func TestCasesHoldUnderRules(t *testing.T) {
	days := []time.Time{
		today,
		time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
		time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(2027, 5, 31, 0, 0, 0, 0, time.UTC),
	}
	for _, day := range days {
		ppl := generate(t, 42, day, "")
		byID := map[string]people.Person{}
		for _, p := range ppl {
			byID[p.ID] = p
		}
		cases := Cases(ppl)
		if len(cases) != len(specs) {
			t.Fatalf("%s: %d cases for %d specs", day.Format(time.DateOnly), len(cases), len(specs))
		}
		for _, c := range cases {
			in := rules.Input{Today: civil.Of(day), Applicant: byID[c.ID], Options: c.Options}
			if c.SubjectID != "" {
				in.Subject = byID[c.SubjectID]
			}
			a, err := rules.Check(c.Service, in)
			if err != nil {
				t.Errorf("%s %s: %v", c.NameEN, c.Service, err)
				continue
			}
			if a.Eligible != c.WantEligible || !reflect.DeepEqual(a.Reasons, c.WantReasons) {
				t.Errorf("%s, %s (%s): eligible %v %q, want %v %q", day.Format(time.DateOnly), c.NameEN, c.Service,
					a.Eligible, a.Reasons, c.WantEligible, c.WantReasons)
			}
			if c.WantEligible && c.Password == "" && byID[c.ID].AbsherActive {
				t.Errorf("%s: has an account but the case gives no password", c.NameEN)
			}
		}
	}
}

func TestCasesCoverEveryServiceAndReason(t *testing.T) {
	cases := Cases(generate(t, 1, today, ""))
	yes := map[domain.ServiceID]bool{}
	reasons := map[string]bool{}
	for _, c := range cases {
		if c.WantEligible {
			yes[c.Service] = true
		}
		if len(c.WantReasons) > 0 {
			reasons[string(c.Service)+"/"+c.WantReasons[0]] = true
			reasons[c.WantReasons[0]] = true
		}
	}
	for _, s := range domain.Services() {
		if !yes[s] {
			t.Errorf("no eligible case for %s", s)
		}
	}
	// Visitors never reach the service menu (the kiosk accepts only IDs
	// starting 1 or 2), so that refusal is shown by the rules' own tests.
	for _, r := range rules.Reasons() {
		if r != rules.ReasonNotCitizenOrResident && !reasons[r] {
			t.Errorf("no case refused with %s", r)
		}
	}
	for _, want := range []string{
		"visa_extension/" + rules.ReasonFeeUnpaid, "exit_reentry/" + rules.ReasonFeeUnpaid, "licence_renewal/" + rules.ReasonFeeUnpaid,
		"visa_extension/" + rules.ReasonUnpaidTrafficFines, "licence_renewal/" + rules.ReasonUnpaidTrafficFines,
		"exit_reentry/" + rules.ReasonNotYourDependent,
	} {
		if !reasons[want] {
			t.Errorf("no case %s", want)
		}
	}
}

func TestShowcase(t *testing.T) {
	ppl := generate(t, 1, today, "")
	byID := map[string]people.Person{}
	for _, p := range ppl {
		byID[p.ID] = p
	}
	sc := Showcase(ppl)
	if len(sc) < 15 || len(sc) > 25 {
		t.Errorf("showcase has %d cases, want 15 to 25", len(sc))
	}
	var rejected, fallback, fixtureCase bool
	for _, c := range sc {
		p := byID[c.ID]
		var right int64
		for _, f := range p.Fingers {
			if f.Position == people.RightIndex {
				right = f.Seed
			}
			if f.Seed == c.ScannerSeed && c.NameEN == "Nora Al-Sudairi" {
				t.Errorf("the rejection case presents an enrolled finger")
			}
		}
		switch c.NameEN {
		case "Nora Al-Sudairi":
			rejected = c.ScannerSeed != right && c.Password != ""
		case "Majed Al-Jaber":
			fallback = len(p.Fingers) == 0 && c.Password != ""
		case "Ravi Menon":
			fixtureCase = c.ScannerSeed == right
		default:
			if len(p.Fingers) > 0 && c.ScannerSeed != right {
				t.Errorf("%s: scanner seed %d is not the enrolled right index %d", c.NameEN, c.ScannerSeed, right)
			}
		}
	}
	if !rejected || !fallback || !fixtureCase {
		t.Errorf("missing cases: rejected %v, fallback %v, real-scanner %v", rejected, fallback, fixtureCase)
	}
	got, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "showcase_seed1_2026-11-23.json")
	want := golden.Read(t, path, append(got, '\n'))
	if string(want) != string(got)+"\n" {
		t.Errorf("showcase differs from %s; if intended, run go test -update and review the diff", path)
	}
}

func TestFixtureEnrolment(t *testing.T) {
	dir := t.TempDir()
	ravi := func(ppl []people.Person) people.Person {
		for _, p := range ppl {
			if p.NameEN == "Ravi Menon" {
				return p
			}
		}
		t.Fatal("Ravi Menon missing")
		return people.Person{}
	}
	without := ravi(generate(t, 1, today, dir))
	if without.Fingers[0].Fixture != "" {
		t.Errorf("fixture set without the file: %q", without.Fingers[0].Fixture)
	}
	if err := os.MkdirAll(filepath.Join(dir, "nb1010"), 0o755); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, FixturePath)
	if err := os.WriteFile(want, []byte("\x89PNG\r\n\x1a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ppl := generate(t, 1, today, dir)
	with := ravi(ppl)
	if with.Fingers[0].Position != people.RightIndex || with.Fingers[0].Fixture != want {
		t.Errorf("right index = %+v, want fixture %s", with.Fingers[0], want)
	}
	n := 0
	for _, p := range ppl {
		for _, f := range p.Fingers {
			if f.Fixture != "" {
				n++
			}
		}
	}
	if n != 1 {
		t.Errorf("%d fingers enrolled from the fixture, want 1", n)
	}
	if with.Fingers[0].Seed != without.Fingers[0].Seed {
		t.Error("the fixture changed the finger's seed")
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(1, today, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRealScannerFixture enrols the recorded nb1010 capture that the
// scanner replay tests use, from ../shared/fixtures beside the project root.
func TestRealScannerFixture(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "fixtures", "libfprint"))
	if err != nil {
		t.Fatal(err)
	}
	capture := filepath.Join(dir, FixturePath)
	f, err := os.Open(capture)
	if err != nil {
		t.Skipf("recorded scanner capture %s is absent (%v); it comes with libfprint's recordings", capture, err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", capture, err)
	}
	if cfg.Width == 0 || cfg.Height == 0 {
		t.Fatalf("%s: empty image", capture)
	}
	ppl := generate(t, 1, today, dir)
	for _, c := range Showcase(ppl) {
		if c.NameEN != "Ravi Menon" {
			continue
		}
		for _, p := range ppl {
			if p.ID == c.ID {
				if p.Fingers[0].Position != people.RightIndex || p.Fingers[0].Fixture != capture {
					t.Fatalf("right index = %+v, want the capture %s", p.Fingers[0], capture)
				}
				return
			}
		}
	}
	t.Fatal("the real-scanner showcase person is missing")
}

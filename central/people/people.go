// Package people is the centre's model of a person and what the state knows
// about them: the records that the kiosk's services read and change.
//
// The demo population (package demo) and the eligibility rules (package
// rules) speak this model; the store keeps it sealed at rest.
package people

import (
	"github.com/absher-kiosk/kiosk/central/civil"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
)

// Kind tells a citizen (ID starts with 1) from a resident (Iqama starts with
// 2) and from a visitor (visit visa holder, no Absher account of their own).
type Kind string

const (
	Citizen  Kind = "citizen"
	Resident Kind = "resident"
	Visitor  Kind = "visitor"
)

// Finger positions as ISO/IEC 19794-4 numbers them.
const (
	RightIndex = 2
	LeftIndex  = 7
)

// Person is one record of the national register. Its dates are civil dates:
// a passport expiring on a day is valid through that day in Riyadh, wherever
// the record is read.
type Person struct {
	ID          string     `json:"id"` // 10 digits; visitors carry a border number of the same form
	Kind        Kind       `json:"kind"`
	NameAR      string     `json:"name_ar"`
	NameEN      string     `json:"name_en"`
	BirthDate   civil.Date `json:"birth_date"`
	Nationality string     `json:"nationality"` // ISO 3166 alpha-3
	Mobile      string     `json:"mobile"`      // +9665XXXXXXXX, empty when none is registered

	// PasswordHash is the Absher password for the fallback identification,
	// argon2id in PHC string form. Empty: no active Absher account.
	PasswordHash string `json:"password_hash,omitempty"`
	AbsherActive bool   `json:"absher_active"`

	Fingers []Finger `json:"fingers,omitempty"`

	HostID        string   `json:"host_id,omitempty"` // visitors: the citizen or resident who hosts them
	DependentIDs  []string `json:"dependent_ids,omitempty"`
	InsideKingdom bool     `json:"inside_kingdom"`

	Passport  *Passport  `json:"passport,omitempty"`
	Visas     []Visa     `json:"visas,omitempty"`
	Fines     []Fine     `json:"fines,omitempty"`
	Insurance *Insurance `json:"insurance,omitempty"`
	Licence   *Licence   `json:"licence,omitempty"`
	Bills     []Bill     `json:"bills,omitempty"`
}

// Finger is one enrolled finger. Seed names a synthetic finger (package
// devices/fingerprint/synth); Fixture, when set, names a real capture that
// was enrolled instead (the recorded USB scanner's image).
type Finger struct {
	Position int    `json:"position"`
	Seed     int64  `json:"seed"`
	Fixture  string `json:"fixture,omitempty"`
}

type Passport struct {
	Number string     `json:"number"`
	Issued civil.Date `json:"issued"`
	Expiry civil.Date `json:"expiry"`
	Lost   bool       `json:"lost"` // reported lost or stolen: no longer valid
}

type VisaKind string

const (
	VisitVisa           VisaKind = "visit"
	ExitReentrySingle   VisaKind = "exit_reentry_single"
	ExitReentryMultiple VisaKind = "exit_reentry_multiple"
	FinalExit           VisaKind = "final_exit"
)

type VisaStatus string

const (
	VisaIssued    VisaStatus = "issued"
	VisaUsed      VisaStatus = "used"
	VisaCancelled VisaStatus = "cancelled"
)

type Visa struct {
	Number string     `json:"number"`
	Kind   VisaKind   `json:"kind"`
	Status VisaStatus `json:"status"`
	Issued civil.Date `json:"issued"`
	Expiry civil.Date `json:"expiry"`
}

type Fine struct {
	Number    string     `json:"number"`
	Violation string     `json:"violation"` // short English description; the Arabic comes from the catalogue by Code
	Code      string     `json:"code"`
	AmountSAR int        `json:"amount_sar"`
	Date      civil.Date `json:"date"`
	Paid      bool       `json:"paid"`
}

type Insurance struct {
	Provider string     `json:"provider"`
	Policy   string     `json:"policy"`
	Start    civil.Date `json:"start"`
	End      civil.Date `json:"end"`
}

type Licence struct {
	Number string     `json:"number"`
	Expiry civil.Date `json:"expiry"`
}

// Bill is a fee raised in the national bill-payment system. The kiosk takes
// no money: a service whose fee is due checks that a matching bill was paid.
type Bill struct {
	Number    string           `json:"number"`
	Service   domain.ServiceID `json:"service"`    // for example visa_extension
	SubjectID string           `json:"subject_id"` // whom the fee is for (the visitor, the dependent, oneself)
	AmountSAR int              `json:"amount_sar"`
	Paid      bool             `json:"paid"`
}

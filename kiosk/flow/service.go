package flow

import (
	"slices"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// Service is a table of steps walked after the menu. The engine knows how
// to run each step; a new service is a new table (and, for a new kind of
// input, a new step handler), never a new screen switch in the UI.
type Service struct {
	ID    domain.ServiceID
	Steps []Step // ends with StepResult; the receipt and thanks follow
	// Delivery is how the submission reaches the centre: online within the
	// visit, or queued in the outbox. The Submitter routes by it.
	Delivery domain.Delivery
	// Fields builds the transaction fields from the session at submission.
	Fields func(d sessionData) map[string]string
	// Ready, when set, says whether the kiosk can run the service now (its
	// device works); the menu leaves it out otherwise.
	Ready func(d *Deps) bool

	catalogue *catalogueSpec // the catalogue services' subjects and options
}

// sessionData is the view of the session a service's Fields reads.
type sessionData struct {
	Mobile string
	Code   string
	Extra  map[string]string // session.Data.Extra as text
	Record []byte            // the last finger record
}

// Catalogue is the set of services a machine can run, by ID. Build it with
// Services and hand it to the machine in Deps; it is read only afterwards.
type Catalogue map[domain.ServiceID]*Service

// Services builds the kiosk's catalogue: Update Mobile, Print a document
// and the catalogue services. Each call makes new tables, so machines and
// tests never share one.
func Services() Catalogue {
	c := Catalogue{}
	for _, s := range []Service{updateMobile(), printDocument(),
		activateAbsher(), visaExtension(), exitReentry(), licenceRenewal(), reportLostPassport()} {
		c[s.ID] = &s
	}
	return c
}

// Menu turns the central config's service entries into the menu: in the
// config's order (ties keep the listed order), with their icons. Entries
// the config disables stay in the list, marked, so the engine never offers
// them; services not in the catalogue are left out.
func (c Catalogue) Menu(entries []api.ServiceEntry) []ServiceItem {
	sorted := slices.Clone(entries)
	slices.SortStableFunc(sorted, func(a, b api.ServiceEntry) int { return a.Order - b.Order })
	var out []ServiceItem
	for _, e := range sorted {
		if c[e.ID] == nil {
			continue
		}
		out = append(out, ServiceItem{ID: e.ID, Enabled: e.Enabled, Icon: e.Icon})
	}
	return out
}

// updateMobile changes the mobile number registered for the person. The
// change is queued: it is applied when the centre receives the event, so
// a visit never waits on the link.
func updateMobile() Service {
	return Service{
		ID:       domain.UpdateMobile,
		Delivery: domain.Queued,
		Steps:    []Step{StepIdentify, StepMobileEntry, StepMobileCode, StepSubmitting, StepResult},
		Fields: func(d sessionData) map[string]string {
			return map[string]string{"mobile": d.Mobile, "code": d.Code}
		},
	}
}

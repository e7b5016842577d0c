package flow

// Service is a table of steps walked after the menu. The engine knows how
// to run each step; a new service is a new table (and, for a new kind of
// input, a new step handler), never a new screen switch in the UI.
type Service struct {
	ID    string
	Steps []Step // ends with StepResult; the receipt and thanks follow
	// Fields builds the transaction fields from the session at submission.
	Fields func(d sessionData) map[string]string
	// Ready, when set, says whether the kiosk can run the service now (its
	// device works); the menu leaves it out otherwise.
	Ready func(d *Deps) bool
}

// sessionData is the view of the session a service's Fields reads.
type sessionData struct {
	Mobile string
	Code   string
	Extra  map[string]string // session.Data.Extra as text
	Record []byte            // the last finger record
}

// UpdateMobile changes the mobile number registered for the person.
var UpdateMobile = Service{
	ID:    "update_mobile",
	Steps: []Step{StepIdentify, StepMobileEntry, StepMobileCode, StepSubmitting, StepResult},
	Fields: func(d sessionData) map[string]string {
		return map[string]string{"mobile": d.Mobile, "code": d.Code}
	},
}

// Services is the catalogue of services the engine can run, by ID. The
// menu shows those of them that config lists.
var Services = map[string]*Service{UpdateMobile.ID: &UpdateMobile}

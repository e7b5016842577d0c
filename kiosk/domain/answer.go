package domain

import "time"

// The centre's answers as the kiosk uses them. They are plain data: the
// one client of the centre (sync/client) returns them, the flow declares
// the interfaces that take and give them, and neither imports the other.

// Verification is the centre's answer to an ID.
type Verification struct {
	Ref             string
	FingersEnrolled bool
	HasAccount      bool // an Absher account, so password + SMS works
}

// Identified is a successful identification.
type Identified struct {
	Token string
	Name  string
}

// FingerResult is the centre's verdict on one fingerprint.
type FingerResult struct {
	Matched    bool
	TriesLeft  int
	Locked     bool
	LockReason string
	Lock       time.Duration
	Identified Identified
}

// CodeSent says an SMS code went out.
type CodeSent struct {
	MaskedMobile string
	ResendIn     time.Duration // zero: the flow's default wait
}

// SubjectInfo is someone a service can be for, from the centre.
type SubjectInfo struct {
	ID       string
	NameAR   string
	NameEN   string
	Relation string
}

// Eligibility is the centre's answer for a service, subject and options.
type Eligibility struct {
	Eligible bool
	Reasons  []string // rule codes, in the centre's order
	FeeSAR   int
	Details  map[string]string // dates and visa numbers, e.g. new_expiry
}

// Txn is a service request on its way to the centre.
type Txn struct {
	Key  string // idempotency key, the same on every retry of one request
	Kind ServiceID
	// Delivery is the service's: an online call the person waits for, or
	// an outbox event sent when the centre answers.
	Delivery Delivery
	Token    string
	Fields   map[string]string
}

// Ack is the submission's outcome: Done when the centre acknowledged it,
// otherwise it is queued and Reference is the kiosk's receipt number.
type Ack struct {
	Done      bool
	Reference string
	Details   map[string]string // what the centre decided, e.g. new_expiry
}

// DocumentInfo is what a list of printable documents shows of one. It
// carries no personal data: the document's content stays with the centre
// until the printer fetches it to print, so the flow has nothing of it to
// wipe.
type DocumentInfo struct {
	ID       string
	Kind     string // api.Doc* kinds
	TitleAR  string
	TitleEN  string
	IssuedAt time.Time
}

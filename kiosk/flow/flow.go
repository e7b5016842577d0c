// Package flow is the kiosk's service flow engine: the steps a walk-up user
// goes through, what each step shows and which events move it on. It knows
// nothing about Fyne, USB or the network; the UI renders View and sends
// Events, and the devices and the centre come in through the small
// interfaces below, so every path can be walked in tests with fakes.
package flow

import (
	"context"
	"image"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
)

// Step names a screen of the flow.
type Step string

const (
	StepAttract          Step = "attract"
	StepLanguage         Step = "language"
	StepIDEntry          Step = "id_entry"
	StepMenu             Step = "menu"
	StepIdentify         Step = "identify" // starting verification with the centre
	StepFingerprint      Step = "fingerprint"
	StepFallbackPassword Step = "fallback_password"
	StepFallbackCode     Step = "fallback_code"
	StepMobileEntry      Step = "mobile_entry"
	StepMobileCode       Step = "mobile_code"
	StepSubmitting       Step = "submitting"
	StepResult           Step = "result"
	StepReceiptOffer     Step = "receipt_offer"
	StepPrinting         Step = "printing"
	StepThankYou         Step = "thank_you"
	StepError            Step = "error"
)

// Finger positions as ISO/IEC 19794-4 numbers them.
const (
	RightIndex = 2
	LeftIndex  = 7
)

// Problem is what went wrong on the current step, as codes the UI
// translates: the flow's own (domain.Problem…), the input rules' reason
// codes and the centre's refusal and rule codes, which pass through.
type Problem struct {
	Code     domain.ProblemCode
	Hint     string        // e.g. press_harder, centre_finger, or the lock reason
	CanRetry bool          // the step offers Retry (or simply another try)
	Lock     time.Duration // how long the person is locked out, when known
}

// ServiceItem is one entry of the service menu, from config.
type ServiceItem struct {
	ID      domain.ServiceID
	Enabled bool
	Icon    string // the config's icon name, e.g. visa, car, passport
}

// View is everything the UI must draw for the current step.
type View struct {
	Step           Step
	Lang           string // "ar" or "en"
	Service        domain.ServiceID
	Finger         int // RightIndex or LeftIndex on the fingerprint step
	TriesLeft      int // fingerprint tries left
	ResendIn       time.Duration
	ResendsLeft    int
	CodeTriesLeft  int
	Entry          string // the current field for echo; the password is bullets
	MaxEntry       int    // how many runes the current field takes
	EntryPlaces    int    // its usual length, for the places the screen draws (≤ MaxEntry)
	MaskedMobile   string // the number a code was sent to, masked
	Name           string // the person's display name once identified
	Reference      string
	Done           bool // acknowledged by the centre
	Received       bool // queued on the kiosk, to be sent when the centre answers
	Problem        *Problem
	Services       []ServiceItem
	PrinterPresent bool
	Busy           bool
	IdleWarning    bool
	IdleLeft       time.Duration
	CanFallback    bool                  // the password + SMS route is offered
	CanReveal      bool                  // the password step can show the typed password (Reveal)
	Revealed       bool                  // Entry is the password itself, at the person's request
	Documents      []domain.DocumentInfo // Print a document: the list to choose from
	Document       domain.DocumentInfo   // Print a document: the one being printed
	Catalogue      *CatalogueView        // the catalogue services' steps
}

// Event is something the user (or the idle timer) did.
type Event interface{}

// Events from the UI.
type (
	Start          struct{}
	ChooseLanguage struct{ Lang string }
	Key            struct{ Rune rune }
	Backspace      struct{}
	Clear          struct{}
	SubmitEntry    struct{} // also "continue" on result, thank-you and error
	ChooseService  struct{ ID domain.ServiceID }
	UseFallback    struct{}
	Capture        struct{}
	Resend         struct{}
	AcceptReceipt  struct{}
	DeclineReceipt struct{}
	Retry          struct{}
	Back           struct{}
	Cancel         struct{}
	Timeout        struct{}
	MoreTime       struct{}
	Reveal         struct{} // show or hide the typed password again
)

// QualityError is a capture the quality gate refused; the hint tells the
// user what to change and the try is not counted.
type QualityError struct{ Hint string }

func (q *QualityError) Error() string {
	return "fingerprint capture refused by quality gate: " + q.Hint
}

// Centre is the online part of identification and of the services.
type Centre interface {
	StartVerification(ctx context.Context, id string) (domain.Verification, error)
	VerifyFinger(ctx context.Context, ref string, record []byte, position int) (domain.FingerResult, error)
	VerifyPassword(ctx context.Context, ref, password string) (domain.CodeSent, error)
	VerifyCode(ctx context.Context, ref, code string) (domain.Identified, error)
	ResendCode(ctx context.Context, ref string) (domain.CodeSent, error)
	RequestMobileCode(ctx context.Context, token, mobile string) (domain.CodeSent, error)
	ResendMobileCode(ctx context.Context, token, mobile string) (domain.CodeSent, error)
}

// ScanImage is one fingerprint capture.
type ScanImage struct {
	Image *image.Gray
	DPI   int
}

// Scanner is the fingerprint reader; nil means none is fitted.
type Scanner interface {
	Capture(ctx context.Context) (ScanImage, error)
	Usable() bool
}

// EncodeRecord turns a capture into an ISO/IEC 19794-4 record.
type EncodeRecord func(img *image.Gray, dpi, position int) ([]byte, error)

// Receipt is what the printer gets: masked values only.
type Receipt struct {
	Service      domain.ServiceID
	MaskedID     string
	MaskedMobile string
	Reference    string
	Time         time.Time
	Lang         string
	Done         bool
	Details      map[string]string // the centre's result, e.g. new_expiry, visa
	FeeSAR       int
}

// Printer prints receipts; nil means no printer, and no receipt offer.
type Printer interface {
	Print(ctx context.Context, r Receipt) error
}

// Submitter writes a transaction to the outbox and waits briefly for the
// centre's acknowledgement.
type Submitter interface {
	Submit(ctx context.Context, t domain.Txn) (domain.Ack, error)
}

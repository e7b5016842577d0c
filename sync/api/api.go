// Package api is the contract between the kiosk and the centre: the Go types
// of every request, response and event under /v1/, the formats both sides
// check (ID numbers, mobile numbers), and the canonical form of a signed
// command so the kiosk verifies exactly the bytes the centre signed.
//
// openapi.yaml in this folder describes the same contract for other
// implementations; a test keeps the two in agreement.
package api

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
)

// ErrFingerRecord means a posted finger image record could not be decoded;
// the centre answers it with CodeBadFingerRecord.
var ErrFingerRecord = errors.New("finger image record does not decode")

// MaxBodyBytes bounds every request body the centre reads; MaxBatchEvents
// bounds one upload. A kiosk splits larger uploads into several batches.
const (
	MaxBodyBytes   = 1 << 20
	MaxBatchEvents = 500
)

// Error is the body of every non-2xx answer. Code is stable and machine
// readable: the kiosk maps it to translated text. Message is for logs and
// technicians, in English.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// TriesLeft is set when a wrong answer still leaves tries.
	TriesLeft *int `json:"tries_left,omitempty"`
	// LockedUntil and RetryAfterSeconds are set when a limit was reached.
	LockedUntil       *time.Time `json:"locked_until,omitempty"`
	RetryAfterSeconds int        `json:"retry_after_seconds,omitempty"`
}

// ErrorResponse wraps Error as {"error": {...}}.
type ErrorResponse struct {
	Error Error `json:"error"`
}

// Stable error codes.
const (
	CodeBadRequest          = "bad_request"
	CodeMalformedJSON       = "malformed_json"
	CodeBodyTooLarge        = "body_too_large"
	CodeBatchTooLarge       = "batch_too_large"
	CodeClientCertRequired  = "client_certificate_required"
	CodeForbidden           = "forbidden"
	CodeNotFound            = "not_found"
	CodeMethodNotAllowed    = "method_not_allowed"
	CodeBadIDFormat         = "bad_id_format"
	CodeBadCheckDigit       = "bad_check_digit"
	CodeUnknownPerson       = "unknown_person"
	CodeBadMobile           = "bad_mobile"
	CodeNoRegisteredMobile  = "no_registered_mobile"
	CodeNoFingerprint       = "no_enrolled_fingerprint"
	CodeBadFingerRecord     = "bad_finger_record"
	CodeFingerprintNoMatch  = "fingerprint_no_match"
	CodeFingerprintLocked   = "fingerprint_attempts_exceeded"
	CodeNoAbsherAccount     = "no_absher_account"
	CodeWrongPassword       = "wrong_password"
	CodePasswordLocked      = "password_attempts_exceeded"
	CodeWrongSMSCode        = "wrong_sms_code"
	CodeSMSCodeExpired      = "sms_code_expired"
	CodeSMSAttemptsExceeded = "sms_attempts_exceeded"
	CodeSMSResendTooSoon    = "sms_resend_too_soon"
	CodeSMSSendsExceeded    = "sms_sends_exceeded"
	CodeSMSNotSent          = "sms_not_sent"
	CodeVerificationUnknown = "verification_unknown"
	CodeVerificationExpired = "verification_expired"
	CodeVerificationDone    = "verification_already_completed"
	CodeSessionRequired     = "session_required"
	CodeSessionExpired      = "session_expired"
	CodeUnknownService      = "unknown_service"
	CodeNotDependent        = "not_a_dependent"
	CodeUnknownCommandKind  = "unknown_command_kind"
	CodeInternal            = "internal_error"
)

// ---- Identity ----

// Identification methods.
const (
	MethodFingerprint = "fingerprint"
	MethodPassword    = "password_sms"
)

// StartVerificationRequest begins identifying one person at one kiosk.
// IDNumber may be written with Arabic-Indic digits.
type StartVerificationRequest struct {
	IDNumber string `json:"id_number"`
}

// Verification is a started identification.
type Verification struct {
	ID string `json:"verification_id"`
	// IDMasked shows only the last four digits.
	IDMasked string `json:"id_masked"`
	// Methods lists what this person can use: fingerprint only when prints
	// are enrolled, password_sms only with an active Absher account.
	Methods []string `json:"methods"`
	// FingerPositions are the ISO/IEC 19794-4 positions to ask for, in order.
	FingerPositions []int     `json:"finger_positions,omitempty"`
	FingerTriesLeft int       `json:"finger_tries_left"`
	ExpiresAt       time.Time `json:"expires_at"`
}

// FingerprintRequest carries one ISO/IEC 19794-4 finger image record
// (PNG-compressed image), base64 in JSON.
type FingerprintRequest struct {
	Record []byte `json:"record"`
}

// PasswordRequest is the first half of the fallback identification.
type PasswordRequest struct {
	Password string `json:"password"`
}

// SMSChallenge tells the kiosk where a code went and when it may ask again.
type SMSChallenge struct {
	// SentTo is the mobile number masked to its last four digits.
	SentTo      string    `json:"sent_to"`
	ExpiresAt   time.Time `json:"expires_at"`
	ResendAfter time.Time `json:"resend_after"`
	SendsLeft   int       `json:"sends_left"`
}

// SMSCodeRequest answers an SMS challenge.
type SMSCodeRequest struct {
	Code string `json:"code"`
}

// Session is the result of a successful identification. Token goes in
// "Authorization: Bearer <token>" on person and service calls; it is bound
// to the kiosk and the person, and each use extends it up to ExpiresAt.
type Session struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	IDMasked  string    `json:"id_masked"`
	Method    string    `json:"method"`
}

// ---- Person ----

// Profile is the summary shown after identification.
type Profile struct {
	IDNumber     string    `json:"id_number"`
	Kind         string    `json:"kind"`
	NameAR       string    `json:"name_ar"`
	NameEN       string    `json:"name_en"`
	BirthDate    string    `json:"birth_date"` // YYYY-MM-DD
	Nationality  string    `json:"nationality"`
	MobileMasked string    `json:"mobile_masked,omitempty"`
	AbsherActive bool      `json:"absher_active"`
	Dependents   int       `json:"dependents"`
	AsOf         time.Time `json:"as_of"`
}

// DocumentLine is one printed line: a label and a value in both languages.
type DocumentLine struct {
	LabelAR string `json:"label_ar"`
	LabelEN string `json:"label_en"`
	Value   string `json:"value"`
}

// Document is a printable document with what to print and how a reader
// checks it: VerifyURL goes into the QR code, VerifyCode is printed beside.
type Document struct {
	ID         string         `json:"id"`
	Kind       string         `json:"kind"`
	TitleAR    string         `json:"title_ar"`
	TitleEN    string         `json:"title_en"`
	Lines      []DocumentLine `json:"lines"`
	VerifyCode string         `json:"verify_code"`
	VerifyURL  string         `json:"verify_url"`
	IssuedAt   time.Time      `json:"issued_at"`
}

// Document kinds.
const (
	DocExitReentryVisa  = "exit_reentry_visa"
	DocFinalExitVisa    = "final_exit_visa"
	DocResidenceSummary = "residence_card_summary"
	DocCitizenSummary   = "identity_summary"
	DocTrafficStatement = "traffic_violation_statement"
)

// DocumentList answers GET /v1/person/documents.
type DocumentList struct {
	Documents []Document `json:"documents"`
}

// Dependent is a person the identified person is responsible for.
type Dependent struct {
	IDNumber string `json:"id_number"`
	Kind     string `json:"kind"`
	NameAR   string `json:"name_ar"`
	NameEN   string `json:"name_en"`
	// Relation is "dependent" for family members and "visitor" for visitors
	// hosted by the person.
	Relation string `json:"relation"`
}

// DependentList answers GET /v1/person/dependents.
type DependentList struct {
	Dependents []Dependent `json:"dependents"`
}

// Visa is one visa of the person.
type Visa struct {
	Number string `json:"number"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	Issued string `json:"issued"` // YYYY-MM-DD
	Expiry string `json:"expiry"`
}

// VisaList answers GET /v1/person/visas.
type VisaList struct {
	Visas []Visa `json:"visas"`
}

// Passport answers GET /v1/person/passport.
type Passport struct {
	Number string `json:"number"`
	Issued string `json:"issued"`
	Expiry string `json:"expiry"`
	Lost   bool   `json:"lost"`
	Valid  bool   `json:"valid"`
}

// Fine is one traffic fine.
type Fine struct {
	Number    string `json:"number"`
	Code      string `json:"code"`
	Violation string `json:"violation"`
	AmountSAR int    `json:"amount_sar"`
	Date      string `json:"date"`
	Paid      bool   `json:"paid"`
}

// FineList answers GET /v1/person/fines.
type FineList struct {
	Fines       []Fine `json:"fines"`
	UnpaidSAR   int    `json:"unpaid_sar"`
	UnpaidCount int    `json:"unpaid_count"`
}

// Insurance answers GET /v1/person/insurance.
type Insurance struct {
	Provider string `json:"provider"`
	Policy   string `json:"policy"`
	Start    string `json:"start"`
	End      string `json:"end"`
	Active   bool   `json:"active"`
}

// ---- Services ----

// MobileChangeRequest asks for a code to be sent to a new mobile number
// (05XXXXXXXX, 9665XXXXXXXX or +9665XXXXXXXX; Arabic-Indic digits allowed).
type MobileChangeRequest struct {
	Mobile string `json:"mobile"`
}

// MobileChallenge is the started change: the code went to the new number.
type MobileChallenge struct {
	ChallengeID string       `json:"challenge_id"`
	Mobile      string       `json:"mobile"` // normalised, +9665XXXXXXXX
	SMS         SMSChallenge `json:"sms"`
}

// MobileConfirmRequest proves the new number with its code.
type MobileConfirmRequest struct {
	ChallengeID string `json:"challenge_id"`
	Code        string `json:"code"`
}

// MobileGrant allows one mobile_updated event: the kiosk puts Grant into the
// event it queues, so the change is applied exactly once when it arrives,
// even after the session has ended.
type MobileGrant struct {
	Grant     string    `json:"grant"`
	Mobile    string    `json:"mobile"`
	ExpiresAt time.Time `json:"expires_at"`
}

// EligibilityRequest asks whether the identified person may run a service,
// for themselves or for a subject (a dependent, a hosted visitor).
type EligibilityRequest struct {
	SubjectID string            `json:"subject_id,omitempty"`
	Options   map[string]string `json:"options,omitempty"`
}

// Eligibility is a machine-readable answer: Reasons name each failed rule so
// the kiosk can say exactly what stands in the way.
type Eligibility struct {
	Service  domain.ServiceID  `json:"service"`
	Eligible bool              `json:"eligible"`
	Reasons  []string          `json:"reasons"`
	FeeSAR   int               `json:"fee_sar"`
	Details  map[string]string `json:"details,omitempty"`
}

// ServiceSubmission applies a service for the identified person (or the
// subject: a dependent, a hosted visitor). The centre checks eligibility
// again when it arrives. IdempotencyKey makes a retry return the first
// answer instead of applying the service twice.
type ServiceSubmission struct {
	IdempotencyKey string            `json:"idempotency_key"`
	SubjectID      string            `json:"subject_id,omitempty"`
	Options        map[string]string `json:"options,omitempty"`
	// ChallengeID and Code prove the mobile number of an activation.
	ChallengeID string `json:"challenge_id,omitempty"`
	Code        string `json:"code,omitempty"`
	// FingerRecord is the activation's second finger, an ISO/IEC 19794-4
	// record of another enrolled position than the one that identified.
	FingerRecord []byte `json:"finger_record,omitempty"`
}

// ServiceOutcome is the centre's decision on a submission. Completed false
// means refused, with every failed rule named in Reasons.
type ServiceOutcome struct {
	Service   domain.ServiceID  `json:"service"`
	Completed bool              `json:"completed"`
	Reasons   []string          `json:"reasons"`
	Reference string            `json:"reference,omitempty"`
	FeeSAR    int               `json:"fee_sar"`
	Details   map[string]string `json:"details,omitempty"`
	Duplicate bool              `json:"duplicate"`
	DecidedAt time.Time         `json:"decided_at"`
}

// ---- Sync ----

// EventKind names what an event records.
type EventKind string

const (
	EventMobileUpdated EventKind = "mobile_updated"
	EventAudit         EventKind = "audit"
	EventHeartbeat     EventKind = "heartbeat"
	EventPrintJob      EventKind = "print_job"
	EventCommandResult EventKind = "command_result"
)

// Event is one row of the kiosk's outbox on the wire. IdempotencyKey is a
// UUID chosen by the kiosk; (kiosk, key) is stored once.
type Event struct {
	IdempotencyKey string          `json:"idempotency_key"`
	Kind           EventKind       `json:"kind"`
	CreatedAt      time.Time       `json:"created_at"`
	Payload        json.RawMessage `json:"payload"`
}

// EventBatch is the body of POST /v1/sync/events.
type EventBatch struct {
	Events []Event `json:"events"`
}

// ItemStatus is the centre's answer for one event.
type ItemStatus string

const (
	ItemStored    ItemStatus = "stored"
	ItemDuplicate ItemStatus = "duplicate"
	// ItemConflict: the key was stored before with a different payload.
	ItemConflict ItemStatus = "conflict"
	ItemRejected ItemStatus = "rejected"
)

// EventResult is the answer for one event, in the order of the batch.
type EventResult struct {
	IdempotencyKey string     `json:"idempotency_key"`
	Status         ItemStatus `json:"status"`
	// HTTPStatus mirrors a per-item HTTP status: 201 stored, 200 duplicate,
	// 409 conflict, 422 rejected.
	HTTPStatus int    `json:"http_status"`
	Code       string `json:"code,omitempty"`
	Message    string `json:"message,omitempty"`
}

// EventBatchResponse answers POST /v1/sync/events.
type EventBatchResponse struct {
	Results []EventResult `json:"results"`
}

// MobileUpdated is the payload of a mobile_updated event.
type MobileUpdated struct {
	Grant     string `json:"grant"`
	Mobile    string `json:"mobile"`
	Reference string `json:"reference"` // K-…, shown and printed on the receipt
}

// Audit is the payload of an audit event. Subject IDs are masked by the
// kiosk before queueing: the centre never needs them in full here.
type Audit struct {
	Action   string            `json:"action"`
	Outcome  string            `json:"outcome"`
	Service  domain.ServiceID  `json:"service,omitempty"`
	IDMasked string            `json:"id_masked,omitempty"`
	Detail   map[string]string `json:"detail,omitempty"`
}

// Device states, after XFS4IoT.
const (
	DeviceOnline        = "online"
	DeviceOffline       = "offline"
	DeviceHardwareError = "hardwareError"
	DeviceNoDevice      = "noDevice"
	DeviceBusy          = "busy"
)

// DeviceStatus is one device in a heartbeat.
type DeviceStatus struct {
	Name   string            `json:"name"`
	Class  string            `json:"class"` // "printer", "fingerprint", ...
	State  string            `json:"state"`
	Detail map[string]string `json:"detail,omitempty"`
}

// Paper levels of the receipt printer.
const (
	PaperOK      = "ok"
	PaperLow     = "low"
	PaperOut     = "out"
	PaperUnknown = "unknown"
)

// Heartbeat is the payload of a heartbeat event.
type Heartbeat struct {
	Version                string         `json:"version"`
	UptimeSeconds          int64          `json:"uptime_seconds"`
	QueueDepth             int            `json:"queue_depth"`
	OldestQueuedAgeSeconds int64          `json:"oldest_queued_age_seconds"`
	ParkedCount            int            `json:"parked_count"`
	OutOfService           bool           `json:"out_of_service"`
	OutOfServiceReason     string         `json:"out_of_service_reason,omitempty"`
	PrinterPaper           string         `json:"printer_paper"`
	PrinterState           string         `json:"printer_state"`
	ScannerState           string         `json:"scanner_state"`
	ConfigETag             string         `json:"config_etag,omitempty"`
	LastCommandSeq         int64          `json:"last_command_seq"`
	Devices                []DeviceStatus `json:"devices,omitempty"`
	// HeartbeatIntervalSeconds is the interval the kiosk is running with,
	// so the centre can tell a silent kiosk from a slow one.
	HeartbeatIntervalSeconds int `json:"heartbeat_interval_seconds,omitempty"`
	// Parked lists the queue's parked events, oldest first, at most
	// MaxHeartbeatParked of them (ParkedCount has the full number).
	Parked []ParkedEvent `json:"parked,omitempty"`
}

// MaxHeartbeatParked bounds Heartbeat.Parked so a kiosk with a long list
// still sends a small heartbeat.
const MaxHeartbeatParked = 20

// ParkedEvent is one outbox row set aside after too many failed uploads.
// It names the event, never its payload.
type ParkedEvent struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	CreatedAt time.Time `json:"created_at"`
	Attempts  int       `json:"attempts"`
	Reason    string    `json:"reason"`
}

// PrintJob is the payload of a print_job event: the fate of one printout.
type PrintJob struct {
	Reference string `json:"reference"`
	Document  string `json:"document"` // receipt or a document kind
	Outcome   string `json:"outcome"`  // printed, failed, cancelled
	Reason    string `json:"reason,omitempty"`
}

// CommandResult is the payload of a command_result event.
type CommandResult struct {
	CommandID string `json:"command_id"`
	Seq       int64  `json:"seq"`
	Outcome   string `json:"outcome"` // applied or refused
	Reason    string `json:"reason,omitempty"`
}

// ---- Config ----

// Config is a kiosk's configuration document, served with an ETag.
type Config struct {
	Services                 []ServiceEntry `json:"services"`
	Fees                     []Fee          `json:"fees"`
	Timeouts                 Timeouts       `json:"timeouts"`
	TechnicianPINHash        string         `json:"technician_pin_hash"` // argon2id, PHC string form
	Announcements            []Announcement `json:"announcements"`
	OutOfServiceMessage      Text           `json:"out_of_service_message"`
	HeartbeatIntervalSeconds int            `json:"heartbeat_interval_seconds"`
}

// ServiceEntry places one service in the menu.
type ServiceEntry struct {
	ID      domain.ServiceID `json:"id"`
	Enabled bool             `json:"enabled"`
	Order   int              `json:"order"`
	Icon    string           `json:"icon"`
}

// Fee is one line of the fee tables, for example exit_reentry/multiple.
type Fee struct {
	Service   domain.ServiceID `json:"service"`
	Option    string           `json:"option,omitempty"`
	AmountSAR int              `json:"amount_sar"`
	// PerExtraMonthSAR is added per month beyond the option's base period.
	PerExtraMonthSAR int `json:"per_extra_month_sar,omitempty"`
}

// Timeouts of the walk-up session, in seconds.
type Timeouts struct {
	IdleSeconds       int `json:"idle_seconds"`
	WarningSeconds    int `json:"warning_seconds"`
	OnlineCallSeconds int `json:"online_call_seconds"`
}

// Text is one message in both languages.
type Text struct {
	AR string `json:"ar"`
	EN string `json:"en"`
}

// Announcement is a banner shown on the attract screen.
type Announcement struct {
	Text
	From  *time.Time `json:"from,omitempty"`
	Until *time.Time `json:"until,omitempty"`
}

// DefaultConfig is what a kiosk gets before ops set anything.
func DefaultConfig() Config {
	return Config{
		Services: []ServiceEntry{
			{ID: domain.UpdateMobile, Enabled: true, Order: 1, Icon: "phone"},
			{ID: domain.PrintDocument, Enabled: true, Order: 2, Icon: "document"},
			{ID: domain.ActivateAbsher, Enabled: true, Order: 3, Icon: "account"},
			{ID: domain.VisaExtension, Enabled: true, Order: 4, Icon: "visa"},
			{ID: domain.ExitReentry, Enabled: true, Order: 5, Icon: "plane"},
			{ID: domain.LicenceRenewal, Enabled: true, Order: 6, Icon: "car"},
			{ID: domain.ReportLostPassport, Enabled: true, Order: 7, Icon: "passport"},
		},
		Fees: []Fee{
			{Service: domain.VisaExtension, AmountSAR: 100},
			{Service: domain.ExitReentry, Option: "single", AmountSAR: 200},
			{Service: domain.ExitReentry, Option: "multiple", AmountSAR: 500, PerExtraMonthSAR: 200},
			{Service: domain.LicenceRenewal, Option: "per_year", AmountSAR: 40},
		},
		Timeouts:                 Timeouts{IdleSeconds: 45, WarningSeconds: 20, OnlineCallSeconds: 15},
		Announcements:            []Announcement{},
		OutOfServiceMessage:      Text{AR: "الجهاز خارج الخدمة مؤقتاً", EN: "This kiosk is temporarily out of service"},
		HeartbeatIntervalSeconds: 60,
	}
}

// ConfigUpdate is the body of PUT /v1/ops/kiosks/{id}/config.
type ConfigUpdate struct {
	Config Config `json:"config"`
}

// ---- Commands ----

// CommandKind names what a command asks of a kiosk.
type CommandKind string

const (
	CmdOutOfService  CommandKind = "out_of_service"
	CmdInService     CommandKind = "in_service"
	CmdPrintTestPage CommandKind = "print_test_page"
	CmdForceSync     CommandKind = "force_sync"
	CmdCollectLogs   CommandKind = "collect_logs"
	CmdRestart       CommandKind = "restart"
)

// CommandKinds lists every known kind.
var CommandKinds = []CommandKind{CmdOutOfService, CmdInService, CmdPrintTestPage, CmdForceSync, CmdCollectLogs, CmdRestart}

// Command is a signed envelope. Signature is Ed25519 over CanonicalBytes.
type Command struct {
	ID        string            `json:"id"`
	Kiosk     string            `json:"kiosk"`
	Seq       int64             `json:"seq"`
	IssuedAt  time.Time         `json:"issued_at"`
	Expiry    time.Time         `json:"expiry"`
	Kind      CommandKind       `json:"kind"`
	Args      map[string]string `json:"args,omitempty"`
	Signature []byte            `json:"signature"`
}

// CommandList answers GET /v1/kiosks/{id}/commands?after=N.
type CommandList struct {
	Commands []Command `json:"commands"`
	// LastSeq is the highest sequence number queued for the kiosk.
	LastSeq int64 `json:"last_seq"`
}

// NewCommandRequest is the body of POST /v1/ops/kiosks/{id}/commands.
type NewCommandRequest struct {
	Kind CommandKind       `json:"kind"`
	Args map[string]string `json:"args,omitempty"`
	// TTLSeconds is how long the command stays valid; 0 means one hour.
	TTLSeconds int `json:"ttl_seconds,omitempty"`
}

// ---- Ops ----

// KioskStatus is one row of the fleet table.
type KioskStatus struct {
	ID         string     `json:"id"`
	LastSeen   *time.Time `json:"last_seen,omitempty"`
	Heartbeat  *Heartbeat `json:"heartbeat,omitempty"`
	ConfigETag string     `json:"config_etag"`
	LastSeq    int64      `json:"last_seq"`
}

// KioskList answers GET /v1/ops/kiosks.
type KioskList struct {
	Kiosks []KioskStatus `json:"kiosks"`
}

// SMSMessage is one message caught by the SMS sink of a dev centre.
type SMSMessage struct {
	To     string    `json:"to"`
	Text   string    `json:"text"`
	SentAt time.Time `json:"sent_at"`
	Kiosk  string    `json:"kiosk"`
}

// SMSList answers GET /v1/ops/sms.
type SMSList struct {
	Messages []SMSMessage `json:"messages"`
}

package domain

// ProblemCode names what went wrong on a step of a visit. The screens
// look each code up in the visit's language. Besides the codes below, a
// problem can carry the input rules' reason codes (kiosk/identity: empty,
// too_short, bad_check_digit, ...) and the centre's rule codes
// (fee_unpaid, ...), which keep the spelling of their owners.
type ProblemCode string

// Problems the flow raises itself.
const (
	ProblemUnreachable        ProblemCode = "centre_unreachable"
	ProblemNotMatched         ProblemCode = "fingerprint_not_matched"
	ProblemLocked             ProblemCode = "locked"
	ProblemScannerUnavailable ProblemCode = "scanner_unavailable"
	ProblemQuality            ProblemCode = "capture_quality"
	ProblemCodeWrong          ProblemCode = "code_wrong"
	ProblemCodeExpired        ProblemCode = "code_expired"
	ProblemResendLimit        ProblemCode = "resend_limit"
	ProblemNoAccount          ProblemCode = "no_account"
	ProblemServiceUnavailable ProblemCode = "service_unavailable"
	ProblemPrinterFailed      ProblemCode = "printer_failed"
	ProblemUnexpected         ProblemCode = "unexpected"

	// The catalogue services.
	ProblemChooseOption ProblemCode = "choose_option" // continue pressed before every option was chosen
	ProblemNoSubjects   ProblemCode = "no_subjects"   // nobody the service can be for
	ProblemNotEligible  ProblemCode = "not_eligible"  // the eligibility screen lists the reasons

	// Print a document.
	ProblemNoDocuments ProblemCode = "no_documents"
	// ProblemDocPrinterDown: the printer stopped between the list and the
	// choice; nothing can be printed at this kiosk now.
	ProblemDocPrinterDown ProblemCode = "doc_printer_unavailable"
)

// Refusals of the centre that the flow shows as they are, beyond the ones
// above that the centre can also answer (code_wrong, locked, ...).
const (
	ProblemUnknownPerson  ProblemCode = "id_unknown"
	ProblemWrongPassword  ProblemCode = "wrong_password"
	ProblemSessionExpired ProblemCode = "session_expired"
	ProblemResendTooSoon  ProblemCode = "resend_too_soon"
)

// Problems lists every code declared here: the ones the flow raises and
// the centre's refusals it passes on. Tests use it to prove that each has
// words on the screen.
func Problems() []ProblemCode {
	return []ProblemCode{
		ProblemUnreachable, ProblemNotMatched, ProblemLocked, ProblemScannerUnavailable,
		ProblemQuality, ProblemCodeWrong, ProblemCodeExpired, ProblemResendLimit,
		ProblemNoAccount, ProblemServiceUnavailable, ProblemPrinterFailed, ProblemUnexpected,
		ProblemChooseOption, ProblemNoSubjects, ProblemNotEligible,
		ProblemNoDocuments, ProblemDocPrinterDown,
		ProblemUnknownPerson, ProblemWrongPassword, ProblemSessionExpired, ProblemResendTooSoon,
	}
}

package ui

// ProblemCodes are the View.Problem values the screens can explain. Each
// has a message "problem_<code>" in every language saying what happened
// and what to do next; any other value is shown as "internal".
var ProblemCodes = []string{
	"id_length", "id_prefix", "id_checksum", "id_unknown",
	"mobile_format", "mobile_same",
	"code_wrong", "code_expired", "resend_too_soon", "too_many_attempts",
	"finger_no_match", "finger_fallback", "scanner_unavailable",
	"password_empty", "password_wrong",
	"printer_unavailable", "paper_out", "printer_failed", "no_documents", "doc_printer_unavailable",
	"choose_option", "no_subjects",
	"centre_unreachable", "timeout",
	"not_eligible", "fee_unpaid", "fines_unpaid", "insurance_missing", "passport_expiring",
	"service_unavailable", "internal",
}

// QualityCodes are the View.Quality values, messages "quality_<code>".
var QualityCodes = []string{"ok", "no_finger", "press_harder", "press_lighter", "off_centre", "moved", "dry", "wet"}

package domain

import (
	"errors"
	"fmt"
	"time"
)

// ErrUnreachable is what a client of the centre returns, wrapped, for any
// failure of the link rather than a decision: no route, TLS, a timeout, a
// 5xx, an answer that does not read. The same request may be tried again
// later.
var ErrUnreachable = errors.New("centre unreachable: check the kiosk's network link, then retry")

// Refusal is the centre saying no on purpose, with a stable code such as
// fingerprint_not_matched, code_wrong, locked, or a rule's reason. Trying
// the same request again gets the same answer, except after RetryAfter.
type Refusal struct {
	Code       ProblemCode
	RetryAfter time.Duration // zero when the centre did not say
}

func (r *Refusal) Error() string {
	if r.RetryAfter > 0 {
		return fmt.Sprintf("centre refused: %s (try again after %v)", r.Code, r.RetryAfter)
	}
	return "centre refused: " + string(r.Code)
}

// RefusalCode is the code of the refusal in err's chain, if there is one.
func RefusalCode(err error) (ProblemCode, bool) {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Code, true
	}
	return "", false
}

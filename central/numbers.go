package central

import (
	"errors"

	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// Messages that go with the API's number format codes, for the kiosk's log
// and for people reading the API; the kiosk shows its own words.
const (
	msgIDFormat     = "ID number must be 10 digits starting with 1 (citizen) or 2 (resident)"
	msgIDCheckDigit = "the ID number's last digit does not match; check the number"
	msgMobile       = "mobile number must be a Saudi mobile: 05XXXXXXXX or +9665XXXXXXXX"
)

// idRefusal maps pii's refusal of an ID number onto the API's error code
// and message: a wrong check digit has its own code, everything else is a
// format error.
func idRefusal(err error) (code, message string) {
	var e *pii.Error
	if errors.As(err, &e) && e.Code == pii.BadCheckDigit {
		return api.CodeBadCheckDigit, msgIDCheckDigit
	}
	return api.CodeBadIDFormat, msgIDFormat
}

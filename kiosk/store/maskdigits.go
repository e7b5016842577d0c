package store

import "github.com/absher-kiosk/kiosk/sync/outbox"

// MaskDigits is the masking rule applied to reasons and kinds before they
// are stored, logged or shown: they come from the centre and from error
// text, which may quote an ID or mobile number.
func MaskDigits(s string) string { return outbox.MaskDigits(s) }

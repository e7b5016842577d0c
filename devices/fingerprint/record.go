package fingerprint

import (
	"fmt"

	"github.com/absher-kiosk/kiosk/devices/fingerprint/fir"
)

// Finger positions the kiosk asks for, as ISO/IEC 19794-4 codes.
const (
	RightIndex = fir.RightIndex
	LeftIndex  = fir.LeftIndex
)

// Record runs the quality gate on c and, when it passes, wraps the image as
// an ISO/IEC 19794-4 finger image record (PNG compression) for finger
// position pos. A refused capture returns a *RefusedError and no record.
// The record exists only in memory; callers send it and drop it.
func Record(c *Capture, pos int) ([]byte, Quality, error) {
	q, err := Check(c)
	if err != nil {
		return nil, q, err
	}
	rec, err := fir.Encode(&fir.Record{FingerPosition: pos, ResolutionDPI: c.DPI, Quality: q.Score, Image: c.Image})
	if err != nil {
		return nil, q, fmt.Errorf("fingerprint: wrap capture from %s as a finger image record: %w", c.Device, err)
	}
	return rec, q, nil
}

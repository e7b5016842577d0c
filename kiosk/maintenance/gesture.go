// Package maintenance is the technician's side of the kiosk without the
// screens: the hidden gesture that opens the PIN pad, the PIN check and its
// lockout, the audit trail of everything a technician does, the actions of
// the maintenance screens behind small interfaces, and the rule that
// decides when the out-of-service screen is shown. The Fyne screens live in
// kiosk/maintenance/ui and only draw what this package decides.
package maintenance

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Corner is the screen corner the hidden gesture is made in.
type Corner string

const (
	TopLeft     Corner = "top-left"
	TopRight    Corner = "top-right"
	BottomLeft  Corner = "bottom-left"
	BottomRight Corner = "bottom-right"
)

// GestureKind is how the corner is touched.
type GestureKind string

const (
	Hold GestureKind = "hold" // one press held for Hold
	Taps GestureKind = "taps" // Count taps within Within
)

// Gesture configures the hidden technician gesture.
type Gesture struct {
	Kind   GestureKind
	Corner Corner
	Hold   time.Duration // Kind Hold: how long the press must last
	Count  int           // Kind Taps: how many taps
	Within time.Duration // Kind Taps: from the first tap to the last
	Zone   float32       // side of the square corner zone, in screen pixels
}

// DefaultGesture is a five-second press in the top-right corner: out of
// the way of every walk-up button and hard to make by accident.
var DefaultGesture = Gesture{Kind: Hold, Corner: TopRight, Hold: 5 * time.Second, Zone: 120}

// Limits that keep a gesture both deliberate and possible.
const (
	minHold   = time.Second
	maxHold   = 30 * time.Second
	minTaps   = 3
	maxTaps   = 20
	minWithin = time.Second
	maxWithin = 30 * time.Second
	minZone   = 88 // a finger must fit
	maxZone   = 400
)

// maxTap is the longest press still taken as a tap on the control under
// the corner. A walk-up user may press slowly, so it is generous; longer
// presses are taken as a gesture in progress and reach no control.
const maxTap = 2 * time.Second

// TapLimit is how long a press in the corner may last and still be a tap
// for the control under it: half the hold, at most two seconds, so a hold
// given up before it completes does not press the button beneath either.
func (g Gesture) TapLimit() time.Duration {
	if g.Kind == Hold {
		return min(g.Hold/2, maxTap)
	}
	return maxTap
}

// ErrBadGesture is wrapped by every ParseGesture and Validate error.
var ErrBadGesture = errors.New("bad maintenance gesture")

// ParseGesture reads the configuration form of a gesture:
//
//	hold:<corner>:<duration>            hold:top-right:5s
//	taps:<corner>:<count>:<duration>    taps:top-left:5:3s
//
// The zone is DefaultGesture's.
func ParseGesture(s string) (Gesture, error) {
	bad := func(format string, a ...any) (Gesture, error) {
		return Gesture{}, fmt.Errorf("%w %q: %s; write hold:top-right:5s or taps:top-left:5:3s", ErrBadGesture, clip(s), fmt.Sprintf(format, a...))
	}
	parts := strings.Split(s, ":")
	g := Gesture{Zone: DefaultGesture.Zone}
	if len(parts) < 3 {
		return bad("want kind:corner:...")
	}
	g.Kind, g.Corner = GestureKind(parts[0]), Corner(parts[1])
	switch g.Kind {
	case Hold:
		if len(parts) != 3 {
			return bad("hold takes a corner and a duration")
		}
		d, err := time.ParseDuration(parts[2])
		if err != nil {
			return bad("duration %q is not a Go duration such as 5s", clip(parts[2]))
		}
		g.Hold = d
	case Taps:
		if len(parts) != 4 {
			return bad("taps takes a corner, a count and a duration")
		}
		n, err := strconv.Atoi(parts[2])
		if err != nil {
			return bad("count %q is not a whole number", clip(parts[2]))
		}
		d, err := time.ParseDuration(parts[3])
		if err != nil {
			return bad("duration %q is not a Go duration such as 3s", clip(parts[3]))
		}
		g.Count, g.Within = n, d
	default:
		return bad("kind %q is neither hold nor taps", clip(parts[0]))
	}
	if err := g.Validate(); err != nil {
		return Gesture{}, err
	}
	return g, nil
}

// clip keeps configuration text in an error short and printable.
func clip(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// Validate checks that the gesture can be made and is not made by accident.
func (g Gesture) Validate() error {
	switch g.Corner {
	case TopLeft, TopRight, BottomLeft, BottomRight:
	default:
		return fmt.Errorf("%w: corner %q is not one of top-left, top-right, bottom-left, bottom-right", ErrBadGesture, clip(string(g.Corner)))
	}
	if g.Zone < minZone || g.Zone > maxZone {
		return fmt.Errorf("%w: corner zone %v px is outside %d–%d", ErrBadGesture, g.Zone, minZone, maxZone)
	}
	switch g.Kind {
	case Hold:
		if g.Hold < minHold || g.Hold > maxHold {
			return fmt.Errorf("%w: hold %v is outside %v–%v", ErrBadGesture, g.Hold, minHold, maxHold)
		}
	case Taps:
		if g.Count < minTaps || g.Count > maxTaps {
			return fmt.Errorf("%w: %d taps is outside %d–%d", ErrBadGesture, g.Count, minTaps, maxTaps)
		}
		if g.Within < minWithin || g.Within > maxWithin {
			return fmt.Errorf("%w: taps within %v is outside %v–%v", ErrBadGesture, g.Within, minWithin, maxWithin)
		}
	default:
		return fmt.Errorf("%w: kind %q is neither hold nor taps", ErrBadGesture, clip(string(g.Kind)))
	}
	return nil
}

// String is the configuration form ParseGesture reads.
func (g Gesture) String() string {
	if g.Kind == Taps {
		return fmt.Sprintf("taps:%s:%d:%s", g.Corner, g.Count, g.Within)
	}
	return fmt.Sprintf("%s:%s:%s", g.Kind, g.Corner, g.Hold)
}

// InZone reports whether (x, y) on a screen of width w and height h is in
// the gesture's corner.
func (g Gesture) InZone(x, y, w, h float32) bool {
	left := x >= 0 && x < g.Zone
	right := x <= w && x > w-g.Zone
	top := y >= 0 && y < g.Zone
	bottom := y <= h && y > h-g.Zone
	switch g.Corner {
	case TopLeft:
		return left && top
	case TopRight:
		return right && top
	case BottomLeft:
		return left && bottom
	case BottomRight:
		return right && bottom
	}
	return false
}

// Detector recognises the gesture from press and release events. It is
// not safe for concurrent use: feed it from the UI goroutine.
type Detector struct {
	g   Gesture
	now func() time.Time

	pressed   bool
	pressedAt time.Time
	fired     bool        // this press already opened the pad
	taps      []time.Time // Taps: times of the taps in the current series
}

// NewDetector returns a detector for g using clock now (time.Now if nil).
func NewDetector(g Gesture, now func() time.Time) (*Detector, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Detector{g: g, now: now}, nil
}

// Gesture is the configuration the detector follows.
func (d *Detector) Gesture() Gesture { return d.g }

// Press records a touch going down. inZone says whether it is in the
// gesture's corner (Gesture.InZone). It reports whether the gesture is now
// complete, which for taps happens on the last press.
func (d *Detector) Press(inZone bool) bool {
	now := d.now()
	if !inZone {
		d.reset()
		return false
	}
	d.pressed, d.pressedAt, d.fired = true, now, false
	if d.g.Kind != Taps {
		return false
	}
	// Drop taps that fell out of the window: the series restarts from the
	// oldest tap still inside it.
	kept := d.taps[:0]
	for _, t := range d.taps {
		if now.Sub(t) < d.g.Within {
			kept = append(kept, t)
		}
	}
	d.taps = append(kept, now)
	if len(d.taps) >= d.g.Count {
		d.taps = d.taps[:0]
		d.fired = true
		return true
	}
	return false
}

// Release records the touch going up (or leaving the corner). A hold that
// lasted long enough and was not already reported by Poll completes here.
func (d *Detector) Release() bool {
	done := d.Poll()
	d.pressed = false
	return done
}

// Tap reports whether the press in progress, ended now, is a tap that
// belongs to the control under the corner: shorter than the gesture's
// TapLimit and not the press that completed the gesture. Ask before
// Release, which ends the press.
func (d *Detector) Tap() bool {
	return d.pressed && !d.fired && d.now().Sub(d.pressedAt) < d.g.TapLimit()
}

// Poll reports whether a press still held has lasted long enough. It
// reports a press once; call it when the timer from Due fires.
func (d *Detector) Poll() bool {
	if d.g.Kind != Hold || !d.pressed || d.fired {
		return false
	}
	if d.now().Sub(d.pressedAt) >= d.g.Hold {
		d.fired = true
		return true
	}
	return false
}

// Due is how long until Poll would report the press held now; false when
// no hold is in progress.
func (d *Detector) Due() (time.Duration, bool) {
	if d.g.Kind != Hold || !d.pressed || d.fired {
		return 0, false
	}
	return max(d.g.Hold-d.now().Sub(d.pressedAt), 0), true
}

func (d *Detector) reset() {
	d.pressed, d.fired = false, false
	d.taps = d.taps[:0]
}

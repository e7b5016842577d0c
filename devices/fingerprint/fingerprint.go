// Package fingerprint holds what every scanner driver shares: the status
// model (after XFS4IoT), the capture result, the quality gate that decides
// whether a capture is good enough to send, and the Manager that finds a
// supported scanner on USB and follows it through unplugging and
// re-plugging.
//
// Drivers live in subpackages (nb1010, upektc); images stay in memory.
package fingerprint

import (
	"errors"
	"image"
)

// State is the device state of the XFS4IoT common status.
type State string

const (
	Online        State = "online"
	Offline       State = "offline"
	HardwareError State = "hardwareError"
	NoDevice      State = "noDevice"
	Busy          State = "busy"
)

// Status is what health and maintenance mode show about the scanner.
type Status struct {
	State State
	// FingerPresent is the last finger-presence reading the device gave;
	// scanners report it only while a capture runs.
	FingerPresent bool
	// Device names the scanner, "298d:1010 NB-1010-U"; empty when none.
	Device string
	// LastError is the most recent fault, for technicians; it never holds
	// personal data.
	LastError string
}

// Capture is one grey-scale fingerprint image, straight from the sensor.
type Capture struct {
	Image  *image.Gray
	DPI    int
	Device string
}

// ErrBusy is returned when a capture is asked for while another runs.
var ErrBusy = errors.New("fingerprint: the scanner is already capturing; wait for that capture to end")

// ErrNoDevice is returned when no supported scanner is attached.
var ErrNoDevice = errors.New("fingerprint: no supported scanner is attached; check the USB cable")

// ErrClosed is returned by a capture that stopped because the scanner was
// closed under it, at shutdown.
var ErrClosed = errors.New("fingerprint: the scanner was closed during the capture")

// DefaultDPI is the resolution assumed for sensors that do not report one,
// the same assumption libfprint makes for its drivers.
const DefaultDPI = 500

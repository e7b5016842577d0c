package fingerprint

import (
	"time"

	"github.com/absher-kiosk/kiosk/devices/health"
)

// HealthSource names the scanner's warnings in the health registry.
const HealthSource = "scanner"

// HealthDelay is how long a scanner fault must last before it shows: the
// hot-plug watch sees a re-enumeration as a short unplug, and five seconds
// ride over it.
const HealthDelay = 5 * time.Second

// The scanner's warning codes, as heartbeats and the maintenance screen
// report them.
const (
	CodeNoDevice      = "no_device"
	CodeOffline       = "offline"
	CodeHardwareError = "hardware_error"
)

// The scanner's warnings: no scanner, an offline one or one in hardware
// error means fingerprints cannot be taken, and only the fallback
// identification remains.
var (
	warnNoDevice      = declare(CodeNoDevice, "no supported fingerprint scanner is attached; check the USB cable")
	warnOffline       = declare(CodeOffline, "the fingerprint scanner is offline")
	warnHardwareError = declare(CodeHardwareError, "the fingerprint scanner reports a hardware error")
)

func declare(code, detail string) health.Warning {
	return health.Warning{Source: HealthSource, Code: code, Severity: health.Critical, Delay: HealthDelay,
		Impact: health.DisablesFingerprint, Detail: detail}
}

// Warnings turns the scanner's status into its warnings; the detail names
// the device and its last error.
func Warnings(st Status) []health.Warning {
	var w health.Warning
	switch st.State {
	case NoDevice:
		w = warnNoDevice
	case Offline:
		w = warnOffline
	case HardwareError:
		w = warnHardwareError
	default:
		return nil
	}
	if st.Device != "" {
		w.Detail += " (" + st.Device + ")"
	}
	if st.LastError != "" {
		w.Detail += ": " + st.LastError
	}
	return []health.Warning{w}
}

// ReportTo returns a status subscriber that makes each status the scanner's
// complete set of warnings in r.
func ReportTo(r *health.Registry) func(Status) {
	return func(st Status) { r.Replace(HealthSource, Warnings(st)) }
}

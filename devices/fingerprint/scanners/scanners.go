// Package scanners lists the supported USB fingerprint scanners and builds
// the Manager that watches for them on the kiosk's USB bus.
package scanners

import (
	"log/slog"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/nb1010"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/upektc"
	"github.com/absher-kiosk/kiosk/devices/usb"
)

// Drivers returns every supported scanner's driver, opening devices on bus.
func Drivers(bus *usb.Bus) []fingerprint.Driver {
	return []fingerprint.Driver{
		{Match: nb1010.Match, Open: func(d usb.Desc) (fingerprint.Device, error) { return nb1010.Open(bus, d) }},
		{Match: upektc.Match, Open: func(d usb.Desc) (fingerprint.Device, error) { return upektc.Open(bus, d) }},
	}
}

// NewManager watches bus for any supported scanner. Run it with
// fingerprint.NewTicker(cfg.Scanner.PollInterval).
func NewManager(bus *usb.Bus, log *slog.Logger) *fingerprint.Manager {
	return fingerprint.NewManager(bus, Drivers(bus), log)
}

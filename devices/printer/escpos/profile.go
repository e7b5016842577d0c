package escpos

import (
	"fmt"
	"sort"
	"strings"
)

// Profile is what the encoder must know about a printer model.
type Profile struct {
	Name        string
	DotsPerLine int // 576 at 203 dpi on 80 mm paper, 512 at 180 dpi
	DPI         int
	// MaxBandRows is the tallest GS v 0 band the model's input buffer takes
	// in one command.
	MaxBandRows int
	// CutFeedDots is how far the paper must move to bring the last line past
	// the cutter; sent with GS V 65/66 so the printer does feed and cut as one.
	CutFeedDots int
	// PartialCut is false on models whose cutter only cuts fully.
	PartialCut bool
	// NativeQR is false on models without GS ( k; QR codes are then sent as
	// raster images.
	NativeQR bool
	// NearEndSensor is false where the paper-near-end sensor is not fitted,
	// so its status bits mean nothing.
	NearEndSensor bool
	// Present and Retract are the presenter's commands; nil when absent.
	Present []byte
	Retract []byte
}

// profiles are the printer models the kiosk ships with. The presenter bytes
// of custom-vkp80 follow the maker's GS e ejector command.
var profiles = map[string]Profile{
	"epson-tm-t88": {Name: "epson-tm-t88", DotsPerLine: 576, DPI: 203, MaxBandRows: 256,
		CutFeedDots: 96, PartialCut: true, NativeQR: true, NearEndSensor: true},
	"generic-80mm-180dpi": {Name: "generic-80mm-180dpi", DotsPerLine: 512, DPI: 180, MaxBandRows: 128,
		CutFeedDots: 84, PartialCut: false, NativeQR: true, NearEndSensor: false},
	"custom-vkp80": {Name: "custom-vkp80", DotsPerLine: 576, DPI: 203, MaxBandRows: 256,
		CutFeedDots: 96, PartialCut: false, NativeQR: true, NearEndSensor: true,
		Present: []byte{gs, 'e', 0x03, 0x0c}, Retract: []byte{gs, 'e', 0x02}},
	"basic-58mm-noqr": {Name: "basic-58mm-noqr", DotsPerLine: 384, DPI: 203, MaxBandRows: 64,
		CutFeedDots: 72, PartialCut: true, NativeQR: false, NearEndSensor: false},
}

// ProfileNames lists the known profiles, sorted.
func ProfileNames() []string {
	names := make([]string, 0, len(profiles))
	for n := range profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupProfile finds a profile by its configured name.
func LookupProfile(name string) (Profile, error) {
	p, ok := profiles[name]
	if !ok {
		return Profile{}, fmt.Errorf("escpos: unknown printer profile %q; set printer.profile to one of: %s", name, strings.Join(ProfileNames(), ", "))
	}
	return p, nil
}

package escpos

import "fmt"

// Status is the printer's state as told by DLE EOT 1..4. NoAnswer is set by
// the transport when the printer did not reply at all.
type Status struct {
	Online          bool
	Offline         bool // DLE EOT 1 bit 3
	CoverOpen       bool // DLE EOT 2 bit 2
	FeedButton      bool // DLE EOT 2 bit 3: paper being fed by the button
	PaperStop       bool // DLE EOT 2 bit 5: printing stopped by paper end
	ErrorOccurred   bool // DLE EOT 2 bit 6
	CutterError     bool // DLE EOT 3 bit 3
	Unrecoverable   bool // DLE EOT 3 bit 5
	AutoRecoverable bool // DLE EOT 3 bit 6
	PaperNearEnd    bool // DLE EOT 4 bits 2,3
	PaperOut        bool // DLE EOT 4 bits 5,6
	NoAnswer        bool
}

// CanPrint reports whether a job may start: paper near end is only a warning.
func (s Status) CanPrint() bool {
	return s.Online && !s.NoAnswer && !s.CoverOpen && !s.PaperOut && !s.CutterError && !s.Unrecoverable
}

// Problem says in words why the printer cannot print, or "" when it can.
func (s Status) Problem() string {
	switch {
	case s.NoAnswer:
		return "the printer does not answer; check its power and cable"
	case s.CoverOpen:
		return "the printer cover is open; close it"
	case s.PaperOut:
		return "the printer is out of paper; load a new roll"
	case s.CutterError:
		return "the cutter is jammed; clear it and switch the printer off and on"
	case s.Unrecoverable:
		return "the printer reports an unrecoverable error; call service"
	case !s.Online:
		return "the printer is offline"
	}
	return ""
}

// Every status byte has bit 0 and 7 clear and bits 1 and 4 set, which lets a
// reader tell a reply from noise on the line.
const (
	fixedMask = 0x93
	fixedBits = 0x12
)

// ValidStatusByte reports whether b has the fixed bits of a DLE EOT reply.
func ValidStatusByte(b byte) bool { return b&fixedMask == fixedBits }

// DecodeStatus merges the reply b to DLE EOT n into s.
func DecodeStatus(s *Status, n, b byte) error {
	if n < 1 || n > 4 {
		return fmt.Errorf("escpos: DLE EOT %d is not a status request (1..4)", n)
	}
	if !ValidStatusByte(b) {
		return fmt.Errorf("escpos: byte %#02x is not a reply to DLE EOT %d (fixed bits 1 and 4 must be set, 0 and 7 clear); the line is noisy or the speed is wrong", b, n)
	}
	bit := func(i uint) bool { return b&(1<<i) != 0 }
	switch n {
	case 1:
		s.Offline = bit(3)
		s.Online = !s.Offline
	case 2:
		s.CoverOpen, s.FeedButton, s.PaperStop, s.ErrorOccurred = bit(2), bit(3), bit(5), bit(6)
	case 3:
		s.CutterError, s.Unrecoverable, s.AutoRecoverable = bit(3), bit(5), bit(6)
	case 4:
		s.PaperNearEnd = bit(2) || bit(3)
		s.PaperOut = bit(5) || bit(6)
	}
	return nil
}

// EncodeStatus is the printer's side of DecodeStatus: the reply to DLE EOT n
// for state s.
func EncodeStatus(s Status, n byte) byte {
	b := byte(fixedBits)
	set := func(i uint, on bool) {
		if on {
			b |= 1 << i
		}
	}
	switch n {
	case 1:
		set(3, s.Offline || !s.Online)
	case 2:
		set(2, s.CoverOpen)
		set(3, s.FeedButton)
		set(5, s.PaperStop)
		set(6, s.ErrorOccurred)
	case 3:
		set(3, s.CutterError)
		set(5, s.Unrecoverable)
		set(6, s.AutoRecoverable)
	case 4:
		set(2, s.PaperNearEnd)
		set(3, s.PaperNearEnd)
		set(5, s.PaperOut)
		set(6, s.PaperOut)
	}
	return b
}

// Cleared is s with every fault gone and the printer online.
func (s Status) Cleared() Status { return Status{Online: true} }

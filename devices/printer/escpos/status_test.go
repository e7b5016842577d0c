package escpos

import (
	"strings"
	"testing"
)

func TestDecodeStatus(t *testing.T) {
	tests := []struct {
		n, b byte
		want Status
	}{
		{1, 0x12, Status{Online: true}},
		{1, 0x1a, Status{Offline: true}},
		{2, 0x12, Status{}},
		{2, 0x16, Status{CoverOpen: true}},
		{2, 0x1a, Status{FeedButton: true}},
		{2, 0x32, Status{PaperStop: true}},
		{2, 0x52, Status{ErrorOccurred: true}},
		{3, 0x1a, Status{CutterError: true}},
		{3, 0x32, Status{Unrecoverable: true}},
		{3, 0x52, Status{AutoRecoverable: true}},
		{4, 0x12, Status{}},
		{4, 0x1e, Status{PaperNearEnd: true}},
		{4, 0x16, Status{PaperNearEnd: true}}, // one sensor bit is enough
		{4, 0x72, Status{PaperOut: true}},
		{4, 0x7e, Status{PaperOut: true, PaperNearEnd: true}},
	}
	for _, tt := range tests {
		var s Status
		if err := DecodeStatus(&s, tt.n, tt.b); err != nil {
			t.Errorf("DLE EOT %d reply %#x: %v", tt.n, tt.b, err)
			continue
		}
		if s != tt.want {
			t.Errorf("DLE EOT %d reply %#x = %+v, want %+v", tt.n, tt.b, s, tt.want)
		}
	}
}

func TestDecodeStatusBad(t *testing.T) {
	for _, tt := range []struct {
		n, b byte
		msg  string
	}{
		{0, 0x12, "not a status request"},
		{5, 0x12, "not a status request"},
		{1, 0x00, "fixed bits"},
		{1, 0xff, "fixed bits"},
		{2, 0x13, "fixed bits"},
		{3, 0x92, "fixed bits"},
		{4, 0x02, "fixed bits"},
		{4, 0x10, "fixed bits"},
	} {
		var s Status
		err := DecodeStatus(&s, tt.n, tt.b)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("DLE EOT %d reply %#x: err %v, want %q", tt.n, tt.b, err, tt.msg)
		}
		if s != (Status{}) {
			t.Errorf("DLE EOT %d reply %#x changed the status on error: %+v", tt.n, tt.b, s)
		}
	}
}

// Every state the printer can report survives the trip through the bytes.
func TestStatusRoundTrip(t *testing.T) {
	for _, s := range []Status{
		{Online: true},
		{Offline: true, CoverOpen: true},
		{Offline: true, PaperOut: true, PaperNearEnd: true, PaperStop: true},
		{Online: true, PaperNearEnd: true},
		{Offline: true, CutterError: true, ErrorOccurred: true},
		{Offline: true, Unrecoverable: true, AutoRecoverable: true, FeedButton: true},
	} {
		var got Status
		for n := byte(1); n <= 4; n++ {
			if err := DecodeStatus(&got, n, EncodeStatus(s, n)); err != nil {
				t.Fatal(err)
			}
		}
		if got != s {
			t.Errorf("round trip of %+v gave %+v", s, got)
		}
	}
}

func TestCanPrint(t *testing.T) {
	for _, tt := range []struct {
		s    Status
		ok   bool
		word string
	}{
		{Status{Online: true}, true, ""},
		{Status{Online: true, PaperNearEnd: true}, true, ""},
		{Status{NoAnswer: true}, false, "does not answer"},
		{Status{Online: true, CoverOpen: true}, false, "cover"},
		{Status{PaperOut: true}, false, "paper"},
		{Status{Online: true, CutterError: true}, false, "cutter"},
		{Status{Online: true, Unrecoverable: true}, false, "unrecoverable"},
		{Status{Offline: true}, false, "offline"},
	} {
		if tt.s.CanPrint() != tt.ok || !strings.Contains(tt.s.Problem(), tt.word) || (tt.ok && tt.s.Problem() != "") {
			t.Errorf("%+v: CanPrint %v Problem %q", tt.s, tt.s.CanPrint(), tt.s.Problem())
		}
	}
}

func FuzzDecodeStatus(f *testing.F) {
	for n := byte(0); n <= 5; n++ {
		f.Add(n, byte(0x12))
		f.Add(n, byte(0x7e))
		f.Add(n, byte(0xff))
	}
	f.Fuzz(func(t *testing.T, n, b byte) {
		var s Status
		err := DecodeStatus(&s, n, b)
		if err != nil {
			if s != (Status{}) {
				t.Fatalf("error left a changed status %+v", s)
			}
			return
		}
		if n < 1 || n > 4 || !ValidStatusByte(b) {
			t.Fatalf("accepted DLE EOT %d reply %#x", n, b)
		}
		// Re-encoding gives the same bits the decoder looks at.
		var again Status
		if err := DecodeStatus(&again, n, EncodeStatus(s, n)); err != nil || again != s {
			t.Fatalf("re-encoded %+v decodes as %+v (%v)", s, again, err)
		}
	})
}

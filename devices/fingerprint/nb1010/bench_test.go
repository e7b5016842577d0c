package nb1010

import (
	"bufio"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/usb/usbtest"
)

// recordedPartials reads the 540-byte image transfers out of the ioctl
// recording (text lines whose last field is the transfer in hex).
func recordedPartials(b *testing.B) [][]byte {
	rec := usbtest.Fixture(b, "nb1010")
	f, err := os.Open(rec.File("capture.ioctl"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 4096), 1<<20)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 10 || fields[3] != "131" || fields[7] != "540" {
			continue
		}
		raw, err := hex.DecodeString(fields[len(fields)-1])
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, raw)
	}
	if len(out) != 90 {
		b.Fatalf("found %d image transfers in the recording, want 90", len(out))
	}
	return out
}

// BenchmarkAssembleToRecordRecorded times the host side of a capture on the
// recorded bytes, without USB: parse 90 partials, assemble, quality gate, ISO record.
func BenchmarkAssembleToRecordRecorded(b *testing.B) {
	partials := recordedPartials(b)
	for b.Loop() {
		var a Assembler
		for _, raw := range partials {
			p, err := ParsePartial(raw)
			if err != nil {
				b.Fatal(err)
			}
			if err := a.Add(p); err != nil {
				b.Fatal(err)
			}
		}
		img, err := a.Image()
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := fingerprint.Record(&fingerprint.Capture{Image: img, DPI: fingerprint.DefaultDPI}, fingerprint.RightIndex); err != nil {
			b.Fatal(err)
		}
	}
}

package receipt

import (
	"testing"

	"github.com/absher-kiosk/kiosk/devices/printer/emulator"
	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
)

func BenchmarkUpdateMobile(b *testing.B) {
	prof := epson(b)
	for _, lang := range []string{"ar", "en"} {
		b.Run(lang, func(b *testing.B) {
			for b.Loop() {
				if _, err := UpdateMobile(lang, mobileReceipt(), prof); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDocument(b *testing.B) {
	prof := epson(b)
	d := docs()["exit_reentry"]
	for _, lang := range []string{"ar", "en"} {
		b.Run(lang, func(b *testing.B) {
			for b.Loop() {
				if _, err := Document(lang, d, prof); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWireBytes reports the bytes sent for a document against the
// same paper sent as one plain full-width raster (every row, blank or
// not, including the QR and barcode drawn as dots).
func BenchmarkWireBytes(b *testing.B) {
	prof := epson(b)
	for _, lang := range []string{"ar", "en"} {
		b.Run(lang, func(b *testing.B) {
			doc, err := Document(lang, docs()["exit_reentry"], prof)
			if err != nil {
				b.Fatal(err)
			}
			var enc escpos.Encoded
			for b.Loop() {
				if enc, err = escpos.Encode(prof, doc); err != nil {
					b.Fatal(err)
				}
			}
			m := emulator.NewMachine(prof.DotsPerLine)
			m.Feed(enc.Bytes)
			pages := m.Pages()
			if len(pages) != 1 {
				b.Fatalf("%d pages", len(pages))
			}
			h := pages[0].Image.Bounds().Dy()
			raster := h * prof.DotsPerLine / 8
			b.ReportMetric(float64(len(enc.Bytes)), "wire-bytes")
			b.ReportMetric(float64(raster), "raster-bytes")
			b.ReportMetric(float64(len(enc.Bytes))/float64(raster), "ratio")
		})
	}
}

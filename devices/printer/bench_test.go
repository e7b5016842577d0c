package printer_test

import (
	"context"
	"image"
	"image/color"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/printer"
	"github.com/absher-kiosk/kiosk/devices/printer/emulator"
	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
)

// benchReceipt is a typical kiosk receipt: a header, eight lines of
// rendered (right-to-left) text as images with white space between them,
// Latin lines, the verification QR code and a barcode.
func benchReceipt() escpos.Doc {
	doc := escpos.Doc{escpos.Text{Latin: "ABSHER", Align: escpos.Center, Bold: true, DoubleHeight: true}}
	for i := 0; i < 8; i++ {
		doc = append(doc, escpos.Image{Img: textLine(560, 34, i), Align: escpos.Right})
	}
	doc = append(doc,
		escpos.Text{Latin: "Ref K-2026-000123   23/11/2026 10:15"},
		escpos.QR{Data: "https://verify.example.sa/d/7F3K9Q2M", ModuleSize: 6, ECC: escpos.ECCMedium, Align: escpos.Center},
		escpos.Code128{Data: "K2026000123", Align: escpos.Center},
		escpos.Feed{Lines: 2}, escpos.Cut{Partial: true})
	return doc
}

// textLine imitates a rendered line of text: 24-dot glyph strokes with
// gaps between words and white rows above and below.
func textLine(w, h, seed int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for x := 0; x < w-40*(seed%3); x++ {
		if (x/9+seed)%7 == 0 {
			continue // word gap
		}
		for y := 5; y < 29; y++ {
			if (x*7+y*3+seed)%5 < 2 {
				img.SetGray(x, y, color.Gray{})
			}
		}
	}
	return img
}

// BenchmarkWireBytes compares the encoded receipt with the same paper sent
// as one plain full-width raster (every row, blank or not).
func BenchmarkWireBytes(b *testing.B) {
	prof, _ := escpos.LookupProfile("epson-tm-t88")
	em, err := emulator.New(emulator.Options{Dots: prof.DotsPerLine})
	if err != nil {
		b.Fatal(err)
	}
	defer em.Close()
	p, err := printer.Open(context.Background(), printer.Config{Port: em.PortPath(), Profile: prof.Name})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	var enc escpos.Encoded
	for i := 0; i < b.N; i++ {
		if enc, err = p.Encode(benchReceipt()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if err := p.Print(context.Background(), printer.Job{Data: enc}); err != nil {
		b.Fatal(err)
	}
	h := em.Pages()[0].Image.Bounds().Dy()
	bands := (h + prof.MaxBandRows - 1) / prof.MaxBandRows
	plain := 2 + bands*8 + h*prof.DotsPerLine/8 + 4
	b.ReportMetric(float64(len(enc.Bytes)), "bytes/receipt")
	b.ReportMetric(float64(plain), "plain-raster-bytes")
	b.ReportMetric(float64(len(enc.Bytes))/float64(plain), "ratio")
}

// BenchmarkWireTime prints the receipt through the emulator modelling the
// line at 115200 and 9600 baud and compares the time with the line-rate
// bound for every byte that crossed the line (job and status requests).
func BenchmarkWireTime(b *testing.B) {
	for _, baud := range []int{115200, 9600} {
		b.Run(itoa(baud), func(b *testing.B) {
			em, err := emulator.New(emulator.Options{Baud: baud})
			if err != nil {
				b.Fatal(err)
			}
			defer em.Close()
			p, err := printer.Open(context.Background(), printer.Config{Port: em.PortPath(), Baud: baud, Profile: "epson-tm-t88"})
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			enc, err := p.Encode(benchReceipt())
			if err != nil {
				b.Fatal(err)
			}
			start := em.Received()
			b.ResetTimer()
			t0 := time.Now()
			for i := 0; i < b.N; i++ {
				if err := p.Print(context.Background(), printer.Job{Data: enc}); err != nil {
					b.Fatal(err)
				}
			}
			el := time.Since(t0)
			wire := em.Received() - start
			bound := time.Duration(wire) * 10 * time.Second / time.Duration(baud)
			b.ReportMetric(float64(len(enc.Bytes)), "job-bytes")
			b.ReportMetric(float64(wire)/float64(b.N), "wire-bytes/op")
			b.ReportMetric(bound.Seconds()/float64(b.N), "bound-s/op")
			b.ReportMetric(100*bound.Seconds()/el.Seconds(), "%line-rate")
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

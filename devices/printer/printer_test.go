package printer_test

import (
	"context"
	"errors"
	"image"
	"image/color"
	"strings"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/printer"
	"github.com/absher-kiosk/kiosk/devices/printer/emulator"
	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
)

func rig(t *testing.T, profile string, opt emulator.Options) (*printer.Printer, *emulator.Emulator) {
	t.Helper()
	prof, err := escpos.LookupProfile(profile)
	if err != nil {
		t.Fatal(err)
	}
	opt.Dots = prof.DotsPerLine
	em, err := emulator.New(opt)
	if err != nil {
		t.Fatalf("emulator: %v", err)
	}
	t.Cleanup(func() { em.Close() })
	p, err := printer.Open(context.Background(), printer.Config{Port: em.PortPath(), Baud: 115200, Profile: profile,
		ReplyGrace: 300 * time.Millisecond, CheckEvery: 1024,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p, em
}

func textImage(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	// A frame and a diagonal: easy to compare dot for dot.
	for x := 0; x < w; x++ {
		img.SetGray(x, 0, color.Gray{})
		img.SetGray(x, h-1, color.Gray{})
	}
	for y := 0; y < h; y++ {
		img.SetGray(0, y, color.Gray{})
		img.SetGray(w-1, y, color.Gray{})
		img.SetGray(y*w/h, y, color.Gray{})
	}
	return img
}

func receipt() escpos.Doc {
	return escpos.Doc{
		escpos.Text{Latin: "ABSHER KIOSK", Align: escpos.Center, Bold: true, DoubleHeight: true},
		escpos.Text{Latin: "Mobile number updated"},
		escpos.Image{Img: textImage(400, 60), Align: escpos.Center},
		escpos.Feed{Dots: 40},
		escpos.Text{Latin: "Ref K-2026-000123", Align: escpos.Right},
		escpos.QR{Data: "https://verify.example.sa/d/7F3K9Q2M", ModuleSize: 6, ECC: escpos.ECCMedium, Align: escpos.Center},
		escpos.Code128{Data: "K2026000123", Align: escpos.Center},
		escpos.Feed{Lines: 2},
		escpos.Cut{Partial: true},
	}
}

func TestPrintRoundTrip(t *testing.T) {
	for _, prof := range []string{"epson-tm-t88", "generic-80mm-180dpi", "custom-vkp80"} {
		t.Run(prof, func(t *testing.T) {
			p, em := rig(t, prof, emulator.Options{})
			ctx := context.Background()
			doc := append(receipt(), escpos.Present{})
			enc, err := p.Encode(doc)
			if err != nil {
				t.Fatal(err)
			}
			var last int
			if err := p.Print(ctx, printer.Job{Data: enc, Progress: func(d, tot int) { last = d }}); err != nil {
				t.Fatalf("print: %v", err)
			}
			if last != len(enc.Bytes) {
				t.Errorf("progress ended at %d of %d", last, len(enc.Bytes))
			}
			pages := em.Pages()
			wantPages := 1
			if p.Profile().Present != nil {
				wantPages = 2
			}
			if len(pages) != wantPages {
				t.Fatalf("got %d pages, want the cut receipt and the presenter event after it", len(pages))
			}
			pg := pages[0]
			want := "ABSHER KIOSK\nMobile number updated\nRef K-2026-000123\n\nK2026000123"
			if pg.Text != want {
				t.Errorf("text = %q, want %q", pg.Text, want)
			}
			if len(pg.QR) != 1 || pg.QR[0] != "https://verify.example.sa/d/7F3K9Q2M" {
				t.Errorf("QR = %q", pg.QR)
			}
			if len(pg.Barcodes) != 1 || pg.Barcodes[0] != "K2026000123" {
				t.Errorf("barcodes = %q", pg.Barcodes)
			}
			wantEv := "cut-full"
			if p.Profile().PartialCut {
				wantEv = "cut-partial"
			}
			if len(pg.Events) != 1 || pg.Events[0] != wantEv {
				t.Errorf("events = %q, want [%s]", pg.Events, wantEv)
			}
			if wantPages == 2 {
				if tail := pages[1].Events; len(tail) != 1 || tail[0] != "present" {
					t.Errorf("after cut events = %q, want [present]", tail)
				}
			}
			checkGolden(t, "receipt-"+prof, pg)
		})
	}
}

// TestImagePixels finds the sent image on the paper dot for dot.
func TestImagePixels(t *testing.T) {
	p, em := rig(t, "epson-tm-t88", emulator.Options{})
	img := textImage(200, 50)
	enc, err := p.Encode(escpos.Doc{escpos.Image{Img: img, Align: escpos.Left}, escpos.Cut{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Print(context.Background(), printer.Job{Data: enc}); err != nil {
		t.Fatal(err)
	}
	pg := em.Pages()[0]
	for y := 0; y < 50; y++ {
		for x := 0; x < 576; x++ {
			want := x < 200 && img.GrayAt(x, y).Y < 128
			got := pg.Image.GrayAt(x, y).Y == 0
			if got != want {
				t.Fatalf("dot (%d,%d) black=%v, want %v", x, y, got, want)
			}
		}
	}
}

// TestRasterQRFallback: a profile without GS ( k gets the QR as raster dots
// identical to go-qrcode's symbol.
func TestRasterQRFallback(t *testing.T) {
	p, em := rig(t, "basic-58mm-noqr", emulator.Options{})
	data := "VERIFY-42-ABCDEF"
	enc, err := p.Encode(escpos.Doc{escpos.QR{Data: data, ModuleSize: 4, ECC: escpos.ECCHigh}, escpos.Cut{}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(enc.Bytes), "\x1d(k") {
		t.Fatal("profile without native QR was sent GS ( k")
	}
	if err := p.Print(context.Background(), printer.Job{Data: enc}); err != nil {
		t.Fatal(err)
	}
	want, err := escpos.QRBitmap(data, escpos.ECCHigh, 4)
	if err != nil {
		t.Fatal(err)
	}
	pg := em.Pages()[0]
	for y := 0; y < want.H; y++ {
		for x := 0; x < want.W; x++ {
			if got := pg.Image.GrayAt(x, y).Y == 0; got != want.At(x, y) {
				t.Fatalf("QR module dot (%d,%d) = %v, want %v", x, y, got, want.At(x, y))
			}
		}
	}
}

func TestStatusBits(t *testing.T) {
	p, em := rig(t, "epson-tm-t88", emulator.Options{})
	ctx := context.Background()
	type step struct {
		name  string
		fault func()
		want  printer.Status
	}
	steps := []step{
		{"ok", func() {}, printer.Status{Online: true}},
		{"near end", func() { em.SetPaperNearEnd(true) }, printer.Status{Online: true, PaperNearEnd: true}},
		{"cover open", func() { em.SetCoverOpen(true) }, printer.Status{Offline: true, CoverOpen: true, PaperNearEnd: true}},
		{"cover closed", func() { em.SetCoverOpen(false) }, printer.Status{Online: true, PaperNearEnd: true}},
		{"paper out", func() { em.PaperOutAfter(0) }, printer.Status{Offline: true, PaperOut: true, PaperNearEnd: true, PaperStop: true}},
		{"new roll", func() { em.Reset() }, printer.Status{Online: true}},
		{"silent", func() { em.SetSilent(true) }, printer.Status{NoAnswer: true}},
		{"back", func() { em.SetSilent(false) }, printer.Status{Online: true}},
	}
	for _, s := range steps {
		s.fault()
		got, err := p.Status(ctx)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.want {
			t.Errorf("%s: status %+v, want %+v", s.name, got, s.want)
		}
	}
}

func TestNearEndIgnoredWithoutSensor(t *testing.T) {
	p, em := rig(t, "generic-80mm-180dpi", emulator.Options{})
	em.SetPaperNearEnd(true)
	s, err := p.Status(context.Background())
	if err != nil || s.PaperNearEnd || !s.Online {
		t.Fatalf("status %+v, %v: a model without the sensor must not report near end", s, err)
	}
}

func TestPaperOutMidJob(t *testing.T) {
	p, em := rig(t, "epson-tm-t88", emulator.Options{})
	doc := escpos.Doc{}
	for i := 0; i < 6; i++ {
		doc = append(doc, escpos.Image{Img: textImage(576, 40)})
	}
	doc = append(doc, escpos.Cut{})
	enc, err := p.Encode(doc)
	if err != nil {
		t.Fatal(err)
	}
	em.PaperOutAfter(5000)
	err = p.Print(context.Background(), printer.Job{Data: enc})
	var je *printer.JobError
	if !errors.As(err, &je) {
		t.Fatalf("print = %v, want a JobError", err)
	}
	if je.Reason != "paper-out" || !je.Status.PaperOut {
		t.Errorf("reason %q status %+v, want paper-out", je.Reason, je.Status)
	}
	if je.Done <= 0 || je.Done >= 5000 || je.Sent < 5000 || je.Total != len(enc.Bytes) {
		t.Errorf("done %d sent %d total %d: want some bytes confirmed before the paper ran out at 5000", je.Done, je.Sent, je.Total)
	}
	if !strings.Contains(err.Error(), "out of paper") {
		t.Errorf("message %q does not say what to do", err)
	}
	// The next job is refused before a byte is sent.
	err = p.Print(context.Background(), printer.Job{Data: enc})
	if !errors.As(err, &je) || je.Reason != "paper-out" || je.Sent != 0 {
		t.Errorf("second job: %v", err)
	}
}

func TestCoverOpenRefuses(t *testing.T) {
	p, em := rig(t, "epson-tm-t88", emulator.Options{})
	em.SetCoverOpen(true)
	enc, _ := p.Encode(receipt())
	before := em.Received()
	err := p.Print(context.Background(), printer.Job{Data: enc})
	var je *printer.JobError
	if !errors.As(err, &je) || je.Reason != "cover-open" || je.Sent != 0 {
		t.Fatalf("print with cover open = %v", err)
	}
	if !strings.Contains(err.Error(), "cover is open") {
		t.Errorf("message %q", err)
	}
	if got := em.Received() - before; got != 12 {
		t.Errorf("printer got %d bytes; want only the four status requests (12 bytes)", got)
	}
}

func TestSilentThenRecovers(t *testing.T) {
	p, em := rig(t, "epson-tm-t88", emulator.Options{})
	em.SetSilent(true)
	enc, _ := p.Encode(receipt())
	err := p.Print(context.Background(), printer.Job{Data: enc})
	var je *printer.JobError
	if !errors.As(err, &je) || je.Reason != "no-answer" {
		t.Fatalf("print to a silent printer = %v", err)
	}
	em.SetSilent(false)
	// The driver reopens the line and carries on.
	if err := p.Print(context.Background(), printer.Job{Data: enc}); err != nil {
		t.Fatalf("after the printer came back: %v", err)
	}
}

func TestNoiseResync(t *testing.T) {
	p, em := rig(t, "epson-tm-t88", emulator.Options{})
	ctx := context.Background()
	// Noise that looks like status bytes (0x12 alone would read "online",
	// 0x7e would read every fault) must not be mistaken for a reply.
	for _, noise := range [][]byte{{0x7e, 0x7e, 0x7e, 0x7e}, {0xff, 0x00, 0x55}, {0x16, 0x36, 0x52, 0x72}} {
		if err := em.InjectNoise(noise); err != nil {
			t.Fatal(err)
		}
		s, err := p.Status(ctx)
		if err != nil || s != (printer.Status{Online: true}) {
			t.Fatalf("after noise %x: status %+v, %v", noise, s, err)
		}
	}
	// Invalid bytes arriving during a job are skipped.
	enc, _ := p.Encode(receipt())
	em.InjectNoise([]byte{0xff, 0x81, 0x00})
	if err := p.Print(ctx, printer.Job{Data: enc}); err != nil {
		t.Fatalf("print after noise: %v", err)
	}
}

func TestUnknownProfile(t *testing.T) {
	_, err := printer.Open(context.Background(), printer.Config{Port: "/dev/null", Profile: "tm-99"})
	if err == nil || !strings.Contains(err.Error(), "epson-tm-t88") {
		t.Fatalf("err = %v, want the list of known profiles", err)
	}
}

func TestPollPublishesChanges(t *testing.T) {
	p, em := rig(t, "epson-tm-t88", emulator.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan printer.Status, 16)
	p.Subscribe(func(s printer.Status) { got <- s })
	tick := make(chan time.Time)
	done := make(chan error)
	go func() { done <- p.Poll(ctx, tick) }()
	if s := <-got; !s.Online {
		t.Fatalf("first status %+v", s)
	}
	tick <- time.Time{} // same status: no event
	em.SetPaperNearEnd(true)
	tick <- time.Time{}
	if s := <-got; !s.PaperNearEnd {
		t.Fatalf("after near end: %+v", s)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("poll returned %v", err)
	}
	select {
	case s := <-got:
		t.Fatalf("unexpected extra event %+v", s)
	default:
	}
}

// A printer that falls silent mid-job fails the job with the bytes it had
// confirmed.
func TestSilentMidJob(t *testing.T) {
	p, em := rig(t, "epson-tm-t88", emulator.Options{})
	doc := escpos.Doc{}
	for i := 0; i < 4; i++ {
		doc = append(doc, escpos.Image{Img: textImage(576, 40)})
	}
	enc, err := p.Encode(doc)
	if err != nil {
		t.Fatal(err)
	}
	first := 0
	err = p.Print(context.Background(), printer.Job{Data: enc, Progress: func(done, total int) {
		if first == 0 {
			first = done
			em.SetSilent(true)
		}
	}})
	var je *printer.JobError
	if !errors.As(err, &je) || je.Reason != "no-answer" || je.Done != first || je.Done == 0 || !je.Status.NoAnswer {
		t.Fatalf("print = %v (first checkpoint %d)", err, first)
	}
}

package receipt

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/printer"
	"github.com/absher-kiosk/kiosk/devices/printer/emulator"
	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"github.com/absher-kiosk/kiosk/internal/golden"
	"github.com/absher-kiosk/kiosk/sync/api"
)

const (
	testID     = "1045837265"
	testResID  = "2384716508"
	testMobile = "+966551234567"
)

var issued = time.Date(2026, 11, 23, 14, 5, 0, 0, time.UTC)

func epson(t testing.TB) escpos.Profile {
	p, err := escpos.LookupProfile("epson-tm-t88")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mobileReceipt() Mobile {
	return Mobile{IDNumber: testID, Mobile: testMobile, Reference: "K-7F3A91C2", Time: issued, Done: true}
}

// visaSummary is the receipt of a visit visa extension as its flow would
// hand it over, with the visitor's full ID in a line.
func visaSummary() Summary {
	return Summary{Mobile: Mobile{IDNumber: testID, Reference: "K-51C0FFEE", Time: issued, Done: true},
		TitleAR: "تمديد تأشيرة زيارة", TitleEN: "Visit visa extension",
		Lines: []api.DocumentLine{
			{LabelAR: "هوية الزائر", LabelEN: "Visitor ID number", Value: testResID},
			{LabelAR: "تاريخ الانتهاء الجديد", LabelEN: "New expiry date", Value: "2027-01-22"},
			{LabelAR: "الرسوم المدفوعة", LabelEN: "Fee paid", Value: "100 SAR"},
		}}
}

// docs are one document of each printable kind, shaped like the centre's
// answers, with the full ID number in a line as the centre sends it.
func docs() map[string]api.Document {
	base := func(kind, ar, en, code string, lines ...api.DocumentLine) api.Document {
		head := []api.DocumentLine{
			{LabelAR: "الاسم", LabelEN: "Name", Value: "Omar Al-Harbi"},
			{LabelAR: "رقم الهوية", LabelEN: "ID number", Value: testResID},
		}
		return api.Document{ID: kind, Kind: kind, TitleAR: ar, TitleEN: en, Lines: append(head, lines...),
			VerifyCode: code, VerifyURL: "https://centre.example.sa/verify/" + code, IssuedAt: issued}
	}
	return map[string]api.Document{
		"exit_reentry": base(api.DocExitReentryVisa, "تأشيرة خروج وعودة", "Exit/re-entry visa", "3FA2C19B0D11",
			api.DocumentLine{LabelAR: "رقم التأشيرة", LabelEN: "Visa number", Value: "4401928371"},
			api.DocumentLine{LabelAR: "تاريخ الإصدار", LabelEN: "Issued", Value: "2026-11-01"},
			api.DocumentLine{LabelAR: "تاريخ الانتهاء", LabelEN: "Expires", Value: "2027-02-01"}),
		"final_exit": base(api.DocFinalExitVisa, "تأشيرة خروج نهائي", "Final exit visa", "88C1D0E2A7F4",
			api.DocumentLine{LabelAR: "رقم التأشيرة", LabelEN: "Visa number", Value: "5500192833"},
			api.DocumentLine{LabelAR: "تاريخ الانتهاء", LabelEN: "Expires", Value: "2026-12-22"}),
		"residence": base(api.DocResidenceSummary, "ملخص هوية مقيم رقمية", "Digital residence card summary", "0B7E55AA9C31",
			api.DocumentLine{LabelAR: "الجنسية", LabelEN: "Nationality", Value: "EG"},
			api.DocumentLine{LabelAR: "تاريخ الميلاد", LabelEN: "Birth date", Value: "1988-04-17"}),
		"traffic": base(api.DocTrafficStatement, "بيان المخالفات المرورية", "Traffic violation statement", "C4D3E2F1A0B9",
			api.DocumentLine{LabelAR: "7730011829", LabelEN: "Speeding", Value: "2026-09-14 300 SAR unpaid"},
			api.DocumentLine{LabelAR: "7730011830", LabelEN: "Parking", Value: "2026-10-02 100 SAR paid"}),
	}
}

// rig is a real driver on a real pseudo-terminal to the emulator.
func rig(t *testing.T, profile string) (*printer.Printer, *emulator.Emulator) {
	t.Helper()
	prof, err := escpos.LookupProfile(profile)
	if err != nil {
		t.Fatal(err)
	}
	em, err := emulator.New(emulator.Options{Dots: prof.DotsPerLine})
	if err != nil {
		t.Fatalf("emulator: %v", err)
	}
	t.Cleanup(func() { em.Close() })
	p, err := printer.Open(context.Background(), printer.Config{Port: em.PortPath(), Baud: 115200, Profile: profile,
		ReplyGrace: 300 * time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatalf("open printer: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p, em
}

func printDoc(t *testing.T, p *printer.Printer, em *emulator.Emulator, doc escpos.Doc) emulator.Page {
	t.Helper()
	before := len(em.Pages())
	enc, err := p.Encode(doc)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Print(ctx, printer.Job{Data: enc}); err != nil {
		t.Fatalf("print: %v", err)
	}
	pages := em.Pages()
	if len(pages) != before+1 {
		t.Fatalf("emulator has %d pages after the job, want %d", len(pages), before+1)
	}
	return pages[len(pages)-1]
}

// TestGoldenReceipts prints every receipt and document in both languages
// through the driver and the emulator and compares the paper dot for dot.
func TestGoldenReceipts(t *testing.T) {
	p, em := rig(t, "epson-tm-t88")
	prof := p.Profile()
	type tc struct {
		name  string
		build func(lang string) (*builder, error)
		qr    string
		code  string
	}
	cases := []tc{{name: "update_mobile", code: "K-7F3A91C2",
		build: func(lang string) (*builder, error) { return updateMobile(lang, mobileReceipt(), prof) }}}
	cases = append(cases, tc{name: "extend_visit_visa", code: "K-51C0FFEE",
		build: func(lang string) (*builder, error) { return serviceReceipt(lang, visaSummary(), prof) }})
	for name, d := range docs() {
		cases = append(cases, tc{name: name, qr: d.VerifyURL, code: d.VerifyCode,
			build: func(lang string) (*builder, error) { return document(lang, d, prof) }})
	}
	for _, c := range cases {
		for _, lang := range []string{"ar", "en"} {
			t.Run(c.name+"_"+lang, func(t *testing.T) {
				b, err := c.build(lang)
				if err != nil {
					t.Fatal(err)
				}
				noPersonalNumbers(t, b.set)
				pg := printDoc(t, p, em, b.doc)
				if c.qr == "" && len(pg.QR) != 0 {
					t.Errorf("QR codes %q on a receipt without a verification URL", pg.QR)
				}
				if c.qr != "" && (len(pg.QR) != 1 || pg.QR[0] != c.qr) {
					t.Errorf("QR payloads %q, want [%q]", pg.QR, c.qr)
				}
				if len(pg.Barcodes) != 1 || pg.Barcodes[0] != c.code {
					t.Errorf("barcodes %q, want [%q]", pg.Barcodes, c.code)
				}
				if len(pg.Events) == 0 || pg.Events[len(pg.Events)-1] != "cut-partial" {
					t.Errorf("page events %q, want a partial cut at the end", pg.Events)
				}
				checkGolden(t, "receipt_"+c.name+"_"+lang, pg.Image)
			})
		}
	}
}

func noPersonalNumbers(t *testing.T, set []string) {
	t.Helper()
	all := strings.Join(set, "\n")
	for _, full := range []string{testID, testResID, testMobile, "0551234567", "551234567"} {
		if strings.Contains(all, full) {
			t.Errorf("paper says %q in full:\n%s", full, all)
		}
	}
}

func checkGolden(t *testing.T, name string, img *image.Gray) {
	t.Helper()
	path := filepath.Join("testdata", name+".png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	want, err := png.Decode(bytes.NewReader(golden.Read(t, path, buf.Bytes())))
	if err != nil {
		t.Fatal(err)
	}
	if want.Bounds() != img.Bounds() {
		t.Fatalf("paper is %v, golden %s is %v", img.Bounds(), path, want.Bounds())
	}
	b := want.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, _, _, _ := want.At(x, y).RGBA()
			if (r < 0x8000) != (img.GrayAt(x, y).Y < 0x80) {
				t.Fatalf("dot (%d,%d) differs from %s", x, y, path)
			}
		}
	}
}

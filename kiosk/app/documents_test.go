package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central/demo"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/devices/printer"
	"github.com/absher-kiosk/kiosk/devices/printer/emulator"
	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"github.com/absher-kiosk/kiosk/devices/printer/jobs"
	"github.com/absher-kiosk/kiosk/kiosk/receipt"
	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
	"github.com/absher-kiosk/kiosk/sync/client"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

// newDesk is the program's printing part: the centre's document list over
// sync/client, the driver over a real pseudo-terminal to the emulator, and
// every job recorded, sealed, in a real SQLite file.
func newDesk(t *testing.T, w *demoWorld) (*receipt.Desk, *emulator.Emulator, *printer.Printer, string) {
	t.Helper()
	prof, err := escpos.LookupProfile("epson-tm-t88")
	if err != nil {
		t.Fatal(err)
	}
	em, err := emulator.New(emulator.Options{Dots: prof.DotsPerLine})
	if err != nil {
		t.Fatalf("emulator: %v", err)
	}
	t.Cleanup(func() { em.Close() })
	ctx := context.Background()
	p, err := printer.Open(ctx, printer.Config{Port: em.PortPath(), Baud: 115200, Profile: "epson-tm-t88",
		ReplyGrace: 300 * time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatalf("open printer: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	dir := t.TempDir()
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "outbox.key"))
	if err != nil {
		t.Fatal(err)
	}
	q, err := store.Open(ctx, filepath.Join(dir, "kiosk.db"), keys, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	paper := receipt.NewJobPaper(ctx, p, jobs.New(q.PrintJobs()))
	t.Cleanup(paper.Close)
	pk := w.s.PKI.Clients["kiosk-001"]
	sc, err := client.New(client.Config{BaseURL: w.s.URL, KioskID: "kiosk-001", CAFile: w.s.PKI.CA, CertFile: pk.Cert, KeyFile: pk.Key, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &receipt.Desk{Source: sc, Paper: paper, Profile: p.Profile()}, em, p, dir
}

// TestPrintDocumentThroughTheScreens: Ravi Menon (showcase) identifies by
// fingerprint against the real centre, the screens list his documents, he
// taps one, and the emulator's paper carries its verification QR code.
func TestPrintDocumentThroughTheScreens(t *testing.T) {
	w := newDemoWorld(t, "")
	desk, em, _, dir := newDesk(t, w)
	var ravi demo.Case
	for _, c := range demo.Showcase(w.ppl) {
		if c.NameEN == "Ravi Menon" {
			ravi = c
		}
	}
	if ravi.ID == "" {
		t.Fatal("the showcase has no Ravi Menon")
	}
	k := newServiceKiosk(t, w, newFingers(demo.FingerSeed(1, ravi.ID, people.RightIndex)), desk)
	k.identify(t, "ar", ravi.ID, "print_document")
	v := k.await(t, "documents", func(v ui.View) bool { return v.Screen == ui.ScreenDocuments && len(v.Documents) > 0 })
	var pick ui.Document
	for _, d := range v.Documents {
		if d.ID == "" || d.Title == "" {
			t.Fatalf("document without ID or title: %+v", d)
		}
		if d.Kind == "residence_card_summary" {
			pick = d
		}
	}
	if pick.ID == "" {
		t.Fatalf("no residence card summary in %+v", v.Documents)
	}
	before := len(em.Pages())
	k.send(ui.Event{Kind: ui.EvDocument, Value: pick.ID})
	v = k.await(t, "printing or thanks", func(v ui.View) bool { return v.Screen == ui.ScreenDocPrinting || v.Screen == ui.ScreenThanks })
	if v.Screen == ui.ScreenDocPrinting && v.Printing.ID != pick.ID {
		t.Fatalf("printing %+v, chose %+v", v.Printing, pick)
	}
	v = k.await(t, "thanks", step(ui.ScreenThanks))
	if v.Problem != "" {
		t.Fatalf("thank-you screen with problem %q", v.Problem)
	}
	pages := em.Pages()
	if len(pages) != before+1 {
		t.Fatalf("%d pages printed, want 1", len(pages)-before)
	}
	pg := pages[len(pages)-1]
	if len(pg.QR) != 1 || !strings.HasPrefix(pg.QR[0], w.s.URL+"/verify/") {
		t.Fatalf("QR %q, want the centre's verification URL", pg.QR)
	}
	for _, f := range []string{"kiosk.db", "kiosk.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		if strings.Contains(string(b), ravi.ID) || strings.Contains(string(b), "Ravi") {
			t.Fatalf("%s holds the ID or the name in the clear", f)
		}
	}
}

// TestPrintDocumentHiddenWithoutPaper: Print a document is offered only
// while the printer can print; with the cover open it is left out.
func TestPrintDocumentHiddenWithoutPaper(t *testing.T) {
	w := newDemoWorld(t, "")
	desk, em, p, _ := newDesk(t, w)
	em.SetCoverOpen(true)
	// Asking for the status publishes it to the job paper, as the poller does.
	if _, err := p.Status(context.Background()); err != nil {
		t.Fatal(err)
	}
	if desk.CanPrint() {
		t.Fatal("the printer still reads as able to print with its cover open")
	}
	k := newServiceKiosk(t, w, newFingers(1), desk)
	k.send(ui.Event{Kind: ui.EvTouch}, ui.Event{Kind: ui.EvLanguage, Value: "en"})
	k.typeDigits(w.ppl[0].ID)
	k.send(ui.Event{Kind: ui.EvConfirm})
	v := k.await(t, "menu", step(ui.ScreenMenu))
	for _, s := range v.Services {
		if s == "print_document" {
			t.Fatalf("menu %v offers printing with no paper", v.Services)
		}
	}
}

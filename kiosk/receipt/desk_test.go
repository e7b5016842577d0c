package receipt

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central"
	"github.com/absher-kiosk/kiosk/central/civil"
	"github.com/absher-kiosk/kiosk/central/demo"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/devices/printer/emulator"
	"github.com/absher-kiosk/kiosk/devices/printer/jobs"
	"github.com/absher-kiosk/kiosk/internal/centretest"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/client"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

const deskPass = "Kiosk#1234"

var deskMobile = "+966500000077"

// deskWorld is the real centre over TLS on loopback, the kiosk's client,
// the printer driver on a pty to the emulator and the job store in a real
// SQLite file.
type deskWorld struct {
	centre *central.Server
	cl     *client.Client
	desk   *Desk
	paper  *JobPaper
	jobs   *jobs.Store
	em     *emulator.Emulator
	token  string
	id     string
}

func newDeskWorld(t *testing.T) (*deskWorld, func() []byte) {
	t.Helper()
	dir := t.TempDir()
	id, err := pii.WithCheckDigit("238471650")
	if err != nil {
		t.Fatal(err)
	}
	today := civil.Of(time.Now())
	pop := []people.Person{{ID: id, Kind: people.Resident, NameAR: "سارة", NameEN: "Sara", Nationality: "EG", Mobile: deskMobile,
		BirthDate:    civil.New(1990, 5, 2),
		PasswordHash: demo.HashPassword(deskPass, []byte("0123456789abcdef")), AbsherActive: true, InsideKingdom: true,
		Passport: &people.Passport{Number: "A7", Issued: today.AddYears(-1), Expiry: today.AddYears(4)},
		Visas: []people.Visa{{Number: "4401928371", Kind: people.ExitReentrySingle, Status: people.VisaIssued,
			Issued: today.AddDays(-3), Expiry: today.AddMonths(2)}},
		Fines: []people.Fine{{Number: "7730011829", Violation: "Speeding", Code: "speeding", AmountSAR: 300, Date: today.AddMonths(-1)}},
	}}
	s := centretest.Start(t, central.Options{StateDir: filepath.Join(dir, "centre"), Population: pop})
	cl := centretest.Client(t, s, client.Config{Timeout: 5 * time.Second})
	ctx := context.Background()
	v, err := cl.StartVerification(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.VerifyPassword(ctx, v.Ref, deskPass); err != nil {
		t.Fatal(err)
	}
	sms, ok := s.SMSSink.Last(deskMobile)
	if !ok {
		t.Fatal("no SMS code sent")
	}
	code := regexp.MustCompile(`\d{4,8}`).FindString(sms.Text)
	sess, err := cl.VerifyCode(ctx, v.Ref, code)
	if err != nil {
		t.Fatal(err)
	}

	p, em := rig(t, "epson-tm-t88")
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "kiosk.db"), keys, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	js := jobs.New(db.PrintJobs())
	paper := NewJobPaper(ctx, p, js)
	t.Cleanup(paper.Close)
	w := &deskWorld{centre: s, cl: cl, desk: &Desk{Source: cl, Paper: paper, Profile: p.Profile()}, paper: paper, jobs: js, em: em, token: sess.Token, id: id}
	// dbBytes reads the database and its write-ahead log as they lie on disk.
	dbBytes := func() []byte {
		var all []byte
		for _, f := range []string{"kiosk.db", "kiosk.db-wal"} {
			b, _ := os.ReadFile(filepath.Join(dir, f))
			all = append(all, b...)
		}
		return all
	}
	return w, dbBytes
}

// TestDeskPrintsFromTheCentre lists the person's documents from the real
// centre, prints one through the driver, and checks the QR code on paper
// opens the centre's verification page.
func TestDeskPrintsFromTheCentre(t *testing.T) {
	w, dbBytes := newDeskWorld(t)
	em := w.em
	ctx := context.Background()
	if !w.desk.CanPrint() {
		t.Fatal("a ready printer reads as unable to print")
	}
	list, err := w.desk.Documents(ctx, w.token)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]domain.DocumentInfo{}
	for _, d := range list {
		kinds[d.Kind] = d
	}
	for _, k := range []string{api.DocExitReentryVisa, api.DocResidenceSummary, api.DocTrafficStatement} {
		if _, ok := kinds[k]; !ok {
			t.Fatalf("list %+v lacks %s", list, k)
		}
	}
	for _, lang := range []string{"ar", "en"} {
		visa := kinds[api.DocExitReentryVisa]
		if err := w.desk.PrintDocument(ctx, w.token, lang, visa.ID); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		pages := em.Pages()
		pg := pages[len(pages)-1]
		if len(pg.QR) != 1 || !strings.HasPrefix(pg.QR[0], w.centre.URL+"/verify/") {
			t.Fatalf("%s: QR %q, want the centre's verification URL", lang, pg.QR)
		}
		body := fetchVerify(t, w.centre, pg.QR[0])
		if !strings.Contains(body, "is genuine") || !strings.Contains(body, "Exit/re-entry visa") || strings.Contains(body, w.id) {
			t.Fatalf("%s: verification page says %q", lang, body)
		}
		if len(pg.Barcodes) != 1 || !strings.HasSuffix(pg.QR[0], "/"+pg.Barcodes[0]) {
			t.Fatalf("%s: barcode %q does not carry the verification code of %q", lang, pg.Barcodes, pg.QR[0])
		}
	}
	failed, err := w.jobs.Failed(ctx)
	if err != nil || len(failed) != 0 {
		t.Fatalf("failed jobs %+v, %v", failed, err)
	}
	if raw := dbBytes(); len(raw) == 0 || strings.Contains(string(raw), w.id) || strings.Contains(string(raw), "Sara") {
		t.Fatal("the job store holds the ID or the name in the clear (or nothing was written)")
	}
	if err := w.desk.PrintDocument(ctx, w.token, "en", "exit_reentry_visa:0000000000"); !errors.Is(err, ErrNotListed) {
		t.Fatalf("unlisted document: %v", err)
	}
}

// TestDeskPaperOutMidJob: the paper runs out half way through a document;
// the error reaches the flow, the job is kept as failed for a reprint and
// the service is no longer offered.
func TestDeskPaperOutMidJob(t *testing.T) {
	w, _ := newDeskWorld(t)
	em := w.em
	ctx := context.Background()
	list, err := w.desk.Documents(ctx, w.token)
	if err != nil || len(list) == 0 {
		t.Fatalf("list %+v, %v", list, err)
	}
	em.PaperOutAfter(3000)
	err = w.desk.PrintDocument(ctx, w.token, "ar", list[0].ID)
	if err == nil || !strings.Contains(err.Error(), "paper") {
		t.Fatalf("print with the paper running out: %v", err)
	}
	failed, err := w.jobs.Failed(ctx)
	if err != nil || len(failed) != 1 || failed[0].Kind != list[0].Kind || failed[0].Reason != "paper-out" {
		t.Fatalf("failed jobs %+v, %v", failed, err)
	}
	if w.desk.CanPrint() {
		t.Fatal("printer out of paper still reads as able to print")
	}
}

// TestDeskReceipt prints the Update Mobile receipt the flow hands over.
func TestDeskReceipt(t *testing.T) {
	w, _ := newDeskWorld(t)
	em := w.em
	r := flow.Receipt{Service: "update_mobile", MaskedID: "******6508", MaskedMobile: "*********4567", Reference: "K-7F3A9C",
		Time: issued, Lang: "ar", Done: true}
	if err := w.desk.Print(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	pages := em.Pages()
	if pg := pages[len(pages)-1]; len(pg.Barcodes) != 1 || pg.Barcodes[0] != "K-7F3A9C" {
		t.Fatalf("barcodes %q", pg.Barcodes)
	}
	r.Service = "renew_licence"
	if err := w.desk.Print(context.Background(), r); !errors.Is(err, ErrInput) {
		t.Fatalf("receipt for a service without a layout: %v", err)
	}
}

func fetchVerify(t *testing.T, s *central.Server, url string) string {
	t.Helper()
	pem, err := os.ReadFile(s.PKI.CA)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := hc.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, b)
	}
	return string(b)
}

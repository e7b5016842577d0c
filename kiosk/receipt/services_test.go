package receipt

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// serviceReceipts are the receipts the flow hands over at the end of each
// catalogue service, with the centre's result lines as it sends them.
func serviceReceipts() map[string]flow.Receipt {
	base := func(service domain.ServiceID, details map[string]string, fee int) flow.Receipt {
		return flow.Receipt{Service: service, MaskedID: "******6508", Reference: "K-2B7D01AA", Time: issued, Done: true,
			Details: details, FeeSAR: fee}
	}
	activate := base(domain.ActivateAbsher, nil, 0)
	activate.MaskedMobile = "*********4567"
	return map[string]flow.Receipt{
		"activate_absher": activate,
		"visa_extension": base(domain.VisaExtension, map[string]string{"visa": "V-40112233",
			"current_expiry": "2026-03-15", "new_expiry": "2026-06-13", "months": "3"}, 100),
		"exit_reentry":         base(domain.ExitReentry, map[string]string{"visa": "ER-7781204", "months": "5", "documents": "a,b"}, 900),
		"licence_renewal":      base(domain.LicenceRenewal, map[string]string{"new_expiry": "2031-03-10"}, 200),
		"report_lost_passport": base(domain.ReportLostPassport, map[string]string{"reported": "2026-03-10"}, 0),
	}
}

// TestDeskServiceReceipts prints the receipt of every catalogue service
// in both languages through the desk, the driver and the emulator.
func TestDeskServiceReceipts(t *testing.T) {
	w, _ := newDeskWorld(t)
	for name, r := range serviceReceipts() {
		for _, lang := range []string{"ar", "en"} {
			t.Run(name+"_"+lang, func(t *testing.T) {
				r.Lang = lang
				before := len(w.em.Pages())
				if err := w.desk.Print(context.Background(), r); err != nil {
					t.Fatal(err)
				}
				pages := w.em.Pages()
				if len(pages) != before+1 {
					t.Fatalf("%d pages printed, want 1", len(pages)-before)
				}
				pg := pages[len(pages)-1]
				if len(pg.Barcodes) != 1 || pg.Barcodes[0] != r.Reference {
					t.Fatalf("barcodes %q, want [%q]", pg.Barcodes, r.Reference)
				}
				checkGolden(t, "receipt_service_"+name+"_"+lang, pg.Image)
			})
		}
	}
}

func TestServiceSummary(t *testing.T) {
	r := serviceReceipts()["exit_reentry"]
	s, err := serviceSummary(r)
	if err != nil {
		t.Fatal(err)
	}
	want := []api.DocumentLine{
		{LabelAR: "رقم التأشيرة", LabelEN: "Visa number", Value: "ER-7781204"},
		{LabelAR: "المدة بالأشهر", LabelEN: "Duration in months", Value: "5"},
		{LabelAR: "الرسوم المدفوعة بالريال", LabelEN: "Fee paid (SAR)", Value: "900"},
	}
	if !reflect.DeepEqual(s.Lines, want) {
		t.Fatalf("lines %+v, want %+v (the centre's working data stays off the paper)", s.Lines, want)
	}
	if s.TitleEN != "Exit/re-entry visa" || s.Reference != r.Reference || s.IDNumber != r.MaskedID {
		t.Fatalf("summary %+v", s)
	}
	r.Service = "no_such_service"
	if _, err := serviceSummary(r); !errors.Is(err, ErrInput) {
		t.Fatalf("unknown service: %v, want ErrInput", err)
	}
}

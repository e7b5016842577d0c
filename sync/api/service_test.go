package api

import (
	"testing"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
)

func TestParseServiceID(t *testing.T) {
	for _, c := range []struct {
		in   string
		want domain.ServiceID
		ok   bool
	}{
		{"update_mobile", domain.UpdateMobile, true},
		{"print_document", domain.PrintDocument, true},
		{"activate_absher", domain.ActivateAbsher, true},
		{"visa_extension", domain.VisaExtension, true},
		{"exit_reentry", domain.ExitReentry, true},
		{"licence_renewal", domain.LicenceRenewal, true},
		{"report_lost_passport", domain.ReportLostPassport, true},
		// The rules' old names, read for one release.
		{"activate_account", domain.ActivateAbsher, true},
		{"lost_passport", domain.ReportLostPassport, true},
		// The screens' old names were never on the wire.
		{"extend_visit_visa", "", false},
		{"renew_licence", "", false},
		{"report_passport", "", false},
		{"", "", false},
		{"Update_Mobile", "", false},
		{"update_mobile ", "", false},
		{"teleport", "", false},
	} {
		got, ok := ParseServiceID(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseServiceID(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	for _, s := range domain.Services() {
		if got, ok := ParseServiceID(string(s)); !ok || got != s {
			t.Errorf("%s does not read back: %q, %v", s, got, ok)
		}
	}
}

func FuzzParseServiceID(f *testing.F) {
	for _, s := range []string{"update_mobile", "activate_account", "lost_passport", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		id, ok := ParseServiceID(name)
		if ok != id.Known() {
			t.Fatalf("ParseServiceID(%q) = %q, %v: an accepted name must be a known service, a refused one empty", name, id, ok)
		}
		if ok && string(id) != name && name != "activate_account" && name != "lost_passport" {
			t.Fatalf("ParseServiceID(%q) = %q: only the old names are rewritten", name, id)
		}
	})
}

package receipt

import (
	"fmt"
	"strconv"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// serviceTitles are the printed names of the catalogue services, Arabic
// then English.
var serviceTitles = map[domain.ServiceID][2]string{
	domain.ActivateAbsher:     {"تفعيل حساب أبشر", "Activate an Absher account"},
	domain.VisaExtension:      {"تمديد تأشيرة زيارة", "Visit visa extension"},
	domain.ExitReentry:        {"تأشيرة خروج وعودة", "Exit/re-entry visa"},
	domain.LicenceRenewal:     {"تجديد رخصة القيادة", "Driving licence renewal"},
	domain.ReportLostPassport: {"بلاغ فقدان جواز السفر", "Lost passport report"},
}

// detailLabels are the result lines a service receipt prints, in this
// order, from the centre's answer (flow.Receipt.Details). Other keys are
// the centre's working data and stay off the paper.
var detailLabels = []struct{ key, ar, en string }{
	{"visa", "رقم التأشيرة", "Visa number"},
	{"current_expiry", "تاريخ الانتهاء السابق", "Previous expiry"},
	{"expiry", "تاريخ الانتهاء", "Expiry"},
	{"new_expiry", "تاريخ الانتهاء الجديد", "New expiry"},
	{"months", "المدة بالأشهر", "Duration in months"},
	{"years", "المدة بالسنوات", "Duration in years"},
	{"reported", "تاريخ البلاغ", "Reported on"},
	{"cancelled", "تاريخ الإلغاء", "Cancelled on"},
}

// serviceSummary is the receipt of a catalogue service the flow handed
// over: its name, its result lines and the fee paid.
func serviceSummary(r flow.Receipt) (Summary, error) {
	t, ok := serviceTitles[r.Service]
	if !ok {
		return Summary{}, fmt.Errorf("%w: there is no receipt layout for service %q", ErrInput, r.Service)
	}
	s := Summary{
		Mobile:  Mobile{IDNumber: r.MaskedID, Mobile: r.MaskedMobile, Reference: r.Reference, Time: r.Time, Done: r.Done},
		TitleAR: t[0], TitleEN: t[1],
	}
	for _, l := range detailLabels {
		if v := r.Details[l.key]; v != "" {
			s.Lines = append(s.Lines, api.DocumentLine{LabelAR: l.ar, LabelEN: l.en, Value: v})
		}
	}
	if r.FeeSAR > 0 {
		s.Lines = append(s.Lines, api.DocumentLine{LabelAR: "الرسوم المدفوعة بالريال", LabelEN: "Fee paid (SAR)", Value: strconv.Itoa(r.FeeSAR)})
	}
	return s, nil
}

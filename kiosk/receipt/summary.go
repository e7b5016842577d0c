package receipt

import (
	"fmt"

	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/kiosk/text"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// Summary is the receipt of a service other than Update Mobile (a visit
// visa extension, a licence renewal ...): the service's name and result
// lines in both languages, as the service's flow knows them.
type Summary struct {
	Mobile           // IDNumber, Reference, Time, Done, VerifyURL, VerifyCode; Mobile is printed only when set
	TitleAR, TitleEN string
	Lines            []api.DocumentLine
}

// ServiceReceipt lays out the receipt of any service from its summary.
func ServiceReceipt(lang string, s Summary, p escpos.Profile) (escpos.Doc, error) {
	b, err := serviceReceipt(lang, s, p)
	if err != nil {
		return nil, err
	}
	return b.doc, nil
}

func serviceReceipt(lang string, s Summary, p escpos.Profile) (*builder, error) {
	l, err := layoutFor(lang, p)
	if err != nil {
		return nil, err
	}
	if err := s.Mobile.checkCodes(); err != nil {
		return nil, err
	}
	if len(s.Lines) > maxLines {
		return nil, fmt.Errorf("%w: receipt has %d lines, more than %d", ErrInput, len(s.Lines), maxLines)
	}
	title := s.TitleEN
	if lang == "ar" {
		title = s.TitleAR
	}
	if title == "" {
		return nil, fmt.Errorf("%w: the service has no name in %q", ErrInput, lang)
	}
	if err := checkField(title, "service name"); err != nil {
		return nil, err
	}
	w := words[lang]
	b := l.begin(pii.Scrub(title))
	if s.IDNumber != "" {
		b.pair(w.idNumber, pii.Mask(s.IDNumber))
	}
	if s.Mobile.Mobile != "" {
		b.pair(w.mobile, pii.Mask(s.Mobile.Mobile))
	}
	for _, ln := range s.Lines {
		label := ln.LabelEN
		if lang == "ar" {
			label = ln.LabelAR
		}
		if err := checkField(label, "line label"); err != nil {
			return nil, err
		}
		if err := checkField(ln.Value, "line value"); err != nil {
			return nil, err
		}
		value := pii.Scrub(ln.Value)
		if personalLabel(ln.LabelEN) {
			value = pii.Mask(ln.Value)
		}
		b.pair(pii.Scrub(label), value)
	}
	b.pair(w.reference, s.Reference)
	b.pair(w.date, stamp(s.Time))
	status := w.received
	if s.Done {
		status = w.doneAny
	}
	b.para(status, bodyPt, false, text.AlignStart)
	b.verify(s.VerifyURL, s.VerifyCode)
	b.end(s.Reference)
	return b, b.err
}

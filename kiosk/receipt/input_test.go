package receipt

import (
	"errors"
	"strings"
	"testing"

	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
)

func TestBadInput(t *testing.T) {
	prof := epson(t)
	good := docs()["exit_reentry"]
	with := func(f func(d *api.Document)) api.Document {
		d := good
		d.Lines = append([]api.DocumentLine(nil), good.Lines...)
		f(&d)
		return d
	}
	many := make([]api.DocumentLine, maxLines+1)
	for i := range many {
		many[i] = api.DocumentLine{LabelAR: "x", LabelEN: "x", Value: "y"}
	}
	cases := []struct {
		name, lang, want string
		doc              api.Document
		prof             escpos.Profile
	}{
		{"language", "fr", `language "fr"`, good, prof},
		{"kind", "en", `kind "passport_scan"`, with(func(d *api.Document) { d.Kind = "passport_scan" }), prof},
		{"no url", "en", "no verification URL", with(func(d *api.Document) { d.VerifyURL = "" }), prof},
		{"url scheme", "en", "https://", with(func(d *api.Document) { d.VerifyURL = "javascript:alert(1)" }), prof},
		{"url space", "en", "percent-encoded", with(func(d *api.Document) { d.VerifyURL = "https://x/a b" }), prof},
		{"url long", "en", "at most 256", with(func(d *api.Document) { d.VerifyURL = "https://" + strings.Repeat("a", 300) }), prof},
		{"no code", "en", "verification code is missing", with(func(d *api.Document) { d.VerifyCode = "" }), prof},
		{"code space", "en", "without spaces", with(func(d *api.Document) { d.VerifyCode = "AB CD" }), prof},
		{"code non-ascii", "ar", "without spaces", with(func(d *api.Document) { d.VerifyCode = "رمز" }), prof},
		{"code long", "en", "at most 64", with(func(d *api.Document) { d.VerifyCode = strings.Repeat("A", 65) }), prof},
		{"lines", "en", "more than 60", with(func(d *api.Document) { d.Lines = many }), prof},
		{"utf8 title", "en", "title is not valid UTF-8", with(func(d *api.Document) { d.TitleEN = "\xff" }), prof},
		{"utf8 value", "ar", "line value is not valid UTF-8", with(func(d *api.Document) { d.Lines[0].Value = "a\xc3" }), prof},
		{"long label", "ar", "line label is longer", with(func(d *api.Document) { d.Lines[0].LabelAR = strings.Repeat("ب", maxField+1) }), prof},
		{"profile", "en", "at least 256 dots", good, escpos.Profile{Name: "tiny", DotsPerLine: 128, DPI: 203}},
		{"profile dpi", "en", "at least 256 dots", good, escpos.Profile{Name: "nodpi", DotsPerLine: 576}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := Document(c.lang, c.doc, c.prof)
			if err == nil {
				t.Fatalf("printed %d blocks, want an error", len(doc))
			}
			if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want ErrInput saying %q", err, c.want)
			}
		})
	}
	mcases := []struct {
		name, want string
		m          Mobile
	}{
		{"no reference", "reference is missing", Mobile{IDNumber: testID}},
		{"reference space", "without spaces", Mobile{Reference: "K 1"}},
		{"bad url", "https://", Mobile{Reference: "K-1", VerifyURL: "ftp://x"}},
		{"bad code", "without spaces", Mobile{Reference: "K-1", VerifyCode: "\x00"}},
	}
	scases := []struct {
		name, want string
		s          Summary
	}{
		{"no name", `no name in "en"`, Summary{Mobile: Mobile{Reference: "K-1"}, TitleAR: "تمديد"}},
		{"no reference", "reference is missing", Summary{TitleEN: "X"}},
		{"bad value", "not valid UTF-8", Summary{Mobile: Mobile{Reference: "K-1"}, TitleEN: "X", Lines: []api.DocumentLine{{LabelEN: "a", Value: "\xff"}}}},
		{"lines", "more than 60", Summary{Mobile: Mobile{Reference: "K-1"}, TitleEN: "X", Lines: many}},
	}
	for _, c := range scases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := ServiceReceipt("en", c.s, prof); err == nil || !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want ErrInput saying %q", err, c.want)
			}
		})
	}
	for _, c := range mcases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := UpdateMobile("en", c.m, prof); err == nil || !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want ErrInput saying %q", err, c.want)
			}
		})
	}
}

// TestPersonalLines masks lines the centre labels as personal whatever
// their shape, and numbers of personal shape in any line.
func TestPersonalLines(t *testing.T) {
	d := docs()["residence"]
	d.Lines = append(d.Lines,
		api.DocumentLine{LabelAR: "الجوال", LabelEN: "Mobile", Value: "055 123 4567"},
		api.DocumentLine{LabelAR: "ملاحظة", LabelEN: "Note", Value: "sponsor 1045837265"})
	for _, lang := range []string{"ar", "en"} {
		b, err := document(lang, d, epson(t))
		if err != nil {
			t.Fatal(err)
		}
		noPersonalNumbers(t, b.set)
		all := strings.Join(b.set, "\n")
		for _, s := range []string{"055 123 4567", "123 4567"} {
			if strings.Contains(all, s) {
				t.Errorf("%s: paper says %q", lang, s)
			}
		}
	}
}

// TestNarrowPaperWraps sets the receipt on 58 mm paper, where long
// label/value pairs no longer fit on one line and wrap instead.
func TestNarrowPaperWraps(t *testing.T) {
	prof, err := escpos.LookupProfile("basic-58mm-noqr")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"ar", "en"} {
		doc, err := Document(lang, docs()["traffic"], prof)
		if err != nil {
			t.Fatal(err)
		}
		for _, bl := range doc {
			if im, ok := bl.(escpos.Image); ok && im.Img.Bounds().Dx() > prof.DotsPerLine {
				t.Fatalf("%s: image %d dots wide on %d-dot paper", lang, im.Img.Bounds().Dx(), prof.DotsPerLine)
			}
		}
		if _, err := escpos.Encode(prof, doc); err != nil {
			t.Fatalf("%s: encode: %v", lang, err)
		}
	}
}

func FuzzDocument(f *testing.F) {
	f.Add("en", "exit_reentry_visa", "Visa", "ID number", "1045837265", "ABC123", "https://c/verify/ABC123")
	f.Add("ar", "traffic_violation_statement", "بيان", "7730011829", "2026-09-14 300 SAR", "C4D3", "https://c/v/C4D3")
	f.Add("ar", "final_exit_visa", "\xff", "", "+966551234567", "", "")
	f.Add("en", "residence_card_summary", "", "مرحبا Absher 123", "٢٣٨٤٧١٦٥٠٨", "X", "http://x")
	prof := epson(f)
	f.Fuzz(func(t *testing.T, lang, kind, title, label, value, code, url string) {
		d := api.Document{Kind: kind, TitleAR: title, TitleEN: title, VerifyCode: code, VerifyURL: url,
			Lines: []api.DocumentLine{{LabelAR: label, LabelEN: label, Value: value}}}
		b, err := document(lang, d, prof)
		if err != nil {
			if !errors.Is(err, ErrInput) && !strings.Contains(err.Error(), "receipt: set") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		for _, s := range b.set {
			if pii.Scrub(s) != s {
				t.Fatalf("a number shaped like an ID or mobile reached the paper: %q", s)
			}
		}
		if _, err := escpos.Encode(prof, b.doc); err != nil {
			t.Fatalf("composed document does not encode: %v", err)
		}
	})
}

func FuzzServiceReceipt(f *testing.F) {
	f.Add("ar", "تمديد تأشيرة زيارة", "هوية الزائر", "2384716508", "K-51C0FFEE", "1045837265", "+966551234567")
	f.Add("en", "Licence renewal", "Years", "10", "K 1", "", "")
	f.Add("en", "\xff", "", "", "", "x", "0551234567")
	prof := epson(f)
	f.Fuzz(func(t *testing.T, lang, title, label, value, ref, id, mobile string) {
		s := Summary{Mobile: Mobile{IDNumber: id, Mobile: mobile, Reference: ref, Time: issued, Done: true},
			TitleAR: title, TitleEN: title, Lines: []api.DocumentLine{{LabelAR: label, LabelEN: label, Value: value}}}
		b, err := serviceReceipt(lang, s, prof)
		if err != nil {
			if !errors.Is(err, ErrInput) && !strings.Contains(err.Error(), "receipt: set") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		for _, s := range b.set {
			if pii.Scrub(s) != s {
				t.Fatalf("a number shaped like an ID or mobile reached the paper: %q", s)
			}
		}
		if _, err := escpos.Encode(prof, b.doc); err != nil {
			t.Fatalf("composed receipt does not encode: %v", err)
		}
	})
}

package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/absher-kiosk/kiosk/kiosk/i18n"
)

func docScreens(lang string) map[string]View {
	docs := []Document{
		{ID: "exit_reentry_visa:4401928371", Kind: "exit_reentry_visa", Title: "Exit/re-entry visa"},
		{ID: "traffic_violations", Kind: "traffic_violation_statement", Title: "Traffic violation statement"},
		{ID: "residence_card", Kind: "residence_card_summary"}, // no title from the centre: named by kind
	}
	if lang == i18n.Arabic {
		docs[0].Title, docs[1].Title = "تأشيرة خروج وعودة", "بيان المخالفات المرورية"
	}
	return map[string]View{
		"documents":             {Screen: ScreenDocuments, Lang: lang, Documents: docs},
		"documents_loading":     {Screen: ScreenDocuments, Lang: lang},
		"documents_none":        {Screen: ScreenDocuments, Lang: lang, Problem: "no_documents"},
		"documents_offline":     {Screen: ScreenDocuments, Lang: lang, Problem: "centre_unreachable"},
		"doc_printing":          {Screen: ScreenDocPrinting, Lang: lang, Printing: docs[0]},
		"thanks_printer_failed": {Screen: ScreenThanks, Lang: lang, Problem: "printer_failed"},
		// A person with several visas: six documents and a problem still fit.
		"documents_many": {Screen: ScreenDocuments, Lang: lang, Documents: append(docs[:3:3], docs...), Problem: "doc_printer_unavailable"},
	}
}

func TestGoldenDocumentScreens(t *testing.T) {
	for _, lang := range []string{i18n.Arabic, i18n.English} {
		for name, v := range docScreens(lang) {
			t.Run(lang+"_"+name, func(t *testing.T) {
				capture(t, v, portrait, Settings{}, "portrait_"+lang+"_"+name)
			})
		}
		t.Run("landscape_"+lang+"_documents", func(t *testing.T) {
			capture(t, docScreens(lang)["documents"], landscape, Settings{}, "landscape_"+lang+"_documents")
		})
	}
}

// The document screens fit both orientations in both text sizes, and
// every tappable is a full-size touch target.
func TestDocumentScreensFitAndTouch(t *testing.T) {
	for _, s := range []Settings{{}, {LargeText: true}} {
		for _, lang := range []string{i18n.Arabic, i18n.English} {
			for name, v := range docScreens(lang) {
				for _, size := range []fyne.Size{portrait, landscape} {
					a, w := newWindow(t, size)
					if _, err := New(a, w, &machine{v: v}, Options{LargeText: s.LargeText}); err != nil {
						t.Fatal(err)
					}
					if m := w.Content().MinSize(); m.Width > size.Width || m.Height > size.Height {
						t.Errorf("%s %s at %v (large=%v) needs %v", lang, name, size, s.LargeText, m)
					}
					walk(w.Content(), func(o fyne.CanvasObject) {
						if _, ok := o.(fyne.Tappable); ok {
							if sz := o.Size(); sz.Width < MinTouch || sz.Height < MinTouch {
								t.Errorf("%s %s %v: tappable %T is %v, under %d px", lang, name, size, o, sz, MinTouch)
							}
						}
					})
				}
			}
		}
	}
}

// Touching a document sends its ID; the list names documents in the
// user's language, by kind when the centre sent no title.
func TestChooseDocument(t *testing.T) {
	for _, lang := range []string{i18n.Arabic, i18n.English} {
		a, w := newWindow(t, portrait)
		m := &machine{v: docScreens(lang)["documents"]}
		if _, err := New(a, w, m, Options{}); err != nil {
			t.Fatal(err)
		}
		cat, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		test.Tap(findButton(t, w, cat.T(lang, "document_residence_card_summary", nil)))
		test.Tap(findButton(t, w, m.v.Documents[1].Title))
		var got []Event
		for _, e := range m.events {
			if e.Kind == EvDocument {
				got = append(got, e)
			}
		}
		if len(got) != 2 || got[0].Value != "residence_card" || got[1].Value != "traffic_violations" {
			t.Fatalf("%s: events %+v", lang, got)
		}
	}
}

func TestEveryDocumentKindHasMessages(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range append(DocumentKinds, "other") {
		for _, lang := range []string{i18n.Arabic, i18n.English} {
			if !cat.Has(lang, "document_"+k) {
				t.Errorf("%s has no message document_%s", lang, k)
			}
		}
	}
}

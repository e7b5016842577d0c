package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Screens of Print a document.
const (
	ScreenDocuments   Screen = "documents"    // the person's printable documents
	ScreenDocPrinting Screen = "doc_printing" // the chosen one on its way to paper
)

// Document is one entry of the document list. Title comes from the centre
// in the user's language; when it is empty the screen names the kind.
type Document struct {
	ID    string
	Kind  string // message "document_<kind>"
	Title string
}

// DocumentKinds are the Document.Kind values, messages "document_<kind>".
var DocumentKinds = []string{"exit_reentry_visa", "final_exit_visa", "residence_card_summary", "identity_summary", "traffic_violation_statement"}

func (c *screen) docTitle(d Document) string {
	if d.Title != "" {
		return d.Title
	}
	if c.cat.Has(c.lang(), "document_"+d.Kind) {
		return c.t("document_"+d.Kind, nil)
	}
	return c.t("document_other", nil)
}

// documents lists what the person may print, one large button each. While
// the list is on its way (no documents, no problem yet) it says so.
func (c *screen) documents() fyne.CanvasObject {
	head := []fyne.CanvasObject{c.title("documents_title", nil)}
	if len(c.v.Documents) == 0 && c.v.Problem == "" {
		head = append(head, c.message(c.t("documents_loading", nil)))
	}
	if len(c.v.Documents) > 0 {
		head = append(head, c.para(c.t("documents_hint", nil), sizeBody, false))
	}
	if p := c.problem(); p != nil {
		head = append(head, p)
	}
	var list []fyne.CanvasObject
	for _, d := range c.v.Documents {
		b := NewButton(c.docTitle(d), c.dir(), theme.DocumentPrintIcon(), func() { c.send(Event{Kind: EvDocument, Value: d.ID}) })
		b.Label.TextSize = c.s.textSize(sizeBody)
		list = append(list, b)
	}
	if len(list) == 0 {
		return centred(head...)
	}
	// Landscape is short: the words on one side, the documents on the other.
	return c.split(head, list)
}

// docPrinting says which document is printing and where it comes out.
func (c *screen) docPrinting() fyne.CanvasObject {
	head := []fyne.CanvasObject{c.bigIcon(theme.DocumentPrintIcon()), c.title("doc_printing_title", nil)}
	var rest []fyne.CanvasObject
	if c.v.Printing.ID != "" {
		name := c.para(c.docTitle(c.v.Printing), sizeTitle, true)
		name.Align = Center
		rest = append(rest, name)
	}
	rest = append(rest, c.message(c.t("doc_printing_body", nil)))
	return c.split(head, rest)
}

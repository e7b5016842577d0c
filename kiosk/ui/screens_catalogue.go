package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
)

// Screens of the catalogue services. The second finger of an activation is
// the ordinary finger screen asking for the left index.
const (
	ScreenSubject     Screen = "subject"     // whom the service is for
	ScreenOptions     Screen = "options"     // visa type and months, licence years
	ScreenEligibility Screen = "eligibility" // the fee, or every failed rule by name
)

// Catalogue is what the catalogue steps and their results show. Like the
// rest of View it carries codes and values, not sentences.
type Catalogue struct {
	Service  domain.ServiceID
	Subjects []Subject
	Options  []Option

	Checked          bool // an eligibility answer is in
	Eligible         bool
	Reasons          []string // rule codes, messages "reason_<code>"
	FeeSAR           int
	Details          map[string]string // new_expiry, visa, expiry, cancelled, reported, mobile (masked)
	Existing         string            // an issued exit/re-entry visa to print or cancel
	CanPrintExisting bool
}

// Subject is one entry of the subject list.
type Subject struct {
	Name     string
	Last4    string // of the ID number
	Relation string // self, dependent, visitor: messages "catalogue_subject_<relation>"
}

// Option is one choice with its values; value labels are messages
// "catalogue_option_<name>_<value>" when they are words, else the value.
type Option struct {
	Name   string
	Values []string
	Chosen string
}

// ReasonCodes are the rule codes the eligibility screen can name; each has
// a message "reason_<code>" in every language. Another code (from a newer
// centre) reads as the generic not_eligible problem, never as raw text.
var ReasonCodes = []string{
	"not_citizen_or_resident", "not_your_dependent", "not_your_visitor", "subject_not_resident",
	"outside_kingdom", "visitor_outside_kingdom", "account_already_active", "no_enrolled_fingerprints",
	"no_visit_visa", "too_early_to_extend", "visa_expired_too_long", "no_passport",
	"passport_reported_lost", "passport_already_reported", "passport_expired", "passport_validity_under_3_months",
	"no_medical_insurance", "insurance_does_not_cover_extension", "no_driving_licence", "unpaid_traffic_fines",
	"exit_reentry_already_issued", "no_printable_documents", "fee_unpaid",
	"no_exit_reentry_to_cancel", "second_finger_not_matched",
}

func (c *screen) catalogueStep() (fyne.CanvasObject, []fyne.CanvasObject) {
	cv := c.v.Catalogue
	if cv == nil {
		cv = &Catalogue{}
	}
	switch c.v.Screen {
	case ScreenSubject:
		return c.subjects(cv), nil
	case ScreenOptions:
		return c.options(cv), []fyne.CanvasObject{c.next("nav_next", Event{Kind: EvConfirm})}
	}
	return c.eligibility(cv)
}

func (c *screen) subjectLabel(s Subject) string {
	if s.Relation == "self" {
		return c.t("catalogue_subject_self", nil)
	}
	label := s.Name + " · " + c.t("catalogue_subject_"+s.Relation, nil)
	if s.Last4 != "" {
		label += " · …" + s.Last4
	}
	return label
}

func (c *screen) subjects(cv *Catalogue) fyne.CanvasObject {
	objs := []fyne.CanvasObject{c.title("catalogue_subject_title", nil)}
	for i, s := range cv.Subjects {
		b := NewButton(c.subjectLabel(s), c.dir(), theme.AccountIcon(), func() { c.send(Event{Kind: EvSubject, Value: strconv.Itoa(i)}) })
		b.Label.TextSize = c.s.textSize(sizeBody)
		objs = append(objs, b)
	}
	if p := c.problem(); p != nil {
		objs = append(objs, p)
	}
	return centred(objs...)
}

func (c *screen) optionLabel(name, value string) string {
	if id := "catalogue_option_" + name + "_" + value; c.cat.Has(c.lang(), id) {
		return c.t(id, nil)
	}
	return value
}

func (c *screen) options(cv *Catalogue) fyne.CanvasObject {
	objs := []fyne.CanvasObject{c.title("catalogue_options_title", nil)}
	for _, o := range cv.Options {
		objs = append(objs, c.para(c.t("catalogue_option_"+o.Name, nil), sizeBody, true))
		var row []fyne.CanvasObject
		for _, v := range o.Values {
			b := NewButton(c.optionLabel(o.Name, v), c.dir(), nil, func() { c.send(Event{Kind: EvOption, Value: o.Name + "=" + v}) })
			b.Label.TextSize = c.s.textSize(sizeBody)
			b.Selected = v == o.Chosen
			row = append(row, b)
		}
		objs = append(objs, GridRow(c.dir(), row...))
	}
	if p := c.problem(); p != nil {
		objs = append(objs, p)
	}
	return centred(objs...)
}

func (c *screen) feeLine(fee int) *BidiLabel {
	if fee == 0 {
		return c.message(c.t("catalogue_no_fee", nil))
	}
	return c.message(c.t("catalogue_fee", map[string]any{"Fee": fee}))
}

// eligibility shows the centre's answer: the fee and what will happen, or
// every rule that failed, each in a sentence saying what to do.
func (c *screen) eligibility(cv *Catalogue) (fyne.CanvasObject, []fyne.CanvasObject) {
	if !cv.Checked {
		objs := []fyne.CanvasObject{c.title("catalogue_eligibility_checking", nil)}
		if p := c.problem(); p != nil {
			objs = append(objs, p)
		}
		return centred(objs...), nil
	}
	if cv.Eligible {
		objs := []fyne.CanvasObject{c.bigIcon(theme.ConfirmIcon()), c.title("catalogue_eligible_title", nil), c.feeLine(cv.FeeSAR)}
		if d := cv.Details["new_expiry"]; d != "" {
			objs = append(objs, c.message(c.t("catalogue_new_expiry", map[string]any{"Date": d})))
		}
		next := c.next("catalogue_confirm", Event{Kind: EvConfirm})
		return centred(objs...), []fyne.CanvasObject{next}
	}
	var lines []string
	for _, r := range cv.Reasons {
		msg := c.t("problem_not_eligible", nil)
		if c.cat.Has(c.lang(), "reason_"+r) {
			msg = c.t("reason_"+r, nil)
		}
		lines = append(lines, msg)
	}
	head := []fyne.CanvasObject{c.title("catalogue_refused_title", nil)}
	rest := []fyne.CanvasObject{c.statusBox(theme.ErrorIcon(), "status_error",
		c.para(c.t("catalogue_refused_intro", nil)+"\n"+strings.Join(lines, "\n"), sizeBody, false))}
	if cv.Existing != "" {
		// What can still be done goes beside the reasons in landscape.
		head = append(head, c.message(c.t("catalogue_existing_visa", map[string]any{"Visa": cv.Existing})))
		var row []fyne.CanvasObject
		if cv.CanPrintExisting {
			row = append(row, c.button("catalogue_print_existing", theme.DocumentPrintIcon(), Event{Kind: EvExisting, Value: "print"}))
		}
		row = append(row, c.button("catalogue_cancel_existing", theme.DeleteIcon(), Event{Kind: EvExisting, Value: "cancel"}))
		head = append(head, GridRow(c.dir(), row...))
	}
	return c.split(head, rest), []fyne.CanvasObject{c.next("nav_finish", Event{Kind: EvConfirm})}
}

// catalogueResult says what the centre did, with the dates and numbers
// the person needs, and the reference.
func (c *screen) catalogueResult() fyne.CanvasObject {
	cv := c.v.Catalogue
	title, icon := "result_done_title", theme.ConfirmIcon()
	if !c.v.Done {
		title, icon = "result_received_title", theme.MailSendIcon()
	}
	head := []fyne.CanvasObject{c.bigIcon(icon), c.title(title, nil)}
	var objs []fyne.CanvasObject
	d := cv.Details
	switch {
	case d["cancelled"] != "":
		objs = append(objs, c.message(c.t("catalogue_visa_cancelled", map[string]any{"Visa": d["visa"]})))
	case d["visa"] != "" && d["expiry"] != "":
		objs = append(objs, c.message(c.t("catalogue_visa_issued", map[string]any{"Visa": d["visa"], "Date": d["expiry"]})))
	case d["new_expiry"] != "":
		objs = append(objs, c.message(c.t("catalogue_new_expiry", map[string]any{"Date": d["new_expiry"]})))
	case d["reported"] != "":
		objs = append(objs, c.message(c.t("catalogue_passport_reported", nil)))
	case d["mobile"] != "":
		m := d["mobile"]
		objs = append(objs, c.message(c.t("catalogue_account_active", map[string]any{"Last4": m[max(0, len(m)-4):]})))
	default:
		objs = append(objs, c.message(c.t("result_done", nil)))
	}
	if c.v.Reference != "" {
		objs = append(objs, c.message(c.t("catalogue_reference", map[string]any{"Reference": c.v.Reference})))
	}
	return c.split(head, objs)
}

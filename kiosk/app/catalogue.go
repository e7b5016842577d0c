package app

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/receipt"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/client"
)

// ServiceSubmitter sends each request the way its service delivers it
// (flow.Service.Delivery): online within the visit's session (the
// catalogue services) or through the outbox (Update Mobile).
type ServiceSubmitter struct {
	Online interface {
		SubmitService(ctx context.Context, t domain.Txn) (domain.Ack, error)
	}
	Queued flow.Submitter
}

// Submit routes t by its service's delivery.
func (s ServiceSubmitter) Submit(ctx context.Context, t domain.Txn) (domain.Ack, error) {
	switch t.Delivery {
	case domain.Online:
		return s.Online.SubmitService(ctx, t)
	case domain.Queued:
		return s.Queued.Submit(ctx, t)
	}
	return domain.Ack{}, fmt.Errorf("submit %s: the service has no delivery (%v); give its flow.Service one", t.Kind, t.Delivery)
}

// WithServices adds the catalogue services and Print a document to the
// flow's parts and builds the menu from the centre's configuration for
// c's kiosk (the built-in default when the centre cannot be asked now; the
// services the menu offers still depend on their parts being fitted).
// Print a document is offered when the receipt printer is a *receipt.Desk.
func WithServices(ctx context.Context, c *client.Client, log *slog.Logger, d flow.Deps) flow.Deps {
	d = WithCatalogue(c, d)
	cfg, err := c.Config(ctx)
	if err != nil {
		if log != nil {
			log.Warn("service menu from the built-in configuration: the centre's could not be read", "err", err)
		}
		cfg = api.DefaultConfig()
	}
	d.Menu = d.Services.Menu(cfg.Services)
	return d
}

// WithCatalogue fits the parts of the catalogue services and of Print a
// document: the centre's catalogue calls, online submission for the
// services that need it (Update Mobile stays on the outbox), and the
// document counter when the receipt printer is a *receipt.Desk. The menu
// is left to the caller: the program takes it from the central config.
func WithCatalogue(c *client.Client, d flow.Deps) flow.Deps {
	d.Catalogue = c
	d.Submitter = ServiceSubmitter{Online: c, Queued: d.Submitter}
	if desk, ok := d.Printer.(*receipt.Desk); ok {
		d.DocCentre, d.DocPrinter = desk, desk
	}
	return d
}

// catalogueScreen maps the steps of the catalogue services and of Print a
// document; it reports whether v's step was one of them.
func catalogueScreen(v flow.View, u *ui.View) bool {
	switch v.Step {
	case flow.StepSubject:
		u.Screen = ui.ScreenSubject
	case flow.StepOptions:
		u.Screen = ui.ScreenOptions
	case flow.StepEligibility:
		u.Screen = ui.ScreenEligibility
	case flow.StepSecondFinger:
		u.Screen, u.Scanning, u.TriesLeft, u.Finger = ui.ScreenFinger, v.Busy, v.TriesLeft, "left_index"
	case flow.StepDocuments:
		u.Screen = ui.ScreenDocuments
	case flow.StepDocPrinting:
		u.Screen = ui.ScreenDocPrinting
	default:
		return false
	}
	return true
}

// catalogueParts copies the catalogue and document parts of v.
func catalogueParts(v flow.View, u *ui.View) {
	for _, d := range v.Documents {
		u.Documents = append(u.Documents, uiDocument(v.Lang, d))
	}
	if v.Document.ID != "" {
		u.Printing = uiDocument(v.Lang, v.Document)
	}
	cv := v.Catalogue
	if cv == nil {
		return
	}
	c := &ui.Catalogue{Service: v.Service, Checked: cv.Checked, Eligible: cv.Eligible, Reasons: cv.Reasons,
		FeeSAR: cv.FeeSAR, Details: cv.Details, Existing: cv.Existing, CanPrintExisting: cv.CanPrintExisting}
	for _, s := range cv.Subjects {
		c.Subjects = append(c.Subjects, ui.Subject{Name: s.Name, Last4: last4(s.MaskedID), Relation: s.Relation})
	}
	for _, o := range cv.Options {
		c.Options = append(c.Options, ui.Option{Name: o.Name, Values: o.Values, Chosen: o.Chosen})
	}
	u.Catalogue = c
}

func uiDocument(lang string, d domain.DocumentInfo) ui.Document {
	title := d.TitleAR
	if lang == "en" || title == "" {
		title = d.TitleEN
	}
	return ui.Document{ID: d.ID, Kind: d.Kind, Title: title}
}

// catalogueEvent translates the events only the catalogue and document
// screens send.
func catalogueEvent(v flow.View, e ui.Event) flow.Event {
	switch e.Kind {
	case ui.EvDocument:
		if v.Step == flow.StepDocuments {
			return flow.ChooseDocument{ID: e.Value}
		}
	case ui.EvSubject:
		if i, err := strconv.Atoi(e.Value); err == nil && v.Step == flow.StepSubject {
			return flow.ChooseSubject{Index: i}
		}
	case ui.EvOption:
		if name, value, ok := strings.Cut(e.Value, "="); ok && v.Step == flow.StepOptions {
			return flow.ChooseOption{Name: name, Value: value}
		}
	case ui.EvExisting:
		if v.Step != flow.StepEligibility {
			return nil
		}
		switch e.Value {
		case "print":
			return flow.PrintExisting{}
		case "cancel":
			return flow.CancelExisting{}
		}
	}
	return nil
}

// catalogueConfirm is Confirm on the catalogue and document steps: a
// retry after a problem that can be retried, else going on.
func catalogueConfirm(v flow.View) (flow.Event, bool) {
	switch v.Step {
	case flow.StepSecondFinger:
		return flow.Capture{}, true
	case flow.StepSubject, flow.StepEligibility, flow.StepDocuments:
		if v.Problem != nil && v.Problem.CanRetry {
			return flow.Retry{}, true
		}
		return flow.SubmitEntry{}, true
	}
	return nil, false
}

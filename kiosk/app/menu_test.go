package app

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/health"
	"github.com/absher-kiosk/kiosk/devices/printer"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
	"github.com/absher-kiosk/kiosk/sync/api"
)

type receiptPrinter struct{}

func (receiptPrinter) Print(context.Context, flow.Receipt) error { return nil }

type docPrinter struct{}

func (docPrinter) CanPrint() bool { return true }
func (docPrinter) PrintDocument(context.Context, string, string, string) error {
	return nil
}

func TestOfferFollowsHealthAndConfig(t *testing.T) {
	base := flow.Deps{Printer: receiptPrinter{}, DocPrinter: docPrinter{}, Scanner: greyScanner{},
		Services: flow.Services(), Menu: []flow.ServiceItem{{ID: domain.UpdateMobile, Enabled: true}}}
	for _, tc := range []struct {
		name                  string
		warnings              []health.Warning
		cfg                   *api.Config
		printer, docs, finger bool
		services              int
		idle                  time.Duration
	}{
		{name: "all well", printer: true, docs: true, finger: true, services: 1},
		{name: "printer down", warnings: printer.Warnings(printer.Status{Offline: true, CoverOpen: true}),
			docs: false, finger: true, services: 1},
		{name: "paper low still prints", warnings: printer.Warnings(printer.Status{Online: true, PaperNearEnd: true}),
			printer: true, docs: true, finger: true, services: 1},
		{name: "scanner down", warnings: fingerprint.Warnings(fingerprint.Status{State: fingerprint.NoDevice}),
			printer: true, docs: true, services: 1},
		{name: "config menu and timing", cfg: &api.Config{Services: []api.ServiceEntry{{ID: "update_mobile", Enabled: true}, {ID: "print_document", Enabled: false}},
			Timeouts: api.Timeouts{IdleSeconds: 90, WarningSeconds: 30}, HeartbeatIntervalSeconds: 60}, printer: true, docs: true, finger: true, services: 2, idle: 90 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt, err := NewRuntime(Local{Services: base.Services}, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			o := Offer{Base: base, Avail: func() health.Availability { return health.Compute(tc.warnings) },
				Runtime: func() *Runtime { return rt }}
			d := o.Deps()
			if (d.Printer != nil) != tc.printer || d.DocPrinter.CanPrint() != tc.docs || d.Scanner.Usable() != tc.finger ||
				len(d.Menu) != tc.services || d.Timing.Idle != tc.idle {
				t.Fatalf("printer %v docs %v finger %v services %d idle %v", d.Printer != nil, d.DocPrinter.CanPrint(), d.Scanner.Usable(), len(d.Menu), d.Timing.Idle)
			}
		})
	}
}

// TestSwitchRebuildsBetweenVisits: a change while nobody is served applies
// at once; during a visit it waits for the attract screen.
func TestSwitchRebuildsBetweenVisits(t *testing.T) {
	printing := true
	build := func() *flow.Machine {
		d := flow.Deps{Centre: happyCentre{}, Scanner: greyScanner{}, Submitter: doneSubmitter{},
			Services: flow.Services(), Menu: []flow.ServiceItem{{ID: domain.UpdateMobile, Enabled: true}}}
		if printing {
			d.Printer = receiptPrinter{}
		}
		return flow.New(d)
	}
	sw := NewSwitch(build, 3*time.Second)
	var views []ui.View
	sw.Subscribe(func(v ui.View) { views = append(views, v) })

	printing = false
	sw.Rebuild()
	if sw.Builds() != 2 || sw.Machine().View().PrinterPresent || len(views) != 1 {
		t.Fatalf("at attract: builds %d printer %v views %d", sw.Builds(), sw.Machine().View().PrinterPresent, len(views))
	}

	sw.Machine().Send(flow.Start{})
	if sw.Machine().View().Step == flow.StepAttract {
		t.Fatal("Start did not begin a visit")
	}
	visit := sw.Machine()
	printing = true
	sw.Rebuild()
	if sw.Builds() != 2 || sw.Machine() != visit {
		t.Fatal("the flow was replaced during a visit")
	}
	visit.Send(flow.Cancel{})
	if got := visit.View().Step; got != flow.StepAttract {
		t.Fatalf("Cancel went to %s", got)
	}
	if sw.Builds() != 3 || !sw.Machine().View().PrinterPresent {
		t.Fatalf("after the visit: builds %d printer %v", sw.Builds(), sw.Machine().View().PrinterPresent)
	}
	if last := views[len(views)-1]; last.Screen != ui.ScreenAttract {
		t.Fatalf("screens last told %+v", last.Screen)
	}
}

// TestSwitchKeepsTapsDuringRebuilds races a rebuild (as a new central
// config or a change of health asks for) against the tap that starts a
// visit: the tap is never lost and the screens are always told the view
// the serving flow is in, never the replaced flow's attract screen after
// the visit's first screen.
func TestSwitchKeepsTapsDuringRebuilds(t *testing.T) {
	build := func() *flow.Machine {
		return flow.New(flow.Deps{Centre: happyCentre{}, Scanner: greyScanner{}, Submitter: doneSubmitter{},
			Services: flow.Services(), Menu: []flow.ServiceItem{{ID: domain.UpdateMobile, Enabled: true}}})
	}
	for i := range 300 {
		sw := NewSwitch(build, 3*time.Second)
		var mu sync.Mutex
		var last ui.View
		sw.Subscribe(func(v ui.View) { mu.Lock(); last = v; mu.Unlock() })
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); sw.Rebuild() }()
		go func() { defer wg.Done(); sw.Send(ui.Event{Kind: ui.EvTouch}) }()
		wg.Wait()
		if got := sw.Machine().View().Step; got != flow.StepLanguage {
			t.Fatalf("round %d: the tap was lost, the flow is at %s", i, got)
		}
		mu.Lock()
		shown := last.Screen
		mu.Unlock()
		if shown != ui.ScreenLanguage {
			t.Fatalf("round %d: the screens were last told %v while the flow is at the language step", i, shown)
		}
	}
}

package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/absher-kiosk/kiosk/kiosk/app"
	"github.com/absher-kiosk/kiosk/kiosk/config"
	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// uiThread gives Fyne's test driver what the real one has: a single
// goroutine that draws. The test driver runs fyne.Do inline on the
// caller's goroutine, so the flow's, the shell's and the health's
// goroutines would draw at once and corrupt Fyne's caches (seen here as a
// panic or a hang in layout).
type uiThread struct {
	fyne.App
	drv *serialDriver
}

func (a uiThread) Driver() fyne.Driver { return a.drv }

type serialDriver struct {
	fyne.Driver
	mu   sync.Mutex
	q    []func()
	wake chan struct{}
}

// newUIThread makes app's drawing run on one goroutine until the test ends.
func newUIThread(t *testing.T, app fyne.App) uiThread {
	d := &serialDriver{Driver: app.Driver(), wake: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			d.mu.Lock()
			batch := d.q
			d.q = nil
			d.mu.Unlock()
			for _, f := range batch {
				f()
			}
			if len(batch) > 0 {
				continue
			}
			select {
			case <-d.wake:
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	a := uiThread{App: app, drv: d}
	fyne.SetCurrentApp(a)
	return a
}

// DoFromGoroutine queues fn for the drawing goroutine; wait only from
// outside it.
func (d *serialDriver) DoFromGoroutine(fn func(), wait bool) {
	var done chan struct{}
	if wait {
		done = make(chan struct{})
		f := fn
		fn = func() { f(); close(done) }
	}
	d.mu.Lock()
	d.q = append(d.q, fn)
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
	if wait {
		<-done
	}
}

// TestWiringAgainstTheRealCentre runs the kiosk (app.Open, the same
// wiring as the production program) with the demo's parts: the real
// centre in-process over TLS on loopback, the real store, the printer
// emulator on a pseudo-terminal, the screens in Fyne's test driver behind
// the maintenance shell.
func TestWiringAgainstTheRealCentre(t *testing.T) {
	cfg := config.Defaults()
	cfg.Kiosk.StateDir = t.TempDir()
	cfg.Kiosk.LogFile = filepath.Join(cfg.Kiosk.StateDir, "kiosk.log")
	cfg.Printer.PollInterval = config.Duration{Duration: 100 * time.Millisecond}
	cfg.Scanner.PollInterval = config.Duration{Duration: 200 * time.Millisecond}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d, err := start(ctx, cfg, "", quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var mu sync.Mutex
	var exits []int
	o := d.options
	o.Exit = func(code int) { mu.Lock(); exits = append(exits, code); mu.Unlock() }
	o.LogPath = cfg.Kiosk.LogFile
	k, err := app.Open(ctx, cfg, quiet, o)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	// Every service of the catalogue is fitted: a person's menu is the
	// central config's, Print a document included (the printer works).
	// Walked before the screens are shown: Fyne's test driver draws on
	// the caller's goroutine, and the flow's own goroutines must not draw
	// beside the test's.
	m := k.Screens()
	m.Send(ui.Event{Kind: ui.EvTouch})
	m.Send(ui.Event{Kind: ui.EvLanguage, Value: "en"})
	for _, r := range "1073563411" { // Fahad, of the demo showcase
		m.Send(ui.Event{Kind: ui.EvKey, Key: r})
	}
	m.Send(ui.Event{Kind: ui.EvConfirm})
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if v := m.View(); v.Screen == ui.ScreenMenu && len(v.Services) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no service menu within 30 s: %+v", m.View())
		}
	}
	want := domain.Services()
	if got := m.View().Services; !slices.Equal(got, want) {
		t.Fatalf("menu %v, want %v", got, want)
	}
	m.Send(ui.Event{Kind: ui.EvCancel})
	if v := m.View(); v.Screen != ui.ScreenAttract {
		t.Fatalf("cancel on the menu went to %v", v.Screen)
	}

	a := newUIThread(t, test.NewTempApp(t))
	var presented error
	a.drv.DoFromGoroutine(func() {
		win := a.NewWindow("Absher")
		win.Resize(fyne.NewSize(1080, 1920))
		presented = k.Present(ctx, a, win)
	}, true)
	if presented != nil {
		t.Fatal(presented)
	}

	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 30 s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// Every background part runs under the supervisor; the watchdog runs
	// beside it.
	waitFor("supervised services started", func() bool {
		st := k.ServiceStates()
		for _, name := range []string{"scanner", "printer", "uploader", "config", "commands", "heartbeat", "storage"} {
			if st[name] != "started" && st[name] != "healthy" {
				return false
			}
		}
		return true
	})
	select {
	case <-k.WatchdogStopped():
		t.Fatal("the UI watchdog stopped")
	default:
	}

	heartbeat := func() *api.Heartbeat {
		list, err := d.centre.KioskList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range list.Kiosks {
			if k.ID == cfg.Kiosk.ID {
				return k.Heartbeat
			}
		}
		return nil
	}
	waitFor("first heartbeat at the centre", func() bool { return heartbeat() != nil })
	if hb := heartbeat(); hb.OutOfService || hb.HeartbeatIntervalSeconds != 60 {
		t.Fatalf("first heartbeat %+v", hb)
	}

	// The centre takes the kiosk out of service, then puts it back.
	if _, err := d.centre.QueueCommand(ctx, cfg.Kiosk.ID, api.NewCommandRequest{Kind: api.CmdOutOfService, Args: map[string]string{"message": "Use the kiosk in hall B"}}); err != nil {
		t.Fatal(err)
	}
	waitFor("out of service by command", func() bool { return k.Service().State().ByCommand })
	if st := k.Service().State(); !st.Shown() || st.Message.EN != "Use the kiosk in hall B" {
		t.Fatalf("state %+v", st)
	}
	waitFor("heartbeat reports out of service", func() bool {
		hb := heartbeat()
		return hb.OutOfService && hb.OutOfServiceReason == "command"
	})
	if _, err := d.centre.QueueCommand(ctx, cfg.Kiosk.ID, api.NewCommandRequest{Kind: api.CmdInService}); err != nil {
		t.Fatal(err)
	}
	waitFor("back in service", func() bool { return !k.Service().State().Shown() })
	waitFor("heartbeat reports in service", func() bool { return !heartbeat().OutOfService })

	// A printer fault takes the receipt offer away once it has lasted the
	// health delay (printer.HealthDelay of real time: the wiring runs real
	// sockets and SQLite, which a synctest bubble cannot hold), and gives
	// it back when it clears.
	if !k.Screens().Machine().View().PrinterPresent {
		t.Fatal("no receipt offer with a working printer")
	}
	d.emulator.SetCoverOpen(true)
	waitFor("printer fault visible", func() bool { return !k.Health().Availability().Printing })
	waitFor("receipt offer withdrawn", func() bool { return !k.Screens().Machine().View().PrinterPresent })
	d.emulator.SetCoverOpen(false)
	waitFor("receipt offer back", func() bool { return k.Screens().Machine().View().PrinterPresent })

	mu.Lock()
	defer mu.Unlock()
	if len(exits) != 0 {
		t.Fatalf("the program asked to exit with %v", exits)
	}
}

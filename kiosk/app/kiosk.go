package app

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/scanners"
	"github.com/absher-kiosk/kiosk/devices/health"
	"github.com/absher-kiosk/kiosk/devices/printer"
	"github.com/absher-kiosk/kiosk/devices/printer/jobs"
	"github.com/absher-kiosk/kiosk/devices/usb"
	"github.com/absher-kiosk/kiosk/kiosk/commands"
	"github.com/absher-kiosk/kiosk/kiosk/config"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/maintenance"
	"github.com/absher-kiosk/kiosk/kiosk/receipt"
	"github.com/absher-kiosk/kiosk/kiosk/session"
	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/kiosk/supervise"
	"github.com/absher-kiosk/kiosk/kiosk/watchdog"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/client"
	"github.com/absher-kiosk/kiosk/sync/outbox"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

// submitWait is how long the user waits for the centre's acknowledgement
// before the result says "received" with a reference.
const submitWait = 3 * time.Second

// Options are what a program chooses beside the configuration file. The
// production kiosk sets only Version, LogPath and Exit; the demo program
// adds its in-process centre, its simulated scanner and its printer
// emulator's port, so the demo's code never sits in the production path.
type Options struct {
	// Version is reported in heartbeats.
	Version string
	// LogPath is the kiosk's own log file, for log collection and the
	// maintenance screen.
	LogPath string
	// Exit ends the program with a code (ExitRestart, ExitToOS,
	// watchdog.ExitHung); nil ends the kiosk's context.
	Exit func(code int)
	// Terminate ends the process at once with a code. After the UI hung,
	// Exit cannot end the program (its orderly stop quits the window on the
	// UI thread, which is what hung), so the watchdog's goroutine stops what
	// it can within hangShutdown and calls Terminate. nil is os.Exit, what
	// the programs want; tests pass their own to observe it.
	Terminate func(code int)
	// Centre replaces the centre of the configuration (centre.url, the
	// TLS files and centre.command_key_file) when set.
	Centre *Endpoint
	// StandIn serves while no USB scanner is plugged in; nil in production.
	StandIn *StandIn
	// PrinterPort replaces printer.port when set.
	PrinterPort string
}

// Endpoint is a centre the kiosk talks to.
type Endpoint struct {
	URL string
	// TLS carries the kiosk's client certificate and the centre's CA.
	TLS *tls.Config
	// CommandKey verifies the centre's signed commands.
	CommandKey ed25519.PublicKey
}

// StandIn is a scanner that serves while no USB scanner is plugged in (the
// demo's simulator); a plugged-in scanner wins.
type StandIn struct {
	Scanner flow.Scanner
	// Centre wraps the centre the flow calls, so the stand-in learns whose
	// identification started; nil leaves it as is.
	Centre func(flow.Centre) flow.Centre
}

// Kiosk is the kiosk's parts, opened and wired: the store, the devices,
// the sync services under one supervisor, the flow behind its screens and
// the maintenance gate. Open provisions it, Present puts it in a window,
// Close takes it down in a safe order.
type Kiosk struct {
	cfg  config.Config
	opts Options
	log  *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	exit   func(code int)
	// terminate ends the process when the UI thread cannot.
	terminate func(code int)
	released  sync.Once

	local   Local
	live    Live
	health  *health.Registry
	queue   *store.Store
	service *Service
	events  *supervisorLog
	sup     *supervise.Supervisor
	screens *Switch

	sc       *client.Client // the one client of the centre
	uploader *client.Uploader
	config   *client.ConfigPuller
	beat     *client.Heartbeat

	bus         *usb.Bus
	scanner     *fingerprint.Manager
	prn         *printer.Printer
	printerPort string
	paper       *receipt.JobPaper
	lastPrinter lastStatus
	report      *Report
	testPage    func(context.Context) error

	gate    *maintenance.Gate
	console *maintenance.Console
	gesture maintenance.Gesture

	// unsubscribe ends the health and device subscriptions before the
	// devices close.
	unsubscribe []func()
	// running is closed when each background goroutine has returned.
	served, followed, watched chan struct{}
}

// Open opens every part of the kiosk and starts its background services.
// If any part fails, the parts already opened are closed again and the
// error says which part and why.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, o Options) (*Kiosk, error) {
	if cfg.Scanner.Simulated && o.StandIn == nil {
		return nil, errors.New("scanner.simulated is set, but this program links no simulated scanner: run kiosk-demo for the demo, or remove scanner.simulated from the configuration")
	}
	k := unopened(ctx, cfg, log, o)
	k.local = Local{Services: flow.Services(),
		Timing:            session.FromSeconds(cfg.Session.IdleSeconds, cfg.Session.WarningSeconds),
		HeartbeatInterval: cfg.Sync.HeartbeatInterval.Duration}
	rt, _ := NewRuntime(k.local, nil)
	k.live.Store(rt)
	if err := k.open(); err != nil {
		k.Close()
		return nil, err
	}
	k.start()
	return k, nil
}

// unopened is a kiosk with nothing opened yet: its context and its ways
// to end the program.
func unopened(ctx context.Context, cfg config.Config, log *slog.Logger, o Options) *Kiosk {
	k := &Kiosk{cfg: cfg, opts: o, log: log, exit: o.Exit, terminate: o.Terminate}
	k.ctx, k.cancel = context.WithCancel(ctx)
	if k.exit == nil {
		k.exit = func(int) { k.cancel() }
	}
	if k.terminate == nil {
		k.terminate = os.Exit
	}
	return k
}

func (k *Kiosk) open() error {
	ep, err := k.endpoint()
	if err != nil {
		return err
	}
	if err := k.openCentre(ep); err != nil {
		return err
	}
	// Health: every part reports here; availability follows from it.
	k.health = health.New(health.Options{Logger: k.log.With("part", "health")})
	if err := k.openStore(); err != nil {
		return err
	}
	k.openScanner()
	k.report = &Report{Version: k.opts.Version, Started: time.Now(), Scanner: k.scannerState}
	k.events = &supervisorLog{report: supervise.ReportTo(k.health)}
	k.sup = supervise.New(supervise.Options{Logger: k.log.With("part", "supervisor"), OnEvent: k.events.on})
	if err := k.openPrinter(); err != nil {
		return err
	}
	k.addServices(ep.CommandKey)
	k.buildScreens()
	if err := k.buildMaintenance(); err != nil {
		return err
	}
	// The stored config takes the same path as a pulled one, before the
	// first screen.
	if c, _, ok, err := k.config.Stored(k.ctx); err == nil && ok {
		k.apply(c)
	}
	return nil
}

// endpoint is the centre to talk to: the demo's, or the configuration's.
func (k *Kiosk) endpoint() (Endpoint, error) {
	if k.opts.Centre != nil {
		return *k.opts.Centre, nil
	}
	c := k.cfg.Centre
	tc, err := client.TLSConfig(c.CAFile, c.CertFile, c.KeyFile)
	if err != nil {
		return Endpoint{}, err
	}
	key, err := readCommandKey(c.CommandKeyFile)
	if err != nil {
		return Endpoint{}, err
	}
	return Endpoint{URL: c.URL, TLS: tc, CommandKey: key}, nil
}

// openCentre makes the one client of the centre: the online calls within
// a visit, and the outbox, the pullers and documents.
func (k *Kiosk) openCentre(ep Endpoint) error {
	sc, err := client.New(client.Config{BaseURL: ep.URL, KioskID: k.cfg.Kiosk.ID, Timeout: k.cfg.Centre.RequestTimeout.Duration, TLS: ep.TLS})
	if err != nil {
		return err
	}
	k.sc = sc
	return nil
}

// openStore opens the kiosk's database and restores the out-of-service
// state from it before anything shows, so a kiosk switched off stays off
// across a restart. A storage fault is critical at once: the kiosk must
// stop taking transactions it cannot record.
func (k *Kiosk) openStore() error {
	state := k.cfg.Kiosk.StateDir
	keys, err := seal.LoadOrCreate(filepath.Join(state, "outbox.key"))
	if err != nil {
		return err
	}
	q, err := store.Open(k.ctx, filepath.Join(state, "kiosk.db"), keys, store.Options{MaxAttempts: k.cfg.Sync.MaxAttempts,
		Logger: k.log.With("part", "outbox"), OnStorageFault: outbox.ReportStorageTo(k.health)})
	if err != nil {
		return err
	}
	k.queue = q
	k.service = &Service{KV: q, Log: k.log.With("part", "service")}
	if err := k.service.Restore(k.ctx); err != nil {
		return err
	}
	k.unsubscribe = append(k.unsubscribe, k.health.Subscribe(func([]health.Warning) { k.service.SetFaults(k.health.Availability()) }))
	return nil
}

// openScanner watches the USB bus for a supported fingerprint scanner.
func (k *Kiosk) openScanner() {
	k.bus = usb.Open()
	k.scanner = scanners.NewManager(k.bus, k.log.With("part", "scanner"))
	scannerHealth := fingerprint.ReportTo(k.health)
	report := func(st fingerprint.Status) {
		if k.opts.StandIn != nil && st.State == fingerprint.NoDevice {
			// The stand-in serves while no scanner is plugged in.
			st = fingerprint.Status{State: fingerprint.Online}
		}
		scannerHealth(st)
	}
	report(k.scanner.Status())
	k.unsubscribe = append(k.unsubscribe, k.scanner.Subscribe(report))
}

// scannerState is the scanner's state for the heartbeat.
func (k *Kiosk) scannerState() string {
	st := k.scanner.Status().State
	if k.opts.StandIn != nil && st == fingerprint.NoDevice {
		return "online" // the stand-in serves
	}
	return string(st)
}

// openPrinter opens the receipt printer, if one is fitted.
func (k *Kiosk) openPrinter() error {
	port := k.cfg.Printer.Port
	if k.opts.PrinterPort != "" {
		port = k.opts.PrinterPort
	}
	if port == "" {
		return nil
	}
	pc := k.cfg.Printer
	pr, err := printer.Open(k.ctx, printer.Config{Port: port, Baud: pc.Baud, Profile: pc.Profile,
		PollInterval: pc.PollInterval.Duration, Log: k.log.With("part", "printer")})
	if err != nil {
		return fmt.Errorf("open the receipt printer on %s: %w", port, err)
	}
	k.prn, k.printerPort = pr, port
	k.unsubscribe = append(k.unsubscribe, pr.Subscribe(k.report.PrinterSeen), pr.Subscribe(printer.ReportTo(k.health)), pr.Subscribe(k.lastPrinter.set))
	k.paper = receipt.NewJobPaper(k.ctx, pr, jobs.New(k.queue.PrintJobs()))
	k.testPage = TestPage(pr, k.cfg.Kiosk.ID, time.Now)
	return nil
}

// addServices puts every long-lived part under the supervisor.
func (k *Kiosk) addServices(commandKey ed25519.PublicKey) {
	cfg, log := k.cfg, k.log
	k.uploader = client.NewUploader(k.sc, k.queue, client.UploaderOptions{MaxBatch: cfg.Sync.BatchCount, MaxBytes: cfg.Sync.BatchBytes,
		Backoff: client.Backoff{Max: cfg.Sync.RetryCap.Duration}, Logger: log.With("part", "uploader")})
	// The central config is validated whole (the check NewRuntime makes),
	// stored beside the queue and applied to the next visit.
	k.config = client.NewConfigPuller(k.sc, k.queue, func(c api.Config) error { return c.Validate() }, k.apply, client.PullOptions{Logger: log.With("part", "config")})
	// Heartbeats go through the outbox like every other event.
	beat := &Beat{Report: k.report, Service: k.service, Parked: k.queue.Parked, Interval: k.live.HeartbeatInterval,
		ConfigETag: k.configETag, Log: log.With("part", "heartbeat")}
	k.beat = client.NewHeartbeat(k.queue, k.queue, beat.Heartbeat, k.live.HeartbeatInterval, log.With("part", "heartbeat"))
	// A change of service state is told to the centre at once, not at the
	// next beat, so the operator sees the switch take effect.
	k.service.OnChange(func(maintenance.OutOfService) {
		go func() {
			if _, err := k.beat.Beat(k.ctx); err == nil {
				k.uploader.Kick()
			}
		}()
	})
	// The centre's commands, verified with its public key, applied once.
	fx := &Effects{Service: k.service, TestPage: k.testPage, Sync: k.uploader.Kick, Exit: func() { k.exit(ExitRestart) }}
	cmds := client.NewCommandPuller(k.sc, k.queue, commandKey,
		commands.Handlers(fx, commands.FileTail{Path: k.opts.LogPath}), client.PullOptions{Logger: log.With("part", "commands")})

	k.sup.Add("scanner", supervise.Func(func(ctx context.Context) error {
		return k.scanner.Run(ctx, fingerprint.NewTicker(cfg.Scanner.PollInterval.Duration))
	}))
	k.sup.Add("uploader", k.uploader)
	k.sup.Add("config", k.config)
	if k.prn != nil {
		k.sup.Add("printer", supervise.Func(func(ctx context.Context) error {
			t := time.NewTicker(cfg.Printer.PollInterval.Duration)
			defer t.Stop()
			return k.prn.Poll(ctx, t.C)
		}))
	}
	k.sup.Add("heartbeat", k.beat)
	k.sup.Add("commands", cmds)
	// A storage fault clears after the next good write.
	k.sup.Add("storage", supervise.Func(func(ctx context.Context) error {
		return storageProbe(ctx, k.health, k.queue, 5*time.Second)
	}))
}

// configETag is the version of the stored central config, for the
// heartbeat and the maintenance screen.
func (k *Kiosk) configETag() string {
	ctx, cancel := context.WithTimeout(k.ctx, 2*time.Second)
	defer cancel()
	_, tag, _, err := k.config.Stored(ctx)
	if err != nil {
		return ""
	}
	return tag
}

// buildScreens fits every service of the catalogue to the flow; the
// runtime config in force makes the menu of each visit.
func (k *Kiosk) buildScreens() {
	var scanner flow.Scanner = ManagerScanner{M: k.scanner}
	var fc flow.Centre = k.sc
	if s := k.opts.StandIn; s != nil {
		scanner = Either{First: scanner, Second: s.Scanner}
		if s.Centre != nil {
			fc = s.Centre(fc)
		}
	}
	var prn flow.Printer
	if k.prn != nil {
		prn = &receipt.Desk{Source: k.sc, Paper: k.paper, Profile: k.prn.Profile()}
	}
	base := WithCatalogue(k.sc, flow.Deps{
		Centre:       fc,
		Scanner:      scanner,
		EncodeRecord: EncodeRecord,
		Printer:      prn,
		Submitter:    &Submitter{Centre: k.sc, Queue: k.queue, Wait: submitWait},
		Timing:       k.local.Timing,
		Services:     k.local.Services,
		Menu:         k.local.Services.Menu(api.DefaultConfig().Services),
	})
	offer := Offer{Base: base, Avail: k.health.Availability, Runtime: k.live.Load}
	k.screens = NewSwitch(func() *flow.Machine { return flow.New(offer.Deps()) }, 3*time.Second)
}

// buildMaintenance makes the technician's gate and console.
func (k *Kiosk) buildMaintenance() error {
	log := k.log.With("part", "maintenance")
	auditor := maintenance.OutboxAuditor{Queue: k.queue}
	gate, err := maintenance.NewGate(maintenance.GateOptions{PINHash: k.live.PINHash, Auditor: auditor,
		Store: maintenance.SettingsLockStore{Settings: k.queue}, Logger: log})
	if err != nil {
		return err
	}
	devices := Devices{Scanner: k.scanner.Status}
	if k.prn != nil {
		devices.Printer, devices.PrinterPort, devices.PrinterProfile = k.lastPrinter.get, k.printerPort, k.cfg.Printer.Profile
	}
	con, err := maintenance.NewConsole(maintenance.Deps{
		Devices:   devices,
		Queue:     k.queue,
		Sync:      Syncer{Status: k.uploader.Status, Kick: k.uploader.Kick},
		Centre:    CentrePing{Poller: k.config, ETag: k.configETag},
		Printer:   testPrinter(k.testPage),
		Scanner:   TestCapture{Scanner: k.scanner},
		Logs:      commands.FileTail{Path: k.opts.LogPath},
		Service:   Technician{S: k.service},
		Lifecycle: Lifecycle{RestartFn: func() { k.exit(ExitRestart) }, ExitFn: func() { k.exit(ExitToOS) }},
		Auditor:   auditor,
		Logger:    log,
	})
	if err != nil {
		return err
	}
	g, err := maintenance.ParseGesture(k.cfg.Maintenance.Gesture)
	if err != nil {
		return fmt.Errorf("maintenance.gesture: %w", err)
	}
	k.gate, k.console, k.gesture = gate, con, g
	return nil
}

// apply makes c the central config in force: one runtime value, built and
// validated whole, then published; the out-of-service message follows it
// and the flow is rebuilt for the next visit (at once if nobody is being
// served).
func (k *Kiosk) apply(c api.Config) {
	rt, err := NewRuntime(k.local, &c)
	if err != nil {
		k.log.Error("central config not applied", "err", err)
		return
	}
	k.live.Store(rt)
	k.service.SetConfigMessage(rt.Message)
	k.screens.Rebuild()
	k.log.Info("central config applied", "services", len(c.Services), "idle_seconds", c.Timeouts.IdleSeconds)
}

// start runs the supervisor and the flow's health follower.
func (k *Kiosk) start() {
	k.served, k.followed = make(chan struct{}), make(chan struct{})
	go func() { defer close(k.served); _ = k.sup.Serve(k.ctx) }()
	go func() { defer close(k.followed); k.screens.Follow(k.ctx, k.health) }()
}

// Close stops the kiosk in a safe order: the supervised services and the
// UI watchdog first, then the devices, then the store, so everything
// queued is on disk. It copes with a partial Open.
func (k *Kiosk) Close() { k.shutdown(k.served, k.followed, k.watched) }

// shutdown stops the background work, waits for the goroutines that signal
// on stopped, then releases the devices and the store.
func (k *Kiosk) shutdown(stopped ...chan struct{}) {
	k.cancel()
	for _, done := range stopped {
		if done != nil {
			<-done
		}
	}
	k.release()
}

// release closes the devices and then the store, once: after a UI hang the
// watchdog's goroutine does it, and Close may follow.
func (k *Kiosk) release() {
	k.released.Do(k.closeParts)
}

func (k *Kiosk) closeParts() {
	for _, u := range k.unsubscribe {
		u()
	}
	if k.paper != nil {
		k.paper.Close()
	}
	if k.prn != nil {
		k.prn.Close()
	}
	if k.scanner != nil {
		k.scanner.Close()
	}
	if k.bus != nil {
		k.bus.Close()
	}
	if k.queue != nil {
		k.queue.Close()
	}
}

// Screens is the screens' machine, for the window and for tests.
func (k *Kiosk) Screens() *Switch { return k.screens }

// Health is the kiosk's health registry.
func (k *Kiosk) Health() *health.Registry { return k.health }

// Service is whether the kiosk serves the public.
func (k *Kiosk) Service() *Service { return k.service }

// ServiceStates is each supervised service's last event.
func (k *Kiosk) ServiceStates() map[string]string { return k.events.States() }

// hang is what the UI watchdog does first when the UI hangs: the report
// goes into the outbox before the exit, so it is delivered by the kiosk
// started next.
func (k *Kiosk) hang() func(silent time.Duration) {
	return watchdog.ReportHang(k.queue, k.cfg.Watchdog.Timeout.Duration, func(err error) {
		k.log.Error("UI hang not queued", "err", err)
	})
}

// exitHung ends the program after the UI hung, on the watchdog's goroutine:
// the orderly exit quits the window on the UI thread and would never
// return. The background services stop and the devices and the store
// close within hangShutdown; whatever is still stuck then is left to the
// process's end.
func (k *Kiosk) exitHung() {
	// Recorded for Run, and its stop begun, should the UI come back.
	k.exit(watchdog.ExitHung)
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Without waiting for the watchdog: this runs on its goroutine.
		k.shutdown(k.served, k.followed)
	}()
	t := time.NewTimer(hangShutdown)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		k.log.Error("kiosk not stopped within the hang shutdown; exiting anyway", "wait", hangShutdown.String())
	}
	k.log.Error("exiting after the UI hung", "status", watchdog.ExitHung)
	k.terminate(watchdog.ExitHung)
}

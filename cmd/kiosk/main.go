// Command kiosk is the self-service kiosk: the touch screens, the
// fingerprint scanner, the receipt printer, the outbox and its uploader,
// wired to the service flow. With -demo it also runs the centre in-process
// on loopback, a simulated scanner and the printer emulator, so the whole
// Update Mobile journey can be walked on one machine.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"flag"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"log/slog"
	"math/rand"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/absher-kiosk/kiosk/central"
	"github.com/absher-kiosk/kiosk/central/demo"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/scanners"
	"github.com/absher-kiosk/kiosk/devices/health"
	"github.com/absher-kiosk/kiosk/devices/printer"
	"github.com/absher-kiosk/kiosk/devices/printer/emulator"
	"github.com/absher-kiosk/kiosk/devices/printer/jobs"
	"github.com/absher-kiosk/kiosk/devices/usb"
	"github.com/absher-kiosk/kiosk/kiosk/app"
	"github.com/absher-kiosk/kiosk/kiosk/commands"
	"github.com/absher-kiosk/kiosk/kiosk/config"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/logs"
	"github.com/absher-kiosk/kiosk/kiosk/maintenance"
	mui "github.com/absher-kiosk/kiosk/kiosk/maintenance/ui"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
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

// demoSeed is the demo population the in-process centre holds; the demo
// IDs in the documentation belong to it.
const demoSeed = 1

// demoFixtures is where the recorded scanner fixtures live next to the
// repository; the demo enrols one person with the recorded image.
const demoFixtures = "../shared/fixtures/libfprint"

// submitWait is how long the user waits for the centre's acknowledgement
// before the result says "received" with a reference.
const submitWait = 3 * time.Second

// version is reported in heartbeats; release builds set it with
// -ldflags "-X main.version=…".
var version = "dev"

func main() {
	flags := flag.NewFlagSet("kiosk", flag.ContinueOnError)
	cfgPath := flags.String("config", "", "TOML configuration `file` (default: the built-in configuration)")
	demoMode := flags.Bool("demo", false, "run the centre in-process with the demo population, a simulated scanner and the printer emulator")
	windowed := flags.Bool("windowed", false, "run in a window instead of full screen")
	if err := flags.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kiosk:", err)
		os.Exit(2)
	}
	code, err := run(cfg, *demoMode, *windowed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kiosk:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// parts is everything started, closed in reverse order.
type parts struct{ closers []func() }

func (p *parts) add(f func()) { p.closers = append(p.closers, f) }
func (p *parts) close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
}

func run(cfg config.Config, demoMode, windowed bool) (int, error) {
	state := cfg.Kiosk.StateDir
	if err := os.MkdirAll(state, 0o700); err != nil {
		return 1, fmt.Errorf("create the state folder %s: %w", state, err)
	}
	logPath := cfg.Kiosk.LogFile
	if !filepath.IsAbs(logPath) {
		logPath = filepath.Join(state, logPath)
	}
	log, logCloser, err := logs.Open(logPath, slog.LevelInfo)
	if err != nil {
		return 1, fmt.Errorf("open the log: %w", err)
	}
	defer logCloser.Close()
	slog.SetDefault(log)

	sigCtx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	// A restart (remote command, technician, hung UI) or leaving to the
	// operating system ends the program through the same orderly stop as a
	// signal, so everything queued is on disk before the exit.
	ctx, end := context.WithCancel(sigCtx)
	defer end()
	ex := &exiter{end: end}
	var p parts
	defer p.close()

	w, err := wire(ctx, cfg, demoMode, log, &p, wireOptions{Exit: ex.exit, LogPath: logPath})
	if err != nil {
		log.Error("kiosk cannot start", "err", err)
		return 1, err
	}

	a := fyneapp.NewWithID("sa.gov.absher.kiosk")
	win := a.NewWindow("Absher")
	win.SetPadded(false)
	if cfg.Kiosk.Fullscreen && !windowed {
		win.SetFullScreen(true)
	} else {
		win.Resize(fyne.NewSize(540, 960))
	}
	// Only maintenance mode may end the program: a close request from the
	// window manager (or Alt+F4) is refused.
	win.SetCloseIntercept(func() { log.Warn("window close refused: the kiosk quits from maintenance mode only") })
	if err := present(ctx, a, win, w, cfg, log, &p); err != nil {
		return 1, err
	}
	go func() {
		<-ctx.Done()
		log.Info("stopping")
		fyne.Do(a.Quit)
	}()
	log.Info("kiosk started", "kiosk", cfg.Kiosk.ID, "demo", demoMode, "centre", w.centreURL)
	win.ShowAndRun()
	return ex.code(), nil
}

// wired is what the window needs, and what the wiring's tests look at.
type wired struct {
	screens   *app.Switch
	centreURL string

	centre   *central.Server    // demo mode only
	emulator *emulator.Emulator // demo mode only
	health   *health.Registry
	service  *app.Service
	sup      *supervise.Supervisor
	events   *supervisorLog
	queue    *store.Store
	uploader *client.Uploader
	beat     *client.Heartbeat
	settings *liveConfig
	gate     *maintenance.Gate
	console  *maintenance.Console
	gesture  maintenance.Gesture
	hang     func(silent time.Duration)
	exit     func(code int)
	watchdog chan struct{} // closed when the UI watchdog stops
	shell    *mui.Shell
}

// wireOptions are what the program passes in and tests replace.
type wireOptions struct {
	// Exit ends the program with a code (restart, leave to the OS).
	Exit func(code int)
	// LogPath is the kiosk's own log file, for log collection and the
	// maintenance screen.
	LogPath string
}

func wire(ctx context.Context, cfg config.Config, demoMode bool, log *slog.Logger, p *parts, o wireOptions) (*wired, error) {
	state := cfg.Kiosk.StateDir
	runCtx, cancel := context.WithCancel(ctx)
	p.add(cancel)
	w := &wired{exit: o.Exit}
	if w.exit == nil {
		w.exit = func(int) { cancel() }
	}

	// The centre: in demo mode a real one, in this process.
	url := cfg.Centre.URL
	var demoTLS *tls.Config // nil: the client reads the certificate files of the config
	var ppl []people.Person
	var commandKey ed25519.PublicKey
	if demoMode {
		fixtures := ""
		if st, err := os.Stat(demoFixtures); err == nil && st.IsDir() {
			fixtures = demoFixtures
		}
		var err error
		if ppl, err = demo.Generate(demoSeed, time.Now(), fixtures); err != nil {
			return nil, fmt.Errorf("demo population: %w", err)
		}
		s, err := central.Start(runCtx, central.Options{StateDir: filepath.Join(state, "central"), Addr: "127.0.0.1:0",
			Seed: demoSeed, FixtureDir: fixtures, Population: ppl, Logger: log.With("part", "centre"), SMS: consoleSMS{os.Stdout}})
		if err != nil {
			return nil, fmt.Errorf("start the demo centre: %w", err)
		}
		p.add(func() { s.Close() })
		w.centre = s
		url = s.URL
		commandKey = s.Pub
		tc, err := s.ClientTLS(cfg.Kiosk.ID)
		if err != nil {
			return nil, fmt.Errorf("demo certificates for %s: %w", cfg.Kiosk.ID, err)
		}
		demoTLS = tc
	} else {
		var err error
		if commandKey, err = readCommandKey(cfg.Centre.CommandKeyFile); err != nil {
			return nil, err
		}
	}
	w.centreURL = url
	// The one client of the centre: the walk-up calls and the background loops.
	sc, err := client.New(client.Config{BaseURL: url, KioskID: cfg.Kiosk.ID, Timeout: cfg.Centre.RequestTimeout.Duration,
		CAFile: cfg.Centre.CAFile, CertFile: cfg.Centre.CertFile, KeyFile: cfg.Centre.KeyFile, TLS: demoTLS})
	if err != nil {
		return nil, err
	}

	// Health: every part reports here; availability follows from it.
	reg := health.New(health.Options{Logger: log.With("part", "health")})
	w.health = reg

	// The outbox. A storage fault is critical at once: the kiosk must stop
	// taking transactions it cannot record.
	keys, err := seal.LoadOrCreate(filepath.Join(state, "outbox.key"))
	if err != nil {
		return nil, err
	}
	q, err := store.Open(runCtx, filepath.Join(state, "kiosk.db"), keys, store.Options{MaxAttempts: cfg.Sync.MaxAttempts,
		Logger: log.With("part", "outbox"), OnStorageFault: outbox.ReportStorageTo(reg)})
	if err != nil {
		return nil, err
	}
	p.add(func() { q.Close() })
	w.queue = q

	// Out of service: restored from the queue's database before anything
	// shows, so a kiosk switched off stays off across a restart.
	svc := &app.Service{KV: q, Log: log.With("part", "service")}
	if err := svc.Restore(runCtx); err != nil {
		return nil, err
	}
	w.service = svc
	cancelFaults := reg.Subscribe(func([]health.Warning) { svc.SetFaults(reg.Availability()) })
	p.add(cancelFaults)

	up := client.NewUploader(sc, q, client.UploaderOptions{MaxBatch: cfg.Sync.BatchCount, MaxBytes: cfg.Sync.BatchBytes,
		Backoff: client.Backoff{Max: cfg.Sync.RetryCap.Duration}, Logger: log.With("part", "uploader")})
	w.uploader = up

	// The central config: validated, stored beside the queue, applied to
	// the next visit.
	live := &liveConfig{interval: cfg.Sync.HeartbeatInterval.Duration}
	w.settings = live
	var sw *app.Switch
	cfgPuller := client.NewConfigPuller(sc, q, func(c api.Config) error { return c.Validate() }, func(c api.Config) {
		live.set(c)
		svc.SetConfigMessage(c.OutOfServiceMessage)
		if sw != nil {
			sw.Rebuild()
		}
		log.Info("central config applied", "services", len(c.Services), "idle_seconds", c.Timeouts.IdleSeconds)
	}, client.PullOptions{Logger: log.With("part", "config")})
	etag := func() string {
		ctx, cancel := context.WithTimeout(runCtx, 2*time.Second)
		defer cancel()
		_, tag, _, err := cfgPuller.Stored(ctx)
		if err != nil {
			return ""
		}
		return tag
	}

	// The fingerprint scanner: the first supported USB scanner, and in
	// demo mode the simulator while none is plugged in.
	bus := usb.Open()
	mgr := scanners.NewManager(bus, log.With("part", "scanner"))
	p.add(func() { mgr.Close(); bus.Close() })
	simulated := demoMode || cfg.Scanner.Simulated
	scannerHealth := fingerprint.ReportTo(reg)
	reportScanner := func(st fingerprint.Status) {
		if simulated && st.State == fingerprint.NoDevice {
			// The simulator stands in for a missing scanner.
			st = fingerprint.Status{State: fingerprint.Online}
		}
		scannerHealth(st)
	}
	reportScanner(mgr.Status())
	p.add(mgr.Subscribe(reportScanner))
	report := &app.Report{Version: version, Started: time.Now(), Scanner: func() string { return string(mgr.Status().State) }}
	var scanner flow.Scanner = app.ManagerScanner{M: mgr}
	var fc flow.Centre = sc
	if simulated {
		synthScanner := app.NewSynthScanner(demoFingers(ppl), rand.New(rand.NewSource(time.Now().UnixNano())))
		if synthScanner.Recorded, err = demoRecordings(ppl); err != nil {
			return nil, err
		}
		scanner = app.Either{First: app.ManagerScanner{M: mgr}, Second: synthScanner}
		report.Scanner = func() string {
			if st := mgr.Status().State; st != fingerprint.NoDevice {
				return string(st)
			}
			return "online" // the simulator stands in
		}
		fc = app.PresentingCentre{Centre: sc, Scanner: synthScanner}
	}

	w.events = &supervisorLog{report: supervise.ReportTo(reg)}
	sup := supervise.New(supervise.Options{Logger: log.With("part", "supervisor"), OnEvent: w.events.on})
	w.sup = sup
	sup.Add("scanner", supervise.Func(func(ctx context.Context) error {
		return mgr.Run(ctx, fingerprint.NewTicker(cfg.Scanner.PollInterval.Duration))
	}))
	sup.Add("uploader", up)
	sup.Add("config", cfgPuller)

	// The receipt printer: the emulator in demo mode.
	var prn flow.Printer
	var testPage func(context.Context) error
	devices := app.Devices{Scanner: mgr.Status}
	port := cfg.Printer.Port
	if demoMode {
		receipts := filepath.Join(state, "receipts")
		if err := os.MkdirAll(receipts, 0o700); err != nil {
			return nil, err
		}
		em, err := emulator.New(emulator.Options{OnPage: func(pg emulator.Page) {
			// Receipts carry masked numbers only, so the paper may be kept.
			path := filepath.Join(receipts, "receipt-"+time.Now().UTC().Format("2006-01-02_15-04-05.000")+".png")
			if err := emulator.WritePagePNG(path, pg); err != nil {
				log.Error("receipt image not written", "err", err)
				return
			}
			log.Info("receipt printed on the emulator", "image", path)
		}})
		if err != nil {
			return nil, fmt.Errorf("start the printer emulator: %w", err)
		}
		p.add(func() { em.Close() })
		w.emulator = em
		port = em.PortPath()
	}
	if port != "" {
		pr, err := printer.Open(runCtx, printer.Config{Port: port, Baud: cfg.Printer.Baud, Profile: cfg.Printer.Profile,
			PollInterval: cfg.Printer.PollInterval.Duration, Log: log.With("part", "printer")})
		if err != nil {
			return nil, fmt.Errorf("open the receipt printer on %s: %w", port, err)
		}
		p.add(func() { pr.Close() })
		last := &lastStatus{}
		p.add(pr.Subscribe(report.PrinterSeen))
		p.add(pr.Subscribe(printer.ReportTo(reg)))
		p.add(pr.Subscribe(last.set))
		sup.Add("printer", supervise.Func(func(ctx context.Context) error {
			t := time.NewTicker(cfg.Printer.PollInterval.Duration)
			defer t.Stop()
			return pr.Poll(ctx, t.C)
		}))
		paper := receipt.NewJobPaper(runCtx, pr, jobs.New(q.PrintJobs()))
		p.add(paper.Close)
		prn = &receipt.Desk{Source: sc, Paper: paper, Profile: pr.Profile()}
		testPage = app.TestPage(pr, cfg.Kiosk.ID, time.Now)
		devices.Printer, devices.PrinterPort, devices.PrinterProfile = last.get, port, cfg.Printer.Profile
	}

	// Heartbeats go through the outbox like every other event.
	beat := &app.Beat{Report: report, Service: svc, Parked: q.Parked, Interval: live.heartbeatInterval, ConfigETag: etag, Log: log.With("part", "heartbeat")}
	hb := client.NewHeartbeat(q, q, beat.Heartbeat, live.heartbeatInterval, log.With("part", "heartbeat"))
	w.beat = hb
	sup.Add("heartbeat", hb)
	// A change of service state is told to the centre at once, not at the
	// next beat, so the operator sees the switch take effect.
	svc.OnChange(func(maintenance.OutOfService) {
		go func() {
			if _, err := hb.Beat(runCtx); err == nil {
				up.Kick()
			}
		}()
	})

	// The centre's commands, verified with its public key, applied once.
	fx := &app.Effects{Service: svc, TestPage: testPage, Sync: up.Kick, Exit: func() { w.exit(exitRestart) }}
	cmdPuller := client.NewCommandPuller(sc, q, commandKey,
		commands.Handlers(fx, commands.FileTail{Path: o.LogPath}), client.PullOptions{Logger: log.With("part", "commands")})
	sup.Add("commands", cmdPuller)

	// A storage fault clears after the next good write.
	sup.Add("storage", supervise.Func(func(ctx context.Context) error {
		return storageProbe(ctx, reg, q, 5*time.Second)
	}))

	// Every service of the catalogue is fitted; the central config (or,
	// until one has been received, the built-in one) makes the menu.
	services := flow.Services()
	base := app.WithCatalogue(sc, flow.Deps{
		Centre:       fc,
		Scanner:      scanner,
		EncodeRecord: app.EncodeRecord,
		Printer:      prn,
		Submitter:    &app.Submitter{Centre: sc, Queue: q, Wait: submitWait},
		Timing:       session.FromSeconds(cfg.Session.IdleSeconds, cfg.Session.WarningSeconds),
		Services:     services,
		Menu:         services.Menu(api.DefaultConfig().Services),
	})
	offer := app.Offer{Base: base, Avail: reg.Availability, Config: live.get}
	sw = app.NewSwitch(func() *flow.Machine { return flow.New(offer.Deps()) }, 3*time.Second)
	w.screens = sw
	followed := make(chan struct{})
	go func() { defer close(followed); sw.Follow(runCtx, reg) }()
	p.add(func() { <-followed })

	// Maintenance: the gate reads the PIN hash of the config in force.
	auditor := maintenance.OutboxAuditor{Queue: q}
	gate, err := maintenance.NewGate(maintenance.GateOptions{PINHash: live.pinHash, Auditor: auditor,
		Store: maintenance.SettingsLockStore{Settings: q}, Logger: log.With("part", "maintenance")})
	if err != nil {
		return nil, err
	}
	w.gate = gate
	con, err := maintenance.NewConsole(maintenance.Deps{
		Devices:   devices,
		Queue:     q,
		Sync:      app.Syncer{Status: up.Status, Kick: up.Kick},
		Centre:    app.CentrePing{Poller: cfgPuller, ETag: etag},
		Printer:   testPrinter(testPage),
		Scanner:   app.TestCapture{Scanner: mgr},
		Logs:      commands.FileTail{Path: o.LogPath},
		Service:   app.Technician{S: svc},
		Lifecycle: app.Lifecycle{RestartFn: func() { w.exit(exitRestart) }, ExitFn: func() { w.exit(exitToOS) }},
		Auditor:   auditor,
		Logger:    log.With("part", "maintenance"),
	})
	if err != nil {
		return nil, err
	}
	w.console = con
	if w.gesture, err = maintenance.ParseGesture(cfg.Maintenance.Gesture); err != nil {
		return nil, fmt.Errorf("maintenance.gesture: %w", err)
	}
	w.hang = watchdog.ReportHang(q, cfg.Watchdog.Timeout.Duration, func(err error) {
		log.Error("UI hang not queued", "err", err)
	})

	// The stored config is applied before the first screen.
	if c, _, ok, err := cfgPuller.Stored(runCtx); err == nil && ok {
		live.set(c)
		svc.SetConfigMessage(c.OutOfServiceMessage)
		sw.Rebuild()
	}

	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = sup.Serve(runCtx)
	}()
	p.add(func() { <-served })
	p.add(cancel)
	return w, nil
}

// consoleSMS shows the demo centre's text messages on the console, so
// whoever walks the demo can read the codes; the number is masked.
type consoleSMS struct{ w io.Writer }

func (c consoleSMS) Send(_ context.Context, _, to, text string) error {
	_, err := fmt.Fprintf(c.w, "SMS to %s: %s\n", pii.Mask(to), text)
	return err
}

// demoRecordings gives the simulator the recorded real-scanner image a
// demo person is enrolled with (Ravi Menon, when the recordings are
// present), so the simulator shows his story too.
func demoRecordings(ppl []people.Person) (func(string) *image.Gray, error) {
	recs := map[string]*image.Gray{}
	for _, p := range ppl {
		for _, f := range p.Fingers {
			if f.Fixture == "" || f.Position != people.RightIndex {
				continue
			}
			img, err := loadGrey(f.Fixture)
			if err != nil {
				return nil, fmt.Errorf("demo: the recorded finger image %s cannot be read: %w", f.Fixture, err)
			}
			recs[p.ID] = img
		}
	}
	return func(typed string) *image.Gray {
		id := typed
		if parsed, err := pii.ParseID(typed); err == nil {
			id = parsed.Reveal()
		}
		return recs[id]
	}, nil
}

func loadGrey(path string) (*image.Gray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := png.Decode(f)
	if err != nil {
		return nil, err
	}
	g := image.NewGray(src.Bounds())
	draw.Draw(g, g.Bounds(), src, src.Bounds().Min, draw.Src)
	return g, nil
}

// demoFingers is the finger the demo scanner presents for an ID: the
// showcase person's chosen finger (a match or a deliberate mismatch), else
// the person's enrolled right index.
func demoFingers(ppl []people.Person) func(string) int64 {
	show := map[string]int64{}
	for _, c := range demo.Showcase(ppl) {
		show[c.ID] = c.ScannerSeed
	}
	return func(typed string) int64 {
		id := typed
		if parsed, err := pii.ParseID(typed); err == nil {
			id = parsed.Reveal()
		}
		if s, ok := show[id]; ok {
			return s
		}
		return demo.FingerSeed(demoSeed, id, people.RightIndex)
	}
}

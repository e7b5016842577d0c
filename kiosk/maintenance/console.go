package maintenance

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// Device is one device as the maintenance screen shows it.
type Device struct {
	Name      string           // "printer", "scanner"
	Class     string           // api.DeviceStatus class
	State     string           // api.DeviceOnline, ...
	VIDPID    string           // "1c7a:0603" for USB devices
	Port      string           // "/dev/ttyUSB0"
	Profile   string           // driver or printer profile
	LastError string           // what went wrong last, already free of personal data
	Counters  map[string]int64 // captures, pages, reopens, ...
}

// Devices reports every device's status.
type Devices interface {
	Devices(ctx context.Context) []Device
}

// Queue is the outbox as the queue panel needs it; *store.Store is one.
type Queue interface {
	Stats(ctx context.Context) (outbox.Stats, error)
	Parked(ctx context.Context) ([]outbox.Parked, error)
	Retry(ctx context.Context, id int64) error
}

// Syncer is the uploader: when it last delivered, and a push to try now.
type Syncer interface {
	LastSuccess() time.Time
	ForceSync(ctx context.Context) error
}

// Centre reports whether the central API answers and which config the
// kiosk runs.
type Centre interface {
	Ping(ctx context.Context) error
	ConfigVersion() string
}

// TestPrinter prints the printer's test page.
type TestPrinter interface {
	TestPrint(ctx context.Context) error
}

// Capture is a test capture: the image and the scanner's quality verdict.
type Capture struct {
	Image   image.Image
	Quality string // "ok" or a quality hint code (ui.QualityCodes)
	Score   int    // 0–100, the quality gate's score
}

// TestScanner takes one capture for the technician to look at. The image
// is shown and dropped: it is never stored or sent.
type TestScanner interface {
	TestCapture(ctx context.Context) (Capture, error)
}

// LogTail returns the last n lines of the kiosk's log.
type LogTail interface {
	Tail(n int) ([]string, error)
}

// ServiceSwitch is the technician's out-of-service toggle.
type ServiceSwitch interface {
	SetOutOfService(ctx context.Context, on bool) error
	OutOfServiceByTechnician() bool
}

// Lifecycle ends or restarts the kiosk program.
type Lifecycle interface {
	Restart(ctx context.Context) error
	ExitToOS(ctx context.Context) error
}

// Deps are the parts the console drives. Every one is required except
// Clock and Logger.
type Deps struct {
	Devices   Devices
	Queue     Queue
	Sync      Syncer
	Centre    Centre
	Printer   TestPrinter
	Scanner   TestScanner
	Logs      LogTail
	Service   ServiceSwitch
	Lifecycle Lifecycle
	Auditor   Auditor
	Clock     func() time.Time
	Logger    *slog.Logger
}

// Audit actions of the maintenance screens.
const (
	ActionTestPrint    = "maintenance.test_print"
	ActionTestCapture  = "maintenance.test_capture"
	ActionForceSync    = "maintenance.force_sync"
	ActionRetryParked  = "maintenance.retry_parked"
	ActionOutOfService = "maintenance.out_of_service"
	ActionRestart      = "maintenance.restart"
	ActionExitToOS     = "maintenance.exit_to_os"
)

// LogLines is how many log lines the screen shows.
const LogLines = 12

// Console carries out the maintenance screens' actions, each audited.
type Console struct {
	d Deps

	mu       sync.Mutex
	exitStep int // confirmations given for leaving to the operating system
}

// NewConsole checks d and returns a console.
func NewConsole(d Deps) (*Console, error) {
	missing := []string{}
	for name, v := range map[string]any{"Devices": d.Devices, "Queue": d.Queue, "Sync": d.Sync, "Centre": d.Centre,
		"Printer": d.Printer, "Scanner": d.Scanner, "Logs": d.Logs, "Service": d.Service, "Lifecycle": d.Lifecycle, "Auditor": d.Auditor} {
		if v == nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("maintenance console is missing parts %v; wire them in the program", missing)
	}
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Console{d: d}, nil
}

// Snapshot is everything the main maintenance screen shows, read at once.
type Snapshot struct {
	Devices       []Device
	Queue         outbox.Stats
	QueueErr      string // why the queue could not be read, if it could not
	Parked        []outbox.Parked
	LastSync      time.Time // zero: never
	CentreOK      bool
	CentreErr     string
	ConfigVersion string
	OutOfService  bool // by the technician's toggle
	LogLines      []string
	LogErr        string
	Now           time.Time
}

// Snapshot reads the state of every part. A part that fails to answer is
// reported in the snapshot, not as an error: the screen must still show
// the rest.
func (c *Console) Snapshot(ctx context.Context) Snapshot {
	s := Snapshot{Now: c.d.Clock(), Devices: c.d.Devices.Devices(ctx)}
	for i := range s.Devices {
		s.Devices[i].LastError = pii.Scrub(s.Devices[i].LastError)
	}
	var err error
	if s.Queue, err = c.d.Queue.Stats(ctx); err != nil {
		s.QueueErr = pii.Scrub(err.Error())
	} else if s.Parked, err = c.d.Queue.Parked(ctx); err != nil {
		s.QueueErr = pii.Scrub(err.Error())
	}
	s.LastSync = c.d.Sync.LastSuccess()
	if err := c.d.Centre.Ping(ctx); err != nil {
		s.CentreErr = pii.Scrub(err.Error())
	} else {
		s.CentreOK = true
	}
	s.ConfigVersion = c.d.Centre.ConfigVersion()
	s.OutOfService = c.d.Service.OutOfServiceByTechnician()
	lines, err := c.d.Logs.Tail(LogLines)
	if err != nil {
		s.LogErr = pii.Scrub(err.Error())
	}
	// Log lines are redacted when written; they are redacted again here
	// because the file may hold lines from before redaction was added or
	// from another program.
	for _, l := range lines {
		s.LogLines = append(s.LogLines, pii.Scrub(l))
	}
	return s
}

// TestPrint prints the test page.
func (c *Console) TestPrint(ctx context.Context) error {
	return c.act(ctx, ActionTestPrint, nil, c.d.Printer.TestPrint(ctx))
}

// TestCapture takes a capture to show.
func (c *Console) TestCapture(ctx context.Context) (Capture, error) {
	cp, err := c.d.Scanner.TestCapture(ctx)
	var detail map[string]string
	if err == nil {
		detail = map[string]string{"quality": cp.Quality, "score": strconv.Itoa(cp.Score)}
	}
	return cp, c.act(ctx, ActionTestCapture, detail, err)
}

// ForceSync asks the uploader to deliver now.
func (c *Console) ForceSync(ctx context.Context) error {
	return c.act(ctx, ActionForceSync, nil, c.d.Sync.ForceSync(ctx))
}

// RetryParked puts every parked row back in the queue. It goes on after a
// row fails, and reports how many went back.
func (c *Console) RetryParked(ctx context.Context) (int, error) {
	parked, err := c.d.Queue.Parked(ctx)
	if err != nil {
		return 0, c.act(ctx, ActionRetryParked, nil, err)
	}
	n := 0
	var errs []error
	for _, p := range parked {
		if err := c.d.Queue.Retry(ctx, p.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	detail := map[string]string{"retried": strconv.Itoa(n), "parked": strconv.Itoa(len(parked))}
	return n, c.act(ctx, ActionRetryParked, detail, errors.Join(errs...))
}

// SetOutOfService switches the technician's out-of-service toggle.
func (c *Console) SetOutOfService(ctx context.Context, on bool) error {
	return c.act(ctx, ActionOutOfService, map[string]string{"on": strconv.FormatBool(on)}, c.d.Service.SetOutOfService(ctx, on))
}

// Restart restarts the kiosk program.
func (c *Console) Restart(ctx context.Context) error {
	// Audited first: a restart that works ends this process.
	c.record(ctx, api.Audit{Action: ActionRestart, Outcome: "requested"})
	if err := c.d.Lifecycle.Restart(ctx); err != nil {
		return c.act(ctx, ActionRestart, nil, err)
	}
	return nil
}

// ExitStep is where leaving to the operating system stands.
type ExitStep int

const (
	ExitNone      ExitStep = iota // nothing asked
	ExitConfirm1                  // first "are you sure?" shown
	ExitConfirm2                  // second, final question shown
	ExitRequested                 // confirmed twice; the program is leaving
)

// ExitStep reports how far the exit confirmation has gone.
func (c *Console) ExitStep() ExitStep {
	c.mu.Lock()
	defer c.mu.Unlock()
	return ExitStep(c.exitStep)
}

// AskExit moves the exit confirmation one step on: the first call asks,
// the second asks again, the third leaves to the operating system.
func (c *Console) AskExit(ctx context.Context) (ExitStep, error) {
	c.mu.Lock()
	c.exitStep++
	step := ExitStep(c.exitStep)
	c.mu.Unlock()
	if step < ExitRequested {
		return step, nil
	}
	c.record(ctx, api.Audit{Action: ActionExitToOS, Outcome: "requested"})
	if err := c.d.Lifecycle.ExitToOS(ctx); err != nil {
		c.CancelExit()
		return ExitNone, c.act(ctx, ActionExitToOS, nil, err)
	}
	return ExitRequested, nil
}

// CancelExit drops the exit confirmation.
func (c *Console) CancelExit() {
	c.mu.Lock()
	c.exitStep = 0
	c.mu.Unlock()
}

// Leave records that the technician left maintenance.
func (c *Console) Leave(ctx context.Context, why string) {
	c.CancelExit()
	c.record(ctx, api.Audit{Action: ActionExit, Outcome: "ok", Detail: map[string]string{"why": why}})
}

// act audits action with its outcome and returns err, wrapped to say what
// failed.
func (c *Console) act(ctx context.Context, action string, detail map[string]string, err error) error {
	a := api.Audit{Action: action, Outcome: "ok", Detail: detail}
	if err != nil {
		a.Outcome = "failed"
		if a.Detail == nil {
			a.Detail = map[string]string{}
		}
		a.Detail["error"] = pii.Scrub(err.Error())
		err = fmt.Errorf("%s: %w", action, err)
	}
	c.record(ctx, a)
	return err
}

func (c *Console) record(ctx context.Context, a api.Audit) {
	if err := c.d.Auditor.Audit(ctx, a); err != nil {
		c.d.Logger.Error("maintenance audit event was not recorded", "action", a.Action, "outcome", a.Outcome, "err", err)
	}
}

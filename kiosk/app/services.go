package app

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/devices/health"
	"github.com/absher-kiosk/kiosk/kiosk/commands"
	"github.com/absher-kiosk/kiosk/kiosk/maintenance"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// KVTechnicianOutOfService keeps the technician's out-of-service toggle
// beside the queue, so a kiosk switched off for repair stays off after a
// restart until the technician switches it on again.
const KVTechnicianOutOfService = "maintenance.out_of_service"

// KV is the part of the outbox the service state keeps its switches in.
type KV interface {
	GetKV(ctx context.Context, key string) (string, bool, error)
	Update(ctx context.Context, fn func(tx outbox.Tx) error) error
}

// Service is whether the kiosk serves the public. Three causes take it out
// of service: a central command, the technician's toggle and critical
// faults (queue or database). The screen follows the causes, so it goes
// away by itself when the last one clears.
type Service struct {
	KV  KV
	Log *slog.Logger

	mu       sync.Mutex
	watchers []func(maintenance.OutOfService)
	st       maintenance.OutOfService
	cfgMsg   api.Text // the central config's message
	cmdMsg   string   // the command's own message, if it gave one
	changes  chan struct{}
}

// OnChange adds f to those told every change (the window shell through
// fyne.Do, the heartbeat). f runs outside the state lock, on the goroutine
// that made the change.
func (s *Service) OnChange(f func(maintenance.OutOfService)) {
	s.mu.Lock()
	s.watchers = append(s.watchers, f)
	s.mu.Unlock()
}

// Restore reads the command and technician switches kept beside the queue;
// call it once at start, before the screens show.
func (s *Service) Restore(ctx context.Context) error {
	on, msg, err := commands.OutOfService(ctx, s.KV)
	if err != nil {
		return fmt.Errorf("read the out-of-service state: %w", err)
	}
	tech, _, err := s.KV.GetKV(ctx, KVTechnicianOutOfService)
	if err != nil {
		return fmt.Errorf("read the technician's out-of-service switch: %w", err)
	}
	s.change(func() {
		s.st.ByCommand, s.cmdMsg = on, msg
		s.st.ByTechnician = tech == "1"
	})
	return nil
}

// ByCommand applies a central command (commands.Effects.SetOutOfService).
// The switch itself was written by the command's transaction.
func (s *Service) ByCommand(on bool, msg string) {
	s.change(func() {
		s.st.ByCommand = on
		s.cmdMsg = ""
		if on {
			s.cmdMsg = msg
		}
	})
}

// SetFaults follows health: the sources of the critical warnings that take
// the kiosk out of service.
func (s *Service) SetFaults(a health.Availability) {
	faults := slices.Clone(a.Faults)
	s.change(func() { s.st.Faults = faults })
}

// SetConfigMessage is the central config's message (where else to go).
func (s *Service) SetConfigMessage(t api.Text) { s.change(func() { s.cfgMsg = t }) }

// SetTechnician writes the technician's toggle, then shows it.
func (s *Service) SetTechnician(ctx context.Context, on bool) error {
	v := "0"
	if on {
		v = "1"
	}
	if err := s.KV.Update(ctx, func(tx outbox.Tx) error { return tx.SetKV(KVTechnicianOutOfService, v) }); err != nil {
		return fmt.Errorf("keep the out-of-service switch: %w", err)
	}
	s.change(func() { s.st.ByTechnician = on })
	return nil
}

// State is the current set of causes with the message to show.
func (s *Service) State() maintenance.OutOfService {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stateLocked()
}

func (s *Service) stateLocked() maintenance.OutOfService {
	st := s.st
	st.Faults = append([]string(nil), s.st.Faults...)
	st.Message = s.cfgMsg
	if s.cmdMsg != "" {
		// A command's message is one text for both languages: the operator
		// wrote it for this kiosk's situation.
		st.Message = api.Text{AR: s.cmdMsg, EN: s.cmdMsg}
	}
	return st
}

// Reason is the heartbeat's out_of_service_reason: the causes as codes.
func (s *Service) Reason() string { return strings.Join(s.State().Reasons(), ",") }

// Changes is closed and replaced on every change, for waiting in tests and
// for parts that follow the state.
func (s *Service) Changes() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changes == nil {
		s.changes = make(chan struct{})
	}
	return s.changes
}

func (s *Service) change(f func()) {
	s.mu.Lock()
	before := s.stateLocked()
	f()
	after := s.stateLocked()
	if s.changes != nil {
		close(s.changes)
		s.changes = nil
	}
	watchers := append(make([]func(maintenance.OutOfService), 0, len(s.watchers)), s.watchers...)
	s.mu.Unlock()
	if s.Log != nil && before.Shown() != after.Shown() {
		s.Log.Info("out of service changed", "out_of_service", after.Shown(), "reasons", strings.Join(after.Reasons(), ","))
	}
	for _, f := range watchers {
		f(after)
	}
}

// Technician is the maintenance console's out-of-service toggle.
type Technician struct{ S *Service }

func (t Technician) SetOutOfService(ctx context.Context, on bool) error {
	return t.S.SetTechnician(ctx, on)
}
func (t Technician) OutOfServiceByTechnician() bool { return t.S.State().ByTechnician }

// Effects are the running kiosk's answers to the centre's commands.
type Effects struct {
	Service *Service
	// TestPage prints the printer's test page; nil when no printer is fitted.
	TestPage func(ctx context.Context) error
	// Sync wakes the uploader.
	Sync func()
	// Exit ends the program so the service manager starts it again.
	Exit func()
}

var _ commands.Effects = (*Effects)(nil)

func (e *Effects) SetOutOfService(on bool, msg string) { e.Service.ByCommand(on, msg) }

func (e *Effects) PrintTestPage(ctx context.Context) error {
	if e.TestPage == nil {
		return fmt.Errorf("no receipt printer is fitted: set printer.port to print a test page")
	}
	return e.TestPage(ctx)
}

func (e *Effects) ForceSync() {
	if e.Sync != nil {
		e.Sync()
	}
}

func (e *Effects) Restart() {
	if e.Exit != nil {
		e.Exit()
	}
}

// Beat is the kiosk's part of each heartbeat: the devices and version from
// Report, and what only the wiring knows.
type Beat struct {
	Report  *Report
	Service *Service
	// Parked lists the queue's parked rows (the outbox).
	Parked func(ctx context.Context) ([]outbox.Parked, error)
	// Interval is the heartbeat interval in force.
	Interval   func() time.Duration
	ConfigETag func() string
	Log        *slog.Logger
}

// Heartbeat is a client.NewHeartbeat source.
func (b *Beat) Heartbeat() api.Heartbeat {
	hb := b.Report.Heartbeat()
	if b.Service != nil {
		st := b.Service.State()
		hb.OutOfService = st.Shown()
		hb.OutOfServiceReason = strings.Join(st.Reasons(), ",")
	}
	if b.Interval != nil {
		hb.HeartbeatIntervalSeconds = int(b.Interval() / time.Second)
	}
	if b.ConfigETag != nil {
		hb.ConfigETag = b.ConfigETag()
	}
	if b.Parked != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		ps, err := b.Parked(ctx)
		if err != nil && b.Log != nil {
			b.Log.Warn("parked events left out of the heartbeat", "err", err)
		}
		for i, p := range ps {
			if i == api.MaxHeartbeatParked {
				break
			}
			hb.Parked = append(hb.Parked, api.ParkedEvent{ID: p.ID, Kind: p.Kind, CreatedAt: p.Created, Attempts: p.Attempts, Reason: p.Reason})
		}
	}
	return hb
}

package fingerprint

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/devices/usb"
)

// Device is an opened scanner, as every driver provides it.
type Device interface {
	Capture(ctx context.Context) (*Capture, error)
	Status() Status
	Close() error
}

// Lister reads the attached USB devices; *usb.Bus is one.
type Lister interface {
	List(ctx context.Context) ([]usb.Desc, error)
}

// Driver opens the scanners it matches.
type Driver struct {
	Match usb.Match
	Open  func(d usb.Desc) (Device, error)
}

// Manager finds the first supported scanner, keeps it open, notices when it
// is unplugged and opens it again when it comes back. It is itself the
// scanner the rest of the kiosk uses, so a re-plug needs no rewiring.
type Manager struct {
	lister   Lister
	registry usb.Registry[Driver]
	log      *slog.Logger

	mu    sync.Mutex
	dev   Device
	desc  usb.Desc
	busy  bool
	stale bool // unplugged mid-capture; close once the capture returns
	// stopCapture and captureDone belong to the capture in progress: Close
	// stops it and waits for it before it closes the device. closing keeps
	// a new capture from starting meanwhile.
	stopCapture context.CancelCauseFunc
	captureDone chan struct{}
	closing     bool
	lastErr     string
	subs        map[int]func(Status)
	nextSub     int
	emitMu      sync.Mutex
	lastSent    Status
}

// NewManager watches lister for devices that drivers match; the first
// driver matching a device wins. log may be nil.
func NewManager(lister Lister, drivers []Driver, log *slog.Logger) *Manager {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{lister: lister, log: log, subs: map[int]func(Status){}, lastSent: Status{State: NoDevice}}
	for _, d := range drivers {
		m.registry.Register(d.Match, d)
	}
	return m
}

// Subscribe calls fn with every status change, in order, from the
// goroutine that caused it; fn must not block and must not call Capture,
// Poll or Close (they emit too). The returned func stops the calls.
func (m *Manager) Subscribe(fn func(Status)) (cancel func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := m.nextSub
	m.nextSub++
	m.subs[id] = fn
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		delete(m.subs, id)
	}
}

// Status is the scanner's status, or noDevice when none is attached.
func (m *Manager) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.statusLocked()
}

func (m *Manager) statusLocked() Status {
	if m.dev == nil || m.stale {
		return Status{State: NoDevice, LastError: m.lastErr}
	}
	st := m.dev.Status()
	if m.busy {
		st.State = Busy
	}
	if m.lastErr != "" && st.State != Online && st.State != Busy {
		st.LastError = m.lastErr
	}
	return st
}

// Ticker is what Run waits on between polls; tests pass their own channel.
type Ticker interface {
	C() <-chan time.Time
	Stop()
}

type realTicker struct{ t *time.Ticker }

func (r realTicker) C() <-chan time.Time { return r.t.C }
func (r realTicker) Stop()               { r.t.Stop() }

// NewTicker ticks every interval.
func NewTicker(interval time.Duration) Ticker { return realTicker{time.NewTicker(interval)} }

// Run polls at once and then at every tick until ctx ends, and closes the
// scanner on the way out. It fits a supervisor's Serve(ctx) error.
func (m *Manager) Run(ctx context.Context, t Ticker) error {
	defer t.Stop()
	defer m.Close()
	for {
		if err := m.Poll(ctx); err != nil && ctx.Err() == nil {
			m.log.Warn("fingerprint scanner poll failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C():
		}
	}
}

// Poll reads the device list once, drops a scanner that is gone and opens
// one that has appeared.
func (m *Manager) Poll(ctx context.Context) error {
	list, listErr := m.lister.List(ctx)
	defer m.emit()
	m.mu.Lock()
	defer m.mu.Unlock()
	if listErr != nil && len(list) == 0 {
		// A failed listing says nothing about the scanner; keep what we
		// have and try again next time.
		return fmt.Errorf("fingerprint: read USB device list: %w", listErr)
	}
	if m.dev != nil && !m.stale {
		if present(list, m.desc) && m.dev.Status().State != NoDevice {
			return nil
		}
		m.dropLocked("scanner unplugged")
	}
	if m.dev != nil {
		return nil // stale, still capturing; dropped when the capture returns
	}
	d, drv, ok := m.registry.Find(list)
	if !ok {
		return nil
	}
	dev, err := drv.Open(d)
	if err != nil {
		m.lastErr = err.Error()
		return fmt.Errorf("fingerprint: open scanner %s: %w", d.ID, err)
	}
	m.dev, m.desc, m.lastErr = dev, d, ""
	m.log.Info("fingerprint scanner opened", "device", dev.Status().Device, "usb", d.Key())
	return nil
}

func present(list []usb.Desc, d usb.Desc) bool {
	for _, l := range list {
		if l == d {
			return true
		}
	}
	return false
}

// dropLocked closes the scanner, or marks it stale while a capture runs.
func (m *Manager) dropLocked(why string) {
	if m.busy {
		m.stale = true
		return
	}
	if err := m.dev.Close(); err != nil {
		m.log.Warn("closing fingerprint scanner failed", "err", err)
	}
	m.log.Info("fingerprint scanner closed", "reason", why, "usb", m.desc.Key())
	m.dev, m.stale = nil, false
}

// Capture takes one image from the current scanner.
func (m *Manager) Capture(ctx context.Context) (*Capture, error) {
	m.mu.Lock()
	if m.dev == nil || m.stale || m.closing {
		m.mu.Unlock()
		return nil, ErrNoDevice
	}
	if m.busy {
		m.mu.Unlock()
		return nil, ErrBusy
	}
	dev := m.dev
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	done := make(chan struct{})
	m.busy, m.stopCapture, m.captureDone = true, stop, done
	m.mu.Unlock()
	m.emit()

	c, err := dev.Capture(ctx)
	if err != nil && errors.Is(context.Cause(ctx), ErrClosed) {
		err = fmt.Errorf("%w: %w", ErrClosed, err)
	}

	m.mu.Lock()
	m.busy, m.stopCapture, m.captureDone = false, nil, nil
	close(done)
	if m.stale || (err != nil && errors.Is(err, usb.ErrGone)) {
		m.stale = false
		m.dropLocked("scanner gone during capture")
		if err == nil {
			err = fmt.Errorf("fingerprint: scanner was unplugged during the capture: %w", usb.ErrGone)
			c = nil
		}
	}
	m.mu.Unlock()
	m.emit()
	return c, err
}

// Close closes the current scanner, if any. A capture in progress is
// stopped first, and Close waits for it to return: closing a USB device
// under a pending transfer crashes inside libusb.
func (m *Manager) Close() error {
	defer m.emit()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.busy {
		stop, done := m.stopCapture, m.captureDone
		m.closing = true
		m.mu.Unlock()
		stop(ErrClosed)
		<-done
		m.mu.Lock()
		m.closing = false
	}
	if m.dev == nil {
		return nil
	}
	err := m.dev.Close()
	m.dev, m.stale = nil, false
	if err != nil {
		return fmt.Errorf("fingerprint: close scanner: %w", err)
	}
	return nil
}

// emit tells subscribers about a changed status.
func (m *Manager) emit() {
	m.emitMu.Lock()
	defer m.emitMu.Unlock()
	m.mu.Lock()
	st := m.statusLocked()
	subs := make([]func(Status), 0, len(m.subs))
	for _, fn := range m.subs {
		subs = append(subs, fn)
	}
	m.mu.Unlock()
	if st == m.lastSent {
		return
	}
	m.lastSent = st
	for _, fn := range subs {
		fn(st)
	}
}

package fingerprint

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sync"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/usb"
)

type fakeLister struct {
	mu   sync.Mutex
	list []usb.Desc
	err  error
}

func (f *fakeLister) set(list ...usb.Desc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.list, f.err = list, nil
}

func (f *fakeLister) List(ctx context.Context) ([]usb.Desc, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]usb.Desc(nil), f.list...), f.err
}

type fakeDevice struct {
	name    string
	mu      sync.Mutex
	state   State
	closed  bool
	capture func(ctx context.Context) (*Capture, error)
	onClose func()
}

func (d *fakeDevice) Capture(ctx context.Context) (*Capture, error) {
	c, err := d.capture(ctx)
	if errors.Is(err, usb.ErrGone) {
		d.mu.Lock()
		d.state = NoDevice
		d.mu.Unlock()
	}
	return c, err
}

func (d *fakeDevice) Status() Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	return Status{State: d.state, Device: d.name}
}

func (d *fakeDevice) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	if d.onClose != nil {
		d.onClose()
	}
	return nil
}

var (
	scannerID = usb.ID{Vendor: 0x298d, Product: 0x1010}
	otherID   = usb.ID{Vendor: 0x1d6b, Product: 0x0002}
)

type harness struct {
	lister  *fakeLister
	m       *Manager
	opened  []*fakeDevice
	openErr error
	events  []State
	capture func(ctx context.Context) (*Capture, error)
}

func newHarness(t *testing.T) *harness {
	h := &harness{lister: &fakeLister{}}
	h.capture = func(ctx context.Context) (*Capture, error) {
		return &Capture{Image: image.NewGray(image.Rect(0, 0, 1, 1)), DPI: 500}, nil
	}
	drv := Driver{Match: usb.Match{ID: scannerID}, Open: func(d usb.Desc) (Device, error) {
		if h.openErr != nil {
			return nil, h.openErr
		}
		dev := &fakeDevice{name: fmt.Sprintf("%s at %d", d.ID, d.Address), state: Online, capture: func(ctx context.Context) (*Capture, error) { return h.capture(ctx) }}
		h.opened = append(h.opened, dev)
		return dev, nil
	}}
	h.m = NewManager(h.lister, []Driver{drv}, nil)
	cancel := h.m.Subscribe(func(s Status) { h.events = append(h.events, s.State) })
	t.Cleanup(cancel)
	return h
}

func (h *harness) poll(t *testing.T) {
	t.Helper()
	if err := h.m.Poll(context.Background()); err != nil {
		t.Fatalf("Poll: %v", err)
	}
}

func TestManagerFollowsPlugAndUnplug(t *testing.T) {
	h := newHarness(t)
	h.lister.set(usb.Desc{ID: otherID, Address: 1})
	h.poll(t)
	if st := h.m.Status(); st.State != NoDevice {
		t.Fatalf("without scanner: %+v", st)
	}
	if _, err := h.m.Capture(context.Background()); !errors.Is(err, ErrNoDevice) {
		t.Fatalf("capture without scanner: %v", err)
	}

	plugged := usb.Desc{ID: scannerID, Bus: 1, Address: 3}
	h.lister.set(usb.Desc{ID: otherID, Address: 1}, plugged)
	h.poll(t)
	h.poll(t) // a second poll must keep, not reopen
	if len(h.opened) != 1 || h.m.Status().State != Online {
		t.Fatalf("after plug: %d opened, %+v", len(h.opened), h.m.Status())
	}

	h.lister.set(usb.Desc{ID: otherID, Address: 1})
	h.poll(t)
	if !h.opened[0].closed || h.m.Status().State != NoDevice {
		t.Fatalf("after unplug: closed %v, %+v", h.opened[0].closed, h.m.Status())
	}

	replugged := usb.Desc{ID: scannerID, Bus: 1, Address: 4}
	h.lister.set(replugged)
	h.poll(t)
	if len(h.opened) != 2 || h.m.Status().Device != "298d:1010 at 4" {
		t.Fatalf("after re-plug: %d opened, %+v", len(h.opened), h.m.Status())
	}
	if _, err := h.m.Capture(context.Background()); err != nil {
		t.Fatalf("capture after re-plug: %v", err)
	}
	want := []State{Online, NoDevice, Online, Busy, Online}
	if fmt.Sprint(h.events) != fmt.Sprint(want) {
		t.Fatalf("events %v, want %v", h.events, want)
	}
}

func TestManagerReplugAtNewAddressBetweenPolls(t *testing.T) {
	h := newHarness(t)
	h.lister.set(usb.Desc{ID: scannerID, Address: 3})
	h.poll(t)
	h.lister.set(usb.Desc{ID: scannerID, Address: 7})
	h.poll(t)
	if len(h.opened) != 2 || !h.opened[0].closed || h.opened[1].closed {
		t.Fatalf("a device at a new address must replace the old one")
	}
}

func TestManagerDropsScannerGoneDuringCapture(t *testing.T) {
	h := newHarness(t)
	h.lister.set(usb.Desc{ID: scannerID, Address: 3})
	h.poll(t)
	h.capture = func(ctx context.Context) (*Capture, error) {
		return nil, fmt.Errorf("read: %w", usb.ErrGone)
	}
	if _, err := h.m.Capture(context.Background()); !errors.Is(err, usb.ErrGone) {
		t.Fatalf("capture error %v", err)
	}
	if !h.opened[0].closed || h.m.Status().State != NoDevice {
		t.Fatalf("gone scanner not dropped: %+v", h.m.Status())
	}
	// Still listed (libusb may lag): the next poll opens it again.
	h.capture = func(ctx context.Context) (*Capture, error) { return &Capture{}, nil }
	h.poll(t)
	if len(h.opened) != 2 || h.m.Status().State != Online {
		t.Fatalf("not reopened: %+v", h.m.Status())
	}
}

func TestManagerUnplugMidCaptureClosesAfterCapture(t *testing.T) {
	h := newHarness(t)
	h.lister.set(usb.Desc{ID: scannerID, Address: 3})
	h.poll(t)
	started, release := make(chan struct{}), make(chan struct{})
	h.capture = func(ctx context.Context) (*Capture, error) {
		close(started)
		<-release
		return &Capture{}, nil
	}
	done := make(chan error)
	go func() { _, err := h.m.Capture(context.Background()); done <- err }()
	<-started
	if _, err := h.m.Capture(context.Background()); !errors.Is(err, ErrBusy) {
		t.Fatalf("concurrent capture: %v", err)
	}
	h.lister.set()
	h.poll(t)
	if h.opened[0].closed {
		t.Fatal("device closed under a running capture")
	}
	if st := h.m.Status(); st.State != NoDevice {
		t.Fatalf("status while stale %+v", st)
	}
	close(release)
	if err := <-done; !errors.Is(err, usb.ErrGone) {
		t.Fatalf("capture on an unplugged scanner returned %v", err)
	}
	if !h.opened[0].closed {
		t.Fatal("stale device not closed after the capture")
	}
}

func TestManagerOpenFailureIsReportedAndRetried(t *testing.T) {
	h := newHarness(t)
	h.openErr = errors.New("usb: open: access denied")
	h.lister.set(usb.Desc{ID: scannerID, Address: 3})
	if err := h.m.Poll(context.Background()); err == nil {
		t.Fatal("open failure not reported")
	}
	if st := h.m.Status(); st.State != NoDevice || st.LastError == "" {
		t.Fatalf("status %+v", st)
	}
	h.openErr = nil
	h.poll(t)
	if st := h.m.Status(); st.State != Online || st.LastError != "" {
		t.Fatalf("after retry %+v", st)
	}
}

func TestManagerKeepsScannerWhenListingFails(t *testing.T) {
	h := newHarness(t)
	h.lister.set(usb.Desc{ID: scannerID, Address: 3})
	h.poll(t)
	h.lister.mu.Lock()
	h.lister.list, h.lister.err = nil, errors.New("libusb: io error")
	h.lister.mu.Unlock()
	if err := h.m.Poll(context.Background()); err == nil {
		t.Fatal("listing error not reported")
	}
	if h.opened[0].closed || h.m.Status().State != Online {
		t.Fatal("a failed listing dropped the scanner")
	}
}

type chanTicker struct {
	c       chan time.Time
	stopped bool
}

func (c *chanTicker) C() <-chan time.Time { return c.c }
func (c *chanTicker) Stop()               { c.stopped = true }

func TestManagerRunPollsOnTicks(t *testing.T) {
	lister := &fakeLister{}
	events := make(chan State, 10)
	var devs []*fakeDevice
	var mu sync.Mutex
	m := NewManager(lister, []Driver{{Match: usb.Match{ID: scannerID}, Open: func(d usb.Desc) (Device, error) {
		mu.Lock()
		defer mu.Unlock()
		dev := &fakeDevice{state: Online}
		devs = append(devs, dev)
		return dev, nil
	}}}, nil)
	m.Subscribe(func(s Status) { events <- s.State })
	tick := &chanTicker{c: make(chan time.Time)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx, tick) }()

	lister.set(usb.Desc{ID: scannerID, Address: 3})
	tick.c <- time.Time{}
	if st := <-events; st != Online {
		t.Fatalf("event %v, want online", st)
	}
	lister.set()
	tick.c <- time.Time{}
	if st := <-events; st != NoDevice {
		t.Fatalf("event %v, want noDevice", st)
	}
	lister.set(usb.Desc{ID: scannerID, Address: 5})
	tick.c <- time.Time{}
	if st := <-events; st != Online {
		t.Fatalf("event %v, want online", st)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !tick.stopped || len(devs) != 2 || !devs[1].closed {
		t.Fatal("Run did not stop its ticker and close the scanner on exit")
	}
}

// TestManagerCloseStopsTheCaptureFirst: closing the manager during a
// capture must stop that capture and wait for it before the device is
// closed; a device closed under a pending transfer crashes in libusb.
func TestManagerCloseStopsTheCaptureFirst(t *testing.T) {
	h := newHarness(t)
	h.lister.set(usb.Desc{ID: scannerID, Bus: 1, Address: 3})
	h.poll(t)
	dev := h.opened[0]
	var (
		mu        sync.Mutex
		capturing bool
		closedMid bool
	)
	closed := make(chan struct{})
	dev.onClose = func() {
		mu.Lock()
		closedMid = capturing
		mu.Unlock()
		close(closed)
	}
	started := make(chan struct{})
	h.capture = func(ctx context.Context) (*Capture, error) {
		mu.Lock()
		capturing = true
		mu.Unlock()
		close(started)
		select {
		case <-ctx.Done():
		case <-closed: // the device went from under the capture
		}
		mu.Lock()
		capturing = false
		mu.Unlock()
		return nil, fmt.Errorf("fake: capture stopped: %w", context.Canceled)
	}
	done := make(chan error, 1)
	go func() { _, err := h.m.Capture(context.Background()); done <- err }()
	<-started
	if err := h.m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	mu.Lock()
	mid := closedMid
	mu.Unlock()
	if mid {
		t.Fatal("the device was closed while its capture was still running")
	}
	if !dev.closed {
		t.Fatal("Close did not close the device")
	}
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("capture cut by Close returned %v, want ErrClosed", err)
	}
	if _, err := h.m.Capture(context.Background()); !errors.Is(err, ErrNoDevice) {
		t.Fatalf("capture after Close: %v, want ErrNoDevice", err)
	}
}

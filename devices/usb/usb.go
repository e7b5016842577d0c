// Package usb is the kiosk's one door to USB: a single libusb context, the
// list of attached devices, and opened devices with their interface claimed.
//
// Every access goes through libusb (via gousb), including enumeration for
// hot-plug polling: the kiosk never reads /sys or /dev/bus/usb itself, so
// the same code runs on hardware and under umockdev replays, which only
// intercept libusb's calls.
package usb

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/gousb"
)

// ID is a USB vendor and product pair.
type ID struct{ Vendor, Product uint16 }

// String gives the lsusb form, "298d:1010".
func (id ID) String() string { return fmt.Sprintf("%04x:%04x", id.Vendor, id.Product) }

// Desc describes one attached device as read from its device descriptor.
// String descriptors are deliberately absent: reading them costs a control
// transfer that some scanners (and every replay) do not answer.
type Desc struct {
	ID        ID
	BCDDevice uint16
	Bus       int
	Address   int
}

// Key names the attachment: a re-plugged device gets a new address, so a
// changed key means a new device even when the ID is the same.
func (d Desc) Key() string { return fmt.Sprintf("%03d/%03d %s", d.Bus, d.Address, d.ID) }

// ErrGone reports that the device has been unplugged. Callers test for it
// with errors.Is and treat the device as absent until it is listed again.
var ErrGone = errors.New("usb: device is no longer attached")

// ErrClosed reports a transfer on a device that has been closed, or one
// that Close cancelled while it was pending.
var ErrClosed = errors.New("usb: device is closed")

// Bus owns the libusb context. Create one per process.
type Bus struct {
	mu  sync.Mutex
	ctx *gousb.Context
}

// Open starts the libusb context.
func Open() *Bus { return &Bus{ctx: gousb.NewContext()} }

// Close ends the libusb context; every Device must be closed first.
func (b *Bus) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx == nil {
		return nil
	}
	if err := b.ctx.Close(); err != nil {
		return fmt.Errorf("usb: close libusb context (close every open device first): %w", err)
	}
	b.ctx = nil
	return nil
}

// List returns the devices libusb sees now, without opening any of them.
func (b *Bus) List(ctx context.Context) ([]Desc, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx == nil {
		return nil, errors.New("usb: list devices: bus is closed")
	}
	var out []Desc
	_, err := b.ctx.OpenDevices(func(d *gousb.DeviceDesc) bool {
		out = append(out, descOf(d))
		return false
	})
	if err != nil {
		// A device that vanished between listing and reading its
		// descriptor is not worth failing the whole poll for.
		return out, fmt.Errorf("usb: list devices: %w", err)
	}
	return out, nil
}

func descOf(d *gousb.DeviceDesc) Desc {
	return Desc{
		ID:        ID{Vendor: uint16(d.Vendor), Product: uint16(d.Product)},
		BCDDevice: uint16(d.Device),
		Bus:       d.Bus,
		Address:   d.Address,
	}
}

// Device is an opened device with one interface claimed.
type Device struct {
	desc Desc
	dev  *gousb.Device
	cfg  *gousb.Config
	intf *gousb.Interface

	mu   sync.Mutex
	ins  map[int]*gousb.InEndpoint
	outs map[int]*gousb.OutEndpoint
	// closed is set (under mu) when Close starts; no transfer begins after
	// it. closing ends at the same moment and cuts every pending transfer,
	// and pending counts the transfers Close must wait for: libusb cancels
	// a transfer through the device handle, so cancelling one after the
	// handle is closed crashes the process.
	closed  bool
	closing context.Context
	stop    context.CancelFunc
	pending sync.WaitGroup
	flight  int // transfers under way, as pending counts them
}

// ControlTimeout bounds every control transfer; gousb's default of zero
// would wait for ever on a device that does not answer.
const ControlTimeout = 4 * time.Second

// OpenDevice opens the device at d's bus and address and claims interface
// iface (alternate setting 0) of configuration 1. Kernel drivers are not
// detached: no kernel driver binds the supported vendor-class scanners, and
// detaching fails outright under umockdev replays.
func (b *Bus) OpenDevice(d Desc, iface int) (*Device, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx == nil {
		return nil, errors.New("usb: open device: bus is closed")
	}
	var found bool
	devs, err := b.ctx.OpenDevices(func(g *gousb.DeviceDesc) bool {
		if found || g.Bus != d.Bus || g.Address != d.Address || descOf(g).ID != d.ID {
			return false
		}
		found = true
		return true
	})
	if len(devs) == 0 {
		if err != nil {
			return nil, fmt.Errorf("usb: open %s (check the udev rule gives this user access): %w", d.Key(), classify(err))
		}
		return nil, fmt.Errorf("usb: open %s: %w", d.Key(), ErrGone)
	}
	for _, extra := range devs[1:] {
		extra.Close()
	}
	dev := devs[0]
	dev.ControlTimeout = ControlTimeout
	if err := dev.SetAutoDetach(false); err != nil {
		dev.Close()
		return nil, fmt.Errorf("usb: open %s: %w", d.Key(), classify(err))
	}
	cfg, err := dev.Config(1)
	if err != nil {
		dev.Close()
		return nil, fmt.Errorf("usb: select configuration 1 of %s: %w", d.Key(), classify(err))
	}
	intf, err := cfg.Interface(iface, 0)
	if err != nil {
		cfg.Close()
		dev.Close()
		return nil, fmt.Errorf("usb: claim interface %d of %s (is another program using the scanner?): %w", iface, d.Key(), classify(err))
	}
	closing, stop := context.WithCancel(context.Background())
	return &Device{desc: d, dev: dev, cfg: cfg, intf: intf, ins: map[int]*gousb.InEndpoint{}, outs: map[int]*gousb.OutEndpoint{}, closing: closing, stop: stop}, nil
}

// Desc says which device this is.
func (d *Device) Desc() Desc { return d.desc }

// In reads one transfer from IN endpoint ep. The transfer asks for exactly
// len(buf) bytes: some devices, and every replay, depend on that size.
func (d *Device) In(ctx context.Context, ep int, buf []byte) (int, error) {
	tctx, end, err := d.begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("usb: read from endpoint 0x%02x of %s: %w", 0x80|ep, d.desc.Key(), err)
	}
	defer end()
	e, err := d.in(ep)
	if err != nil {
		return 0, err
	}
	n, err := e.ReadContext(tctx, buf)
	if err != nil {
		return n, fmt.Errorf("usb: read %d bytes from endpoint 0x%02x of %s: %w", len(buf), 0x80|ep, d.desc.Key(), d.classifyCtx(ctx, err))
	}
	return n, nil
}

// Out writes data as one transfer to OUT endpoint ep.
func (d *Device) Out(ctx context.Context, ep int, data []byte) (int, error) {
	tctx, end, err := d.begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("usb: write to endpoint 0x%02x of %s: %w", ep, d.desc.Key(), err)
	}
	defer end()
	e, err := d.out(ep)
	if err != nil {
		return 0, err
	}
	n, err := e.WriteContext(tctx, data)
	if err != nil {
		return n, fmt.Errorf("usb: write %d bytes to endpoint 0x%02x of %s: %w", len(data), ep, d.desc.Key(), d.classifyCtx(ctx, err))
	}
	return n, nil
}

// Control makes a control transfer. libusb runs it synchronously, bounded by
// ControlTimeout; ctx is checked before it starts.
func (d *Device) Control(ctx context.Context, rType, request uint8, value, index uint16, data []byte) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	_, end, err := d.begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("usb: control request %02x/%02x to %s: %w", rType, request, d.desc.Key(), err)
	}
	defer end()
	n, err := d.dev.Control(rType, request, value, index, data)
	if err != nil {
		return n, fmt.Errorf("usb: control request %02x/%02x to %s: %w", rType, request, d.desc.Key(), classify(err))
	}
	return n, nil
}

// begin registers a transfer with the device. The context it returns ends
// with ctx or when Close starts; end must be called once the transfer has
// returned.
func (d *Device) begin(ctx context.Context) (context.Context, func(), error) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil, nil, ErrClosed
	}
	d.pending.Add(1)
	d.flight++
	d.mu.Unlock()
	tctx, cancel := context.WithCancel(ctx)
	unhook := context.AfterFunc(d.closing, cancel)
	return tctx, func() {
		unhook()
		cancel()
		d.mu.Lock()
		d.flight--
		d.mu.Unlock()
		d.pending.Done()
	}, nil
}

// inFlight counts the transfers under way, for tests.
func (d *Device) inFlight() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.flight
}

// Close cancels the transfers still pending, waits until each has
// returned, then releases the interface and the device. gousb returns
// from a cancelled transfer only once libusb has completed it, so after
// the wait no transfer refers to the handle. Closing again does nothing.
func (d *Device) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.mu.Unlock()
	d.stop()
	d.pending.Wait()
	d.intf.Close()
	if err := d.cfg.Close(); err != nil {
		d.dev.Close()
		return fmt.Errorf("usb: release %s: %w", d.desc.Key(), err)
	}
	if err := d.dev.Close(); err != nil {
		return fmt.Errorf("usb: close %s: %w", d.desc.Key(), err)
	}
	return nil
}

func (d *Device) in(ep int) (*gousb.InEndpoint, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.ins[ep]; ok {
		return e, nil
	}
	e, err := d.intf.InEndpoint(ep)
	if err != nil {
		return nil, fmt.Errorf("usb: %s has no IN endpoint %d: %w", d.desc.Key(), ep, err)
	}
	d.ins[ep] = e
	return e, nil
}

func (d *Device) out(ep int) (*gousb.OutEndpoint, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.outs[ep]; ok {
		return e, nil
	}
	e, err := d.intf.OutEndpoint(ep)
	if err != nil {
		return nil, fmt.Errorf("usb: %s has no OUT endpoint %d: %w", d.desc.Key(), ep, err)
	}
	d.outs[ep] = e
	return e, nil
}

// classify turns libusb's "no device" answers into ErrGone so that callers
// need not know gousb's error types.
func classify(err error) error {
	var e gousb.Error
	if errors.As(err, &e) && e == gousb.ErrorNoDevice {
		return fmt.Errorf("%w (%v)", ErrGone, err)
	}
	var ts gousb.TransferStatus
	if errors.As(err, &ts) && ts == gousb.TransferNoDevice {
		return fmt.Errorf("%w (%v)", ErrGone, err)
	}
	return err
}

// classifyCtx reports a transfer cut short by the caller's context as the
// context's own error, and one cut by Close as ErrClosed, so callers can
// tell cancellation and shutdown from a device fault.
func (d *Device) classifyCtx(ctx context.Context, err error) error {
	if ctx.Err() == nil && d.closing.Err() != nil {
		return fmt.Errorf("%w (%v)", ErrClosed, err)
	}
	return classifyCtx(ctx, err)
}

// classifyCtx reports a transfer cut short by the caller's context as the
// context's own error.
func classifyCtx(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return classify(err)
}

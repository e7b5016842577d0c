// Package upektc drives the UPEK TouchChip fingerprint coprocessor
// (USB 147e:2016, bcdDevice 0x0002) with the "Ciao" framed protocol.
//
// A capture is one whole session: activate, ask for the sensor's geometry,
// capture, deactivate. Each capture starts from a freshly activated device,
// so an interrupted capture cannot leave state behind for the next one.
package upektc

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/usb"
)

// Match selects the devices this driver serves. bcdDevice 0x0001 under the
// same ID speaks a different protocol.
var Match = usb.Match{ID: usb.ID{Vendor: 0x147e, Product: 0x2016}, BCDDevice: 0x0002}

// Name is how the device is shown in status.
const Name = "147e:2016 UPEK TouchChip"

// Endpoints and interface.
const (
	Interface = 0
	epIn      = 1 // 0x81
	epOut     = 2 // 0x02
)

// Transfer sizes the device (and a replay) expect: every message is read
// with 64 bytes, and a longer one with exactly one more read of 1988.
const (
	readFirst = 64
	readRest  = 1988
)

// commandTimeout bounds each transfer outside the wait for a finger.
const commandTimeout = 4 * time.Second

// frameTimeout bounds each read once the device has reported the finger or
// sent a frame: from then on it streams the image without waiting for the
// user, and libfprint's upektc_img gives every bulk read 4 s. A device
// silent for longer has stalled; waiting on would leave the kiosk busy
// until the caller gave up.
const frameTimeout = 4 * time.Second

// Transport is the part of an opened USB device the driver uses.
type Transport interface {
	In(ctx context.Context, ep int, buf []byte) (int, error)
	Out(ctx context.Context, ep int, data []byte) (int, error)
	Control(ctx context.Context, rType, request uint8, value, index uint16, data []byte) (int, error)
	Close() error
}

// Scanner is one opened TouchChip.
type Scanner struct {
	t    Transport
	name string

	capturing sync.Mutex

	mu     sync.Mutex
	status fingerprint.Status
}

// Open opens and claims the device d on bus.
func Open(bus *usb.Bus, d usb.Desc) (*Scanner, error) {
	dev, err := bus.OpenDevice(d, Interface)
	if err != nil {
		return nil, fmt.Errorf("upektc: %w", err)
	}
	return New(dev, Name), nil
}

// New drives an already opened transport.
func New(t Transport, name string) *Scanner {
	return &Scanner{t: t, name: name, status: fingerprint.Status{State: fingerprint.Online, Device: name}}
}

// Status reports the device state and the last finger reading.
func (s *Scanner) Status() fingerprint.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Close releases the device.
func (s *Scanner) Close() error { return s.t.Close() }

func (s *Scanner) setState(st fingerprint.State, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status.State = st
	if err != nil {
		s.status.LastError = err.Error()
	}
}

func (s *Scanner) setFinger(present bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status.FingerPresent = present
}

// Capture waits for a finger and returns its image. Cancelling ctx stops
// the wait; the device is then deactivated so the next capture starts
// clean.
func (s *Scanner) Capture(ctx context.Context) (*fingerprint.Capture, error) {
	if !s.capturing.TryLock() {
		return nil, fingerprint.ErrBusy
	}
	defer s.capturing.Unlock()
	if st := s.Status().State; st == fingerprint.NoDevice {
		return nil, fingerprint.ErrNoDevice
	}
	s.setState(fingerprint.Busy, nil)
	c := &session{t: s.t, onFinger: s.setFinger}
	img, err := c.run(ctx)
	switch {
	case err == nil:
		s.setState(fingerprint.Online, nil)
		return &fingerprint.Capture{Image: img, DPI: fingerprint.DefaultDPI, Device: s.name}, nil
	case errors.Is(err, usb.ErrGone):
		s.setState(fingerprint.NoDevice, err)
	case ctx.Err() != nil:
		s.setState(fingerprint.Online, nil)
		return nil, fmt.Errorf("upektc: capture stopped: %w", ctx.Err())
	default:
		s.setState(fingerprint.HardwareError, err)
	}
	return nil, err
}

// session is the state of one activation: the host's sequence counter.
type session struct {
	t        Transport
	seq      byte
	onFinger func(bool)
}

// Fixed messages of activation, from the device's protocol.
var (
	init1Payload   = []byte{0x01, 0x00, 0x46, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00}
	init3Payload   = []byte{0x01, 0x00, 0xBC, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00}
	deinitPayload  = []byte{0x01}
	getInfoPayload = []byte{SubCommand, 0x04, 0x00, 0x00, 0x00, 0x06, 0x04}
	statusAck      = []byte{SubCommand, 0x05, 0x00, 0x00, 0x00, 0x00, 0x30, 0x01}
	frameAck       = []byte{SubFrameAck}
)

// captureRequest asks for an image; wait mode 00 ("wait for an acceptable
// finger") suits swipe sensors, 01 ("wait for a finger") area sensors.
func captureRequest(swipe bool) []byte {
	wait := byte(0x01)
	if swipe {
		wait = 0x00
	}
	return []byte{SubCommand, 0x0B, 0x00, 0x00, 0x00, 0x0E, 0x02, 0xFE, 0xFF, 0xFF, 0xFF, 0x02, wait, 0x02}
}

func (c *session) run(ctx context.Context) (*image.Gray, error) {
	info, err := c.activate(ctx)
	if err != nil {
		return nil, err
	}
	img, err := c.capture(ctx, info)
	if err != nil {
		// Deactivate even after a failure or cancellation so the sensor
		// is idle for the next capture; the original error is what counts.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		c.deinit(dctx)
		return nil, err
	}
	if err := c.deinit(ctx); err != nil {
		return nil, err
	}
	return img, nil
}

func (c *session) activate(ctx context.Context) (SensorInfo, error) {
	c.seq = 0
	for _, step := range []struct {
		init  []byte
		reply byte
	}{{init1Payload, TypeInitOK}, {nil, TypeDeinitOK}, {init3Payload, TypeInitOK}} {
		if step.init != nil {
			if err := c.vendorRequest(ctx); err != nil {
				return SensorInfo{}, err
			}
		}
		typ, payload := byte(TypeInit), step.init
		if step.init == nil {
			typ, payload = TypeDeinit, deinitPayload
		}
		if err := c.send(ctx, Message{Type: typ, Payload: payload}); err != nil {
			return SensorInfo{}, err
		}
		if _, err := c.expect(ctx, step.reply); err != nil {
			return SensorInfo{}, fmt.Errorf("upektc: activation: %w", err)
		}
	}
	if err := c.sendSeq(ctx, Message{Type: TypeData, Payload: getInfoPayload}); err != nil {
		return SensorInfo{}, err
	}
	tctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	raw, err := c.readRaw(tctx)
	if err != nil {
		return SensorInfo{}, err
	}
	return ParseInfo(raw)
}

func (c *session) vendorRequest(ctx context.Context) error {
	if _, err := c.t.Control(ctx, 0x40, 0x0C, 0x0100, 0x0400, []byte{0x00}); err != nil {
		return fmt.Errorf("upektc: vendor request: %w", err)
	}
	if _, err := c.expect(ctx, TypeVersion); err != nil {
		return fmt.Errorf("upektc: after vendor request: %w", err)
	}
	return nil
}

func (c *session) capture(ctx context.Context, info SensorInfo) (*image.Gray, error) {
	w, h := info.ImageSize()
	if err := c.sendSeq(ctx, Message{Type: TypeData, Payload: captureRequest(info.Swipe)}); err != nil {
		return nil, err
	}
	asm := NewAssembler(w, h)
	imaging := false
	for {
		m, err := c.readFrame(ctx, imaging)
		if err != nil {
			return nil, err
		}
		switch {
		case m.Type == TypeNotify:
			if err := c.send(ctx, Message{Type: TypeNotifyAck}); err != nil {
				return nil, err
			}
		case m.Type != TypeData || len(m.Payload) == 0:
			return nil, fmt.Errorf("upektc: unexpected message type %02x during capture", m.Type)
		case m.Payload[0] == SubCommand:
			code, err := ParseStatus(m)
			if err != nil {
				return nil, err
			}
			c.onFinger(code == FingerPresent || code == FingerKeep)
			imaging = imaging || code == FingerPresent
			if err := c.sendSeq(ctx, Message{Type: TypeData, Payload: statusAck}); err != nil {
				return nil, err
			}
			if info.Swipe && retryStatus(code) {
				// A swipe sensor ends this attempt: one more message comes
				// whose content does not matter, then the request is repeated.
				if _, err := c.read(ctx); err != nil {
					return nil, err
				}
				asm, imaging = NewAssembler(w, h), false
				if err := c.sendSeq(ctx, Message{Type: TypeData, Payload: captureRequest(info.Swipe)}); err != nil {
					return nil, err
				}
			}
		default:
			pixels, last, err := FramePixels(m)
			if err != nil {
				return nil, err
			}
			imaging = true
			if m.Payload[0] == SubFirstFrame {
				c.onFinger(true)
			}
			if err := asm.Add(pixels); err != nil {
				return nil, err
			}
			if last {
				px, err := asm.Pixels()
				if err != nil {
					return nil, err
				}
				return &image.Gray{Pix: px, Stride: w, Rect: image.Rect(0, 0, w, h)}, nil
			}
			if err := c.sendSeq(ctx, Message{Type: TypeData, Payload: frameAck}); err != nil {
				return nil, err
			}
		}
	}
}

// readFrame reads the next message of a capture. Before the finger is
// there the read has no deadline of its own: the device answers when a
// finger arrives, which may take as long as the user needs, and ctx bounds
// it. Once imaging, each read has frameTimeout, and running out of it is a
// fault of the device, told apart from the caller's own cancellation.
func (c *session) readFrame(ctx context.Context, imaging bool) (Message, error) {
	if !imaging {
		return c.read(ctx)
	}
	tctx, cancel := context.WithTimeout(ctx, frameTimeout)
	defer cancel()
	m, err := c.read(tctx)
	if err != nil && ctx.Err() == nil && errors.Is(tctx.Err(), context.DeadlineExceeded) {
		return Message{}, fmt.Errorf("upektc: the device stopped sending the image (nothing for %v): %w", frameTimeout, err)
	}
	return m, err
}

func retryStatus(code byte) bool {
	switch code {
	case FingerPresent, FingerRemoved, FingerNone:
		return false
	}
	return true
}

func (c *session) deinit(ctx context.Context) error {
	if err := c.sendSeq(ctx, Message{Type: TypeDeinit, Payload: deinitPayload}); err != nil {
		return err
	}
	if _, err := c.expect(ctx, TypeDeinitOK); err != nil {
		return fmt.Errorf("upektc: deactivation: %w", err)
	}
	return nil
}

// sendSeq sends m with the current counter and advances it.
func (c *session) sendSeq(ctx context.Context, m Message) error {
	m.Seq = c.seq
	c.seq = (c.seq + 1) & 0x0F
	return c.send(ctx, m)
}

func (c *session) send(ctx context.Context, m Message) error {
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	tctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	if _, err := c.t.Out(tctx, epOut, b); err != nil {
		return fmt.Errorf("upektc: send message type %02x: %w", m.Type, err)
	}
	return nil
}

func (c *session) expect(ctx context.Context, typ byte) (Message, error) {
	tctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	m, err := c.read(tctx)
	if err != nil {
		return Message{}, err
	}
	if m.Type != typ {
		return Message{}, fmt.Errorf("device answered with message type %02x, expected %02x", m.Type, typ)
	}
	return m, nil
}

func (c *session) read(ctx context.Context) (Message, error) {
	raw, err := c.readRaw(ctx)
	if err != nil {
		return Message{}, err
	}
	return Parse(raw)
}

// maxEmptyReads bounds how often a zero-length completion is retried.
const maxEmptyReads = 8

// readRaw reads one device message: 64 bytes, then 1988 more when the
// header announces a longer message.
func (c *session) readRaw(ctx context.Context) ([]byte, error) {
	buf := make([]byte, readFirst+readRest)
	var n int
	for empty := 0; ; empty++ {
		var err error
		n, err = c.t.In(ctx, epIn, buf[:readFirst])
		if err != nil {
			return nil, fmt.Errorf("upektc: read message: %w", err)
		}
		if n > 0 {
			break
		}
		if empty == maxEmptyReads {
			return nil, errors.New("upektc: the device keeps answering with empty transfers; unplug and re-plug it")
		}
	}
	total, err := Length(buf[:n])
	if err != nil {
		return nil, err
	}
	if total > n {
		if total > len(buf) {
			return nil, fmt.Errorf("upektc: device announces a %d-byte message, longer than the %d bytes the protocol allows", total, len(buf))
		}
		m, err := c.t.In(ctx, epIn, buf[n:n+readRest])
		if err != nil {
			return nil, fmt.Errorf("upektc: read rest of message: %w", err)
		}
		n += m
		if total > n {
			return nil, fmt.Errorf("%w: announces %d bytes, device sent %d", ErrShort, total, n)
		}
	}
	return buf[:total], nil
}

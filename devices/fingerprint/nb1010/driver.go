// Package nb1010 drives the NEXT Biometrics NB-1010-U (USB 298d:1010).
//
// A capture polls the finger level until a finger rests on the sensor, then
// asks for an image, which arrives as 540-byte partials of two rows each
// until the device says no more follow.
package nb1010

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/usb"
)

// Match selects the devices this driver serves.
var Match = usb.Match{ID: usb.ID{Vendor: 0x298d, Product: 0x1010}}

// Name is how the device is shown in status.
const Name = "298d:1010 NB-1010-U"

// Endpoints and interface.
const (
	Interface = 0
	epOut     = 2 // 0x02
	epIn      = 3 // 0x83
)

const (
	// transferTimeout bounds each transfer, as the device answers at once.
	transferTimeout = 500 * time.Millisecond
	// fingerLevel is the level above which a finger counts as present.
	fingerLevel = 0x30
	// pollEvery is the pause between finger checks.
	pollEvery = 50 * time.Millisecond
	// maxPartials bounds an image whose end flag never comes.
	maxPartials = MaxRows
)

// Transport is the part of an opened USB device the driver uses.
type Transport interface {
	In(ctx context.Context, ep int, buf []byte) (int, error)
	Out(ctx context.Context, ep int, data []byte) (int, error)
	Close() error
}

// Sleeper waits between finger checks; tests inject one that does not
// sleep.
type Sleeper func(ctx context.Context, d time.Duration) error

// Sleep waits for d or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Scanner is one opened NB-1010-U.
type Scanner struct {
	t     Transport
	name  string
	sleep Sleeper

	capturing sync.Mutex
	// interrupted is set when a capture stopped inside the image stream:
	// the device may still hold partials, which the next capture drains.
	interrupted bool

	mu     sync.Mutex
	status fingerprint.Status
}

// Open opens and claims the device d on bus.
func Open(bus *usb.Bus, d usb.Desc) (*Scanner, error) {
	dev, err := bus.OpenDevice(d, Interface)
	if err != nil {
		return nil, fmt.Errorf("nb1010: %w", err)
	}
	return New(dev, Name, Sleep), nil
}

// New drives an already opened transport.
func New(t Transport, name string, sleep Sleeper) *Scanner {
	return &Scanner{t: t, name: name, sleep: sleep, status: fingerprint.Status{State: fingerprint.Online, Device: name}}
}

// Status reports the device state and the last finger reading.
func (s *Scanner) Status() fingerprint.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Close releases the device.
func (s *Scanner) Close() error { return s.t.Close() }

func (s *Scanner) update(fn func(*fingerprint.Status)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(&s.status)
}

// Capture waits for a finger and returns its image. Cancelling ctx stops
// the wait between transfers or mid-transfer; the next capture starts again
// from the finger check, which is how the device is always driven.
func (s *Scanner) Capture(ctx context.Context) (*fingerprint.Capture, error) {
	if !s.capturing.TryLock() {
		return nil, fingerprint.ErrBusy
	}
	defer s.capturing.Unlock()
	if s.Status().State == fingerprint.NoDevice {
		return nil, fingerprint.ErrNoDevice
	}
	s.update(func(st *fingerprint.Status) { st.State = fingerprint.Busy })
	c, err := s.capture(ctx)
	s.update(func(st *fingerprint.Status) {
		switch {
		case err == nil:
			st.State = fingerprint.Online
		case errors.Is(err, usb.ErrGone):
			st.State, st.LastError = fingerprint.NoDevice, err.Error()
		case ctx.Err() != nil:
			st.State = fingerprint.Online
		default:
			st.State, st.LastError = fingerprint.HardwareError, err.Error()
		}
	})
	if err != nil && ctx.Err() != nil && !errors.Is(err, usb.ErrGone) {
		return nil, fmt.Errorf("nb1010: capture stopped: %w", ctx.Err())
	}
	return c, err
}

func (s *Scanner) capture(ctx context.Context) (*fingerprint.Capture, error) {
	if s.interrupted {
		s.drain(ctx)
		s.interrupted = false
	}
	if err := s.waitForFinger(ctx); err != nil {
		return nil, err
	}
	if _, err := s.command(ctx, preCaptureCmd, ReplyAck); err != nil {
		return nil, fmt.Errorf("nb1010: pre-capture: %w", err)
	}
	// From the capture command on, the device streams the image whatever
	// the host does with it: any way out of this function other than the
	// last partial leaves the rest queued, and the next capture would read
	// it in place of its replies. So the image counts as interrupted until
	// its last partial has been read, whether a read failed or a partial
	// did not parse.
	s.interrupted = true
	if _, err := s.command(ctx, captureCmd, ReplyAck); err != nil {
		return nil, fmt.Errorf("nb1010: capture: %w", err)
	}
	var asm Assembler
	buf := make([]byte, PartialLen)
	for k := range maxPartials {
		n, err := s.in(ctx, buf)
		if err != nil {
			return nil, fmt.Errorf("nb1010: read image: %w", err)
		}
		p, err := ParsePartial(buf[:n])
		if err != nil {
			return nil, fmt.Errorf("nb1010: image partial %d: %w", k+1, err)
		}
		if err := asm.Add(p); err != nil {
			return nil, err
		}
		if !p.More {
			s.interrupted = false
			img, err := asm.Image()
			if err != nil {
				return nil, err
			}
			return &fingerprint.Capture{Image: img, DPI: fingerprint.DefaultDPI, Device: s.name}, nil
		}
	}
	return nil, fmt.Errorf("nb1010: image did not end after %d partials; unplug and re-plug the scanner", maxPartials)
}

// drainTimeout is how long a drain read waits before the device is taken
// to have nothing left.
const drainTimeout = 100 * time.Millisecond

// drain discards what is left of an interrupted image. The device has no
// stop command, so the rest of the image may still be waiting to be read;
// a read that times out means it is gone.
func (s *Scanner) drain(ctx context.Context) {
	buf := make([]byte, PartialLen)
	for range maxPartials {
		tctx, cancel := context.WithTimeout(ctx, drainTimeout)
		_, err := s.t.In(tctx, epIn, buf)
		cancel()
		if err != nil {
			return
		}
	}
}

func (s *Scanner) waitForFinger(ctx context.Context) error {
	for {
		r, err := s.command(ctx, checkFingerCmd, ReplyFinger)
		if err != nil {
			return fmt.Errorf("nb1010: check finger: %w", err)
		}
		present := r.Result&0xFF > fingerLevel
		s.update(func(st *fingerprint.Status) { st.FingerPresent = present })
		if present {
			return nil
		}
		if err := s.sleep(ctx, pollEvery); err != nil {
			return err
		}
	}
}

// command sends cmd and reads its 16-byte reply, which must carry code.
func (s *Scanner) command(ctx context.Context, cmd []byte, code byte) (Reply, error) {
	tctx, cancel := context.WithTimeout(ctx, transferTimeout)
	defer cancel()
	if _, err := s.t.Out(tctx, epOut, cmd); err != nil {
		return Reply{}, err
	}
	buf := make([]byte, ReplyLen)
	n, err := s.t.In(tctx, epIn, buf)
	if err != nil {
		return Reply{}, err
	}
	r, err := ParseReply(buf[:n])
	if err != nil {
		return Reply{}, err
	}
	if r.Code != code || r.Seq != cmd[2] {
		return Reply{}, fmt.Errorf("%w: reply code %02x seq %02x, want code %02x seq %02x", ErrBadReply, r.Code, r.Seq, code, cmd[2])
	}
	return r, nil
}

func (s *Scanner) in(ctx context.Context, buf []byte) (int, error) {
	tctx, cancel := context.WithTimeout(ctx, transferTimeout)
	defer cancel()
	return s.t.In(tctx, epIn, buf)
}

package upektc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/usb"
)

// simDevice answers the host as a TouchChip would, from a grey image. It
// checks every host message's framing and sequence number.
type simDevice struct {
	t        *testing.T
	info     []byte
	pixels   []byte
	statuses []byte // finger statuses sent after each capture request, in order

	mu       sync.Mutex
	queue    [][]byte
	frames   [][]byte
	hostSeq  []byte // seq of every counted host message
	sent     []Message
	blockAt  int // block the n-th IN read until its context ends (0: never)
	reads    int
	goneAt   int // answer the n-th IN read with ErrGone
	notifyAt int // push a type-08 message before the n-th frame
	// stallAfter, when above zero, makes the device fall silent once it
	// has sent that many frames: reads then wait until their context ends.
	stallAfter int
	sentFrames int
	closed     bool
}

func newSim(t *testing.T, info []byte, w, h int, statuses ...byte) *simDevice {
	px := make([]byte, w*h)
	for i := range px {
		px[i] = byte(i * 7)
	}
	if len(statuses) == 0 {
		statuses = []byte{FingerNone, FingerPresent}
	}
	return &simDevice{t: t, info: info, pixels: px, statuses: statuses}
}

func (d *simDevice) push(m Message) {
	b, err := m.Marshal()
	if err != nil {
		d.t.Fatal(err)
	}
	d.queue = append(d.queue, b)
}

func (d *simDevice) Control(ctx context.Context, rType, req uint8, val, idx uint16, data []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if rType != 0x40 || req != 0x0C || val != 0x0100 || idx != 0x0400 || len(data) != 1 {
		return 0, fmt.Errorf("unexpected control request")
	}
	d.push(Message{Type: TypeVersion, Payload: []byte{1, '1', '0', '.', '5'}})
	return 1, nil
}

func (d *simDevice) Out(ctx context.Context, ep int, b []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ep != epOut {
		return 0, fmt.Errorf("write to endpoint %d", ep)
	}
	m, err := Parse(b)
	if err != nil || len(b) != len(m.Payload)+9 {
		d.t.Errorf("host sent a bad message % x: %v", b, err)
		return 0, err
	}
	d.sent = append(d.sent, Message{Type: m.Type, Seq: m.Seq, Payload: append([]byte(nil), m.Payload...)})
	switch {
	case m.Type == TypeInit:
		d.push(Message{Type: TypeInitOK, Payload: []byte{0}})
	case m.Type == TypeDeinit:
		if len(d.hostSeq) > 0 || m.Seq != 0 {
			d.hostSeq = append(d.hostSeq, m.Seq)
		}
		d.push(Message{Type: TypeDeinitOK})
	case m.Type == TypeNotifyAck:
	case m.Type == TypeData && m.Payload[0] == SubCommand && len(m.Payload) > 5 && m.Payload[5] == 0x06:
		d.hostSeq = append(d.hostSeq[:0], m.Seq)
		d.queue = append(d.queue, d.info)
	case m.Type == TypeData && m.Payload[0] == SubCommand && len(m.Payload) > 5 && m.Payload[5] == 0x0E:
		d.hostSeq = append(d.hostSeq, m.Seq)
		d.frames = d.makeFrames()
		st := d.statuses[0]
		if len(d.statuses) > 1 {
			d.statuses = d.statuses[1:]
		}
		d.pushStatus(m.Seq, st)
	case m.Type == TypeData && m.Payload[0] == SubCommand:
		d.hostSeq = append(d.hostSeq, m.Seq)
		if len(d.statuses) > 0 && d.statuses[0] != FingerPresent {
			st := d.statuses[0]
			d.statuses = d.statuses[1:]
			d.pushStatus(m.Seq, st)
			return len(b), nil
		}
		if len(d.statuses) > 0 {
			d.statuses = d.statuses[1:]
		}
		d.nextFrame(m.Seq)
	case m.Type == TypeData && m.Payload[0] == SubFrameAck:
		d.hostSeq = append(d.hostSeq, m.Seq)
		d.nextFrame(m.Seq)
	default:
		d.t.Errorf("unexpected host message %+v", m)
	}
	return len(b), nil
}

func (d *simDevice) pushStatus(seq, code byte) {
	p := make([]byte, 20)
	p[0], p[1], p[6], p[7], p[11] = SubCommand, 17, 0x20, 0x01, code
	d.push(Message{Type: TypeData, Seq: seq, Payload: p})
}

func (d *simDevice) makeFrames() [][]byte {
	var frames [][]byte
	px := d.pixels
	take := func(n int) []byte {
		n = min(n, len(px))
		out := px[:n]
		px = px[n:]
		return out
	}
	frames = append(frames, append([]byte{SubFirstFrame, 0x0C, 0xD8, 0, 0, 0x0E, 0x12, 0, 0xD8, 0, 0}, take(2032)...))
	for len(px) > 2042 {
		frames = append(frames, append([]byte{SubFrame}, take(2042)...))
	}
	frames = append(frames, append(append([]byte{SubLastFrame}, take(len(px))...), 0, 0, 0, 0))
	return frames
}

func (d *simDevice) nextFrame(seq byte) {
	if len(d.frames) == 0 {
		d.t.Errorf("host acknowledged after the last frame")
		return
	}
	if d.notifyAt > 0 && len(d.frames) == d.notifyAt {
		d.push(Message{Type: TypeNotify})
		d.notifyAt = 0
	}
	if d.stallAfter > 0 && d.sentFrames == d.stallAfter {
		return
	}
	d.push(Message{Type: TypeData, Seq: seq, Payload: d.frames[0]})
	d.frames = d.frames[1:]
	d.sentFrames++
}

func (d *simDevice) In(ctx context.Context, ep int, buf []byte) (int, error) {
	d.mu.Lock()
	d.reads++
	n := d.reads
	if ep != epIn || (len(buf) != readFirst && len(buf) != readRest) {
		d.mu.Unlock()
		return 0, fmt.Errorf("read of %d bytes from endpoint %d", len(buf), ep)
	}
	if n == d.goneAt {
		d.mu.Unlock()
		return 0, fmt.Errorf("read: %w", usb.ErrGone)
	}
	if n == d.blockAt {
		d.mu.Unlock()
		<-ctx.Done()
		return 0, ctx.Err()
	}
	if len(d.queue) == 0 && d.stallAfter > 0 && d.sentFrames == d.stallAfter {
		d.mu.Unlock()
		<-ctx.Done()
		return 0, ctx.Err()
	}
	defer d.mu.Unlock()
	if len(d.queue) == 0 {
		return 0, errors.New("device has nothing to send (host read out of turn)")
	}
	c := copy(buf, d.queue[0])
	d.queue[0] = d.queue[0][c:]
	if len(d.queue[0]) == 0 {
		d.queue = d.queue[1:]
	}
	return c, nil
}

func (d *simDevice) Close() error { d.closed = true; return nil }

func TestCaptureAssemblesAnyAnnouncedSize(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  byte
		w, h uint16
	}{{"swipe as recorded", 0xE4, 192, 512}, {"area sensor", 0x64, 256, 360}, {"small", 0x64, 16, 16}} {
		t.Run(tc.name, func(t *testing.T) {
			sim := newSim(t, infoWith(t, tc.typ, tc.w, tc.h), int(tc.w)*3/4, int(tc.h)*3/4)
			s := New(sim, Name)
			c, err := s.Capture(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if b := c.Image.Bounds(); b.Dx() != int(tc.w)*3/4 || b.Dy() != int(tc.h)*3/4 {
				t.Fatalf("image %v", b)
			}
			for i, p := range c.Image.Pix {
				if p != sim.pixels[i] {
					t.Fatalf("pixel %d = %d, want %d", i, p, sim.pixels[i])
				}
			}
			wantWait := byte(0x01)
			if tc.typ&0x80 != 0 {
				wantWait = 0
			}
			for _, m := range sim.sent {
				if m.Type == TypeData && len(m.Payload) == 14 && m.Payload[12] != wantWait {
					t.Fatalf("capture request wait mode %02x, want %02x", m.Payload[12], wantWait)
				}
			}
			for i, seq := range sim.hostSeq {
				if seq != byte(i)&0x0F {
					t.Fatalf("host message %d carried seq %d, want %d (all: %v)", i, seq, i&0x0F, sim.hostSeq)
				}
			}
			if st := s.Status(); st.State != fingerprint.Online || !st.FingerPresent {
				t.Fatalf("status %+v", st)
			}
		})
	}
}

func TestCaptureAnswersUnsolicitedMessages(t *testing.T) {
	sim := newSim(t, infoWith(t, 0xE4, 192, 512), 144, 384)
	sim.notifyAt = 5
	if _, err := New(sim, Name).Capture(context.Background()); err != nil {
		t.Fatal(err)
	}
	var acks int
	for _, m := range sim.sent {
		if m.Type == TypeNotifyAck {
			acks++
		}
	}
	if acks != 1 {
		t.Fatalf("%d type-09 answers, want 1", acks)
	}
}

func TestSwipeSensorRestartsAfterTooShortScan(t *testing.T) {
	// Status 1E ends the attempt: acknowledged, one message read and
	// ignored (here the 0C that follows), then the request is repeated.
	sim := newSim(t, infoWith(t, 0xE4, 192, 512), 144, 384, ScanTooShort, FingerNone, FingerPresent)
	if _, err := New(sim, Name).Capture(context.Background()); err != nil {
		t.Fatal(err)
	}
	var requests int
	for _, m := range sim.sent {
		if m.Type == TypeData && len(m.Payload) == 14 {
			requests++
		}
	}
	if requests != 2 {
		t.Fatalf("%d capture requests, want 2", requests)
	}
}

func TestCancelledCaptureDeactivatesAndNextCaptureWorks(t *testing.T) {
	sim := newSim(t, infoWith(t, 0xE4, 192, 512), 144, 384)
	sim.blockAt = 8 // the first status read: waiting for the finger
	s := New(sim, Name)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { _, err := s.Capture(ctx); done <- err }()
	for {
		sim.mu.Lock()
		r := sim.reads
		sim.mu.Unlock()
		if r >= 8 {
			break
		}
	}
	if _, err := s.Capture(context.Background()); !errors.Is(err, fingerprint.ErrBusy) {
		t.Fatalf("second concurrent capture: %v, want ErrBusy", err)
	}
	if st := s.Status(); st.State != fingerprint.Busy {
		t.Fatalf("status during capture %+v", st)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled capture returned %v", err)
	}
	last := sim.sent[len(sim.sent)-1]
	if last.Type != TypeDeinit {
		t.Fatalf("last host message after cancel %+v, want deinit", last)
	}
	if st := s.Status(); st.State != fingerprint.Online {
		t.Fatalf("status after cancel %+v, want online", st)
	}
	sim.queue = nil
	sim.statuses = []byte{FingerNone, FingerPresent}
	if _, err := s.Capture(context.Background()); err != nil {
		t.Fatalf("capture after cancel: %v", err)
	}
}

func TestUnpluggedDeviceReportsNoDevice(t *testing.T) {
	sim := newSim(t, infoWith(t, 0xE4, 192, 512), 144, 384)
	sim.goneAt = 10
	s := New(sim, Name)
	if _, err := s.Capture(context.Background()); !errors.Is(err, usb.ErrGone) {
		t.Fatalf("capture error %v, want ErrGone", err)
	}
	if st := s.Status(); st.State != fingerprint.NoDevice || st.LastError == "" {
		t.Fatalf("status %+v", st)
	}
	if _, err := s.Capture(context.Background()); !errors.Is(err, fingerprint.ErrNoDevice) {
		t.Fatalf("capture on a gone device: %v", err)
	}
}

func TestGarbageFromDeviceIsHardwareError(t *testing.T) {
	sim := newSim(t, []byte("Ciao but not a real reply at all, just noise....................."), 1, 1)
	s := New(sim, Name)
	if _, err := s.Capture(context.Background()); err == nil {
		t.Fatal("capture succeeded on noise")
	}
	if st := s.Status(); st.State != fingerprint.HardwareError {
		t.Fatalf("status %+v", st)
	}
}

// TestDeviceStalledMidImageIsAFault: a device that stops sending frames
// once the image has started is a fault found within one frame deadline,
// not a capture that waits for as long as the caller does. The bubble's
// clock is virtual, so the elapsed time is exact.
func TestDeviceStalledMidImageIsAFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := newSim(t, infoWith(t, 0xE4, 192, 512), 144, 384)
		sim.stallAfter = 3
		s := New(sim, Name)
		start := time.Now()
		_, err := s.Capture(context.Background())
		elapsed := time.Since(start)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("capture from a stalled device returned %v, want a deadline error", err)
		}
		if elapsed != frameTimeout {
			t.Fatalf("stall reported after %v, want exactly the frame deadline %v", elapsed, frameTimeout)
		}
		if st := s.Status(); st.State != fingerprint.HardwareError || st.LastError == "" {
			t.Fatalf("status after a stall %+v, want hardwareError with the error", st)
		}
		if last := sim.sent[len(sim.sent)-1]; last.Type != TypeDeinit {
			t.Fatalf("last host message after the stall %+v, want deinit", last)
		}
	})
}

package nb1010

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/usb"
)

// simDevice answers as an NB-1010-U: finger levels from a list, then an
// image of the given width in partials.
type simDevice struct {
	t        *testing.T
	levels   []byte
	width    uint32
	partials int

	mu      sync.Mutex
	pending [][]byte
	sent    [][]byte
	reads   int
	blockAt int
	goneAt  int
	// corruptAt, when above zero, garbles the header of that partial
	// (counted from 1) of the next image only.
	corruptAt int
}

func (d *simDevice) Out(ctx context.Context, ep int, b []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ep != epOut {
		return 0, fmt.Errorf("write to endpoint %d", ep)
	}
	d.sent = append(d.sent, bytes.Clone(b))
	reply := func(code, seq byte, result byte) []byte {
		r := make([]byte, ReplyLen)
		r[0], r[1], r[2], r[4], r[12] = marker, code, seq, ReplyLen, result
		return r
	}
	switch {
	case bytes.Equal(b, checkFingerCmd):
		lv := d.levels[0]
		if len(d.levels) > 1 {
			d.levels = d.levels[1:]
		}
		d.pending = append(d.pending, reply(ReplyFinger, b[2], lv))
	case bytes.Equal(b, preCaptureCmd):
		d.pending = append(d.pending, reply(ReplyAck, b[2], 0))
	case bytes.Equal(b, captureCmd):
		d.pending = append(d.pending, reply(ReplyAck, b[2], 3))
		for k := range d.partials {
			p := partial(k, k < d.partials-1, d.width, byte(k))
			if k+1 == d.corruptAt {
				p[1] ^= 0xFF
			}
			d.pending = append(d.pending, p)
		}
		d.corruptAt = 0
	default:
		d.t.Errorf("unexpected command % x", b)
	}
	return len(b), nil
}

func (d *simDevice) In(ctx context.Context, ep int, buf []byte) (int, error) {
	d.mu.Lock()
	d.reads++
	n := d.reads
	if n == d.blockAt {
		d.mu.Unlock()
		<-ctx.Done()
		return 0, ctx.Err()
	}
	defer d.mu.Unlock()
	if n == d.goneAt {
		return 0, fmt.Errorf("read: %w", usb.ErrGone)
	}
	if len(d.pending) == 0 {
		// Nothing to send: a real device lets the read time out.
		d.mu.Unlock()
		<-ctx.Done()
		d.mu.Lock()
		return 0, ctx.Err()
	}
	if ep != epIn || len(buf) != len(d.pending[0]) {
		return 0, errors.New("read out of turn or of the wrong size")
	}
	c := copy(buf, d.pending[0])
	d.pending = d.pending[1:]
	return c, nil
}

func (d *simDevice) Close() error { return nil }

// noSleep records waits instead of sleeping.
type noSleep struct{ waits []time.Duration }

func (n *noSleep) sleep(ctx context.Context, d time.Duration) error {
	n.waits = append(n.waits, d)
	return ctx.Err()
}

func TestCaptureWaitsForFingerThenAssembles(t *testing.T) {
	sim := &simDevice{t: t, levels: []byte{0x00, 0x30, 0x31}, width: 256, partials: 90}
	var ns noSleep
	s := New(sim, Name, ns.sleep)
	c, err := s.Capture(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Image.Rect.Dx() != 256 || c.Image.Rect.Dy() != 180 {
		t.Fatalf("image %v, want 256×180", c.Image.Rect)
	}
	if got := c.Image.GrayAt(0, 179).Y; got != 89+1 {
		t.Fatalf("last row pixel %d, want the second row of partial 89 (90)", got)
	}
	if len(ns.waits) != 2 || ns.waits[0] != pollEvery {
		t.Fatalf("waits %v, want two of %v (levels 00 and 30 mean no finger)", ns.waits, pollEvery)
	}
	if st := s.Status(); st.State != fingerprint.Online || !st.FingerPresent || st.Device != Name {
		t.Fatalf("status %+v", st)
	}
}

func TestCaptureOtherRowWidth(t *testing.T) {
	sim := &simDevice{t: t, levels: []byte{0xF7}, width: 128, partials: 40}
	c, err := New(sim, Name, (&noSleep{}).sleep).Capture(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Image.Rect.Dx() != 128 || c.Image.Rect.Dy() != 160 {
		t.Fatalf("image %v, want 128×160", c.Image.Rect)
	}
}

func TestCancelWhileWaitingForFinger(t *testing.T) {
	sim := &simDevice{t: t, levels: []byte{0x00}, width: 256, partials: 90}
	ctx, cancel := context.WithCancel(context.Background())
	polls := 0
	sleep := func(ctx context.Context, d time.Duration) error {
		if polls++; polls == 3 {
			cancel()
		}
		return ctx.Err()
	}
	s := New(sim, Name, sleep)
	if _, err := s.Capture(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if st := s.Status(); st.State != fingerprint.Online || st.FingerPresent {
		t.Fatalf("status after cancel %+v", st)
	}
	sim.levels = []byte{0xF7}
	if _, err := s.Capture(context.Background()); err != nil {
		t.Fatalf("capture after cancel: %v", err)
	}
}

func TestCancelMidImageThenCaptureAgain(t *testing.T) {
	sim := &simDevice{t: t, levels: []byte{0xF7}, width: 256, partials: 90, blockAt: 10}
	s := New(sim, Name, (&noSleep{}).sleep)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { _, err := s.Capture(ctx); done <- err }()
	for {
		sim.mu.Lock()
		r := sim.reads
		sim.mu.Unlock()
		if r >= 10 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := s.Capture(context.Background()); !errors.Is(err, fingerprint.ErrBusy) {
		t.Fatalf("concurrent capture %v, want ErrBusy", err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	sim.mu.Lock()
	left := len(sim.pending) // what the device still holds of the cancelled image
	sim.mu.Unlock()
	if left == 0 {
		t.Fatal("the simulated device should still hold partials of the cancelled image")
	}
	c, err := s.Capture(context.Background())
	if err != nil {
		t.Fatalf("capture after cancel: %v", err)
	}
	if c.Image.Rect.Dy() != 180 {
		t.Fatalf("image after drain %v", c.Image.Rect)
	}
}

func TestUnplugAndFaults(t *testing.T) {
	sim := &simDevice{t: t, levels: []byte{0xF7}, width: 256, partials: 90, goneAt: 5}
	s := New(sim, Name, (&noSleep{}).sleep)
	if _, err := s.Capture(context.Background()); !errors.Is(err, usb.ErrGone) {
		t.Fatalf("error %v, want ErrGone", err)
	}
	if st := s.Status(); st.State != fingerprint.NoDevice {
		t.Fatalf("status %+v", st)
	}

	bad := &simDevice{t: t, levels: []byte{0xF7}, width: 300, partials: 2}
	s = New(bad, Name, (&noSleep{}).sleep)
	if _, err := s.Capture(context.Background()); !errors.Is(err, ErrBadReply) {
		t.Fatalf("error %v, want ErrBadReply", err)
	}
	if st := s.Status(); st.State != fingerprint.HardwareError || st.LastError == "" {
		t.Fatalf("status %+v", st)
	}
}

// TestCorruptPartialThenCaptureAgain: a partial that does not parse ends
// the capture as a hardware fault, but the device goes on sending the rest
// of that image; the next capture must not take those partials for replies.
func TestCorruptPartialThenCaptureAgain(t *testing.T) {
	sim := &simDevice{t: t, levels: []byte{0xF7}, width: 256, partials: 90, corruptAt: 5}
	s := New(sim, Name, (&noSleep{}).sleep)
	if _, err := s.Capture(context.Background()); !errors.Is(err, ErrBadReply) {
		t.Fatalf("error %v, want ErrBadReply", err)
	}
	if st := s.Status(); st.State != fingerprint.HardwareError {
		t.Fatalf("status after corrupt partial %+v, want hardwareError", st)
	}
	sim.mu.Lock()
	left := len(sim.pending)
	sim.mu.Unlock()
	if left != 85 {
		t.Fatalf("the simulated device holds %d partials of the broken image, want 85", left)
	}
	c, err := s.Capture(context.Background())
	if err != nil {
		t.Fatalf("capture after corrupt partial: %v", err)
	}
	if c.Image.Rect.Dx() != 256 || c.Image.Rect.Dy() != 180 {
		t.Fatalf("image after drain %v, want 256 x 180", c.Image.Rect)
	}
	if st := s.Status(); st.State != fingerprint.Online {
		t.Fatalf("status after recovery %+v, want online", st)
	}
}

package app

import (
	"context"
	"errors"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/synth"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
)

// pluggable is a USB scanner manager whose cable the test pulls: unplugged
// it reports noDevice and its capture fails as a vanished device does.
type pluggable struct {
	mu      sync.Mutex
	plugged bool
	rnd     *rand.Rand
}

func (p *pluggable) set(plugged bool) { p.mu.Lock(); p.plugged = plugged; p.mu.Unlock() }

func (p *pluggable) Status() fingerprint.Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.plugged {
		return fingerprint.Status{State: fingerprint.NoDevice}
	}
	return fingerprint.Status{State: fingerprint.Online}
}

func (p *pluggable) Capture(ctx context.Context) (*fingerprint.Capture, error) {
	p.mu.Lock()
	plugged := p.plugged
	r := rand.New(rand.NewSource(p.rnd.Int63()))
	p.mu.Unlock()
	if !plugged {
		return nil, errors.New("usb: no device")
	}
	return &fingerprint.Capture{Image: synth.NewFinger(fingerSeed).Capture(r), DPI: 500}, nil
}

// TestScannerUnpluggedDuringVisit pulls the scanner's cable on the
// fingerprint screen: the screen says the scanner is unavailable and
// offers the password and SMS code; plugging it back in lets the same
// visit go on by fingerprint, against the real centre.
func TestScannerUnpluggedDuringVisit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fallback bool
	}{{"replugged", false}, {"password instead", true}} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			usb := &pluggable{plugged: true, rnd: rand.New(rand.NewSource(3))}
			k := updateMobileKiosk(w.client, ManagerScanner{M: usb}, refuseQueued{t})
			k.toFingerprint(t, "en", w.id)

			usb.set(false)
			k.clk.Advance(0) // the capture armed by the screen finds no scanner
			v := k.await(t, "scanner unavailable", func(v ui.View) bool { return v.Problem == "scanner_unavailable" })
			if v.Screen != ui.ScreenFinger || !v.CanFallback || v.TriesLeft != 3 {
				t.Fatalf("unplugged: %+v, want the fingerprint screen offering the fallback with every try left", v)
			}
			k.clk.Advance(10 * time.Second)
			if v := k.scr.View(); v.Screen != ui.ScreenFinger || v.Problem != "scanner_unavailable" {
				t.Fatalf("the screen moved on by itself with no scanner: %+v", v)
			}

			if tc.fallback {
				k.send(ui.Event{Kind: ui.EvFallback})
				k.await(t, "password", step(ui.ScreenPassword))
				return
			}
			usb.set(true)
			k.send(ui.Event{Kind: ui.EvConfirm}) // "try again"
			k.await(t, "mobile entry", step(ui.ScreenMobile))
		})
	}
}

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
// With pullOnCapture the cable comes out as the next capture starts: the
// screen arms the scanner the moment it shows, on the real clock, so the
// test cannot pull the cable in between.
type pluggable struct {
	mu            sync.Mutex
	plugged       bool
	pullOnCapture bool
	rnd           *rand.Rand
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
	if p.pullOnCapture {
		p.plugged, p.pullOnCapture = false, false
	}
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
			// The cable comes out as the capture armed by the screen starts.
			usb := &pluggable{plugged: true, pullOnCapture: true, rnd: rand.New(rand.NewSource(3))}
			k := updateMobileKiosk(w.client, ManagerScanner{M: usb}, refuseQueued{t})
			// The centre runs on TLS over loopback, so this test runs on the
			// real clock; a short re-arm delay lets it wait past one.
			k.scr.Rearm = 10 * time.Millisecond
			k.toFingerprint(t, "en", w.id)

			v := k.await(t, "scanner unavailable", func(v ui.View) bool { return v.Problem == "scanner_unavailable" })
			if v.Screen != ui.ScreenFinger || !v.CanFallback || v.TriesLeft != 3 {
				t.Fatalf("unplugged: %+v, want the fingerprint screen offering the fallback with every try left", v)
			}
			time.Sleep(100 * time.Millisecond) // ten re-arm delays
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

package app

import (
	"bufio"
	"context"
	"flag"
	"image"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/absher-kiosk/kiosk/kiosk/domain"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
)

// happyCentre identifies everyone by fingerprint and sends every code: a
// stand-in for the centre so a thousand visits measure the kiosk alone.
type happyCentre struct{}

func (happyCentre) StartVerification(context.Context, string) (domain.Verification, error) {
	return domain.Verification{Ref: "v", FingersEnrolled: true}, nil
}
func (happyCentre) VerifyFinger(context.Context, string, []byte, int) (domain.FingerResult, error) {
	return domain.FingerResult{Matched: true, Identified: domain.Identified{Token: "t", Name: "Visitor"}}, nil
}
func (happyCentre) VerifyPassword(context.Context, string, string) (domain.CodeSent, error) {
	return domain.CodeSent{}, nil
}
func (happyCentre) VerifyCode(context.Context, string, string) (domain.Identified, error) {
	return domain.Identified{}, nil
}
func (happyCentre) ResendCode(context.Context, string) (domain.CodeSent, error) {
	return domain.CodeSent{}, nil
}
func (happyCentre) RequestMobileCode(_ context.Context, _, m string) (domain.CodeSent, error) {
	return domain.CodeSent{MaskedMobile: "*********" + m[len(m)-4:]}, nil
}
func (happyCentre) ResendMobileCode(context.Context, string, string) (domain.CodeSent, error) {
	return domain.CodeSent{}, nil
}

type doneSubmitter struct{}

func (doneSubmitter) Submit(_ context.Context, t domain.Txn) (domain.Ack, error) {
	return domain.Ack{Done: true, Reference: Reference(t.Key)}, nil
}

type greyScanner struct{}

func (greyScanner) Usable() bool { return true }
func (greyScanner) Capture(context.Context) (flow.ScanImage, error) {
	return flow.ScanImage{Image: image.NewGray(image.Rect(0, 0, 256, 360)), DPI: 500}, nil
}

var visits = flag.Int("visits", 1000, "visits walked by BenchmarkSessionsRSS")

func rssKiB(tb testing.TB) int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		tb.Skipf("no /proc/self/status to read the resident set from: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	tb.Fatal("VmRSS not in /proc/self/status")
	return 0
}

// BenchmarkSessionsRSS walks 1,000 whole Update Mobile visits through the
// flow, the adapter and the real screens in Fyne's test driver, and
// reports the resident set before and every 100 visits.
func BenchmarkSessionsRSS(b *testing.B) {
	a := test.NewApp()
	defer a.Quit()
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1080, 1920))
	var q workQueue
	m := flow.New(flow.Deps{Centre: happyCentre{}, Scanner: greyScanner{}, Submitter: doneSubmitter{},
		EncodeRecord: func(*image.Gray, int, int) ([]byte, error) { return make([]byte, 4096), nil },
		Services:     flow.Services(), Menu: []flow.ServiceItem{{ID: domain.UpdateMobile, Enabled: true}},
		Go: q.Go})
	s := NewScreens(m, 0)
	if _, err := ui.New(a, w, s, ui.Options{}); err != nil {
		b.Fatal(err)
	}
	id, _ := pii.WithCheckDigit("100000123")
	// The screens arm the scanner from a timer's goroutine, and events
	// sent while another goroutine is delivering a view are applied by
	// that goroutine: so each step is awaited, running the flow's queued
	// work meanwhile, rather than assumed done when Send returns.
	settle := func(want flow.Step) {
		deadline := time.Now().Add(30 * time.Second) // a guard against a hang, not a measurement
		for m.View().Step != want {
			if time.Now().After(deadline) {
				b.Fatalf("the visit stopped at %+v, waiting for %s", m.View(), want)
			}
			q.drain()
			runtime.Gosched()
		}
	}
	keys := func(digits string) {
		for _, r := range digits {
			s.Send(ui.Event{Kind: ui.EvKey, Key: r})
		}
		s.Send(ui.Event{Kind: ui.EvConfirm})
	}
	visit := func() {
		s.Send(ui.Event{Kind: ui.EvTouch})
		s.Send(ui.Event{Kind: ui.EvLanguage, Value: "en"})
		keys(id)
		settle(flow.StepMenu)
		s.Send(ui.Event{Kind: ui.EvService, Value: "update_mobile"})
		settle(flow.StepMobileEntry)
		keys("0512345678")
		settle(flow.StepMobileCode)
		keys("123456")
		settle(flow.StepResult)
		if v := s.View(); v.Screen != ui.ScreenResult || !v.Done {
			b.Fatalf("visit ended at %+v (flow: %+v)", v, m.View())
		}
		s.Send(ui.Event{Kind: ui.EvConfirm})
		s.Send(ui.Event{Kind: ui.EvFinish})
		settle(flow.StepAttract)
	}
	for range 20 { // warm: caches, fonts and the theme settle first
		visit()
	}
	w.Canvas().Capture()
	for range b.N {
		debug.FreeOSMemory()
		before := rssKiB(b)
		curve := []string{strconv.Itoa(before)}
		for i := 1; i <= *visits; i++ {
			visit()
			if i%10 == 0 {
				// Paint, as a screen would: painting is also when Fyne
				// drops renderers of widgets that left the screen.
				w.Canvas().Capture()
			}
			if i%100 == 0 {
				debug.FreeOSMemory()
				curve = append(curve, strconv.Itoa(rssKiB(b)))
			}
		}
		after := rssKiB(b)
		// Fyne keeps the renderers of widgets that left the screen for a
		// minute of wall time and drops them at the next paint after that;
		// the test driver runs visits far faster than people do, so the
		// curve above holds about a minute's worth of screens. Let that
		// minute pass, paint once, and read again: what is left is what
		// the kiosk itself keeps.
		b.StopTimer()
		time.Sleep(61 * time.Second)
		w.Canvas().Capture()
		debug.FreeOSMemory()
		settled := rssKiB(b)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.StartTimer()
		b.Logf("RSS KiB every 100 visits: %s; a minute later: %d (live heap %d KiB)", strings.Join(curve, " "), settled, ms.HeapAlloc>>10)
		b.ReportMetric(float64(ms.HeapAlloc>>10), "KiB-live-heap-settled")
		b.ReportMetric(float64(before), "KiB-before")
		b.ReportMetric(float64(after), "KiB-after")
		b.ReportMetric(float64(settled), "KiB-settled")
	}
}

package app

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/png"
	"math/rand"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/scanners"
	"github.com/absher-kiosk/kiosk/devices/usb"
	"github.com/absher-kiosk/kiosk/devices/usb/usbtest"
	"github.com/absher-kiosk/kiosk/internal/centretest"
	"github.com/absher-kiosk/kiosk/kiosk/simscanner"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
)

// recordedScanner opens the nb1010 scanner replayed by umockdev through
// the kiosk's USB bus and scanner manager, as the program does.
func recordedScanner(t *testing.T) *fingerprint.Manager {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bus := usb.Open()
	t.Cleanup(func() { bus.Close() })
	m := scanners.NewManager(bus, nil)
	t.Cleanup(func() { m.Close() })
	if err := m.Poll(ctx); err != nil {
		t.Fatalf("open the recorded scanner: %v", err)
	}
	if st := m.Status(); st.State != fingerprint.Online {
		t.Fatalf("recorded scanner status %+v, want online", st)
	}
	return m
}

// enrolledWithRecording is the showcase person the demo population enrols
// with the recorded scanner's capture when the recordings are present.
func enrolledWithRecording(t *testing.T, ppl []people.Person) people.Person {
	t.Helper()
	for _, p := range ppl {
		for _, f := range p.Fingers {
			if f.Fixture != "" {
				return p
			}
		}
	}
	t.Fatal("no demo person is enrolled with the recorded capture")
	return people.Person{}
}

// TestUpdateMobileWithRecordedScanner walks Update Mobile on the screens'
// events with the real nb1010 recording, replayed under umockdev, as the
// kiosk's scanner: the real USB driver reads the finger, the kiosk wraps
// it as an ISO/IEC 19794-4 record, the real centre over TLS matches it
// against the person enrolled with that capture, and the change goes
// through the real outbox to the centre.
func TestUpdateMobileWithRecordedScanner(t *testing.T) {
	if testing.Short() {
		t.Skip("replays a USB recording and starts the centre with the demo population")
	}
	rec := usbtest.Fixture(t, "nb1010")
	if !usbtest.Replay(t, rec) {
		return
	}
	dw := newDemoWorld(t, filepath.Dir(rec.Dir))
	person := enrolledWithRecording(t, dw.ppl)
	w := &world{s: dw.s, client: dw.client, queue: openQueue(t), id: person.ID,
		tls: &http.Client{Transport: &http.Transport{TLSClientConfig: centretest.TLS(t, dw.s)}}}
	scanner := ManagerScanner{M: recordedScanner(t)}

	k := updateMobileKiosk(w.client, scanner, w.delivering(t))
	k.toFingerprint(t, "ar", person.ID)
	v := k.await(t, "past the fingerprint", func(v ui.View) bool { return v.Screen != ui.ScreenFinger })
	if v.Screen != ui.ScreenMobile {
		t.Fatalf("after the recorded finger: step %v problem %q, want the new mobile number", v.Screen, v.Problem)
	}
	mobile := "0598765432"
	if strings.HasSuffix(person.Mobile, mobile[1:]) {
		mobile = "0598765433"
	}
	k.typeDigits(mobile)
	k.send(ui.Event{Kind: ui.EvConfirm})
	k.await(t, "code", func(v ui.View) bool { return v.Screen == ui.ScreenCode })
	k.typeDigits(w.code(t, "+966"+mobile[1:]))
	k.send(ui.Event{Kind: ui.EvConfirm})
	v = k.await(t, "result", step(ui.ScreenResult))
	if !v.Done || !strings.HasPrefix(v.Reference, "K-") {
		t.Fatalf("result %+v, want the centre's acknowledgement", v)
	}
	if st, _ := w.queue.Stats(context.Background()); st.Depth != 0 {
		t.Fatalf("the change is still queued: %+v", st)
	}
}

// recordedCapture is the image the recorded scanner produces, read from
// the recording's capture.png.
func recordedCapture(tb testing.TB, rec usbtest.Recording) *image.Gray {
	tb.Helper()
	f, err := os.Open(rec.File("capture.png"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	src, err := png.Decode(f)
	if err != nil {
		tb.Fatal(err)
	}
	grey := image.NewGray(src.Bounds())
	draw.Draw(grey, grey.Bounds(), src, src.Bounds().Min, draw.Src)
	return grey
}

// BenchmarkVerifyRoundTripRecorded times the fingerprint verification
// round trip from the kiosk's centre client to the real centre over TLS on
// loopback: the recorded nb1010 capture as an ISO/IEC 19794-4 record, the
// centre's template extraction and 1:1 match against the person enrolled
// with it, and the answer. Each op starts a fresh verification (StartVerification
// is timed apart) because a verification allows three tries.
func BenchmarkVerifyRoundTripRecorded(b *testing.B) {
	rec := usbtest.Fixture(b, "nb1010")
	grey := recordedCapture(b, rec)
	record, err := EncodeRecord(grey, 500, fingerprint.RightIndex)
	if err != nil {
		b.Fatal(err)
	}
	dw := newDemoWorld(b, filepath.Dir(rec.Dir))
	var person people.Person
	for _, p := range dw.ppl {
		for _, fg := range p.Fingers {
			if fg.Fixture != "" {
				person = p
			}
		}
	}
	if person.ID == "" {
		b.Fatal("no demo person is enrolled with the recorded capture")
	}
	ctx := context.Background()
	var starts, verifies []time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		v, err := dw.client.StartVerification(ctx, person.ID)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		res, err := dw.client.VerifyFinger(ctx, v.Ref, record, fingerprint.RightIndex)
		if err != nil {
			b.Fatal(err)
		}
		if !res.Matched {
			b.Fatalf("the recorded capture did not match its own enrolment: %+v", res)
		}
		starts, verifies = append(starts, t1.Sub(t0)), append(verifies, time.Since(t1))
	}
	b.StopTimer()
	report := func(name string, d []time.Duration) {
		slices.Sort(d)
		b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, name+"-median-ms")
		b.ReportMetric(float64(d[(len(d)*99)/100].Microseconds())/1000, name+"-p99-ms")
	}
	report("start", starts)
	report("verify", verifies)
}

// TestSimulatorPresentsTheRecording: in demo mode the simulator presents
// the recorded capture for the person enrolled with it, and the real
// centre matches it, so that person's story works without the scanner.
func TestSimulatorPresentsTheRecording(t *testing.T) {
	rec := usbtest.Fixture(t, "nb1010")
	grey := recordedCapture(t, rec)

	kept := bytes.Clone(grey.Pix)
	dw := newDemoWorld(t, filepath.Dir(rec.Dir))
	person := enrolledWithRecording(t, dw.ppl)
	w := &world{s: dw.s, client: dw.client, queue: openQueue(t), id: person.ID}
	sim := simscanner.New(func(string) int64 { return 1 }, rand.New(rand.NewSource(2)))
	sim.Recorded = func(id string) *image.Gray {
		if id == person.ID {
			return grey
		}
		return nil
	}
	k := updateMobileKiosk(simscanner.Presenting{Centre: w.client, Scanner: sim}, sim, refuseQueued{t})
	k.toFingerprint(t, "en", person.ID)
	if v := k.await(t, "past the fingerprint", func(v ui.View) bool { return v.Screen != ui.ScreenFinger }); v.Screen != ui.ScreenMobile {
		t.Fatalf("after the presented recording: step %v problem %q", v.Screen, v.Problem)
	}
	k.send(ui.Event{Kind: ui.EvCancel})
	k.await(t, "attract", step(ui.ScreenAttract))
	if !bytes.Equal(grey.Pix, kept) {
		t.Fatal("the visit's wipe zeroed the simulator's own image: the next visit would present a blank finger")
	}
}

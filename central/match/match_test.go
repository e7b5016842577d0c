package match

import (
	"context"
	"errors"
	"image"
	"image/png"
	"math/rand"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/fingerprint/synth"
	"github.com/absher-kiosk/kiosk/devices/usb/usbtest"
)

// The nb1010 sets no resolution; libfprint assumes 500 ppi for it.
const nb1010DPI = 500

func loadPNG(t testing.TB, path string) image.Image {
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("fixture %s is absent (%v); it comes with the shared libfprint fixtures", path, err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return img
}

func TestNB1010CaptureVerifiesAgainstItself(t *testing.T) {
	img := loadPNG(t, usbtest.Fixture(t, "nb1010").File("capture.png"))
	m := New()
	tp, err := m.Template(img, nb1010DPI)
	if err != nil {
		t.Fatalf("template of the nb1010 capture: %v", err)
	}
	if tp.Minutiae() < 12 {
		t.Fatalf("nb1010 capture gave %d minutiae; too few to enrol", tp.Minutiae())
	}
	score, ok, err := m.Verify(context.Background(), img, nb1010DPI, []*Template{tp})
	if err != nil || !ok {
		t.Fatalf("nb1010 capture against itself: score %.1f ok %v err %v (threshold %.1f)", score, ok, err, m.Threshold())
	}
	// A synthetic finger must not be taken for it.
	f := synth.NewFinger(42)
	s, ok, err := m.Verify(context.Background(), f.Capture(rand.New(rand.NewSource(1))), synth.DPI, []*Template{tp})
	if err != nil || ok {
		t.Fatalf("synthetic finger against the nb1010 enrolment: score %.1f ok %v err %v", s, ok, err)
	}
	t.Logf("nb1010: %d minutiae, self score %.1f, synthetic impostor %.1f", tp.Minutiae(), score, s)
}

func TestTemplateRejectsBadInput(t *testing.T) {
	m := New()
	cases := []struct {
		name string
		img  image.Image
		dpi  int
	}{
		{"nil image", nil, 500},
		{"tiny", image.NewGray(image.Rect(0, 0, 10, 10)), 500},
		{"huge", image.NewGray(image.Rect(0, 0, 3000, 10)), 500},
		{"dpi zero", image.NewGray(image.Rect(0, 0, 100, 100)), 0},
		{"dpi absurd", image.NewGray(image.Rect(0, 0, 100, 100)), 100000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := m.Template(c.img, c.dpi); err == nil {
				t.Fatal("want an error")
			}
		})
	}
	blank := image.NewGray(image.Rect(0, 0, 200, 200))
	for i := range blank.Pix {
		blank.Pix[i] = 230
	}
	if _, err := m.Template(blank, 500); !errors.Is(err, ErrNoMinutiae) {
		t.Fatalf("blank image: got %v, want ErrNoMinutiae", err)
	}
}

func TestVerifyBestAcrossEnrolledAndContext(t *testing.T) {
	m := New()
	a, b := synth.NewFinger(7), synth.NewFinger(8)
	r := rand.New(rand.NewSource(3))
	ta, err := m.Template(a.Capture(r), synth.DPI)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := m.Template(b.Capture(r), synth.DPI)
	if err != nil {
		t.Fatal(err)
	}
	probe := a.Capture(r)
	s1, ok, err := m.Verify(context.Background(), probe, synth.DPI, []*Template{tb, ta})
	if err != nil || !ok {
		t.Fatalf("genuine among two enrolled: score %.1f ok %v err %v", s1, ok, err)
	}
	s2, ok, err := m.Verify(context.Background(), probe, synth.DPI, []*Template{tb})
	if err != nil || ok || s2 >= s1 {
		t.Fatalf("impostor only: score %.1f ok %v err %v (genuine %.1f)", s2, ok, err, s1)
	}
	if _, _, err := m.Verify(context.Background(), probe, synth.DPI, nil); err == nil {
		t.Fatal("no enrolled templates: want an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := m.Verify(ctx, probe, synth.DPI, []*Template{ta}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: got %v", err)
	}
	if got := NewWithThreshold(1e9); func() bool {
		_, ok, _ := got.Verify(context.Background(), probe, synth.DPI, []*Template{ta})
		return ok
	}() {
		t.Fatal("an unreachable threshold accepted")
	}
}

func BenchmarkTemplate(b *testing.B) {
	m := New()
	img := synth.NewFinger(5).Capture(rand.New(rand.NewSource(5)))
	for b.Loop() {
		if _, err := m.Template(img, synth.DPI); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify reports the median and 99th percentile of one Verify
// (probe extraction plus one comparison) besides the mean.
func BenchmarkVerify(b *testing.B) {
	m := New()
	f := synth.NewFinger(6)
	r := rand.New(rand.NewSource(6))
	enrolled, err := m.Template(f.Capture(r), synth.DPI)
	if err != nil {
		b.Fatal(err)
	}
	probes := make([]image.Image, 8)
	for i := range probes {
		probes[i] = f.Capture(r)
	}
	var d []time.Duration
	i := 0
	for b.Loop() {
		t0 := time.Now()
		if _, _, err := m.Verify(context.Background(), probes[i%len(probes)], synth.DPI, []*Template{enrolled}); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(t0))
		i++
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds())/1000, "p99-ms")
}

// Synthetic captures must carry real minutiae in numbers like a real
// print of that area (30–80 on 13×16 mm), not a handful or hundreds.
func TestSyntheticMinutiaeCount(t *testing.T) {
	m := New()
	for seed := int64(100); seed < 106; seed++ {
		tp, err := m.Template(synth.NewFinger(seed).Capture(rand.New(rand.NewSource(seed))), synth.DPI)
		if err != nil {
			t.Fatal(err)
		}
		if n := tp.Minutiae(); n < 20 || n > 120 {
			t.Errorf("seed %d: %d minutiae", seed, n)
		}
		t.Logf("seed %d (%v): %d minutiae", seed, synth.NewFinger(seed).Class(), tp.Minutiae())
	}
}

// BenchmarkScore is one comparison of two extracted templates.
func BenchmarkScore(b *testing.B) {
	m := New()
	f := synth.NewFinger(9)
	r := rand.New(rand.NewSource(9))
	p, err := m.Template(f.Capture(r), synth.DPI)
	if err != nil {
		b.Fatal(err)
	}
	c, err := m.Template(f.Capture(r), synth.DPI)
	if err != nil {
		b.Fatal(err)
	}
	cands := []*Template{c}
	for b.Loop() {
		if _, err := m.Scores(context.Background(), p, cands); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScores10Impostors is a 1:N search of one probe against ten
// other fingers, the probe indexed once.
func BenchmarkScores10Impostors(b *testing.B) {
	m := New()
	p, err := m.Template(synth.NewFinger(9).Capture(rand.New(rand.NewSource(9))), synth.DPI)
	if err != nil {
		b.Fatal(err)
	}
	var cands []*Template
	for s := int64(20); s < 30; s++ {
		c, err := m.Template(synth.NewFinger(s).Capture(rand.New(rand.NewSource(s))), synth.DPI)
		if err != nil {
			b.Fatal(err)
		}
		cands = append(cands, c)
	}
	for b.Loop() {
		if _, err := m.Scores(context.Background(), p, cands); err != nil {
			b.Fatal(err)
		}
	}
}

package match

import (
	"context"
	"flag"
	"math/rand"
	"runtime"
	"sort"
	"sync"
	"testing"

	"github.com/absher-kiosk/kiosk/devices/fingerprint/synth"
)

// The committed test uses 200 fingers; docs/biometrics.md was measured
// with -roc.fingers=400 -roc.per=30.
var (
	rocFingers = flag.Int("roc.fingers", 200, "fingers in the error-rate test")
	rocPer     = flag.Int("roc.per", 12, "impostor comparisons per finger")
)

// pairTemplates extracts two captures of each of n fingers, each once,
// spread over all cores.
func pairTemplates(t testing.TB, m *Matcher, first int64, n int) [][2]*Template {
	out := make([][2]*Template, n)
	var wg sync.WaitGroup
	jobs := make(chan int)
	errs := make(chan error, n)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				seed := first + int64(i)
				f := synth.NewFinger(seed)
				r := rand.New(rand.NewSource(seed * 7919))
				for k := 0; k < 2; k++ {
					tp, err := m.Template(f.Capture(r), synth.DPI)
					if err != nil {
						errs <- err
						continue
					}
					out[i][k] = tp
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("extract: %v", err)
	}
	return out
}

// scores returns genuine scores (two captures of one finger) and
// impostor scores (first capture of finger i against first capture of
// the next `per` fingers).
func scores(t testing.TB, m *Matcher, tp [][2]*Template, per int) (gen, imp []float64) {
	ctx := context.Background()
	n := len(tp)
	gen = make([]float64, n)
	imp = make([]float64, n*per)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				cands := make([]*Template, per+1)
				cands[0] = tp[i][0]
				for j := 0; j < per; j++ {
					cands[j+1] = tp[(i+1+j)%n][0]
				}
				s, err := m.Scores(ctx, tp[i][1], cands)
				if err != nil {
					t.Error(err)
					return
				}
				gen[i] = s[0]
				copy(imp[i*per:(i+1)*per], s[1:])
			}
		}(w)
	}
	wg.Wait()
	sort.Float64s(gen)
	sort.Float64s(imp)
	return gen, imp
}

func rate(s []float64, thr float64) float64 {
	n := 0
	for _, v := range s {
		if v >= thr {
			n++
		}
	}
	return float64(n) / float64(len(s))
}

func quantile(s []float64, q float64) float64 { return s[int(q*float64(len(s)-1))] }

// TestErrorRates holds the threshold to its promise on a fixed set:
// 200 fingers give 200 genuine pairs and 200×12 = 2400 impostor pairs,
// so 0.1% allows at most 2 false matches.
func TestErrorRates(t *testing.T) {
	if testing.Short() {
		t.Skip("error-rate measurement extracts 400 templates; skipped in -short")
	}
	m := New()
	n, per := max(*rocFingers, 200), max(*rocPer, 12)
	tp := pairTemplates(t, m, 1_000_000, n)
	gen, imp := scores(t, m, tp, per)
	tar, far := rate(gen, m.Threshold()), rate(imp, m.Threshold())
	t.Logf("genuine: min %.1f p1 %.1f median %.1f; impostor: median %.1f p99 %.1f p99.9 %.1f max %.1f",
		gen[0], quantile(gen, 0.01), quantile(gen, 0.5), quantile(imp, 0.5), quantile(imp, 0.99), quantile(imp, 0.999), imp[len(imp)-1])
	t.Logf("%d genuine pairs, %d impostor pairs", len(gen), len(imp))
	t.Logf("threshold %.1f: genuine accepted %.2f%%, impostors accepted %.3f%%", m.Threshold(), 100*tar, 100*far)
	if tar < 0.99 {
		t.Errorf("genuine acceptance %.2f%% < 99%%", 100*tar)
	}
	if far > 0.001 {
		t.Errorf("impostor acceptance %.3f%% > 0.1%%", 100*far)
	}
}

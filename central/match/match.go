// Package match turns fingerprint images into minutiae templates and
// compares them, using the SourceAFIS algorithm. Scores are SourceAFIS
// similarity scores: 0 for unrelated prints, growing with the number of
// consistently paired minutiae.
package match

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sync"

	"github.com/jtejido/sourceafis"
	"github.com/jtejido/sourceafis/config"
	"github.com/jtejido/sourceafis/templates"
)

// DefaultThreshold is the score chosen from the genuine and impostor
// distributions measured over synthetic fingers (docs/biometrics.md).
const DefaultThreshold = 100.0

// Template is the extracted minutiae of one impression. It holds no
// image and is immutable once built.
type Template struct {
	st       *templates.SearchTemplate
	minutiae int
}

// Minutiae is the number of minutiae found; a template with very few
// is a poor enrolment.
func (t *Template) Minutiae() int { return t.minutiae }

// Matcher extracts templates and verifies probes. It is safe for
// concurrent use: every call builds its own extractor and matcher state.
type Matcher struct {
	threshold float64
}

var configOnce sync.Once

// New returns a matcher with the measured DefaultThreshold.
func New() *Matcher { return NewWithThreshold(DefaultThreshold) }

// NewWithThreshold returns a matcher that accepts scores ≥ t.
func NewWithThreshold(t float64) *Matcher {
	configOnce.Do(config.LoadDefaultConfig)
	return &Matcher{threshold: t}
}

// Threshold is the score at or above which Verify accepts.
func (m *Matcher) Threshold() float64 { return m.threshold }

// quiet discards the algorithm's step-by-step diagnostics, which would
// otherwise be serialised on every call.
type quiet struct{}

func (quiet) Accepts(string) bool                 { return false }
func (quiet) Accept(string, string, []byte) error { return nil }

var logger = sourceafis.NewTransparencyLogger(quiet{})

// Smallest and largest images accepted: below one ridge block there is
// nothing to extract, above a few megapixels the input is not a finger.
const (
	minSide = 32
	maxSide = 2000
)

// ErrNoMinutiae means the image held no usable ridges; capture again.
var ErrNoMinutiae = errors.New("match: no minutiae found in the image; capture the finger again")

// Template extracts the minutiae of img scanned at dpi pixels per inch.
func (m *Matcher) Template(img image.Image, dpi int) (*Template, error) {
	if img == nil {
		return nil, errors.New("match: nil image")
	}
	if dpi < 100 || dpi > 2000 {
		return nil, fmt.Errorf("match: resolution %d dpi is outside 100..2000; pass the scanner's real resolution", dpi)
	}
	b := img.Bounds()
	if b.Dx() < minSide || b.Dy() < minSide || b.Dx() > maxSide || b.Dy() > maxSide {
		return nil, fmt.Errorf("match: image %dx%d is outside %d..%d pixels per side", b.Dx(), b.Dy(), minSide, maxSide)
	}
	si, err := sourceafis.New(image.Rect(0, 0, b.Dx(), b.Dy()), sourceafis.WithResolution(float64(dpi)))
	if err != nil {
		return nil, fmt.Errorf("match: prepare image: %w", err)
	}
	mx := si.Matrix()
	// SourceAFIS expects ridges (dark) as values near 1.
	if g, ok := img.(*image.Gray); ok {
		for y := 0; y < b.Dy(); y++ {
			row := g.Pix[(y+b.Min.Y-g.Rect.Min.Y)*g.Stride+(b.Min.X-g.Rect.Min.X):]
			for x := 0; x < b.Dx(); x++ {
				mx.Set(x, y, 1-float64(row[x])/255)
			}
		}
	} else {
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				r, gg, bb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				mx.Set(x, y, 1-float64(r+gg+bb)/(3*65535))
			}
		}
	}
	st, err := sourceafis.NewTemplateCreator(logger).Template(si)
	if err != nil {
		return nil, fmt.Errorf("match: extract minutiae: %w", err)
	}
	if len(st.Minutiae) == 0 {
		return nil, ErrNoMinutiae
	}
	return &Template{st: st, minutiae: len(st.Minutiae)}, nil
}

// Score compares two templates; the result does not depend on which is
// the probe more than the algorithm itself allows.
func (m *Matcher) Score(ctx context.Context, probe, candidate *Template) (float64, error) {
	if probe == nil || candidate == nil {
		return 0, errors.New("match: nil template")
	}
	mt, err := sourceafis.NewMatcher(logger, probe.st)
	if err != nil {
		return 0, fmt.Errorf("match: index probe: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return mt.Match(ctx, candidate.st), nil
}

// Verify extracts the probe and returns its best score across the
// enrolled templates; ok reports whether that score reaches the threshold.
func (m *Matcher) Verify(ctx context.Context, probe image.Image, dpi int, enrolled []*Template) (float64, bool, error) {
	if len(enrolled) == 0 {
		return 0, false, errors.New("match: no enrolled templates to verify against")
	}
	pt, err := m.Template(probe, dpi)
	if err != nil {
		return 0, false, err
	}
	return m.VerifyTemplate(ctx, pt, enrolled)
}

// VerifyTemplate is Verify for a probe already extracted.
func (m *Matcher) VerifyTemplate(ctx context.Context, probe *Template, enrolled []*Template) (float64, bool, error) {
	if len(enrolled) == 0 {
		return 0, false, errors.New("match: no enrolled templates to verify against")
	}
	all, err := m.Scores(ctx, probe, enrolled)
	if err != nil {
		return 0, false, err
	}
	best := 0.0
	for _, s := range all {
		best = max(best, s)
	}
	return best, best >= m.threshold, nil
}

// Scores compares one probe with many candidates, indexing the probe
// once; this is the 1:N search.
func (m *Matcher) Scores(ctx context.Context, probe *Template, candidates []*Template) ([]float64, error) {
	if probe == nil {
		return nil, errors.New("match: nil probe template")
	}
	mt, err := sourceafis.NewMatcher(logger, probe.st)
	if err != nil {
		return nil, fmt.Errorf("match: index probe: %w", err)
	}
	out := make([]float64, len(candidates))
	for i, c := range candidates {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("match: comparison cancelled: %w", err)
		}
		if c == nil {
			return nil, fmt.Errorf("match: candidate template %d is nil", i)
		}
		out[i] = mt.Match(ctx, c.st)
	}
	return out, nil
}

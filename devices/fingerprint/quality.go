package fingerprint

import (
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
)

// Reason is a stable code for why a capture was refused; the UI maps it to
// a sentence in the user's language through Hint.
type Reason string

const (
	ReasonNone             Reason = ""
	ReasonEmpty            Reason = "empty"
	ReasonTooDark          Reason = "too_dark"
	ReasonTooLight         Reason = "too_light"
	ReasonTooSmall         Reason = "too_small"
	ReasonOffCentre        Reason = "off_centre"
	ReasonTooLittleContact Reason = "too_little_contact"
)

// Hint is the translation key of what the user should do about r.
func (r Reason) Hint() string {
	switch r {
	case ReasonEmpty:
		return "fingerprint.hint.place_finger"
	case ReasonTooDark:
		return "fingerprint.hint.press_lighter"
	case ReasonTooLight, ReasonTooLittleContact:
		return "fingerprint.hint.press_harder"
	case ReasonTooSmall:
		return "fingerprint.hint.whole_fingertip"
	case ReasonOffCentre:
		return "fingerprint.hint.centre_finger"
	}
	return ""
}

// Quality is the gate's verdict on one capture.
type Quality struct {
	// Score is 0–100, as the finger image record's quality field wants it.
	Score  int
	Reason Reason
	// Contact is the share of the image that shows ridges, 0–1.
	Contact float64
}

// OK reports whether the capture passed.
func (q Quality) OK() bool { return q.Reason == ReasonNone }

// RefusedError is returned for a capture the gate refuses.
type RefusedError struct{ Quality Quality }

func (e *RefusedError) Error() string {
	return fmt.Sprintf("fingerprint: capture refused (%s); ask the user to try again", e.Quality.Reason)
}

// Thresholds of the gate. They were set on the recorded captures of both
// supported sensors, whose contrast differs by a factor of ten (the NB-1010
// spans 0–231, the TouchChip 191–232), so ridges are found relative to the
// image's own contrast and only the extremes are absolute.
const (
	// minSideMM: a capture narrower or shorter than this cannot hold enough
	// of a fingertip (a short swipe produces such images).
	minSideMM = 6.0
	// emptyRange: grey range (1st to 90th percentile) of a bare sensor.
	emptyRange = 12
	// faintRange: below this range the ridges are too pale to use.
	faintRange = 25
	// darkMedian: when half the image is this dark, it is smudged.
	darkMedian = 60
	// minBlockStd and relBlockStd decide which blocks hold ridges: a
	// block's spread must reach both the absolute floor and this share of
	// the image's 90th-percentile block spread.
	minBlockStd = 4
	relBlockStd = 0.3
	// minContact is the share of blocks that must show ridges.
	minContact = 0.2
	// maxOffCentre is how far (as a share of the side) the ridge area's
	// centre may lie from the image centre.
	maxOffCentre = 0.25
	// maxDPI is far above any fingerprint sensor; more is a corrupt value.
	maxDPI = 10000
)

// Assess grades img, captured at dpi.
func Assess(img *image.Gray, dpi int) (Quality, error) {
	if img == nil || img.Rect.Empty() {
		return Quality{}, errors.New("fingerprint: no image to assess")
	}
	if dpi <= 0 || dpi > maxDPI {
		return Quality{}, fmt.Errorf("fingerprint: resolution %d dpi is not usable", dpi)
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if mm := float64(min(w, h)) * 25.4 / float64(dpi); mm < minSideMM {
		return Quality{Reason: ReasonTooSmall}, nil
	}
	var hist [256]int
	for y := range h {
		row := img.Pix[(y)*img.Stride : y*img.Stride+w]
		for _, v := range row {
			hist[v]++
		}
	}
	n := w * h
	p1, p50, p90 := percentile(&hist, n, 0.01), percentile(&hist, n, 0.5), percentile(&hist, n, 0.9)
	spread := p90 - p1
	switch {
	case spread < emptyRange:
		return Quality{Reason: ReasonEmpty}, nil
	case p50 < darkMedian:
		return Quality{Reason: ReasonTooDark}, nil
	case spread < faintRange:
		return Quality{Reason: ReasonTooLight}, nil
	}

	bs := max(8, dpi*16/500)
	type block struct {
		x, y int
		std  float64
	}
	var blocks []block
	for by := 0; by+bs <= h; by += bs {
		for bx := 0; bx+bs <= w; bx += bs {
			var s, s2 float64
			for y := by; y < by+bs; y++ {
				for _, v := range img.Pix[y*img.Stride+bx : y*img.Stride+bx+bs] {
					f := float64(v)
					s += f
					s2 += f * f
				}
			}
			m := s / float64(bs*bs)
			blocks = append(blocks, block{bx, by, math.Sqrt(max(0, s2/float64(bs*bs)-m*m))})
		}
	}
	if len(blocks) == 0 {
		// Smaller than one block: cannot hold a fingertip at this resolution.
		return Quality{Reason: ReasonTooSmall}, nil
	}
	stds := make([]float64, len(blocks))
	for i, b := range blocks {
		stds[i] = b.std
	}
	slices.Sort(stds)
	cut := max(minBlockStd, relBlockStd*stds[len(stds)*9/10])
	var fg int
	var cx, cy float64
	for _, b := range blocks {
		if b.std >= cut {
			fg++
			cx += float64(b.x) + float64(bs)/2
			cy += float64(b.y) + float64(bs)/2
		}
	}
	contact := float64(fg) / float64(len(blocks))
	q := Quality{Contact: contact, Score: score(contact, spread)}
	switch {
	case contact < minContact:
		q.Reason = ReasonTooLittleContact
	case math.Abs(cx/float64(fg)/float64(w)-0.5) > maxOffCentre || math.Abs(cy/float64(fg)/float64(h)-0.5) > maxOffCentre:
		q.Reason = ReasonOffCentre
	}
	return q, nil
}

// score rises with contact (full marks from half the image) and contrast
// (full marks from a grey range of 40).
func score(contact float64, spread int) int {
	return int(math.Round(100 * min(1, contact/0.5) * min(1, float64(spread)/40)))
}

func percentile(hist *[256]int, n int, p float64) int {
	target := int(p * float64(n))
	acc := 0
	for v, c := range hist {
		acc += c
		if acc > target {
			return v
		}
	}
	return 255
}

// Check runs the gate on a capture and returns a *RefusedError for a
// capture that should be taken again.
func Check(c *Capture) (Quality, error) {
	if c == nil {
		return Quality{}, errors.New("fingerprint: no capture to check")
	}
	q, err := Assess(c.Image, c.DPI)
	if err != nil {
		return q, err
	}
	if !q.OK() {
		return q, &RefusedError{Quality: q}
	}
	return q, nil
}

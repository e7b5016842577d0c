package synth

import (
	"image"
	"math"
	"math/rand"
)

// Capture returns one impression of the finger, CaptureWidth×CaptureHeight
// at 500 dpi, dark ridges on a light background. Everything that varies
// between impressions is drawn from r, so the same finger and the same
// source give the same image. A nil r stands for a source seeded with
// the finger's own seed.
func (f *Finger) Capture(r *rand.Rand) *image.Gray {
	if r == nil {
		r = rand.New(rand.NewSource(f.seed))
	}
	fld := f.master()

	rot := (r.Float64() - 0.5) * 2 * 12 * math.Pi / 180 // ±12°
	sx := (r.Float64() - 0.5) * 2 * 18                  // placement on the glass, pixels
	sy := (r.Float64() - 0.5) * 2 * 22
	pressure := r.Float64()                                // 0 light … 1 heavy
	thr := 0.25 - 0.5*pressure                             // heavy pressure widens ridges
	contrast := 150 + r.Float64()*80                       // ridge-to-valley grey difference
	bg := 215 + r.Float64()*30                             // background grey
	noise := 6 + r.Float64()*8                             // sensor noise, grey levels
	contact := 0.78 + 0.3*pressure                         // fraction of the fingertip touching
	cdx, cdy := (r.Float64()-0.5)*40, (r.Float64()-0.5)*50 // off-centre contact
	// A gentle skin stretch: the finger is not a rigid body on the glass.
	wa, wp := r.Float64()*2.5, r.Float64()*2*math.Pi

	cos, sin := math.Cos(rot), math.Sin(rot)
	cxm, cym := masterW/2.0+sx, masterH/2.0+sy
	img := image.NewGray(image.Rect(0, 0, CaptureWidth, CaptureHeight))
	buf := make([]float64, CaptureWidth*CaptureHeight)
	for y := 0; y < CaptureHeight; y++ {
		for x := 0; x < CaptureWidth; x++ {
			u := float64(x) - CaptureWidth/2
			v := float64(y) - CaptureHeight/2
			u += wa * math.Sin(v/60+wp)
			mx := cxm + u*cos - v*sin
			my := cym + u*sin + v*cos
			val := bilinear(fld, mx, my)
			m := fingerMask(mx, my) * contactMask(mx-cdx, my-cdy, contact)
			d := smooth((val - thr + 0.2) / 0.4)
			buf[y*CaptureWidth+x] = bg - contrast*d*m
		}
	}
	// Optics blur the ridges slightly before the sensor adds its noise.
	for y := 0; y < CaptureHeight; y++ {
		for x := 0; x < CaptureWidth; x++ {
			var s float64
			var n int
			for dy := -1; dy <= 1; dy++ {
				yy := y + dy
				if yy < 0 || yy >= CaptureHeight {
					continue
				}
				for dx := -1; dx <= 1; dx++ {
					xx := x + dx
					if xx < 0 || xx >= CaptureWidth {
						continue
					}
					w := 1.0
					if dx == 0 && dy == 0 {
						w = 4
					}
					s += w * buf[yy*CaptureWidth+xx]
					n += int(w)
				}
			}
			g := s/float64(n) + r.NormFloat64()*noise
			img.Pix[y*img.Stride+x] = uint8(math.Round(max(0, min(255, g))))
		}
	}
	return img
}

// contactMask is the part of the fingertip pressed on the glass: an
// ellipse around the master's centre scaled by the contact fraction.
func contactMask(x, y, frac float64) float64 {
	dx := (x - masterW/2) / (masterW / 2 * frac)
	dy := (y - masterH/2) / (masterH / 2 * frac)
	r := math.Sqrt(dx*dx + dy*dy)
	return clamp01((1 - r) / 0.08)
}

func bilinear(fld []float32, x, y float64) float64 {
	if x < 0 || y < 0 || x >= masterW-1 || y >= masterH-1 {
		return -1
	}
	x0, y0 := int(x), int(y)
	fx, fy := x-float64(x0), y-float64(y0)
	i := y0*masterW + x0
	a := float64(fld[i])*(1-fx) + float64(fld[i+1])*fx
	b := float64(fld[i+masterW])*(1-fx) + float64(fld[i+masterW+1])*fx
	return a*(1-fy) + b*fy
}

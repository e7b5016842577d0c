// Package synth draws synthetic fingerprints for the demo scanner and for
// measuring the matcher. A finger is defined by one seed: its pattern
// class, singular points, ridge period and the noise its ridges grow
// from. Impressions of the same finger differ as real ones do: position,
// rotation, pressure, contact area and sensor noise.
//
// Ridges grow SFinGe-style: random noise is filtered again and again by a
// Gabor filter tuned to the local ridge orientation and period until a
// stable ridge pattern remains. The Gabor kernel is separable in the
// ridge's own frame (a Gaussian along the ridge times a Gaussian-windowed
// cosine across it), so each iteration runs as two oriented 1-D passes;
// that keeps a master under a few hundred milliseconds. Where the
// orientation or period field forces ridges to split or stop, and where
// the starting noise leaves dislocations, real ridge endings and
// bifurcations appear.
package synth

import (
	"image"
	"math"
	"math/rand"
	"sync"
)

// Sizes at 500 dpi. The capture window is 256×320 pixels (13.0×16.3 mm),
// the area of a single-finger optical sensor; the master is larger so
// that shifted and rotated impressions still fall on the finger.
const (
	DPI           = 500
	CaptureWidth  = 256
	CaptureHeight = 320
	masterW       = 352
	masterH       = 416
	pad           = 8 // border of the working field so filter taps need no bounds checks
	angles        = 64
	periods       = 16
	minPeriod     = 7.5
	maxPeriod     = 11.5
	alongTaps     = 5 // each side
	acrossTaps    = 6 // each side
	iterations    = 9
)

// Class is the Henry pattern class of a finger.
type Class int

const (
	Arch Class = iota
	LeftLoop
	RightLoop
	Whorl
)

func (c Class) String() string {
	return [...]string{"arch", "left loop", "right loop", "whorl"}[c]
}

// Finger is one synthetic finger. Its master print is drawn on first use
// and kept; Finger is safe for concurrent use.
type Finger struct {
	seed  int64
	class Class
	once  sync.Once
	field []float32 // ridge field in [-1,1], masterW×masterH; >0 is ridge
}

// NewFinger returns the finger named by seed.
func NewFinger(seed int64) *Finger {
	return &Finger{seed: seed, class: classOf(seed)}
}

func classOf(seed int64) Class {
	r := rand.New(rand.NewSource(seed))
	p := r.Float64()
	switch {
	case p < 0.08:
		return Arch
	case p < 0.40:
		return LeftLoop
	case p < 0.75:
		return RightLoop
	default:
		return Whorl
	}
}

// Class is the pattern class chosen by the seed.
func (f *Finger) Class() Class { return f.class }

// Seed is the seed the finger was made from.
func (f *Finger) Seed() int64 { return f.seed }

// Master is the noiseless print: the whole finger, dark ridges on white.
func (f *Finger) Master() *image.Gray {
	fld := f.master()
	img := image.NewGray(image.Rect(0, 0, masterW, masterH))
	for y := 0; y < masterH; y++ {
		for x := 0; x < masterW; x++ {
			v := fld[y*masterW+x]
			m := fingerMask(float64(x), float64(y))
			d := smooth((float64(v) + 0.1) / 0.35) // ridge darkness in [0,1]
			img.Pix[y*img.Stride+x] = uint8(255 - 230*d*m + 0.5)
		}
	}
	return img
}

// fingerMask is 1 on the fingertip and fades to 0 outside its outline.
func fingerMask(x, y float64) float64 {
	dx := (x - masterW/2) / (masterW/2 - 6)
	dy := (y - masterH/2 - 10) / (masterH/2 - 4)
	if dy < 0 {
		dy *= 1.05 // fingertips are rounder at the top
	}
	r := math.Sqrt(dx*dx + dy*dy)
	return clamp01((1 - r) / 0.04)
}

func (f *Finger) master() []float32 {
	f.once.Do(func() { f.field = grow(f.seed, f.class) })
	return f.field
}

// singular holds the cores and deltas of the Sherlock–Monro zero-pole
// model, in master pixel coordinates.
type singular struct {
	cores, deltas []complex128
	archBend      float64
}

func placeSingular(r *rand.Rand, c Class) singular {
	cx := masterW/2 + (r.Float64()-0.5)*40
	cy := masterH/2 - 30 + (r.Float64()-0.5)*40
	var s singular
	switch c {
	case Arch:
		s.archBend = 0.5 + r.Float64()*0.6
	case LeftLoop, RightLoop:
		side := 1.0
		if c == LeftLoop {
			side = -1
		}
		s.cores = []complex128{complex(cx, cy)}
		s.deltas = []complex128{complex(cx+side*(70+r.Float64()*40), cy+100+r.Float64()*50)}
	case Whorl:
		a := (r.Float64() - 0.5) * 1.2
		d := 14 + r.Float64()*16
		s.cores = []complex128{
			complex(cx-d*math.Cos(a), cy-d*math.Sin(a)),
			complex(cx+d*math.Cos(a), cy+d*math.Sin(a)),
		}
		s.deltas = []complex128{
			complex(cx-(95+r.Float64()*40), cy+110+r.Float64()*40),
			complex(cx+(95+r.Float64()*40), cy+110+r.Float64()*40),
		}
	}
	return s
}

// orientation is the ridge direction at (x,y), in [0,π).
func (s singular) orientation(x, y float64) float64 {
	z := complex(x, y)
	var o float64
	if len(s.cores) == 0 {
		// Plain arch: ridges run across the finger and rise in the middle.
		u := (x - masterW/2) / (masterW / 2)
		v := (y - masterH/2 + 40) / (masterH / 2)
		o = math.Atan(-s.archBend * 2 * u * math.Exp(-u*u) * math.Exp(-v*v*2))
	} else {
		for _, d := range s.deltas {
			o += 0.5 * phase(z-d)
		}
		for _, c := range s.cores {
			o -= 0.5 * phase(z-c)
		}
	}
	o = math.Mod(-o, math.Pi)
	if o < 0 {
		o += math.Pi
	}
	return o
}

func phase(z complex128) float64 { return math.Atan2(imag(z), real(z)) }

// grow renders the ridge field by iterated oriented Gabor filtering.
func grow(seed int64, c Class) []float32 {
	r := rand.New(rand.NewSource(seed ^ 0x5eed_f1a9))
	s := placeSingular(r, c)

	// Ridge period: a base value per finger with a slow spatial drift,
	// finer towards the fingertip as in real prints.
	base := 8.4 + r.Float64()*1.4
	fx, fy := r.Float64()*2*math.Pi, r.Float64()*2*math.Pi
	amp := 0.4 + r.Float64()*0.5

	const W, H = masterW + 2*pad, masterH + 2*pad
	ang := make([]uint8, W*H)
	per := make([]uint8, W*H)
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			mx, my := float64(x-pad), float64(y-pad)
			o := s.orientation(mx, my)
			ang[y*W+x] = uint8(int(o/math.Pi*angles+0.5) % angles)
			t := base + amp*math.Sin(mx/70+fx)*math.Cos(my/90+fy) - 0.6*(1-my/masterH)
			k := int((t-minPeriod)/(maxPeriod-minPeriod)*(periods-1) + 0.5)
			per[y*W+x] = uint8(min(max(k, 0), periods-1))
		}
	}
	k := kernels()

	a := make([]float32, W*H)
	b := make([]float32, W*H)
	for y := pad; y < H-pad; y++ {
		for x := pad; x < W-pad; x++ {
			a[y*W+x] = float32(r.Float64()*2 - 1)
		}
	}
	for it := 0; it < iterations; it++ {
		// Along the ridge: smooth.
		for y := pad; y < H-pad; y++ {
			for x := pad; x < W-pad; x++ {
				i := y*W + x
				offs := &k.along[ang[i]]
				var sum float32
				for j, o := range offs {
					sum += k.alongW[j] * a[i+int(o)]
				}
				b[i] = sum
			}
		}
		// Across the ridge: band-pass at the local period.
		var sq float64
		for y := pad; y < H-pad; y++ {
			for x := pad; x < W-pad; x++ {
				i := y*W + x
				offs := &k.across[ang[i]]
				w := &k.acrossW[per[i]]
				var sum float32
				for j, o := range offs {
					sum += w[j] * b[i+int(o)]
				}
				a[i] = sum
				sq += float64(sum * sum)
			}
		}
		// Saturate so the pattern settles into ridges and valleys of
		// equal height instead of growing or fading.
		g := float32(1.6 / math.Sqrt(sq/float64(masterW*masterH)+1e-12))
		for y := pad; y < H-pad; y++ {
			for x := pad; x < W-pad; x++ {
				i := y*W + x
				v := a[i] * g
				a[i] = max(-1, min(1, v))
			}
		}
	}
	out := make([]float32, masterW*masterH)
	for y := 0; y < masterH; y++ {
		copy(out[y*masterW:(y+1)*masterW], a[(y+pad)*W+pad:(y+pad)*W+pad+masterW])
	}
	return out
}

type kernelSet struct {
	along   [angles][2*alongTaps + 1]int32
	across  [angles][2*acrossTaps + 1]int32
	alongW  [2*alongTaps + 1]float32
	acrossW [periods][2*acrossTaps + 1]float32
}

var (
	kernelOnce sync.Once
	kernelTab  *kernelSet
)

func kernels() *kernelSet {
	kernelOnce.Do(func() {
		const W = masterW + 2*pad
		k := new(kernelSet)
		for a := 0; a < angles; a++ {
			th := float64(a) / angles * math.Pi
			c, s := math.Cos(th), math.Sin(th)
			for j := -alongTaps; j <= alongTaps; j++ {
				dx, dy := math.Round(float64(j)*c), math.Round(float64(j)*s)
				k.along[a][j+alongTaps] = int32(dy)*W + int32(dx)
			}
			for j := -acrossTaps; j <= acrossTaps; j++ {
				dx, dy := math.Round(-float64(j)*s), math.Round(float64(j)*c)
				k.across[a][j+acrossTaps] = int32(dy)*W + int32(dx)
			}
		}
		var n float64
		for j := -alongTaps; j <= alongTaps; j++ {
			w := math.Exp(-float64(j*j) / (2 * 3.0 * 3.0))
			k.alongW[j+alongTaps] = float32(w)
			n += w
		}
		for j := range k.alongW {
			k.alongW[j] /= float32(n)
		}
		for p := 0; p < periods; p++ {
			t := minPeriod + float64(p)*(maxPeriod-minPeriod)/(periods-1)
			sigma := t * 0.42
			var mean, tot float64
			for j := -acrossTaps; j <= acrossTaps; j++ {
				w := math.Exp(-float64(j*j)/(2*sigma*sigma)) * math.Cos(2*math.Pi*float64(j)/t)
				k.acrossW[p][j+acrossTaps] = float32(w)
				mean += w
				tot += math.Exp(-float64(j*j) / (2 * sigma * sigma))
			}
			// Remove the DC response so flat areas do not drift to one sign.
			for j := -acrossTaps; j <= acrossTaps; j++ {
				g := math.Exp(-float64(j*j) / (2 * sigma * sigma))
				k.acrossW[p][j+acrossTaps] -= float32(mean * g / tot)
			}
		}
		kernelTab = k
	})
	return kernelTab
}

func smooth(t float64) float64 {
	t = clamp01(t)
	return t * t * (3 - 2*t)
}

func clamp01(v float64) float64 { return max(0, min(1, v)) }

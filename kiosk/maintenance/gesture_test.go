package maintenance

import (
	"errors"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *fakeClock               { return &fakeClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)} }
func mustDetector(t *testing.T, g Gesture, c *fakeClock) *Detector {
	t.Helper()
	d, err := NewDetector(g, c.now)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestHoldGesture(t *testing.T) {
	g := Gesture{Kind: Hold, Corner: TopRight, Hold: 5 * time.Second, Zone: 120}
	tests := []struct {
		name   string
		held   time.Duration
		inZone bool
		want   bool
	}{
		{"just short", 5*time.Second - time.Millisecond, true, false},
		{"exactly", 5 * time.Second, true, true},
		{"longer", 9 * time.Second, true, true},
		{"outside the corner", 9 * time.Second, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			d := mustDetector(t, g, c)
			if d.Press(tt.inZone) {
				t.Fatal("a press alone completed a hold")
			}
			c.add(tt.held)
			if got := d.Release(); got != tt.want {
				t.Errorf("release after %v: %v, want %v", tt.held, got, tt.want)
			}
		})
	}
}

// A hold is reported while the finger is still down, once.
func TestHoldPollsOnce(t *testing.T) {
	c := newClock()
	d := mustDetector(t, DefaultGesture, c)
	if _, ok := d.Due(); ok {
		t.Fatal("due with nothing pressed")
	}
	d.Press(true)
	c.add(2 * time.Second)
	if due, ok := d.Due(); !ok || due != 3*time.Second {
		t.Fatalf("due %v %v, want 3s", due, ok)
	}
	if d.Poll() {
		t.Fatal("fired after 2s")
	}
	c.add(3 * time.Second)
	if !d.Poll() {
		t.Fatal("did not fire at 5s")
	}
	if d.Poll() || d.Release() {
		t.Fatal("the same press fired twice")
	}
	// A press that leaves the corner is not a hold.
	d.Press(true)
	c.add(time.Second)
	d.Press(false)
	c.add(10 * time.Second)
	if d.Poll() || d.Release() {
		t.Fatal("a press that left the corner fired")
	}
}

func TestTapsGesture(t *testing.T) {
	g := Gesture{Kind: Taps, Corner: TopLeft, Count: 5, Within: 3 * time.Second, Zone: 120}
	tests := []struct {
		name string
		gaps []time.Duration // before each tap after the first
		want []bool          // completion after each tap
	}{
		{"five quick", []time.Duration{500 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond},
			[]bool{false, false, false, false, true}},
		{"window closes exactly at 3s", []time.Duration{time.Second, time.Second, 500 * time.Millisecond, 500 * time.Millisecond},
			[]bool{false, false, false, false, false}},
		{"just inside", []time.Duration{time.Second, time.Second, 500 * time.Millisecond, 499 * time.Millisecond},
			[]bool{false, false, false, false, true}},
		{"slow taps never add up", []time.Duration{2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second},
			[]bool{false, false, false, false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			d := mustDetector(t, g, c)
			for i, want := range tt.want {
				if i > 0 {
					c.add(tt.gaps[i-1])
				}
				got := d.Press(true)
				d.Release()
				if got != want {
					t.Errorf("tap %d: %v, want %v", i+1, got, want)
				}
			}
		})
	}
}

func TestTapOutsideResets(t *testing.T) {
	c := newClock()
	g := Gesture{Kind: Taps, Corner: TopLeft, Count: 3, Within: 3 * time.Second, Zone: 120}
	d := mustDetector(t, g, c)
	d.Press(true)
	d.Press(true)
	d.Press(false)
	if d.Press(true) {
		t.Fatal("a touch elsewhere did not break the series")
	}
	d.Press(true)
	if !d.Press(true) {
		t.Fatal("three taps after the break did not complete")
	}
}

func TestInZone(t *testing.T) {
	const w, h = 1080, 1920
	tests := []struct {
		corner Corner
		x, y   float32
		want   bool
	}{
		{TopLeft, 0, 0, true}, {TopLeft, 119, 119, true}, {TopLeft, 120, 10, false},
		{TopRight, 1079, 0, true}, {TopRight, 961, 119, true}, {TopRight, 960, 10, false}, {TopRight, 10, 10, false},
		{BottomLeft, 10, 1910, true}, {BottomLeft, 10, 1800, false},
		{BottomRight, 1070, 1910, true}, {BottomRight, 1070, 10, false},
		{TopLeft, -1, 5, false},
	}
	for _, tt := range tests {
		g := Gesture{Kind: Hold, Corner: tt.corner, Hold: 5 * time.Second, Zone: 120}
		if got := g.InZone(tt.x, tt.y, w, h); got != tt.want {
			t.Errorf("%s (%v,%v): %v, want %v", tt.corner, tt.x, tt.y, got, tt.want)
		}
	}
}

func TestParseGesture(t *testing.T) {
	good := []struct {
		in   string
		want Gesture
	}{
		{"hold:top-right:5s", Gesture{Kind: Hold, Corner: TopRight, Hold: 5 * time.Second, Zone: 120}},
		{"taps:bottom-left:7:4s", Gesture{Kind: Taps, Corner: BottomLeft, Count: 7, Within: 4 * time.Second, Zone: 120}},
	}
	for _, tt := range good {
		g, err := ParseGesture(tt.in)
		if err != nil || g != tt.want {
			t.Errorf("%q: %+v %v, want %+v", tt.in, g, err, tt.want)
		}
		if g.String() != tt.in {
			t.Errorf("%q printed back as %q", tt.in, g.String())
		}
	}
	bad := []string{
		"", "hold", "hold:top-right", "hold:top-right:5", "hold:middle:5s", "hold:top-right:0.5s",
		"hold:top-right:31s", "hold:top-right:5s:1", "taps:top-left:5", "taps:top-left:x:3s",
		"taps:top-left:2:3s", "taps:top-left:21:3s", "taps:top-left:5:100ms", "taps:top-left:5:forever",
		"swipe:top-left:5s", "hold:top-right:-5s", "hold:TOP-RIGHT:5s", "\xff:\xfe:\xfd",
	}
	for _, in := range bad {
		if _, err := ParseGesture(in); !errors.Is(err, ErrBadGesture) {
			t.Errorf("%q: err %v, want ErrBadGesture", in, err)
		}
	}
	if _, err := NewDetector(Gesture{Kind: Hold, Corner: TopLeft, Hold: 5 * time.Second, Zone: 10}, nil); !errors.Is(err, ErrBadGesture) {
		t.Errorf("a zone smaller than a finger was accepted: %v", err)
	}
}

func FuzzParseGesture(f *testing.F) {
	for _, s := range []string{"hold:top-right:5s", "taps:top-left:5:3s", "taps:::", "hold:bottom-left:1h", "::::::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGesture(s)
		if err != nil {
			if !errors.Is(err, ErrBadGesture) {
				t.Fatalf("%q: error %v does not wrap ErrBadGesture", s, err)
			}
			return
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("%q parsed to an invalid gesture: %v", s, err)
		}
		again, err := ParseGesture(g.String())
		if err != nil || again != g {
			t.Fatalf("%q: round trip %q gave %+v %v", s, g.String(), again, err)
		}
	})
}

// A short press in the corner belongs to the control under it; a longer
// one is a hold being made, and the press that completes a gesture is the
// gesture's.
func TestTapForControlBeneath(t *testing.T) {
	hold := Gesture{Kind: Hold, Corner: TopRight, Hold: 5 * time.Second, Zone: 120}
	taps := Gesture{Kind: Taps, Corner: TopLeft, Count: 3, Within: 3 * time.Second, Zone: 120}
	tests := []struct {
		name string
		g    Gesture
		held time.Duration
		want bool
	}{
		{"quick tap", hold, 100 * time.Millisecond, true},
		{"slow tap", hold, 2*time.Second - time.Millisecond, true},
		{"at the tap limit", hold, 2 * time.Second, false},
		{"hold given up at 4 s", hold, 4 * time.Second, false},
		{"completed hold", hold, 5 * time.Second, false},
		{"short hold gesture", Gesture{Kind: Hold, Corner: TopRight, Hold: time.Second, Zone: 120}, 500 * time.Millisecond, false},
		{"tap of a series", taps, 100 * time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			d := mustDetector(t, tt.g, c)
			d.Press(true)
			c.add(tt.held)
			d.Poll()
			if got := d.Tap(); got != tt.want {
				t.Errorf("press of %v: tap %v, want %v", tt.held, got, tt.want)
			}
		})
	}
	c := newClock()
	d := mustDetector(t, taps, c)
	d.Press(true)
	d.Release()
	d.Press(true)
	d.Release()
	if !d.Press(true) {
		t.Fatal("third tap did not complete the series")
	}
	if d.Tap() {
		t.Error("the tap that completed the series was also given to the control beneath")
	}
	if d.Release(); d.Tap() {
		t.Error("a released press is still a tap")
	}
}

package ui

import (
	"slices"
	"sort"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/absher-kiosk/kiosk/kiosk/text"
)

// The label draws one canvas.Text per run, left to right in the order the
// bidi algorithm gives, flush right in a right-to-left paragraph.
func TestBidiLabelPlacesRunsInVisualOrder(t *testing.T) {
	test.NewTempApp(t)
	tests := []struct {
		in   string
		want []string
	}{
		{"رقم الجوال: 0551234567", []string{"0551234567", "رقم الجوال: "}},
		{"مرحبا Absher كشك", []string{" كشك", "Absher", "مرحبا "}},
		{"الرقم 123 هنا", []string{" هنا", "123", "الرقم "}},
	}
	for _, tt := range tests {
		l := NewBidiLabel(tt.in, text.RTL)
		l.Resize(fyne.NewSize(900, 60))
		objs := test.WidgetRenderer(l).Objects()
		var drawn []*canvas.Text
		for _, o := range objs {
			drawn = append(drawn, o.(*canvas.Text))
		}
		sort.Slice(drawn, func(i, j int) bool { return drawn[i].Position().X < drawn[j].Position().X })
		var got []string
		for _, d := range drawn {
			got = append(got, d.Text)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q drawn left to right as %q, want %q", tt.in, got, tt.want)
		}
		last := drawn[len(drawn)-1]
		if right := last.Position().X + last.Size().Width; right < 899 || right > 901 {
			t.Errorf("%q ends at x=%v; an Arabic paragraph must end at the right edge (900)", tt.in, right)
		}
		// Runs do not overlap.
		for i := 1; i < len(drawn); i++ {
			if prev := drawn[i-1]; prev.Position().X+prev.Size().Width > drawn[i].Position().X+0.01 {
				t.Errorf("%q: run %q overlaps %q", tt.in, prev.Text, drawn[i].Text)
			}
		}
	}
}

func TestBidiLabelWrapsBeforeReordering(t *testing.T) {
	test.NewTempApp(t)
	l := NewBidiLabel("تم تحديث رقم الجوال 0551234567 بنجاح", text.RTL)
	l.Wrap = true
	l.TextSize = 30
	l.MaxWidth = 320
	if h := l.MinSize().Height; h < 2*l.lineHeight() {
		t.Fatalf("min height %v: text did not wrap at 320 px", h)
	}
	l.Resize(fyne.NewSize(320, l.MinSize().Height))
	rows := map[float32][]string{}
	for _, o := range test.WidgetRenderer(l).Objects() {
		tx := o.(*canvas.Text)
		rows[tx.Position().Y] = append(rows[tx.Position().Y], tx.Text)
		if tx.Position().X < -0.01 || tx.Position().X+tx.Size().Width > 320.01 {
			t.Errorf("run %q at x=%v width %v leaves the 320 px label", tx.Text, tx.Position().X, tx.Size().Width)
		}
	}
	if len(rows) < 2 {
		t.Errorf("wrapped label drew %d lines", len(rows))
	}
}

// BenchmarkTapToNextScreen measures, in Fyne's test driver, the time from
// a tap on the keypad's Confirm to the next screen drawn into the canvas
// image, at the reference 1080×1920 size.
func BenchmarkTapToNextScreen(b *testing.B) {
	a, w := newWindow(b, portrait)
	m := &machine{v: View{Screen: ScreenID, Lang: "ar", Entry: "1012345678", Places: 10}}
	if _, err := New(a, w, m, Options{}); err != nil {
		b.Fatal(err)
	}
	var times []time.Duration
	for b.Loop() {
		m.set(View{Screen: ScreenID, Lang: "ar", Entry: "1012345678", Places: 10})
		ok := findButtonB(b, w, "تأكيد")
		start := time.Now()
		test.Tap(ok)
		_ = w.Canvas().Capture()
		times = append(times, time.Since(start))
		if m.v.Screen != ScreenMenu {
			b.Fatalf("tap led to %s, want menu", m.v.Screen)
		}
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[(len(times)*99)/100].Microseconds())/1000, "p99-ms")
}

func findButtonB(b *testing.B, w fyne.Window, label string) *Button {
	var found *Button
	walk(w.Content(), func(o fyne.CanvasObject) {
		if x, ok := o.(*Button); ok && x.Label.Text == label {
			found = x
		}
	})
	if found == nil {
		b.Fatalf("no button %q", label)
	}
	return found
}

package emulator

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
)

func TestCode128Table(t *testing.T) {
	seen := map[string]bool{}
	for v, w := range code128Widths {
		sum := 0
		for _, c := range w {
			sum += int(c - '0')
		}
		want := 11
		if v == 106 {
			want = 13
		}
		if sum != want || seen[w] {
			t.Errorf("value %d pattern %s: %d modules (want %d), duplicate %v", v, w, sum, want, seen[w])
		}
		seen[w] = true
	}
}

// readCode128 reads a Code 128 symbol back from one row of dots, the way a
// scanner would: run lengths, module width from the start pattern, patterns
// to values, check value.
func readCode128(t *testing.T, row []bool) string {
	t.Helper()
	var runs []int
	i := 0
	for i < len(row) && !row[i] {
		i++
	}
	for i < len(row) {
		j := i
		for j < len(row) && row[j] == row[i] {
			j++
		}
		runs = append(runs, j-i)
		i = j
	}
	if len(runs) > 0 && len(runs)%2 == 0 {
		runs = runs[:len(runs)-1] // trailing white
	}
	mw := (runs[0] + runs[1] + runs[2] + runs[3] + runs[4] + runs[5]) / 11
	lookup := map[string]int{}
	for v, w := range code128Widths {
		lookup[w] = v
	}
	var vals []int
	for k := 0; k+6 <= len(runs); k += 6 {
		n := 6
		if len(runs)-k == 7 {
			n = 7
		}
		var sb strings.Builder
		for _, r := range runs[k : k+n] {
			sb.WriteByte(byte('0' + r/mw))
		}
		v, ok := lookup[sb.String()]
		if !ok {
			t.Fatalf("pattern %s is not Code 128", sb.String())
		}
		vals = append(vals, v)
		if n == 7 {
			break
		}
	}
	if vals[0] != code128StartB || vals[len(vals)-1] != 106 {
		t.Fatalf("symbol values %v: want start B ... stop", vals)
	}
	sum := vals[0]
	var out []byte
	for k, v := range vals[1 : len(vals)-2] {
		sum += v * (k + 1)
		out = append(out, byte(v+32))
	}
	if sum%103 != vals[len(vals)-2] {
		t.Fatalf("check value %d, computed %d", vals[len(vals)-2], sum%103)
	}
	return string(out)
}

func TestCode128ReadBack(t *testing.T) {
	for _, data := range []string{"K2026000123", "a{b} ~!", "1"} {
		m := NewMachine(576)
		enc, err := escpos.Encode(escpos.Profile{Name: "t", DotsPerLine: 576, MaxBandRows: 64},
			escpos.Doc{escpos.Code128{Data: data}, escpos.Cut{}})
		if err != nil {
			t.Fatal(err)
		}
		m.Feed(enc.Bytes)
		pg := m.Pages()[0]
		row := make([]bool, 576)
		for x := range row {
			row[x] = pg.Image.GrayAt(x, 10).Y == 0
		}
		if got := readCode128(t, row); got != data {
			t.Errorf("bars read %q, want %q", got, data)
		}
		if len(pg.Barcodes) != 1 || pg.Barcodes[0] != data || pg.Text != data {
			t.Errorf("recorded %q, text %q", pg.Barcodes, pg.Text)
		}
	}
}

func TestCode128DecodeBad(t *testing.T) {
	for _, in := range []string{"", "A", "{X12", "{B", "{Bab{", "{Ba{Z", "{C\x64", "{Ba\x01"} {
		if _, err := Code128Decode([]byte(in)); err == nil {
			t.Errorf("accepted %q", in)
		}
	}
	if got, err := Code128Decode([]byte("{C\x0c\x22{Bx")); err != nil || got != "1234x" {
		t.Errorf("set C then B = %q, %v", got, err)
	}
}

// Commands split at any byte give the same paper as commands in one piece.
func TestSplitFeeds(t *testing.T) {
	prof := escpos.Profile{Name: "t", DotsPerLine: 576, MaxBandRows: 32, CutFeedDots: 40, NativeQR: true}
	img := escpos.NewBitmap(100, 40)
	for i := 0; i < 40; i++ {
		img.Set(i*2, i)
	}
	doc := escpos.Doc{escpos.Text{Latin: "Hello", Bold: true}, escpos.QR{Data: "x"}, escpos.Code128{Data: "42"}, escpos.Cut{}}
	enc, err := escpos.Encode(prof, doc)
	if err != nil {
		t.Fatal(err)
	}
	whole := NewMachine(576)
	whole.Feed(enc.Bytes)
	for _, step := range []int{1, 2, 3, 7} {
		m := NewMachine(576)
		for i := 0; i < len(enc.Bytes); i += step {
			m.Feed(enc.Bytes[i:min(i+step, len(enc.Bytes))])
		}
		a, b := whole.Pages()[0], m.Pages()[0]
		if !bytes.Equal(a.Image.Pix, b.Image.Pix) || a.Text != b.Text || m.Garbage != 0 {
			t.Errorf("fed %d at a time: page differs (garbage %d)", step, m.Garbage)
		}
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		garbage int
		replies []byte
		text    string
	}{
		{"unknown ESC", []byte("\x1bZab\n"), 1, nil, "Zab"}, // ESC is dropped, the rest printed
		{"unknown GS", []byte("\x1d\x01a\n"), 2, nil, "a"},
		{"DLE not EOT", []byte("\x10\x05x\n"), 2, nil, "x"},
		{"DLE EOT 9", []byte("\x10\x04\x09"), 3, nil, ""},
		{"DLE EOT 0 then 1", []byte("\x10\x04\x00\x10\x04\x01"), 3, []byte{0x12}, ""},
		{"raster mode 5", []byte("\x1dv5\x00\x01\x00\x01\x00"), 6, nil, ""},
		{"control bytes", []byte{0x00, 0x07, 0xff, 'a', '\n'}, 3, nil, "a"},
		{"GS ( not k", []byte("\x1d(Z\x00\x00"), 3, nil, ""},
		{"QR other symbol", []byte("\x1d(k\x03\x002A\x00"), 1, nil, ""},
		{"bad code128", []byte("\x1dkI\x02ab"), 2, nil, ""},
		{"code128 other system", []byte("\x1dkA"), 1, nil, ""},
		{"GS V bad", []byte("\x1dV\x09"), 2, nil, ""},
		{"presenter bad", []byte("\x1de\x07"), 2, nil, ""},
	}
	for _, tt := range tests {
		m := NewMachine(576)
		r := m.Feed(tt.in)
		if !bytes.Equal(r, tt.replies) {
			t.Errorf("%s: replies %x, want %x", tt.name, r, tt.replies)
		}
		if m.Garbage != tt.garbage {
			t.Errorf("%s: garbage %d, want %d", tt.name, m.Garbage, tt.garbage)
		}
		got := ""
		if pages := m.Pages(); len(pages) > 0 {
			got = pages[0].Text
		}
		if got != tt.text {
			t.Errorf("%s: text %q, want %q", tt.name, got, tt.text)
		}
	}
}

func TestIncompleteWaits(t *testing.T) {
	m := NewMachine(576)
	if r := m.Feed([]byte("\x1dv0\x00\x02\x00\x02\x00\xff")); r != nil || len(m.pending) != 9 {
		t.Fatalf("half a raster was not kept: pending %d", len(m.pending))
	}
	m.Feed([]byte("\xff\x00\x00\x10\x04\x01"))
	if len(m.pending) != 0 || m.Garbage != 0 {
		t.Fatalf("pending %d garbage %d", len(m.pending), m.Garbage)
	}
}

func TestPageLengthCapped(t *testing.T) {
	m := NewMachine(576)
	m.Feed(bytes.Repeat([]byte("\x1bd\xff"), 100))
	m.Feed([]byte("x\n"))
	if pg := m.Pages()[0]; pg.Image.Bounds().Dy() != MaxPageDots {
		t.Fatalf("page is %d dots long", pg.Image.Bounds().Dy())
	}
}

func FuzzMachine(f *testing.F) {
	enc, _ := escpos.Encode(escpos.Profile{Name: "t", DotsPerLine: 576, MaxBandRows: 16, CutFeedDots: 40, NativeQR: true, PartialCut: true,
		Present: []byte{0x1d, 'e', 3, 12}, Retract: []byte{0x1d, 'e', 2}},
		escpos.Doc{escpos.Text{Latin: "Hi", DoubleWidth: true}, escpos.QR{Data: "q"}, escpos.Code128{Data: "1"},
			escpos.Feed{Lines: 1}, escpos.Cut{Partial: true}, escpos.Present{}, escpos.Retract{}})
	f.Add(enc.Bytes)
	f.Add([]byte("\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"))
	f.Add([]byte("\x1dv0\x00\x01\x00\x02\x00\xaa\x55"))
	f.Add([]byte("\x1d(k\x05\x001P0ab\x1d(k\x03\x001Q0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m := NewMachine(384)
		replies := m.Feed(b)
		for _, r := range replies {
			if !escpos.ValidStatusByte(r) {
				t.Fatalf("reply %#x lacks the fixed status bits", r)
			}
		}
		for _, p := range m.Pages() {
			if p.Image.Bounds().Dx() != 384 || p.Image.Bounds().Dy() > MaxPageDots {
				t.Fatalf("page %v", p.Image.Bounds())
			}
		}
	})
}

// Close returns even while a driver still holds the tty open.
func TestCloseWithPortOpen(t *testing.T) {
	em, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(em.PortPath(), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	done := make(chan struct{})
	go func() { em.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung while the port was open")
	}
}

// TestMachinesPrintConcurrently: two printers printing at once (the demo's
// emulator beside a test's) share nothing. Run with -race.
func TestMachinesPrintConcurrently(t *testing.T) {
	var line []byte
	for c := byte(0x20); c < 0x7f; c++ {
		line = append(line, c)
	}
	line = append(line, '\n')
	var wg sync.WaitGroup
	texts := make([]string, 2)
	for i := range texts {
		wg.Go(func() {
			m := NewMachine(576)
			for range 4 {
				m.Feed(line)
			}
			if pages := m.Pages(); len(pages) == 1 {
				texts[i] = pages[0].Text
			}
		})
	}
	wg.Wait()
	if texts[0] != texts[1] || !strings.Contains(texts[0], "ABC") {
		t.Fatalf("the two printers printed %q and %q", texts[0], texts[1])
	}
}

package emulator

import (
	"fmt"
	"image"
	"image/color"
	"strings"
	"sync"

	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Font A of an 80 mm printer: 12×24 dot cells, lines 30 dots apart.
const (
	cellW      = 12
	cellH      = 24
	lineHeight = 30
)

// Page is one piece of paper, from the start or the last cut to the next cut.
type Page struct {
	Image    *image.Gray
	Text     string   // the Latin text lines, as printed
	QR       []string // payloads of QR codes printed with GS ( k
	Barcodes []string // Code 128 data
	Events   []string // "cut-full", "cut-partial", "present", "retract"
}

type glyphRun struct {
	ch   byte
	bold bool
	size byte
}

// Machine is the printer's mechanism and command interpreter, with no line
// attached: bytes in, status replies out. It keeps whatever it cannot parse
// yet until more bytes arrive.
type Machine struct {
	dots int

	pending []byte

	// printing state
	align byte
	bold  bool
	size  byte
	line  []glyphRun
	rows  [][]bool
	y     int
	page  Page
	text  []string
	pages []Page

	qrSize  int
	qrECC   byte
	qrData  []byte
	bcH     int
	bcW     int
	bcHRI   byte
	Garbage int // bytes that were not part of any known command

	// state reported through DLE EOT
	Status       escpos.Status
	PaperOutLeft int // bytes until the paper runs out; <0 never
	Received     int // bytes taken in
}

// NewMachine makes a printer with dots per line, online with paper.
func NewMachine(dots int) *Machine {
	m := &Machine{dots: dots, PaperOutLeft: -1}
	m.Status.Online = true
	m.reset()
	return m
}

func (m *Machine) reset() {
	m.align, m.bold, m.size = 0, false, 0
	m.qrSize, m.qrECC = 3, '0'
	m.bcH, m.bcW, m.bcHRI = 162, 3, 0
}

// printing reports whether the mechanism may put dots on paper.
func (m *Machine) printing() bool {
	s := m.Status
	return s.Online && !s.CoverOpen && !s.PaperOut
}

// Feed takes bytes from the line and returns the bytes the printer sends
// back (status replies).
func (m *Machine) Feed(b []byte) []byte {
	var out []byte
	for _, c := range b {
		m.Received++
		if m.PaperOutLeft > 0 {
			m.PaperOutLeft--
			if m.PaperOutLeft == 0 {
				m.runOut()
			}
		}
		m.pending = append(m.pending, c)
		for len(m.pending) > 0 {
			n, reply := m.step(m.pending)
			if n == 0 {
				break
			}
			out = append(out, reply...)
			m.pending = m.pending[n:]
		}
	}
	if len(m.pending) == 0 {
		m.pending = nil
	}
	return out
}

// runOut ends the paper: what was printed so far becomes a page of its own,
// as the torn-off end of the roll.
func (m *Machine) runOut() {
	if !m.Status.PaperOut {
		m.flushPartial()
		m.event("paper-out")
		m.finishPage()
	}
	m.Status.PaperOut, m.Status.PaperNearEnd = true, true
	m.Status.PaperStop, m.Status.Offline, m.Status.Online = true, true, false
	m.PaperOutLeft = -1
}

// need returns the length of a command with n fixed bytes, or 0 when
// fewer have arrived.
func need(b []byte, n int) int {
	if len(b) < n {
		return 0
	}
	return n
}

// step interprets the command at the start of b and reports how many bytes
// it used; 0 means the command is not complete yet.
func (m *Machine) step(b []byte) (int, []byte) {
	switch b[0] {
	case 0x0a:
		m.flushLine()
		return 1, nil
	case 0x10:
		if len(b) < 3 {
			if len(b) == 2 && b[1] != 0x04 {
				m.Garbage++
				return 1, nil
			}
			return 0, nil
		}
		if b[1] != 0x04 || b[2] < 1 || b[2] > 4 {
			m.Garbage++
			return 1, nil
		}
		return 3, []byte{escpos.EncodeStatus(m.Status, b[2])}
	case 0x1b:
		return m.escCmd(b)
	case 0x1d:
		return m.gsCmd(b)
	}
	if b[0] >= 0x20 && b[0] < 0x7f {
		m.addChar(b[0])
		return 1, nil
	}
	m.Garbage++
	return 1, nil
}

func (m *Machine) escCmd(b []byte) (int, []byte) {
	if len(b) < 2 {
		return 0, nil
	}
	switch b[1] {
	case '@':
		m.line = nil
		m.reset()
		return 2, nil
	case 'a', 'E', 'd', 'J':
		if need(b, 3) == 0 {
			return 0, nil
		}
		switch b[1] {
		case 'a':
			if b[2] <= 2 {
				m.align = b[2]
			} else if b[2] >= '0' && b[2] <= '2' {
				m.align = b[2] - '0'
			}
		case 'E':
			m.bold = b[2]&1 == 1
		case 'd':
			m.flushPartial()
			m.advance(int(b[2]) * lineHeight)
		case 'J':
			m.flushPartial()
			m.advance(int(b[2]))
		}
		return 3, nil
	}
	m.Garbage++
	return 1, nil
}

func (m *Machine) gsCmd(b []byte) (int, []byte) {
	if len(b) < 2 {
		return 0, nil
	}
	switch b[1] {
	case '!', 'h', 'w', 'H':
		if len(b) < 3 {
			return 0, nil
		}
		switch b[1] {
		case '!':
			m.size = b[2]
		case 'h':
			m.bcH = max(int(b[2]), 1)
		case 'w':
			m.bcW = min(max(int(b[2]), 1), 6)
		case 'H':
			m.bcHRI = b[2]
		}
		return 3, nil
	case 'V':
		if len(b) < 3 {
			return 0, nil
		}
		switch b[2] {
		case 0, 1, '0', '1':
			m.cut(b[2] == 1 || b[2] == '1')
			return 3, nil
		case 65, 66:
			if len(b) < 4 {
				return 0, nil
			}
			m.flushPartial()
			m.advance(int(b[3]))
			m.cut(b[2] == 66)
			return 4, nil
		}
		m.Garbage++
		return 1, nil
	case 'e':
		// Presenter: GS e 02 retracts, GS e 03 n / 05 n presents.
		if len(b) < 3 {
			return 0, nil
		}
		switch b[2] {
		case 0x02:
			m.event("retract")
			return 3, nil
		case 0x03, 0x05:
			if len(b) < 4 {
				return 0, nil
			}
			m.event("present")
			return 4, nil
		}
		m.Garbage++
		return 1, nil
	case 'v':
		if len(b) < 8 {
			return 0, nil
		}
		if b[2] != '0' && b[2] != 0 {
			m.Garbage++
			return 1, nil
		}
		wb := int(b[4]) | int(b[5])<<8
		h := int(b[6]) | int(b[7])<<8
		n := 8 + wb*h
		if len(b) < n {
			return 0, nil
		}
		m.raster(wb, h, b[8:n])
		return n, nil
	case '(':
		if len(b) < 5 {
			return 0, nil
		}
		if b[2] != 'k' {
			m.Garbage++
			return 1, nil
		}
		n := 5 + (int(b[3]) | int(b[4])<<8)
		if len(b) < n {
			return 0, nil
		}
		m.qrFunc(b[5:n])
		return n, nil
	case 'k':
		if len(b) < 3 {
			return 0, nil
		}
		if b[2] != 73 {
			m.Garbage++
			return 1, nil
		}
		if len(b) < 4 {
			return 0, nil
		}
		n := 4 + int(b[3])
		if len(b) < n {
			return 0, nil
		}
		m.code128(b[4:n])
		return n, nil
	}
	m.Garbage++
	return 1, nil
}

func (m *Machine) event(e string) {
	m.page.Events = append(m.page.Events, e)
}

// MaxPageDots is the longest page the emulator keeps (a metre of paper at
// 203 dpi); anything below is fed but not drawn, so a stream of feeds cannot
// exhaust memory.
const MaxPageDots = 8192

// ensure grows the paper to hold row y.
func (m *Machine) ensure(y int) {
	y = min(y, MaxPageDots-1)
	for len(m.rows) <= y {
		m.rows = append(m.rows, make([]bool, m.dots))
	}
}

func (m *Machine) dot(x, y int) {
	if x < 0 || x >= m.dots || y < 0 || y >= MaxPageDots || !m.printing() {
		return
	}
	m.ensure(y)
	m.rows[y][x] = true
}

func (m *Machine) advance(n int) {
	if !m.printing() {
		return
	}
	m.y = min(m.y+n, MaxPageDots)
	m.ensure(m.y - 1)
}

func (m *Machine) left(w int) int {
	switch m.align {
	case 1:
		return (m.dots - w) / 2
	case 2:
		return m.dots - w
	}
	return 0
}

func (m *Machine) addChar(c byte) {
	m.line = append(m.line, glyphRun{ch: c, bold: m.bold, size: m.size})
	if m.lineWidth() > m.dots {
		last := m.line[len(m.line)-1]
		m.line = m.line[:len(m.line)-1]
		m.flushLine()
		m.line = append(m.line, last)
	}
}

func (m *Machine) lineWidth() int {
	w := 0
	for _, g := range m.line {
		w += cellW * (int(g.size>>4&7) + 1)
	}
	return w
}

// flushPartial prints a half-filled line buffer without the line feed, as a
// printer does on ESC J.
func (m *Machine) flushPartial() {
	if len(m.line) > 0 {
		m.flushLine()
	}
}

func (m *Machine) flushLine() {
	if !m.printing() {
		m.line = nil
		return
	}
	hmax := 1
	for _, g := range m.line {
		hmax = max(hmax, int(g.size&7)+1)
	}
	x := m.left(m.lineWidth())
	var sb strings.Builder
	for _, g := range m.line {
		sx, sy := int(g.size>>4&7)+1, int(g.size&7)+1
		m.glyph(g.ch, x, m.y+(hmax-sy)*cellH, sx, sy, g.bold)
		x += cellW * sx
		sb.WriteByte(g.ch)
	}
	m.text = append(m.text, sb.String())
	m.line = nil
	m.advance(lineHeight + (hmax-1)*cellH)
}

// glyphMasks holds the 7×13 bitmap of every byte, drawn once on first use
// and read-only afterwards, so any number of machines can print at once.
var glyphMasks = sync.OnceValue(func() *[256]*image.Alpha {
	var masks [256]*image.Alpha
	for c := range masks {
		img := image.NewAlpha(image.Rect(0, 0, 7, 13))
		d := font.Drawer{Dst: img, Src: image.Opaque, Face: basicfont.Face7x13, Dot: fixed.P(0, 11)}
		d.DrawString(string(rune(c)))
		masks[c] = img
	}
	return &masks
})

func glyphMask(c byte) *image.Alpha { return glyphMasks()[c] }

// glyph draws character c scaled from the 7×13 bitmap font into a 12×24
// cell, times sx, sy for double width and height.
func (m *Machine) glyph(c byte, x0, y0, sx, sy int, bold bool) {
	g := glyphMask(c)
	w, h := cellW*sx, cellH*sy
	for y := 0; y < h-2*sy; y++ {
		for x := 1; x < w-sx; x++ {
			gx := (x - 1) * 7 / (w - 2*sx + 1)
			gy := y * 13 / (h - 2*sy)
			if g.AlphaAt(gx, gy).A > 0 {
				m.dot(x0+x, y0+y)
				if bold {
					m.dot(x0+x+1, y0+y)
				}
			}
		}
	}
}

func (m *Machine) raster(wb, h int, data []byte) {
	m.flushPartial()
	x0 := m.left(wb * 8)
	for y := 0; y < h; y++ {
		for xb := 0; xb < wb; xb++ {
			v := data[y*wb+xb]
			for bit := 0; bit < 8; bit++ {
				if v&(0x80>>bit) != 0 {
					m.dot(x0+xb*8+bit, m.y+y)
				}
			}
		}
	}
	m.advance(h)
}

// qrFunc runs one GS ( k function for the QR symbol (cn = '1').
func (m *Machine) qrFunc(p []byte) {
	if len(p) < 2 || p[0] != '1' {
		m.Garbage++
		return
	}
	switch p[1] {
	case 'A':
	case 'C':
		if len(p) >= 3 && p[2] >= 1 && p[2] <= 16 {
			m.qrSize = int(p[2])
		}
	case 'E':
		if len(p) >= 3 && p[2] >= '0' && p[2] <= '3' {
			m.qrECC = p[2]
		}
	case 'P':
		if len(p) >= 3 {
			m.qrData = append([]byte(nil), p[3:]...)
		}
	case 'Q':
		m.flushPartial()
		if len(m.qrData) == 0 {
			return
		}
		bm, err := escpos.QRBitmap(string(m.qrData), escpos.ECC(m.qrECC-'0'), m.qrSize)
		if err != nil {
			m.Garbage += len(m.qrData)
			return
		}
		if m.printing() {
			m.page.QR = append(m.page.QR, string(m.qrData))
		}
		m.blit(bm)
	default:
		m.Garbage++
	}
}

func (m *Machine) blit(bm escpos.Bitmap) {
	x0 := m.left(bm.W)
	for y := 0; y < bm.H; y++ {
		for x := 0; x < bm.W; x++ {
			if bm.At(x, y) {
				m.dot(x0+x, m.y+y)
			}
		}
	}
	m.advance(bm.H)
}

func (m *Machine) code128(d []byte) {
	m.flushPartial()
	data, err := Code128Decode(d)
	if err != nil {
		m.Garbage += len(d)
		return
	}
	bm := Code128Bars(data, m.bcW, m.bcH)
	if bm.W > m.dots {
		m.Garbage += len(d)
		return
	}
	if m.printing() {
		m.page.Barcodes = append(m.page.Barcodes, data)
	}
	m.blit(bm)
	if m.bcHRI == 2 || m.bcHRI == '2' {
		save := m.size
		m.size = 0
		for i := 0; i < len(data); i++ {
			m.line = append(m.line, glyphRun{ch: data[i]})
		}
		m.size = save
		m.flushLine()
	}
}

func (m *Machine) cut(partial bool) {
	m.flushPartial()
	if partial {
		m.event("cut-partial")
	} else {
		m.event("cut-full")
	}
	if !m.printing() {
		return
	}
	m.finishPage()
}

func (m *Machine) finishPage() {
	p := m.page
	img := image.NewGray(image.Rect(0, 0, m.dots, max(len(m.rows), 1)))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y, row := range m.rows {
		for x, on := range row {
			if on {
				img.SetGray(x, y, color.Gray{})
			}
		}
	}
	p.Image = img
	p.Text = strings.Join(m.text, "\n")
	m.pages = append(m.pages, p)
	m.page, m.rows, m.text, m.y = Page{}, nil, nil, 0
}

// Pages returns the cut pages, and the paper still in the printer as a last
// page when anything is on it.
func (m *Machine) Pages() []Page {
	out := append([]Page(nil), m.pages...)
	if len(m.rows) > 0 || len(m.text) > 0 || len(m.page.Events) > 0 {
		save := *m
		m.finishPage()
		out = append(out, m.pages[len(m.pages)-1])
		*m = save
	}
	return out
}

// Code128Decode turns GS k 73 data (code set selectors "{A", "{B", "{C",
// "{{" for a brace) into the encoded text.
func Code128Decode(d []byte) (string, error) {
	if len(d) < 2 || d[0] != '{' || (d[1] != 'A' && d[1] != 'B' && d[1] != 'C') {
		return "", fmt.Errorf("emulator: Code 128 data must start with a code set ({A, {B or {C), got %q", d)
	}
	var sb strings.Builder
	set := d[1]
	for i := 2; i < len(d); i++ {
		c := d[i]
		if c == '{' {
			if i+1 >= len(d) {
				return "", fmt.Errorf("emulator: Code 128 data ends in a lone brace")
			}
			i++
			switch d[i] {
			case '{':
				sb.WriteByte('{')
			case 'A', 'B', 'C':
				set = d[i]
			default:
				return "", fmt.Errorf("emulator: Code 128 function {%c is not supported", d[i])
			}
			continue
		}
		if set == 'C' {
			if c > 99 {
				return "", fmt.Errorf("emulator: Code 128 set C value %d is over 99", c)
			}
			fmt.Fprintf(&sb, "%02d", c)
			continue
		}
		if c < 0x20 || c > 0x7e {
			return "", fmt.Errorf("emulator: Code 128 byte %#02x is not printable", c)
		}
		sb.WriteByte(c)
	}
	if sb.Len() == 0 {
		return "", fmt.Errorf("emulator: Code 128 symbol is empty")
	}
	return sb.String(), nil
}

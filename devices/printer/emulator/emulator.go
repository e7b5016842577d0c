// Package emulator is an ESC/POS receipt printer on a pseudo-terminal: it
// answers DLE EOT status requests, draws everything it is sent onto paper
// (PNG plus the Latin text), and breaks on demand — paper near end, paper out
// mid-job, cover open, silence, noise — so the driver can be tested through a
// real tty and the demo has a printer without hardware.
package emulator

import (
	"errors"
	"fmt"
	"image/png"
	"io"
	"os"
	"sync"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// Options configure an emulator.
type Options struct {
	// Dots per line of the paper; 0 means 576 (80 mm at 203 dpi).
	Dots int
	// Baud paces reading to the speed of a serial line (10 bits per byte,
	// 8N1): a pty moves bytes as fast as memory, a printer's line does not.
	// 0 reads as fast as the pty delivers.
	Baud int
	// OnPage is called, outside the emulator's lock, with every cut page.
	OnPage func(Page)
}

// Emulator is a printer attached to the slave end of a pty.
type Emulator struct {
	opt  Options
	ptm  *os.File
	pts  *os.File
	mu   sync.Mutex
	m    *Machine
	mute bool
	done chan struct{}
	err  error
}

// New opens a pty and starts the printer behind it.
func New(opt Options) (*Emulator, error) {
	if opt.Dots == 0 {
		opt.Dots = 576
	}
	if opt.Dots < 64 || opt.Dots > 4096 {
		return nil, fmt.Errorf("emulator: %d dots per line is not a receipt printer (64..4096)", opt.Dots)
	}
	ptm, pts, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("emulator: open pseudo-terminal: %w", err)
	}
	if err := makeRaw(pts); err != nil {
		ptm.Close()
		pts.Close()
		return nil, err
	}
	if ptm, err = pollable(ptm); err != nil {
		pts.Close()
		return nil, err
	}
	e := &Emulator{opt: opt, ptm: ptm, pts: pts, m: NewMachine(opt.Dots), done: make(chan struct{})}
	go e.run()
	return e, nil
}

// makeRaw turns off echo, line editing and newline translation on the
// slave, so the first bytes a driver sends are not mangled before it sets
// its own modes. The emulator keeps the slave open so the master survives a
// driver closing and reopening the port.
func makeRaw(f *os.File) error {
	t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		return fmt.Errorf("emulator: read pty modes: %w", err)
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	if err := unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, t); err != nil {
		return fmt.Errorf("emulator: set pty raw: %w", err)
	}
	return nil
}

// pollable gives the master to Go's poller, so that Close interrupts a
// pending Read even while a driver holds the slave open.
func pollable(f *os.File) (*os.File, error) {
	fd, err := unix.Dup(int(f.Fd()))
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("emulator: pty master: %w", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("emulator: pty master: %w", err)
	}
	return os.NewFile(uintptr(fd), "/dev/ptmx"), nil
}

// PortPath is the tty the kiosk opens as its serial port.
func (e *Emulator) PortPath() string { return e.pts.Name() }

func (e *Emulator) run() {
	defer close(e.done)
	buf := make([]byte, 64)
	var lineFree time.Time
	for {
		t0 := time.Now()
		n, err := e.ptm.Read(buf)
		if n > 0 {
			if e.opt.Baud > 0 {
				// lineFree is when the line finishes carrying what has been
				// read. A read that had to wait means the line was idle
				// until now; a read that found bytes waiting means they were
				// queued behind the previous ones, so a late wake-up from
				// the sleep below does not slow the bytes that follow.
				now := time.Now()
				if now.Sub(t0) > time.Millisecond || lineFree.IsZero() {
					lineFree = later(lineFree, now)
				}
				lineFree = lineFree.Add(time.Duration(n) * 10 * time.Second / time.Duration(e.opt.Baud))
				time.Sleep(time.Until(lineFree))
			}
			e.mu.Lock()
			before := len(e.m.pages)
			reply := e.m.Feed(buf[:n])
			mute := e.mute
			newPages := append([]Page(nil), e.m.pages[before:]...)
			e.mu.Unlock()
			if len(reply) > 0 && !mute {
				if _, werr := e.ptm.Write(reply); werr != nil {
					e.err = werr
					return
				}
			}
			if e.opt.OnPage != nil {
				for _, p := range newPages {
					e.opt.OnPage(p)
				}
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
				e.err = err
			}
			return
		}
	}
}

// Close stops the printer and closes both ends of the pty.
func (e *Emulator) Close() error {
	err := e.ptm.Close()
	e.pts.Close()
	<-e.done
	return err
}

// SetPaperNearEnd sets the roll's near-end sensor.
func (e *Emulator) SetPaperNearEnd(on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.m.Status.PaperNearEnd = on
}

// PaperOutAfter makes the paper run out once n more bytes have arrived;
// from then the printer is offline and prints nothing. n <= 0 runs out now.
func (e *Emulator) PaperOutAfter(n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if n <= 0 {
		e.m.runOut()
		return
	}
	e.m.PaperOutLeft = n
}

// SetCoverOpen opens or closes the cover; an open cover takes the printer
// offline.
func (e *Emulator) SetCoverOpen(open bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := &e.m.Status
	s.CoverOpen = open
	s.Online = !open && !s.PaperOut
	s.Offline = !s.Online
}

// SetSilent stops (or restarts) all answers, as a printer that is switched
// off or whose cable is out.
func (e *Emulator) SetSilent(on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.mute = on
}

// Reset clears every fault: a new roll, cover closed, answering.
func (e *Emulator) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.mute = false
	e.m.PaperOutLeft = -1
	e.m.Status = e.m.Status.Cleared()
}

// InjectNoise puts b on the line towards the kiosk, as interference would.
func (e *Emulator) InjectNoise(b []byte) error {
	if _, err := e.ptm.Write(b); err != nil {
		return fmt.Errorf("emulator: inject noise: %w", err)
	}
	return nil
}

// Received is how many bytes the printer has taken in so far.
func (e *Emulator) Received() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.m.Received
}

// Pages returns the paper printed so far.
func (e *Emulator) Pages() []Page {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.m.Pages()
}

// WritePNG writes the last page (cut or still in the printer) as a PNG.
func (e *Emulator) WritePNG(path string) error {
	pages := e.Pages()
	if len(pages) == 0 {
		return errors.New("emulator: nothing has been printed yet")
	}
	return WritePagePNG(path, pages[len(pages)-1])
}

// WritePagePNG writes one page as a PNG file.
func WritePagePNG(path string, p Page) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	if err := png.Encode(f, p.Image); err != nil {
		f.Close()
		return fmt.Errorf("emulator: write %s: %w", path, err)
	}
	return f.Close()
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

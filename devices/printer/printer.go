// Package printer drives a serial ESC/POS receipt printer: it opens the
// line, asks the printer for its status, sends jobs in chunks with progress,
// and watches the printer between jobs for the kiosk's health view.
package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"github.com/tarm/serial"
)

// Status is the printer's state.
type Status = escpos.Status

// Port is the serial line as the driver uses it. tarm/serial satisfies it;
// Flush drops bytes not yet read.
type Port interface {
	io.ReadWriteCloser
	Flush() error
}

// Config says where the printer is and how to talk to it.
type Config struct {
	Port    string // e.g. /dev/ttyUSB0
	Baud    int    // default 115200
	Profile string // see escpos.ProfileNames
	// ReadTimeout bounds each read. tarm/serial counts it in tenths of a
	// second and a Close waits for a pending read, so it is never zero;
	// default and minimum 100ms.
	ReadTimeout time.Duration
	// PollInterval is how often Poll asks for status; default 5s.
	PollInterval time.Duration
	// ChunkSize is how many bytes go to the line per write; default 256.
	ChunkSize int
	// CheckEvery is how many job bytes may be sent before the driver asks
	// for status again (at a command boundary); default 4096.
	CheckEvery int
	// ReplyGrace is how long a printer may take to answer beyond the time
	// the line needs to carry the bytes still queued; default 500ms.
	ReplyGrace time.Duration
	// Open opens the line; default tarm/serial. Tests replace it.
	Open func(name string, baud int, readTimeout time.Duration) (Port, error)
	// Sleep waits between reopen attempts; default a timer honouring ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock; default time.Now.
	Now func() time.Time
	Log *slog.Logger
}

func (c *Config) defaults() {
	if c.Baud == 0 {
		c.Baud = 115200
	}
	if c.ReadTimeout < 100*time.Millisecond {
		c.ReadTimeout = 100 * time.Millisecond
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 5 * time.Second
	}
	if c.ChunkSize <= 0 {
		c.ChunkSize = 256
	}
	if c.CheckEvery <= 0 {
		c.CheckEvery = 4096
	}
	if c.ReplyGrace <= 0 {
		c.ReplyGrace = 500 * time.Millisecond
	}
	if c.Open == nil {
		c.Open = openSerial
	}
	if c.Sleep == nil {
		c.Sleep = sleepCtx
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
}

func openSerial(name string, baud int, rt time.Duration) (Port, error) {
	return serial.OpenPort(&serial.Config{Name: name, Baud: baud, ReadTimeout: rt, Size: 8, Parity: serial.ParityNone, StopBits: serial.Stop1})
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Printer is one receipt printer on one serial line. Its methods may be
// called from several goroutines; the line is used by one at a time.
type Printer struct {
	cfg     Config
	profile escpos.Profile

	mu     sync.Mutex // the line
	port   Port
	broken bool // the line failed; reopen before the next use
	fails  int  // reopen attempts that failed in a row

	smu    sync.Mutex
	last   Status
	known  bool
	subs   map[int]func(Status)
	nextID int
}

// Open checks the configuration and opens the line. A printer that is
// switched off still opens: its status then says NoAnswer.
func Open(ctx context.Context, cfg Config) (*Printer, error) {
	cfg.defaults()
	prof, err := escpos.LookupProfile(cfg.Profile)
	if err != nil {
		return nil, err
	}
	if cfg.Port == "" {
		return nil, errors.New("printer: no serial port configured; set printer.port, e.g. /dev/ttyUSB0")
	}
	p := &Printer{cfg: cfg, profile: prof, subs: map[int]func(Status){}}
	port, err := cfg.Open(cfg.Port, cfg.Baud, cfg.ReadTimeout)
	if err != nil {
		return nil, fmt.Errorf("printer: open %s at %d baud: %w; check the cable and that the kiosk user may use the port", cfg.Port, cfg.Baud, err)
	}
	p.port = port
	return p, nil
}

// Profile is the printer model in use.
func (p *Printer) Profile() escpos.Profile { return p.profile }

// Close closes the line.
func (p *Printer) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.port == nil {
		return nil
	}
	err := p.port.Close()
	p.port = nil
	return err
}

// ensure reopens a line that failed, waiting longer after each failure
// (0.5s doubling to 30s) so a missing printer is not hammered.
func (p *Printer) ensure(ctx context.Context) error {
	if p.port != nil && !p.broken {
		return nil
	}
	if p.fails > 0 {
		d := min(500*time.Millisecond<<min(p.fails-1, 6), 30*time.Second)
		if err := p.cfg.Sleep(ctx, d); err != nil {
			return err
		}
	}
	if p.port != nil {
		p.port.Close()
		p.port = nil
	}
	port, err := p.cfg.Open(p.cfg.Port, p.cfg.Baud, p.cfg.ReadTimeout)
	if err != nil {
		p.fails++
		return fmt.Errorf("printer: reopen %s: %w", p.cfg.Port, err)
	}
	p.port, p.broken, p.fails = port, false, 0
	p.cfg.Log.Info("printer line reopened", "port", p.cfg.Port)
	return nil
}

// lineTime is how long the line needs to carry n bytes at 10 bits a byte.
func (p *Printer) lineTime(n int) time.Duration {
	return time.Duration(n) * 10 * time.Second / time.Duration(p.cfg.Baud)
}

// status sends DLE EOT 1..4 in one write and reads the four replies, so a
// check costs one round trip. queued is how many bytes sent before the
// requests the printer may still have to take in (it answers in order). A
// timed-out read and a hang-up both look like (0, io.EOF) in tarm/serial,
// so silence is told by the deadline; bytes without the fixed status bits
// are skipped as noise.
func (p *Printer) status(ctx context.Context, queued int) (Status, error) {
	var req []byte
	for n := byte(1); n <= 4; n++ {
		req = append(req, escpos.StatusRequest(n)...)
	}
	if _, err := p.port.Write(req); err != nil {
		p.broken = true
		return Status{}, fmt.Errorf("printer: send status request: %w", err)
	}
	deadline := p.cfg.Now().Add(p.lineTime(queued+len(req)+4) + p.cfg.ReplyGrace)
	var s Status
	var buf [8]byte
	n := byte(1)
	for n <= 4 {
		if err := ctx.Err(); err != nil {
			return Status{}, err
		}
		k, err := p.port.Read(buf[:5-n])
		for _, b := range buf[:k] {
			if n <= 4 && escpos.ValidStatusByte(b) {
				if derr := escpos.DecodeStatus(&s, n, b); derr != nil {
					return Status{}, derr
				}
				n++
			}
		}
		if k > 0 {
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			p.broken = true
			return Status{}, fmt.Errorf("printer: read status: %w", err)
		}
		if !p.cfg.Now().Before(deadline) {
			p.broken = true
			return Status{NoAnswer: true}, nil
		}
	}
	if !p.profile.NearEndSensor {
		s.PaperNearEnd = false
	}
	return s, nil
}

// Status asks the printer now. A printer that does not answer is reported
// as Status{NoAnswer: true} with a nil error; the error is for a line that
// cannot be used at all or a cancelled ctx.
func (p *Printer) Status(ctx context.Context) (Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, err := p.idleStatus(ctx)
	if err == nil {
		p.publish(s)
	}
	return s, err
}

// idleStatus is Status with the line held and nothing of a job in flight,
// so stale input (noise, late replies) can be dropped first.
func (p *Printer) idleStatus(ctx context.Context) (Status, error) {
	if err := p.ensure(ctx); err != nil {
		if ctx.Err() != nil {
			return Status{}, err
		}
		return Status{NoAnswer: true}, nil
	}
	if err := p.port.Flush(); err != nil {
		p.broken = true
		return Status{NoAnswer: true}, nil
	}
	return p.status(ctx, 0)
}

// JobError says how a job failed and how far it got.
type JobError struct {
	Reason string // "cover-open", "paper-out", "no-answer", "offline", "line", "cancelled", ...
	Sent   int    // bytes written to the line
	Done   int    // bytes the printer confirmed taking in (answered a status request after them)
	Total  int
	Status Status
	Err    error
}

func (e *JobError) Error() string {
	msg := fmt.Sprintf("printer: job failed (%s) after %d of %d bytes", e.Reason, e.Done, e.Total)
	if p := e.Status.Problem(); p != "" {
		msg += ": " + p
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *JobError) Unwrap() error { return e.Err }

func reasonOf(s Status) string {
	switch {
	case s.NoAnswer:
		return "no-answer"
	case s.CoverOpen:
		return "cover-open"
	case s.PaperOut:
		return "paper-out"
	case s.CutterError:
		return "cutter"
	case s.Unrecoverable:
		return "unrecoverable"
	}
	return "offline"
}

// Job is one print job.
type Job struct {
	Data escpos.Encoded
	// Progress, if set, is told the bytes the printer has confirmed taking
	// in, after each status check and at the end.
	Progress func(done, total int)
}

// Encode prepares doc for this printer's profile.
func (p *Printer) Encode(doc escpos.Doc) (escpos.Encoded, error) {
	return escpos.Encode(p.profile, doc)
}

// Print sends a job. It asks for status first (and refuses to start if the
// printer cannot print), after every CheckEvery bytes at a command boundary,
// and at the end, so paper running out mid-job is caught and reported with
// how far the job got. Failures are *JobError.
func (p *Printer) Print(ctx context.Context, job Job) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	data := job.Data.Bytes
	total := len(data)
	fail := func(reason string, sent, done int, s Status, err error) error {
		if s != (Status{}) {
			p.publish(s)
		}
		if job.Progress != nil {
			job.Progress(done, total)
		}
		return &JobError{Reason: reason, Sent: sent, Done: done, Total: total, Status: s, Err: err}
	}
	s, err := p.idleStatus(ctx)
	if err != nil {
		return fail("cancelled", 0, 0, Status{}, err)
	}
	p.publish(s)
	if !s.CanPrint() {
		return fail(reasonOf(s), 0, 0, s, nil)
	}
	breaks := append(append([]int(nil), job.Data.Breaks...), total)
	sent, done, bi := 0, 0, 0
	for sent < total {
		// The next checkpoint is the last command boundary within CheckEvery.
		target := min(total, done+p.cfg.CheckEvery)
		cp := -1
		for ; bi < len(breaks) && breaks[bi] <= target; bi++ {
			if breaks[bi] > sent {
				cp = breaks[bi]
			}
		}
		if cp < 0 {
			// One command longer than CheckEvery: send it whole.
			for bi < len(breaks) && breaks[bi] <= sent {
				bi++
			}
			cp = breaks[bi]
		}
		for sent < cp {
			if err := ctx.Err(); err != nil {
				return fail("cancelled", sent, done, Status{}, err)
			}
			end := min(sent+p.cfg.ChunkSize, cp)
			k, err := p.port.Write(data[sent:end])
			sent += k
			if err != nil {
				p.broken = true
				return fail("line", sent, done, Status{}, fmt.Errorf("write: %w", err))
			}
		}
		s, err := p.status(ctx, sent-done)
		if err != nil {
			return fail("cancelled", sent, done, Status{}, err)
		}
		if !s.CanPrint() {
			return fail(reasonOf(s), sent, done, s, nil)
		}
		done = sent
		p.publish(s)
		if job.Progress != nil {
			job.Progress(done, total)
		}
	}
	return nil
}

// Subscribe calls f with every change of status (and at once with the last
// known one). The returned function unsubscribes. f must not block.
func (p *Printer) Subscribe(f func(Status)) (cancel func()) {
	p.smu.Lock()
	id := p.nextID
	p.nextID++
	p.subs[id] = f
	last, known := p.last, p.known
	p.smu.Unlock()
	if known {
		f(last)
	}
	return func() {
		p.smu.Lock()
		delete(p.subs, id)
		p.smu.Unlock()
	}
}

func (p *Printer) publish(s Status) {
	p.smu.Lock()
	if p.known && p.last == s {
		p.smu.Unlock()
		return
	}
	p.last, p.known = s, true
	subs := make([]func(Status), 0, len(p.subs))
	for _, f := range p.subs {
		subs = append(subs, f)
	}
	p.smu.Unlock()
	for _, f := range subs {
		f(s)
	}
}

// Poll asks for status at every tick until ctx ends. Pass a ticker's
// channel; nil means a ticker at the configured PollInterval. A tick that
// comes while a job holds the line waits for it (the job reports status
// itself).
func (p *Printer) Poll(ctx context.Context, tick <-chan time.Time) error {
	if tick == nil {
		t := time.NewTicker(p.cfg.PollInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		if _, err := p.Status(ctx); err != nil && ctx.Err() == nil {
			p.cfg.Log.Warn("printer status poll failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick:
		}
	}
}

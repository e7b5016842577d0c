// Package ui draws the technician's maintenance screens and the
// out-of-service screen with Fyne, reusing the walk-up screens' widgets.
// Shell wraps the kiosk window: the walk-up screens draw into it as usual,
// and it shows the out-of-service screen, the hidden gesture corner, the
// PIN pad and the maintenance screens in their place when needed. What to
// do and what to show is decided in package maintenance; this package
// only draws it.
package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/absher-kiosk/kiosk/kiosk/i18n"
	"github.com/absher-kiosk/kiosk/kiosk/maintenance"
	"github.com/absher-kiosk/kiosk/kiosk/pii"
)

// Mode is what the shell shows.
type Mode int

const (
	ModeWalkUp  Mode = iota // the walk-up screens, or out of service
	ModePIN                 // the PIN pad
	ModeLocked              // entry locked after wrong PINs
	ModeConsole             // the main maintenance screen
	ModeCapture             // a test capture
	ModeExit                // a leave-to-OS confirmation
)

// Options configure the shell.
type Options struct {
	Catalog *i18n.Catalog // nil loads the embedded catalogue
	Gate    *maintenance.Gate
	Console *maintenance.Console
	Gesture maintenance.Gesture // zero: maintenance.DefaultGesture
	Lang    string              // the technician's first language; default Arabic
	Clock   func() time.Time    // default time.Now
	// AfterFunc schedules the hold timer; nil uses a real timer.
	AfterFunc func(time.Duration, func()) func() bool
	// Background runs slow work (a PIN check, a test print) off the UI
	// goroutine and applies its result on it. Nil runs work in a goroutine
	// and the result through fyne.Do.
	Background func(work func() (apply func()))
	// Context bounds the actions; nil is context.Background.
	Context context.Context
	// IdleLeave closes the PIN pad or maintenance after this long without
	// a touch, so a kiosk left open by a technician returns to the public;
	// zero means DefaultIdleLeave.
	IdleLeave time.Duration
	// ActionTimeout bounds each action (a test print, a capture, a
	// snapshot), so a hung device cannot hold the screen at "working";
	// zero means DefaultActionTimeout.
	ActionTimeout time.Duration
}

// DefaultActionTimeout is how long one maintenance action may take.
const DefaultActionTimeout = 30 * time.Second

// DefaultIdleLeave is how long maintenance stays open untouched.
const DefaultIdleLeave = 3 * time.Minute

var _ fyne.Window = (*Shell)(nil)

// Shell is the kiosk window with maintenance on top. Pass it to
// kiosk/ui.New in place of the window: the walk-up screens' SetContent
// calls land in the shell, which shows them when nothing else must be.
type Shell struct {
	fyne.Window

	o      Options
	cat    *i18n.Catalog
	corner *Corner

	walkUp fyne.CanvasObject
	oos    maintenance.OutOfService
	mode   Mode
	lang   string

	pin      []byte // digits typed on the pad; cleared on every change of mode
	attempt  maintenance.Attempt
	refused  bool
	snap     maintenance.Snapshot
	capture  maintenance.Capture
	notice   notice
	busy     bool
	exitStep maintenance.ExitStep
	tab      Tab

	idleStop func() bool
	idleGen  int // which arming of the idle timer is current

	savedRune func(rune)
	savedKey  func(*fyne.KeyEvent)
}

// notice is the outcome of the last action, shown at the top.
type notice struct {
	ok   bool
	text string
}

// NewShell wraps win.
func NewShell(win fyne.Window, o Options) (*Shell, error) {
	if o.Gate == nil || o.Console == nil {
		return nil, errors.New("maintenance screens need the PIN gate and the console; wire them in the program")
	}
	if o.Catalog == nil {
		c, err := i18n.Load()
		if err != nil {
			return nil, fmt.Errorf("maintenance screens cannot start without translations: %w", err)
		}
		o.Catalog = c
	}
	if o.Gesture == (maintenance.Gesture{}) {
		o.Gesture = maintenance.DefaultGesture
	}
	if o.Lang == "" {
		o.Lang = i18n.Arabic
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Background == nil {
		o.Background = func(work func() func()) {
			go func() {
				apply := work()
				fyne.Do(apply)
			}()
		}
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	if o.ActionTimeout <= 0 {
		o.ActionTimeout = DefaultActionTimeout
	}
	if o.IdleLeave <= 0 {
		o.IdleLeave = DefaultIdleLeave
	}
	if o.AfterFunc == nil {
		o.AfterFunc = func(d time.Duration, f func()) func() bool {
			return time.AfterFunc(d, func() { fyne.Do(f) }).Stop
		}
	}
	det, err := maintenance.NewDetector(o.Gesture, o.Clock)
	if err != nil {
		return nil, fmt.Errorf("maintenance gesture: %w", err)
	}
	s := &Shell{Window: win, o: o, cat: o.Catalog, lang: o.Lang}
	s.corner = NewCorner(det, o.AfterFunc, s.Open)
	return s, nil
}

// SetContent takes the walk-up screen; it is shown unless maintenance or
// the out-of-service screen is in front.
func (s *Shell) SetContent(c fyne.CanvasObject) {
	s.walkUp = c
	if s.mode == ModeWalkUp {
		s.render()
	}
}

// SetOutOfService updates the causes of the out-of-service screen. The
// screen appears and goes away by itself as the causes come and clear.
// Call it on the UI goroutine (through fyne.Do from elsewhere).
func (s *Shell) SetOutOfService(st maintenance.OutOfService) {
	s.oos = st
	if s.mode == ModeWalkUp {
		s.render()
	}
}

// Mode reports what the shell shows.
func (s *Shell) Mode() Mode { return s.mode }

// Corner is the hidden gesture widget, for tests and for drivers that
// deliver presses some other way.
func (s *Shell) Corner() *Corner { return s.corner }

// Open is what the gesture does: the PIN pad, or the lockout notice while
// entry is locked.
func (s *Shell) Open() {
	if s.mode != ModeWalkUp {
		return
	}
	s.o.Gate.Opened(s.o.Context)
	s.takeKeyboard()
	s.lang = s.o.Lang
	s.pin, s.attempt, s.refused = nil, maintenance.Attempt{}, false
	if until, locked := s.o.Gate.LockedUntil(); locked {
		s.attempt = maintenance.Attempt{Outcome: maintenance.Locked, Until: until}
		s.mode = ModeLocked
	} else {
		s.mode = ModePIN
	}
	s.render()
}

// Close leaves the PIN pad or maintenance for the walk-up screens.
func (s *Shell) close(why string) {
	if s.mode == ModeConsole || s.mode == ModeCapture || s.mode == ModeExit {
		s.o.Console.Leave(s.o.Context, why)
	}
	s.clearPIN()
	s.snap, s.capture, s.notice = maintenance.Snapshot{}, maintenance.Capture{}, notice{}
	s.mode = ModeWalkUp
	s.giveKeyboard()
	s.render()
}

func (s *Shell) clearPIN() {
	for i := range s.pin {
		s.pin[i] = 0
	}
	s.pin = nil
}

// takeKeyboard routes the physical keyboard to the PIN pad while
// maintenance is open, so digits never reach the walk-up step machine.
func (s *Shell) takeKeyboard() {
	c := s.Canvas()
	s.savedRune, s.savedKey = c.OnTypedRune(), c.OnTypedKey()
	c.SetOnTypedRune(func(r rune) {
		if d, ok := asciiDigit(r); ok && s.mode == ModePIN {
			s.key(d)
		}
	})
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		if s.mode != ModePIN {
			return
		}
		switch k.Name {
		case fyne.KeyBackspace, fyne.KeyDelete:
			s.del()
		case fyne.KeyReturn, fyne.KeyEnter:
			s.confirm()
		case fyne.KeyEscape:
			s.close("cancelled")
		}
	})
}

func (s *Shell) giveKeyboard() {
	c := s.Canvas()
	c.SetOnTypedRune(s.savedRune)
	c.SetOnTypedKey(s.savedKey)
}

func asciiDigit(r rune) (byte, bool) { return pii.Digit(r) }

func (s *Shell) key(d byte) {
	if s.busy || len(s.pin) >= maintenance.MaxPINLen {
		return
	}
	s.pin = append(s.pin, d)
	s.render()
}

func (s *Shell) del() {
	if s.busy || len(s.pin) == 0 {
		return
	}
	s.pin[len(s.pin)-1] = 0
	s.pin = s.pin[:len(s.pin)-1]
	s.render()
}

func (s *Shell) confirm() {
	if s.busy || len(s.pin) == 0 {
		return
	}
	pin := string(s.pin)
	s.clearPIN()
	s.busy = true
	s.render()
	s.o.Background(func() func() {
		ctx, cancel := s.actionContext()
		defer cancel()
		a, err := s.o.Gate.Try(ctx, pin)
		return func() {
			s.busy = false
			if s.mode != ModePIN {
				return
			}
			s.attempt, s.refused = a, err != nil
			switch {
			case a.Outcome == maintenance.Granted:
				s.enterConsole()
				return
			case a.Outcome == maintenance.Locked, !a.Until.IsZero():
				s.mode = ModeLocked
			}
			s.render()
		}
	})
}

func (s *Shell) enterConsole() {
	s.mode, s.tab = ModeConsole, TabDevices
	s.attempt = maintenance.Attempt{}
	s.refresh()
}

// refresh reads a new snapshot in the background.
func (s *Shell) refresh() {
	s.busy = true
	s.render()
	s.o.Background(func() func() {
		ctx, cancel := s.actionContext()
		defer cancel()
		snap := s.o.Console.Snapshot(ctx)
		return func() {
			s.busy = false
			s.snap = snap
			s.render()
		}
	})
}

// act runs a console action in the background, then shows its outcome
// and a fresh snapshot. The outcome's words are looked up when shown, on
// the UI goroutine, since the language belongs to it.
func (s *Shell) act(do func(ctx context.Context) (func() string, error)) {
	if s.busy {
		return
	}
	s.busy = true
	s.render()
	s.o.Background(func() func() {
		ctx, cancel := s.actionContext()
		defer cancel()
		msg, err := do(ctx)
		snap := s.o.Console.Snapshot(ctx)
		return func() {
			s.busy = false
			s.snap = snap
			if err != nil {
				s.notice = notice{text: s.t("mnt_failed", map[string]any{"Err": unwrapAll(err)})}
			} else {
				s.notice = notice{ok: true, text: msg()}
			}
			s.render()
		}
	})
}

// unwrapAll drops the action prefix the console adds; the screen already
// says which action it was.
func unwrapAll(err error) string {
	if u := errors.Unwrap(err); u != nil {
		return u.Error()
	}
	return err.Error()
}

func (s *Shell) testPrint() {
	s.act(func(ctx context.Context) (func() string, error) {
		return s.msg("mnt_done_test_print"), s.o.Console.TestPrint(ctx)
	})
}

func (s *Shell) testCapture() {
	if s.busy {
		return
	}
	s.busy = true
	s.render()
	s.o.Background(func() func() {
		ctx, cancel := s.actionContext()
		defer cancel()
		cp, err := s.o.Console.TestCapture(ctx)
		return func() {
			s.busy = false
			if err != nil {
				s.notice = notice{text: s.t("mnt_failed", map[string]any{"Err": unwrapAll(err)})}
				s.render()
				return
			}
			s.capture = cp
			s.mode = ModeCapture
			s.render()
		}
	})
}

func (s *Shell) forceSync() {
	s.act(func(ctx context.Context) (func() string, error) {
		return s.msg("mnt_done_force_sync"), s.o.Console.ForceSync(ctx)
	})
}

func (s *Shell) retryParked() {
	s.act(func(ctx context.Context) (func() string, error) {
		n, err := s.o.Console.RetryParked(ctx)
		return func() string { return s.t("mnt_retried", nil, n) }, err
	})
}

func (s *Shell) toggleOutOfService() {
	on := !s.snap.OutOfService
	s.act(func(ctx context.Context) (func() string, error) {
		return s.msg("mnt_done_out_of_service"), s.o.Console.SetOutOfService(ctx, on)
	})
}

func (s *Shell) restart() {
	s.act(func(ctx context.Context) (func() string, error) {
		return s.msg("mnt_done_restart"), s.o.Console.Restart(ctx)
	})
}

// askExit moves the leave-to-OS confirmation on; the third tap leaves.
func (s *Shell) askExit() {
	if s.busy {
		return
	}
	s.busy = true
	s.o.Background(func() func() {
		ctx, cancel := s.actionContext()
		defer cancel()
		step, err := s.o.Console.AskExit(ctx)
		return func() {
			s.busy = false
			s.exitStep = step
			switch {
			case err != nil:
				s.mode = ModeConsole
				s.notice = notice{text: s.t("mnt_failed", map[string]any{"Err": unwrapAll(err)})}
			case step == maintenance.ExitConfirm1 || step == maintenance.ExitConfirm2:
				s.mode = ModeExit
			}
			s.render()
		}
	})
}

func (s *Shell) cancelExit() {
	s.o.Console.CancelExit()
	s.exitStep = maintenance.ExitNone
	s.mode = ModeConsole
	s.render()
}

func (s *Shell) switchLang() {
	if s.lang == i18n.Arabic {
		s.lang = i18n.English
	} else {
		s.lang = i18n.Arabic
	}
	s.render()
}

func (s *Shell) actionContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.o.Context, s.o.ActionTimeout)
}

// msg defers looking id up until the outcome is shown.
func (s *Shell) msg(id string) func() string { return func() string { return s.t(id, nil) } }

func (s *Shell) t(id string, data map[string]any, count ...int) string {
	return s.cat.T(s.lang, id, data, count...)
}

// render draws the current mode. Every draw builds a fresh tree, as the
// walk-up screens do, so nothing typed outlives its screen.
func (s *Shell) render() {
	s.armIdle()
	p := &page{cat: s.cat, lang: s.lang, width: s.Canvas().Size().Width, now: s.o.Clock()}
	var c fyne.CanvasObject
	switch s.mode {
	case ModeWalkUp:
		front := s.walkUp
		if s.oos.Shown() {
			front = OutOfServiceScreen(s.cat, s.oos, p.width)
		}
		if front == nil {
			front = container.NewStack()
		}
		c = s.corner.Over(front)
	case ModePIN:
		c = p.pinPad(len(s.pin), s.attempt, s.refused, s.busy, pinActions{
			key: s.key, del: s.del, ok: s.confirm, cancel: func() { s.close("cancelled") }, lang: s.switchLang})
	case ModeLocked:
		c = p.locked(s.attempt.Until, func() { s.close("cancelled") }, s.switchLang)
	case ModeConsole:
		c = p.console(s.tab, s.snap, s.notice, s.busy, consoleActions{
			refresh: s.refresh, print: s.testPrint, capture: s.testCapture, sync: s.forceSync, retry: s.retryParked,
			oos: s.toggleOutOfService, restart: s.restart, exit: s.askExit, leave: func() { s.close("left") }, lang: s.switchLang,
			tab: func(t Tab) { s.tab, s.notice = t, notice{}; s.render() }})
	case ModeCapture:
		c = p.captureScreen(s.capture, func() { s.capture = maintenance.Capture{}; s.mode = ModeConsole; s.render() }, s.switchLang)
	case ModeExit:
		c = p.exitConfirm(s.exitStep, s.askExit, s.cancelExit, s.switchLang)
	}
	s.Window.SetContent(c)
}

// armIdle restarts the idle timer: every draw in maintenance follows a
// touch or an action, so a draw is activity.
func (s *Shell) armIdle() {
	if s.idleStop != nil {
		s.idleStop()
		s.idleStop = nil
	}
	if s.mode == ModeWalkUp {
		return
	}
	s.idleGen++
	gen := s.idleGen
	s.idleStop = s.o.AfterFunc(s.o.IdleLeave, func() {
		// A timer that fired while being replaced must not close the
		// screen its successor now guards.
		if gen == s.idleGen && s.mode != ModeWalkUp && !s.busy {
			s.close("idle")
		}
	})
}

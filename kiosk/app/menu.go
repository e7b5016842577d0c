package app

import (
	"context"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/devices/health"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
)

// Offer decides what the flow offers from the kiosk's health and the
// central config: the receipt offer and print services only while printing
// works, fingerprint identification only while the scanner does (else the
// fallback), and the menu and session timing from the config.
type Offer struct {
	Base  flow.Deps
	Avail func() health.Availability
	// Runtime is the central config in force (nil: the base's menu and
	// timing).
	Runtime func() *Runtime
}

// Deps are the flow's parts for the next visit.
func (o Offer) Deps() flow.Deps {
	d := o.Base
	a := health.Availability{Printing: true, Fingerprint: true}
	if o.Avail != nil {
		a = o.Avail()
	}
	if !a.Printing {
		// The flow offers a receipt whenever it has a printer.
		d.Printer = nil
		if d.DocPrinter != nil {
			d.DocPrinter = noDocPrinting{d.DocPrinter}
		}
	}
	if !a.Fingerprint && d.Scanner != nil {
		d.Scanner = unusable{d.Scanner}
	}
	if o.Runtime != nil {
		if rt := o.Runtime(); rt != nil && rt.Central {
			if len(rt.Menu) > 0 {
				d.Menu = rt.Menu
			}
			if rt.Timing.Idle > 0 {
				d.Timing = rt.Timing
			}
		}
	}
	return d
}

type noDocPrinting struct{ flow.DocumentPrinter }

func (noDocPrinting) CanPrint() bool { return false }

type unusable struct{ flow.Scanner }

func (unusable) Usable() bool { return false }

// Switch is the screens' machine over a flow that is rebuilt between
// visits: a new config or a change of health must not change a visit under
// a person's finger, so a rebuild asked for during a visit waits for the
// attract screen.
type Switch struct {
	build func() *flow.Machine
	rearm time.Duration

	// deliver orders the views handed to subscribers: each delivery reads
	// the newest view while holding it, so a rebuild's attract view can
	// never arrive after the next visit's first screen.
	deliver sync.Mutex

	mu      sync.Mutex
	cur     *Screens
	pending bool
	subs    []func(ui.View)
	builds  int
}

// NewSwitch builds the first flow and adapts it for the screens.
func NewSwitch(build func() *flow.Machine, rearm time.Duration) *Switch {
	s := &Switch{build: build, rearm: rearm}
	s.mu.Lock()
	s.installLocked()
	s.mu.Unlock()
	return s
}

func (s *Switch) installLocked() {
	m := s.build()
	sc := NewScreens(m, s.rearm)
	s.cur = sc
	s.pending = false
	s.builds++
	m.Subscribe(func(v flow.View) { s.changed(sc, v) })
}

// Rebuild asks for a new flow: at once when nobody is being served, else
// when the visit ends.
func (s *Switch) Rebuild() {
	s.mu.Lock()
	if s.cur.M.View().Step != flow.StepAttract {
		s.pending = true
		s.mu.Unlock()
		return
	}
	s.installLocked()
	s.mu.Unlock()
	s.publish()
}

func (s *Switch) changed(from *Screens, v flow.View) {
	s.mu.Lock()
	if from != s.cur {
		s.mu.Unlock()
		return
	}
	if s.pending && v.Step == flow.StepAttract {
		s.installLocked()
	}
	s.mu.Unlock()
	s.publish()
}

// publish hands the serving flow's newest view to every subscriber.
func (s *Switch) publish() {
	s.deliver.Lock()
	defer s.deliver.Unlock()
	s.mu.Lock()
	m := s.cur.M
	subs := append(make([]func(ui.View), 0, len(s.subs)), s.subs...)
	s.mu.Unlock()
	v := ToUI(m.View())
	for _, f := range subs {
		f(v)
	}
}

// Machine is the flow serving now.
func (s *Switch) Machine() *flow.Machine {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur.M
}

// Builds counts the flows built so far.
func (s *Switch) Builds() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.builds
}

func (s *Switch) View() ui.View { return ToUI(s.Machine().View()) }

// Send hands e to the serving flow. A rebuild can replace the flow while
// e is on its way (the flow is only replaced at the attract screen); then
// the replaced flow's answer is dropped and e goes to the new one, so a tap
// at that moment is not lost.
func (s *Switch) Send(e ui.Event) {
	for {
		s.mu.Lock()
		sc := s.cur
		s.mu.Unlock()
		sc.Send(e)
		s.mu.Lock()
		same := sc == s.cur
		s.mu.Unlock()
		if same {
			return
		}
	}
}

func (s *Switch) Subscribe(f func(ui.View)) {
	s.mu.Lock()
	s.subs = append(s.subs, f)
	s.mu.Unlock()
}

// Follow rebuilds the flow whenever what the kiosk can offer changes. It
// returns when ctx ends.
func (s *Switch) Follow(ctx context.Context, reg *health.Registry) {
	last := reg.Availability()
	cancel := reg.Subscribe(func([]health.Warning) {
		a := reg.Availability()
		if a.Printing != last.Printing || a.Fingerprint != last.Fingerprint {
			last = a
			s.Rebuild()
		}
	})
	<-ctx.Done()
	cancel()
}

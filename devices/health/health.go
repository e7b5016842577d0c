// Package health is the kiosk's registry of warnings: what is wrong with a
// device, the storage or the link to the centre, since when, and how bad.
//
// The registry is a leaf: it knows no producer. Each part that detects a
// condition declares its own warnings next to the detection code, as
// [Warning] values carrying a code, a severity, a delay before the warning
// is visible, the warnings it depends on and its [Impact] on the walk-up
// service, and reports them with [Registry.Set], [Registry.Clear] or
// [Registry.Replace]. Availability follows from the impacts of the visible
// warnings, never from who reported them.
//
// A warning only becomes visible after its delay, so a printer that misses
// one status poll or a scanner that re-enumerates for half a second is not an
// alarm. Subscribers hear about every change of the visible set, including
// the moment a delayed warning ripens, through a timer (time.AfterFunc), so
// nobody polls; tests run in a testing/synctest bubble instead of sleeping.
package health

import (
	"cmp"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/pii"
)

// Severity says how much a warning matters.
type Severity int

const (
	Info Severity = iota
	Warn
	Critical
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warn:
		return "warning"
	case Critical:
		return "critical"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// MarshalText writes the severity as its name, for heartbeats and logs.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Impact is what a visible critical warning takes away from the walk-up
// service. The producer declares it with the warning; [Compute] reads it.
type Impact uint8

const (
	// DisablesPrinting switches print services and the receipt offer off.
	DisablesPrinting Impact = 1 << iota
	// DisablesFingerprint leaves only the fallback identification (ID,
	// password and SMS code).
	DisablesFingerprint
	// OutOfService takes the kiosk out of service: nothing it does could be
	// recorded.
	OutOfService
)

// ID names a warning: the source that reports it and its code there.
type ID struct{ Source, Code string }

func (id ID) String() string { return id.Source + "." + id.Code }

// Warning is one thing that is wrong. Producers declare each kind of warning
// they can raise as a Warning value (source, code, severity, delay, impact,
// dependencies and a detail for technicians) and report a copy of it.
// Source and Code together identify it; setting the same pair again updates
// it without restarting its delay.
type Warning struct {
	Source   string
	Code     string
	Severity Severity
	Since    time.Time     // when it started; now when zero
	Delay    time.Duration // how long it must last before it is visible
	// Impact is what the warning takes away while it is visible and
	// critical; zero limits nothing.
	Impact Impact
	// DependsOn lists warnings that, while present, make this one
	// irrelevant: it stays hidden until they are gone (a printer that does
	// not answer says nothing about its paper).
	DependsOn []ID
	Detail    string // for technicians; personal numbers masked (pii.Scrub)
}

// ID is the warning's identity.
func (w Warning) ID() ID { return ID{w.Source, w.Code} }

// VisibleAt is when the warning becomes visible, dependencies aside.
func (w Warning) VisibleAt() time.Time { return w.Since.Add(w.Delay) }

// Transition kinds recorded in the history.
const (
	Raised  = "raised"  // the warning became visible
	Changed = "changed" // a visible warning changed severity or detail
	Cleared = "cleared" // a visible warning went away
)

// Entry is one line of the history.
type Entry struct {
	Time    time.Time
	What    string // Raised, Changed or Cleared
	Warning Warning
}

// Options tune a Registry. The zero value is usable.
type Options struct {
	HistorySize int          // entries kept; default 200
	Logger      *slog.Logger // default discards
}

// Registry holds the current warnings. Safe for concurrent use.
type Registry struct {
	log *slog.Logger

	mu       sync.Mutex
	warnings map[ID]Warning
	timers   map[ID]*time.Timer
	shown    map[ID]Warning // the visible set last announced
	history  []Entry        // ring
	head     int            // next write position once full
	full     bool
	subs     map[int]func([]Warning)
	nextSub  int

	// notifyMu keeps subscribers' calls in the order the changes happened.
	notifyMu sync.Mutex
}

// New builds an empty registry.
func New(opt Options) *Registry {
	if opt.HistorySize <= 0 {
		opt.HistorySize = 200
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Registry{
		log:      opt.Logger,
		warnings: map[ID]Warning{},
		timers:   map[ID]*time.Timer{},
		shown:    map[ID]Warning{},
		history:  make([]Entry, 0, opt.HistorySize),
		subs:     map[int]func([]Warning){},
	}
}

// Set raises or updates a warning. A warning already present keeps its
// Since, so a status poll repeating the same fault does not restart the
// delay.
func (r *Registry) Set(w Warning) {
	// Details come from drivers and error text, which may quote an ID or
	// mobile number: masked before they are kept, shown or logged.
	w.Detail = pii.Scrub(w.Detail)
	w.DependsOn = slices.Clone(w.DependsOn)
	if w.Delay < 0 {
		w.Delay = 0
	}
	r.mu.Lock()
	now := time.Now()
	if old, ok := r.warnings[w.ID()]; ok {
		w.Since = old.Since
	} else if w.Since.IsZero() {
		w.Since = now
	}
	r.warnings[w.ID()] = w
	r.schedule(w, now)
	r.changed()
}

// Clear removes a warning; clearing one that is not there does nothing.
func (r *Registry) Clear(source, code string) {
	r.mu.Lock()
	r.drop(ID{source, code})
	r.changed()
}

// Replace makes ws the complete set of warnings of source: those given are
// set, the source's others are cleared. Producers use it with the warnings
// derived from one status reading.
func (r *Registry) Replace(source string, ws []Warning) {
	keep := map[ID]bool{}
	for _, w := range ws {
		w.Source = source
		keep[w.ID()] = true
		r.Set(w)
	}
	r.mu.Lock()
	for k, w := range r.warnings {
		if w.Source == source && !keep[k] {
			r.drop(k)
		}
	}
	r.changed()
}

// drop removes one warning; r.mu held.
func (r *Registry) drop(k ID) {
	delete(r.warnings, k)
	if t, ok := r.timers[k]; ok {
		t.Stop()
		delete(r.timers, k)
	}
}

// schedule arms a timer for a warning not yet visible; r.mu held.
func (r *Registry) schedule(w Warning, now time.Time) {
	k := w.ID()
	if t, ok := r.timers[k]; ok {
		t.Stop()
		delete(r.timers, k)
	}
	wait := w.VisibleAt().Sub(now)
	if wait <= 0 {
		return
	}
	var t *time.Timer
	t = time.AfterFunc(wait, func() {
		r.mu.Lock()
		if r.timers[k] == t {
			delete(r.timers, k)
		}
		r.changed()
	})
	r.timers[k] = t
}

// changed recomputes the visible set, records transitions, unlocks r.mu and
// tells subscribers if anything they can see changed.
func (r *Registry) changed() {
	now := time.Now()
	cur := r.visible(now)
	moved := false
	for k, w := range cur {
		old, ok := r.shown[k]
		switch {
		case !ok:
			r.record(Entry{Time: now, What: Raised, Warning: w})
			r.log.Warn("health: raised", "source", w.Source, "code", w.Code, "severity", w.Severity.String(), "detail", w.Detail)
			moved = true
		case old.Severity != w.Severity || old.Detail != w.Detail:
			r.record(Entry{Time: now, What: Changed, Warning: w})
			moved = true
		}
	}
	for k, w := range r.shown {
		if _, ok := cur[k]; !ok {
			r.record(Entry{Time: now, What: Cleared, Warning: w})
			r.log.Info("health: cleared", "source", w.Source, "code", w.Code)
			moved = true
		}
	}
	r.shown = cur
	var subs []func([]Warning)
	var vis []Warning
	if moved {
		vis = sorted(cur)
		for _, id := range slices.Sorted(mapsKeys(r.subs)) {
			subs = append(subs, r.subs[id])
		}
	}
	// Take the notify lock before releasing the state lock so two changes
	// reach subscribers in the order they were made.
	if moved {
		r.notifyMu.Lock()
	}
	r.mu.Unlock()
	if !moved {
		return
	}
	defer r.notifyMu.Unlock()
	for _, f := range subs {
		f(slices.Clone(vis))
	}
}

// visible is the set whose delay has passed at now, less the warnings one
// of whose dependencies is present; r.mu held.
func (r *Registry) visible(now time.Time) map[ID]Warning {
	cur := map[ID]Warning{}
	for k, w := range r.warnings {
		if now.Before(w.VisibleAt()) || slices.ContainsFunc(w.DependsOn, r.present) {
			continue
		}
		cur[k] = w
	}
	return cur
}

// present reports whether a warning is set, visible or not; r.mu held.
func (r *Registry) present(id ID) bool {
	_, ok := r.warnings[id]
	return ok
}

func mapsKeys(m map[int]func([]Warning)) func(func(int) bool) {
	return func(yield func(int) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func (r *Registry) record(e Entry) {
	if len(r.history) < cap(r.history) {
		r.history = append(r.history, e)
		return
	}
	r.history[r.head] = e
	r.head = (r.head + 1) % len(r.history)
}

// sorted orders warnings most severe first, then oldest first, then by
// source and code, so screens and heartbeats list them the same way.
func sorted(m map[ID]Warning) []Warning {
	out := make([]Warning, 0, len(m))
	for _, w := range m {
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b Warning) int {
		if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
			return c
		}
		if c := a.Since.Compare(b.Since); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	})
	return out
}

// Visible lists the warnings whose delay has passed, most severe first.
func (r *Registry) Visible() []Warning {
	r.mu.Lock()
	defer r.mu.Unlock()
	return sorted(r.visible(time.Now()))
}

// All lists every warning, visible or still within its delay.
func (r *Registry) All() []Warning {
	r.mu.Lock()
	defer r.mu.Unlock()
	return sorted(r.warnings)
}

// History lists the recorded transitions, oldest first.
func (r *Registry) History() []Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Entry, 0, len(r.history))
	out = append(out, r.history[r.head:]...)
	return append(out, r.history[:r.head]...)
}

// Subscribe calls f with the visible set each time it changes, until the
// returned cancel is called. f runs on the goroutine that made the change
// (or the timer's goroutine) and must not call back into the
// registry's writers.
func (r *Registry) Subscribe(f func(visible []Warning)) (cancel func()) {
	r.mu.Lock()
	id := r.nextSub
	r.nextSub++
	r.subs[id] = f
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		delete(r.subs, id)
		r.mu.Unlock()
	}
}

// Availability is what the kiosk can offer given its health.
type Availability struct {
	Printing     bool     // print services and receipt offers
	Fingerprint  bool     // fingerprint identification; otherwise only the fallback
	OutOfService bool     // no walk-up service at all
	Reasons      []string // "source.code" of each critical warning that limits service
	// Faults lists the sources of the warnings that take the kiosk out of
	// service, sorted, each once: the causes the out-of-service screen and
	// the heartbeat name.
	Faults []string
}

// Compute decides availability from the visible warnings: each critical
// warning takes away what its impact says. Warnings below critical never
// limit service, and neither do critical ones without an impact (an
// unreachable centre: the flow already handles it).
func Compute(visible []Warning) Availability {
	a := Availability{Printing: true, Fingerprint: true}
	for _, w := range visible {
		if w.Severity < Critical || w.Impact == 0 {
			continue
		}
		if w.Impact&DisablesPrinting != 0 {
			a.Printing = false
		}
		if w.Impact&DisablesFingerprint != 0 {
			a.Fingerprint = false
		}
		if w.Impact&OutOfService != 0 {
			a.OutOfService = true
			if !slices.Contains(a.Faults, w.Source) {
				a.Faults = append(a.Faults, w.Source)
			}
		}
		a.Reasons = append(a.Reasons, w.ID().String())
	}
	slices.Sort(a.Faults)
	return a
}

// Availability computes availability from the registry's visible set.
func (r *Registry) Availability() Availability { return Compute(r.Visible()) }

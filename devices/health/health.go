// Package health is the kiosk's registry of warnings: what is wrong with a
// device, the queue or the link to the centre, since when, and how bad.
//
// A warning only becomes visible after its delay, so a printer that misses
// one status poll or a scanner that re-enumerates for half a second is not an
// alarm. Subscribers hear about every change of the visible set, including
// the moment a delayed warning ripens, through the injected clock's
// AfterFunc so tests need no sleeping.
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

// Sources used across the kiosk.
const (
	SourcePrinter  = "printer"
	SourceScanner  = "scanner"
	SourceQueue    = "queue"
	SourceDatabase = "database"
	SourceCentre   = "centre"
	SourceService  = "service"
	SourceUI       = "ui"
)

// Warning is one thing that is wrong. Source and Code together identify it;
// setting the same pair again updates it without restarting its delay.
type Warning struct {
	Source   string
	Code     string
	Severity Severity
	Since    time.Time     // when it started; the clock's now when zero
	Delay    time.Duration // how long it must last before it is visible
	Detail   string        // for technicians; long digit runs are masked
}

// VisibleAt is when the warning becomes visible.
func (w Warning) VisibleAt() time.Time { return w.Since.Add(w.Delay) }

func (w Warning) key() string { return w.Source + "\x00" + w.Code }

// Timer is what the clock's AfterFunc returns.
type Timer interface{ Stop() bool }

// Clock is the time source; tests pass a manual one.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) Timer
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(d, f)
}

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
	Clock       Clock        // default: the system clock
	HistorySize int          // entries kept; default 200
	Logger      *slog.Logger // default discards
}

// Registry holds the current warnings. Safe for concurrent use.
type Registry struct {
	clock Clock
	log   *slog.Logger

	mu       sync.Mutex
	warnings map[string]Warning
	timers   map[string]Timer
	shown    map[string]Warning // the visible set last announced
	history  []Entry            // ring
	head     int                // next write position once full
	full     bool
	subs     map[int]func([]Warning)
	nextSub  int

	// notifyMu keeps subscribers' calls in the order the changes happened.
	notifyMu sync.Mutex
}

// New builds an empty registry.
func New(opt Options) *Registry {
	if opt.Clock == nil {
		opt.Clock = realClock{}
	}
	if opt.HistorySize <= 0 {
		opt.HistorySize = 200
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Registry{
		clock:    opt.Clock,
		log:      opt.Logger,
		warnings: map[string]Warning{},
		timers:   map[string]Timer{},
		shown:    map[string]Warning{},
		history:  make([]Entry, 0, opt.HistorySize),
		subs:     map[int]func([]Warning){},
	}
}

// Set raises or updates a warning. A warning already present keeps its
// Since, so a status poll repeating the same fault does not restart the
// delay.
func (r *Registry) Set(w Warning) {
	w.Detail = pii.Scrub(w.Detail)
	if w.Delay < 0 {
		w.Delay = 0
	}
	r.mu.Lock()
	now := r.clock.Now()
	if old, ok := r.warnings[w.key()]; ok {
		w.Since = old.Since
	} else if w.Since.IsZero() {
		w.Since = now
	}
	r.warnings[w.key()] = w
	r.schedule(w, now)
	r.changed()
}

// Clear removes a warning; clearing one that is not there does nothing.
func (r *Registry) Clear(source, code string) {
	r.mu.Lock()
	k := Warning{Source: source, Code: code}.key()
	r.drop(k)
	r.changed()
}

// Replace makes ws the complete set of warnings of source: those given are
// set, the source's others are cleared. Device adapters use it with the
// warnings derived from one status reading.
func (r *Registry) Replace(source string, ws []Warning) {
	keep := map[string]bool{}
	for _, w := range ws {
		w.Source = source
		keep[w.key()] = true
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
func (r *Registry) drop(k string) {
	delete(r.warnings, k)
	if t, ok := r.timers[k]; ok {
		t.Stop()
		delete(r.timers, k)
	}
}

// schedule arms a timer for a warning not yet visible; r.mu held.
func (r *Registry) schedule(w Warning, now time.Time) {
	k := w.key()
	if t, ok := r.timers[k]; ok {
		t.Stop()
		delete(r.timers, k)
	}
	wait := w.VisibleAt().Sub(now)
	if wait <= 0 {
		return
	}
	var t Timer
	t = r.clock.AfterFunc(wait, func() {
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
	now := r.clock.Now()
	cur := map[string]Warning{}
	for k, w := range r.warnings {
		if !now.Before(w.VisibleAt()) {
			cur[k] = w
		}
	}
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
func sorted(m map[string]Warning) []Warning {
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
	now := r.clock.Now()
	cur := map[string]Warning{}
	for k, w := range r.warnings {
		if !now.Before(w.VisibleAt()) {
			cur[k] = w
		}
	}
	return sorted(cur)
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
// (or the clock's timer goroutine) and must not call back into the
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

// Package session holds everything one walk-up user leaves at the kiosk —
// typed digits, ID, verification reference, token, name, fingerprint
// images, mobile number — and the idle timer that ends it. Personal data is
// kept in byte slices and pixel buffers, never in strings, so that Wipe can
// overwrite it before letting go.
package session

import (
	"fmt"
	"image"
	"sync"
	"time"
)

// Default idle settings; MinWarning is the WCAG 2.2.1 floor.
const (
	DefaultIdle = 45 * time.Second
	MinWarning  = 20 * time.Second
)

// Timing is the idle configuration.
type Timing struct {
	Idle    time.Duration // without a touch before the warning
	Warning time.Duration // how long the warning stays; raised to MinWarning
}

// FromSeconds builds a Timing from the config file's seconds, applying the
// default idle time and the warning floor.
func FromSeconds(idle, warning int) Timing {
	t := Timing{Idle: time.Duration(idle) * time.Second, Warning: time.Duration(warning) * time.Second}
	if t.Idle <= 0 {
		t.Idle = DefaultIdle
	}
	if t.Warning < MinWarning {
		t.Warning = MinWarning
	}
	return t
}

// Data is the personal content of a session. Every field is wiped.
type Data struct {
	Lang         string
	Entry        []byte // what is being typed in the current field, UTF-8
	ID           []byte
	VerifyRef    []byte
	Token        []byte
	Name         []byte
	Mobile       []byte // the new mobile, canonical
	MaskedMobile []byte // the mobile a code was sent to, as the centre masked it
	Code         []byte
	Record       []byte            // the last ISO fingerprint record
	Image        *image.Gray       // the last fingerprint capture
	Extra        map[string][]byte // service-specific values
}

// Session is one user's visit. The zero value is not usable; call New.
type Session struct {
	mu     sync.Mutex
	timing Timing
	onWarn func(left time.Duration)
	onEnd  func()

	Data     Data
	active   bool
	warning  bool
	warnEnds time.Time
	timer    *time.Timer
	gen      int // stale timer callbacks check it and do nothing
}

// New makes an idle session. onWarn is called when the warning starts,
// onExpire when it runs out; onExpire must end the visit with Wipe, and
// when it is nil the session wipes itself. Both run on the
// timer's own goroutine without the session's lock held. The timers come
// from the time package; tests run sessions in a testing/synctest bubble.
func New(t Timing, onWarn func(left time.Duration), onExpire func()) *Session {
	if t.Idle <= 0 || t.Warning < MinWarning {
		t = FromSeconds(int(t.Idle/time.Second), int(t.Warning/time.Second))
	}
	return &Session{timing: t, onWarn: onWarn, onEnd: onExpire}
}

// Timing reports the idle configuration in force.
func (s *Session) Timing() Timing { return s.timing }

// Begin starts the idle timer; the attract screen runs without one.
func (s *Session) Begin() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active = true
	s.armLocked(s.timing.Idle, s.warnLocked)
}

// Touch records user activity: the warning is dismissed and the idle
// timer starts over. MoreTime is the same thing by its WCAG name.
func (s *Session) Touch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active {
		return
	}
	s.warning = false
	s.armLocked(s.timing.Idle, s.warnLocked)
}

// MoreTime answers the "I need more time" button.
func (s *Session) MoreTime() { s.Touch() }

// Warning reports whether the idle warning is showing and how long is left.
func (s *Session) Warning() (bool, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.warning {
		return false, 0
	}
	left := s.warnEnds.Sub(time.Now())
	if left < 0 {
		left = 0
	}
	return true, left
}

func (s *Session) armLocked(d time.Duration, f func(gen int)) {
	if s.timer != nil {
		s.timer.Stop()
	}
	s.gen++
	gen := s.gen
	s.timer = time.AfterFunc(d, func() { f(gen) })
}

// warnLocked is named for what it arms; it takes the lock itself.
func (s *Session) warnLocked(gen int) {
	s.mu.Lock()
	if gen != s.gen || !s.active {
		s.mu.Unlock()
		return
	}
	s.warning = true
	s.warnEnds = time.Now().Add(s.timing.Warning)
	s.armLocked(s.timing.Warning, s.expire)
	cb, left := s.onWarn, s.timing.Warning
	s.mu.Unlock()
	if cb != nil {
		cb(left)
	}
}

func (s *Session) expire(gen int) {
	s.mu.Lock()
	if gen != s.gen || !s.active {
		s.mu.Unlock()
		return
	}
	end := s.onEnd
	s.mu.Unlock()
	if end == nil {
		s.Wipe()
		return
	}
	// The owner wipes, from its own goroutine: the data is read under the
	// owner's lock, so wiping it here, on the timer's goroutine, would
	// race with the owner reading it.
	end()
}

// Wipe ends the session: timers stop and every byte of personal data is
// overwritten with zeros before being dropped, so copies that escaped the
// garbage collector's reach (a reused buffer, a core dump) hold nothing.
func (s *Session) Wipe() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	s.gen++
	s.active = false
	s.warning = false
	s.warnEnds = time.Time{}
	d := &s.Data
	for _, b := range [][]byte{d.Entry, d.ID, d.VerifyRef, d.Token, d.Name, d.Mobile, d.MaskedMobile, d.Code, d.Record} {
		zero(b)
	}
	for k, v := range d.Extra {
		zero(v)
		delete(d.Extra, k)
	}
	if d.Image != nil {
		zero(d.Image.Pix)
		d.Image.Pix = nil
	}
	s.Data = Data{}
}

// Active reports whether a visit is under way (the idle timer is running).
func (s *Session) Active() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active
}

// Set replaces a field's bytes, wiping the old value first. It copies v so
// the caller may wipe its own buffer.
func Set(dst *[]byte, v []byte) {
	zero(*dst)
	*dst = append([]byte(nil), v...)
}

func zero(b []byte) {
	// clear on the full capacity: appends may have left old bytes past len.
	clear(b[:cap(b)])
}

// String never shows personal data, so a stray %v in a log is safe.
func (s *Session) String() string {
	return fmt.Sprintf("session{active:%v}", s.Active())
}

// GoString keeps %#v as safe as %v.
func (s *Session) GoString() string { return s.String() }

// Package biometric verifies a posted finger image record against a
// person's enrolled fingers. Templates are extracted lazily, the first time
// someone starts a verification for that person, and kept in memory:
// extraction takes tens to hundreds of milliseconds per finger, far too slow
// to do for a whole population at start.
package biometric

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sync"

	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// Matcher is what the verifier needs from a fingerprint matcher
// (central/match satisfies it with T = *match.Template).
type Matcher[T any] interface {
	Template(img image.Image, dpi int) (T, error)
	Verify(ctx context.Context, probe image.Image, dpi int, enrolled []T) (score float64, ok bool, err error)
}

// Decoder turns a posted ISO/IEC 19794-4 record into an image and its
// resolution (devices/fingerprint/fir).
type Decoder func(record []byte) (image.Image, int, error)

// Enroller renders an enrolled finger: the synthetic finger of its seed or
// its fixture image.
type Enroller func(f people.Finger) (image.Image, int, error)

// Verifier implements central.FingerVerifier; a record that does not
// decode gives an error wrapping api.ErrFingerRecord.
type Verifier[T any] struct {
	m      Matcher[T]
	decode Decoder
	enroll Enroller

	mu    sync.Mutex
	cache map[string]*entry[T]
	order []string
	max   int
}

type entry[T any] struct {
	done  chan struct{}
	tmpls []T
	err   error
}

// New makes a verifier that keeps the templates of up to max persons.
func New[T any](m Matcher[T], decode Decoder, enroll Enroller, max int) *Verifier[T] {
	if max <= 0 {
		max = 1000
	}
	return &Verifier[T]{m: m, decode: decode, enroll: enroll, cache: map[string]*entry[T]{}, max: max}
}

// Warm starts extracting p's templates without waiting; the server calls it
// when a verification starts, so the work overlaps with the user placing
// their finger.
func (v *Verifier[T]) Warm(p people.Person) {
	e, first := v.entry(p.ID)
	if first {
		go v.fill(e, p)
	}
}

func (v *Verifier[T]) entry(id string) (*entry[T], bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if e, ok := v.cache[id]; ok {
		return e, false
	}
	e := &entry[T]{done: make(chan struct{})}
	v.cache[id] = e
	v.order = append(v.order, id)
	if len(v.order) > v.max {
		delete(v.cache, v.order[0])
		v.order = v.order[1:]
	}
	return e, true
}

func (v *Verifier[T]) fill(e *entry[T], p people.Person) {
	defer close(e.done)
	for _, f := range p.Fingers {
		img, dpi, err := v.enroll(f)
		if err != nil {
			e.err = fmt.Errorf("biometric: render enrolled finger %d: %w", f.Position, err)
			return
		}
		t, err := v.m.Template(img, dpi)
		if err != nil {
			e.err = fmt.Errorf("biometric: template of enrolled finger %d: %w", f.Position, err)
			return
		}
		e.tmpls = append(e.tmpls, t)
	}
}

// Templates returns p's enrolled templates, extracting them once.
func (v *Verifier[T]) Templates(ctx context.Context, p people.Person) ([]T, error) {
	e, first := v.entry(p.ID)
	if first {
		v.fill(e, p)
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("biometric: waiting for templates: %w", ctx.Err())
	}
	if e.err != nil {
		// A failed extraction is not cached, so the next try runs again.
		v.mu.Lock()
		if v.cache[p.ID] == e {
			delete(v.cache, p.ID)
		}
		v.mu.Unlock()
	}
	return e.tmpls, e.err
}

// Verify decodes the record and matches it 1:1 against p's fingers.
func (v *Verifier[T]) Verify(ctx context.Context, p people.Person, record []byte) (float64, bool, error) {
	img, dpi, err := v.decode(record)
	if err != nil {
		return 0, false, fmt.Errorf("%w: %v", api.ErrFingerRecord, err)
	}
	tmpls, err := v.Templates(ctx, p)
	if err != nil {
		return 0, false, err
	}
	if len(tmpls) == 0 {
		return 0, false, errors.New("biometric: person has no enrolled fingers")
	}
	return v.m.Verify(ctx, img, dpi, tmpls)
}

package biometric

import (
	"context"
	"errors"
	"image"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// seedMatcher stands in for the real matcher inside this package's tests:
// a "template" is the image's first pixel, and a probe matches when its
// first pixel equals an enrolled one.
type seedMatcher struct{ templates atomic.Int32 }

func (m *seedMatcher) Template(img image.Image, dpi int) (uint8, error) {
	m.templates.Add(1)
	if dpi != 500 {
		return 0, errors.New("want 500 dpi")
	}
	return img.(*image.Gray).Pix[0], nil
}

func (m *seedMatcher) Verify(ctx context.Context, probe image.Image, dpi int, enrolled []uint8) (float64, bool, error) {
	t, _ := m.Template(probe, dpi)
	for _, e := range enrolled {
		if e == t {
			return 100, true, nil
		}
	}
	return 0, false, nil
}

func gray(v uint8) image.Image {
	g := image.NewGray(image.Rect(0, 0, 1, 1))
	g.Pix[0] = v
	return g
}

func decode(b []byte) (image.Image, int, error) {
	if len(b) != 1 {
		return nil, 0, errors.New("record must be one byte here")
	}
	return gray(b[0]), 500, nil
}

func enroll(f people.Finger) (image.Image, int, error) {
	if f.Seed < 0 {
		return nil, 0, errors.New("no such finger")
	}
	return gray(uint8(f.Seed)), 500, nil
}

func person(id string, seeds ...int64) people.Person {
	p := people.Person{ID: id}
	for i, s := range seeds {
		p.Fingers = append(p.Fingers, people.Finger{Position: i + 2, Seed: s})
	}
	return p
}

func TestVerifyLazyAndCached(t *testing.T) {
	m := &seedMatcher{}
	v := New[uint8](m, decode, enroll, 10)
	if m.templates.Load() != 0 {
		t.Fatal("templates made before any verification")
	}
	p := person("1", 7, 9)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok, err := v.Verify(context.Background(), p, []byte{9}); !ok || err != nil {
				t.Errorf("matching finger refused: %v", err)
			}
		}()
	}
	wg.Wait()
	// Two enrolled templates once, plus one probe template per call.
	if got := m.templates.Load(); got != 2+8 {
		t.Fatalf("%d templates extracted, want 10", got)
	}
	if _, ok, _ := v.Verify(context.Background(), p, []byte{8}); ok {
		t.Fatal("a different finger matched")
	}
}

func TestVerifyErrors(t *testing.T) {
	v := New[uint8](&seedMatcher{}, decode, enroll, 10)
	if _, _, err := v.Verify(context.Background(), person("1", 1), []byte{1, 2}); !errors.Is(err, api.ErrFingerRecord) {
		t.Fatalf("bad record: %v", err)
	}
	if _, _, err := v.Verify(context.Background(), person("2", -1), []byte{1}); err == nil {
		t.Fatal("enrolment failure hidden")
	}
	// Not cached: a fixed record works next time.
	if _, ok, err := v.Verify(context.Background(), person("2", 1), []byte{1}); !ok || err != nil {
		t.Fatalf("after a failed extraction: %v %v", ok, err)
	}
	if _, _, err := v.Verify(context.Background(), person("3"), []byte{1}); err == nil {
		t.Fatal("a person without fingers verified")
	}
}

func TestWarmAndCancel(t *testing.T) {
	block := make(chan struct{})
	slow := func(f people.Finger) (image.Image, int, error) { <-block; return gray(1), 500, nil }
	v := New[uint8](&seedMatcher{}, decode, slow, 1)
	p := person("1", 1)
	v.Warm(p)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := v.Verify(ctx, p, []byte{1}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
	close(block)
	if _, ok, err := v.Verify(context.Background(), p, []byte{1}); !ok || err != nil {
		t.Fatalf("after warm: %v %v", ok, err)
	}
	v.Warm(person("2", 2)) // evicts person 1 (max 1)
	v.mu.Lock()
	_, kept := v.cache["1"]
	v.mu.Unlock()
	if kept {
		t.Fatal("cache grew past its bound")
	}
}

package printer

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

// deadPort never answers: every read times out the way tarm/serial does.
type deadPort struct{ closed bool }

func (d *deadPort) Read([]byte) (int, error)    { return 0, io.EOF }
func (d *deadPort) Write(b []byte) (int, error) { return len(b), nil }
func (d *deadPort) Flush() error                { return nil }
func (d *deadPort) Close() error                { d.closed = true; return nil }

// After no answer the line is reopened before the next request, waiting
// longer after each failed reopen.
func TestReopenBackoff(t *testing.T) {
	now := time.Unix(0, 0)
	var sleeps []time.Duration
	opens := 0
	failOpen := false
	first := &deadPort{}
	cfg := Config{Port: "/dev/ttyFAKE", Profile: "epson-tm-t88",
		Now: func() time.Time { now = now.Add(100 * time.Millisecond); return now },
		Sleep: func(_ context.Context, d time.Duration) error {
			sleeps = append(sleeps, d)
			return nil
		},
		Open: func(string, int, time.Duration) (Port, error) {
			opens++
			if opens == 1 {
				return first, nil
			}
			if failOpen {
				return nil, errors.New("no such device")
			}
			return &deadPort{}, nil
		}}
	p, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Status(context.Background())
	if err != nil || !s.NoAnswer {
		t.Fatalf("dead line: %+v %v", s, err)
	}
	failOpen = true
	for i := 0; i < 4; i++ {
		s, err := p.Status(context.Background())
		if err != nil || !s.NoAnswer {
			t.Fatalf("unplugged: %+v %v", s, err)
		}
	}
	if !first.closed {
		t.Error("the failed line was not closed before reopening")
	}
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}
	if len(sleeps) != 3 || sleeps[0] != want[0] || sleeps[1] != want[1] || sleeps[2] != want[2] {
		t.Fatalf("backoff sleeps %v, want %v", sleeps, want)
	}
	failOpen = false
	if _, err := p.Status(context.Background()); err != nil {
		t.Fatal(err)
	}
	if opens != 6 {
		t.Fatalf("%d opens, want 6", opens)
	}
}

func TestReadTimeoutNeverZero(t *testing.T) {
	var got time.Duration
	_, err := Open(context.Background(), Config{Port: "/dev/x", Profile: "epson-tm-t88",
		Open: func(_ string, _ int, rt time.Duration) (Port, error) { got = rt; return &deadPort{}, nil }})
	if err != nil || got != 100*time.Millisecond {
		t.Fatalf("read timeout %v (%v), want 100ms", got, err)
	}
}

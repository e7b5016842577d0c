package jobs_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
	"github.com/absher-kiosk/kiosk/devices/printer/jobs"
)

func TestEncodedRoundTrip(t *testing.T) {
	e := escpos.Encoded{Bytes: []byte("\x1b@hello\n\x1dV\x41\x60"), Breaks: []int{0, 2, 8, 12}}
	got, err := jobs.UnmarshalEncoded(jobs.MarshalEncoded(e))
	if err != nil || !reflect.DeepEqual(got, e) {
		t.Fatalf("round trip = %+v, %v", got, err)
	}
}

func TestUnmarshalBad(t *testing.T) {
	for name, in := range map[string][]byte{
		"empty":          nil,
		"bad varint":     {0xff},
		"too many":       {0x7f, 1, 2},
		"break past end": {1, 9, 'a'},
		"out of order":   {2, 2, 1, 'a', 'b', 'c'},
		"repeated":       {2, 1, 1, 'a', 'b'},
		"cut break":      {1, 0x80},
	} {
		if _, err := jobs.UnmarshalEncoded(in); err == nil {
			t.Errorf("%s: accepted %x", name, in)
		}
	}
}

func FuzzUnmarshalEncoded(f *testing.F) {
	f.Add(jobs.MarshalEncoded(escpos.Encoded{Bytes: []byte("abc"), Breaks: []int{0, 3}}))
	f.Add([]byte{0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := jobs.UnmarshalEncoded(b)
		if err != nil {
			return
		}
		if !bytes.Equal(jobs.MarshalEncoded(e), b) && len(b) > 0 {
			// Non-minimal varints decode but re-encode shorter; the result
			// must still decode the same.
			e2, err := jobs.UnmarshalEncoded(jobs.MarshalEncoded(e))
			if err != nil || !reflect.DeepEqual(e, e2) {
				t.Fatalf("re-encoding changed %+v into %+v (%v)", e, e2, err)
			}
		}
	})
}

package scanners_test

import (
	"context"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/fingerprint"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/fir"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/internal/fptest"
	"github.com/absher-kiosk/kiosk/devices/fingerprint/scanners"
	"github.com/absher-kiosk/kiosk/devices/usb"
	"github.com/absher-kiosk/kiosk/devices/usb/usbtest"
)

// replayManager runs the Manager against a recorded scanner: it finds the
// scanner in libusb's list, captures, passes the quality gate, wraps the
// image as an ISO/IEC 19794-4 record, closes, and
// opens the scanner again as after a re-plug.
func replayManager(t *testing.T, fixture, wantDevice string) {
	rec := usbtest.Fixture(t, fixture)
	if !usbtest.Replay(t, rec) {
		return
	}
	want, err := fptest.LoadGrey(rec.File("capture.png"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bus := usb.Open()
	defer bus.Close()
	m := scanners.NewManager(bus, nil)
	var events []fingerprint.State
	m.Subscribe(func(s fingerprint.Status) { events = append(events, s.State) })

	if err := m.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if st := m.Status(); st.State != fingerprint.Online || st.Device != wantDevice {
		t.Fatalf("status after first poll %+v", st)
	}
	c, err := m.Capture(ctx)
	if err != nil {
		t.Fatalf("Capture: %v", err)
	}
	if err := fptest.Diff(c.Image, want); err != nil {
		t.Fatal(err)
	}
	record, _, err := fingerprint.Record(c, fingerprint.RightIndex)
	if err != nil {
		t.Fatalf("recorded capture did not become a record: %v", err)
	}
	back, err := fir.Decode(record)
	if err != nil {
		t.Fatal(err)
	}
	if err := fptest.Diff(back.Image, want); err != nil {
		t.Fatalf("record's image: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if st := m.Status(); st.State != fingerprint.NoDevice {
		t.Fatalf("status after close %+v", st)
	}
	if err := m.Poll(ctx); err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if st := m.Status(); st.State != fingerprint.Online {
		t.Fatalf("status after reopening %+v", st)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	wantEvents := "[online busy online noDevice online noDevice]"
	if got := sprint(events); got != wantEvents {
		t.Fatalf("events %s, want %s", got, wantEvents)
	}
}

func sprint(s []fingerprint.State) string {
	out := "["
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += string(v)
	}
	return out + "]"
}

func TestReplayManagerNB1010(t *testing.T) {
	replayManager(t, "nb1010", "298d:1010 NB-1010-U")
}

func TestReplayManagerUpektcImg(t *testing.T) {
	replayManager(t, "upektc_img", "147e:2016 UPEK TouchChip")
}

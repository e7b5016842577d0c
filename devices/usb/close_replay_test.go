package usb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/usb/usbtest"
)

// TestReplayCloseWithPendingRead closes a device while a bulk read waits
// on it. The TouchChip's recording starts with a control request, so a
// bulk read submitted first stays queued in the replay, as a read waiting
// for a finger does on the device. Close must cancel that read and wait
// for it: libusb crashes when a transfer is cancelled on a closed handle.
func TestReplayCloseWithPendingRead(t *testing.T) {
	rec := usbtest.Fixture(t, "upektc_img")
	if !usbtest.Replay(t, rec) {
		return
	}
	bus := Open()
	defer func() {
		if err := bus.Close(); err != nil {
			t.Error(err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := bus.List(ctx)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var dev *Device
	for _, d := range list {
		if d.ID == (ID{Vendor: 0x147e, Product: 0x2016}) {
			if dev, err = bus.OpenDevice(d, 0); err != nil {
				t.Fatalf("OpenDevice: %v", err)
			}
		}
	}
	if dev == nil {
		t.Fatalf("no 147e:2016 among %v", list)
	}
	readCtx, stopRead := context.WithCancel(ctx)
	defer stopRead()
	done := make(chan error, 1)
	go func() {
		_, err := dev.In(readCtx, 1, make([]byte, 64))
		done <- err
	}()
	for dev.inFlight() == 0 {
		time.Sleep(time.Millisecond) // until the read has started
	}
	if err := dev.Close(); err != nil {
		t.Fatalf("Close with a pending read: %v", err)
	}
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("pending read ended with %v, want ErrClosed", err)
	}
	stopRead() // what a caller giving up after the close would do
	if _, err := dev.In(ctx, 1, make([]byte, 64)); !errors.Is(err, ErrClosed) {
		t.Fatalf("read after Close: %v, want ErrClosed", err)
	}
	if err := dev.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

package usb_test

import (
	"context"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/devices/usb"
	"github.com/absher-kiosk/kiosk/devices/usb/usbtest"
)

// TestReplayListAndOpen lists the mocked NB-1010-U through libusb, opens it,
// claims its interface, releases it, and opens it a second time: the
// sequence the hot-plug watcher follows after a re-plug.
func TestReplayListAndOpen(t *testing.T) {
	rec := usbtest.Fixture(t, "nb1010")
	if !usbtest.Replay(t, rec) {
		return
	}
	bus := usb.Open()
	defer func() {
		if err := bus.Close(); err != nil {
			t.Error(err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	list, err := bus.List(ctx)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var found *usb.Desc
	for i := range list {
		if list[i].ID == (usb.ID{Vendor: 0x298d, Product: 0x1010}) {
			found = &list[i]
		}
	}
	if found == nil {
		t.Fatalf("List did not return 298d:1010; got %v", list)
	}
	if found.BCDDevice != 0x0001 || found.Bus != 1 || found.Address != 3 {
		t.Fatalf("mocked scanner = %+v; want bcdDevice 0x0001 at bus 1 address 3", *found)
	}
	for round := 1; round <= 2; round++ {
		dev, err := bus.OpenDevice(*found, 0)
		if err != nil {
			t.Fatalf("open round %d: %v", round, err)
		}
		if dev.Desc() != *found {
			t.Fatalf("opened %v, want %v", dev.Desc(), *found)
		}
		if err := dev.Close(); err != nil {
			t.Fatalf("close round %d: %v", round, err)
		}
	}
	gone := *found
	gone.Address = 99
	if _, err := bus.OpenDevice(gone, 0); err == nil {
		t.Fatal("OpenDevice of an address that is not attached succeeded")
	}
}

package scanners

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/absher-kiosk/kiosk/devices/usb"
)

// TestUdevRuleCoversEveryDriver keeps deploy/udev in step with the driver
// list: every supported scanner must be opened to the kiosk group.
func TestUdevRuleCoversEveryDriver(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "deploy", "udev", "70-kiosk-fingerprint.rules"))
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, line := range strings.Split(string(raw), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			rules = append(rules, line)
		}
	}
	for _, d := range Drivers(&usb.Bus{}) {
		want := []string{
			`SUBSYSTEM=="usb"`,
			fmt.Sprintf(`ATTR{idVendor}=="%04x"`, d.Match.ID.Vendor),
			fmt.Sprintf(`ATTR{idProduct}=="%04x"`, d.Match.ID.Product),
			`MODE="0660"`, `GROUP="kiosk"`,
		}
		if d.Match.BCDDevice != 0 {
			want = append(want, fmt.Sprintf(`ATTR{bcdDevice}=="%04x"`, d.Match.BCDDevice))
		}
		found := false
		for _, r := range rules {
			all := true
			for _, w := range want {
				all = all && strings.Contains(r, w)
			}
			found = found || all
		}
		if !found {
			t.Errorf("no udev rule grants group kiosk access to %s (want a line with %v)", d.Match.ID, want)
		}
	}
	if len(rules) != len(Drivers(&usb.Bus{})) {
		t.Errorf("%d rules for %d drivers", len(rules), len(Drivers(&usb.Bus{})))
	}
}

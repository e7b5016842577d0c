package watchdog

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSystemdUnit checks that the shipped unit matches what this package
// does: notify type, a systemd watchdog longer than the UI watchdog's
// default timeout (so the UI watchdog's cleaner restart comes first), and
// restarts for ever as the kiosk user.
func TestSystemdUnit(t *testing.T) {
	f, err := os.Open("../../deploy/systemd/absher-kiosk.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys := map[string]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			section = strings.Trim(line, "[]")
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("line %q is not key=value", line)
		}
		keys[section+"."+k] = v
	}
	for k, want := range map[string]string{
		"Service.Type":               "notify",
		"Service.Restart":            "always",
		"Service.User":               "kiosk",
		"Service.Group":              "kiosk",
		"Service.NotifyAccess":       "main",
		"Unit.StartLimitIntervalSec": "0",
	} {
		if keys[k] != want {
			t.Errorf("%s = %q, want %q", k, keys[k], want)
		}
	}
	ws, err := time.ParseDuration(keys["Service.WatchdogSec"])
	if err != nil {
		t.Fatalf("WatchdogSec %q: %v", keys["Service.WatchdogSec"], err)
	}
	if ws <= 10*time.Second {
		t.Errorf("WatchdogSec %v must exceed the UI watchdog's 10 s timeout", ws)
	}
}

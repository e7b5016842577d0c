package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestProductionLinksNoDemo lists the packages the production kiosk links
// and fails if the reference centre, the synthetic fingerprints or the
// printer emulator is among them: those belong to cmd/kiosk-demo.
func TestProductionLinksNoDemo(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skipf("the go command is not on PATH, so the dependencies cannot be listed: %v", err)
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const mod = "github.com/absher-kiosk/kiosk/"
	forbidden := []string{"central", "devices/fingerprint/synth", "devices/printer/emulator", "kiosk/simscanner"}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps gave %d packages; expected the whole program", len(deps))
	}
	for _, p := range deps {
		rel, ok := strings.CutPrefix(p, mod)
		if !ok {
			continue
		}
		for _, f := range forbidden {
			if rel == f || strings.HasPrefix(rel, f+"/") {
				t.Errorf("the production kiosk links %s; demo code belongs in cmd/kiosk-demo", p)
			}
		}
	}
}

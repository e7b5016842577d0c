package app

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/config"
	"github.com/absher-kiosk/kiosk/kiosk/flow"
	"github.com/absher-kiosk/kiosk/kiosk/session"
	"github.com/absher-kiosk/kiosk/sync/api"
)

// TestRuntime: before any central config the local settings and the
// built-in menu hold; a valid config is resolved whole; an invalid one is
// refused whole.
func TestRuntime(t *testing.T) {
	local := Local{Services: flow.Services(), Timing: session.FromSeconds(45, 20), HeartbeatInterval: time.Minute}
	rt, err := NewRuntime(local, nil)
	if err != nil || rt.Central || rt.Menu != nil || rt.Timing != local.Timing || rt.HeartbeatInterval != time.Minute || rt.PINHash != "" {
		t.Fatalf("without a central config: %+v, %v", rt, err)
	}

	c := api.DefaultConfig()
	c.Timeouts = api.Timeouts{IdleSeconds: 90, WarningSeconds: 30}
	c.HeartbeatIntervalSeconds = 30
	c.TechnicianPINHash = "$argon2id$v=19$m=65536,t=1,p=1$c2FsdA$aGFzaA"
	c.OutOfServiceMessage = api.Text{EN: "Use the kiosk in hall B"}
	rt, err = NewRuntime(local, &c)
	if err != nil {
		t.Fatal(err)
	}
	if !rt.Central || len(rt.Menu) == 0 || rt.Timing.Idle != 90*time.Second || rt.Timing.Warning != 30*time.Second ||
		rt.HeartbeatInterval != 30*time.Second || rt.PINHash != c.TechnicianPINHash || rt.Message.EN != "Use the kiosk in hall B" {
		t.Fatalf("resolved %+v", rt)
	}

	bad := c
	bad.Timeouts.IdleSeconds = 5
	if _, err := NewRuntime(local, &bad); err == nil || !strings.Contains(err.Error(), "idle_seconds") {
		t.Fatalf("a config with a 5 s idle timeout: %v", err)
	}

	var live Live
	live.Store(rt)
	if live.PINHash() != c.TechnicianPINHash || live.HeartbeatInterval() != 30*time.Second {
		t.Fatal("Live does not read the runtime in force")
	}
}

// TestOpenRefusesSimulatedScannerWithoutStandIn: the production kiosk links
// no simulator, so it refuses scanner.simulated before opening anything.
func TestOpenRefusesSimulatedScannerWithoutStandIn(t *testing.T) {
	cfg := config.Defaults()
	cfg.Kiosk.StateDir = t.TempDir()
	cfg.Scanner.Simulated = true
	_, err := Open(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	if err == nil || !strings.Contains(err.Error(), "kiosk-demo") {
		t.Fatalf("Open with scanner.simulated and no stand-in: %v", err)
	}
}

// Command kiosk is the self-service kiosk: it reads its configuration and
// runs the kiosk (kiosk/app), which opens the store, the devices and the
// sync services and shows the screens. It links nothing of the reference
// centre or the simulators; the demo is its own program, cmd/kiosk-demo.
package main

import (
	"flag"
	"os"

	"github.com/absher-kiosk/kiosk/kiosk/app"
)

// version is reported in heartbeats; release builds set it with
// -ldflags "-X main.version=…".
var version = "dev"

// The exit status is 0 after a signal, 2 for a bad command line or
// configuration, 1 when the kiosk cannot start, or the status the kiosk
// asked for (app.ExitRestart, app.ExitToOS, watchdog.ExitHung).
func main() {
	os.Exit(app.Main(flag.NewFlagSet("kiosk", flag.ContinueOnError), os.Args[1:], version, nil))
}

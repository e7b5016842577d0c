// Command kiosk is the self-service kiosk: it reads its configuration and
// runs the kiosk (kiosk/app), which opens the store, the devices and the
// sync services and shows the screens. It links nothing of the reference
// centre or the simulators; the demo is its own program, cmd/kiosk-demo.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/absher-kiosk/kiosk/kiosk/app"
	"github.com/absher-kiosk/kiosk/kiosk/config"
)

// version is reported in heartbeats; release builds set it with
// -ldflags "-X main.version=…".
var version = "dev"

func main() {
	flags := flag.NewFlagSet("kiosk", flag.ContinueOnError)
	cfgPath := flags.String("config", "", "TOML configuration `file` (default: the built-in configuration)")
	windowed := flags.Bool("windowed", false, "run in a window instead of full screen")
	if err := flags.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kiosk:", err)
		os.Exit(2)
	}
	os.Exit(run(cfg, *windowed))
}

// run returns the exit status: 0 after a signal, 1 when the kiosk cannot
// start, or the status the kiosk asked for (app.ExitRestart, app.ExitToOS,
// watchdog.ExitHung).
func run(cfg config.Config, windowed bool) int {
	log, logPath, logFile, err := app.OpenLog(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kiosk:", err)
		return 1
	}
	defer logFile.Close()
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	code, err := app.Run(ctx, cfg, log, app.Options{Version: version, LogPath: logPath}, windowed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kiosk:", err)
	}
	return code
}

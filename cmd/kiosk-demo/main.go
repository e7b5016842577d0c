// Command kiosk-demo is the kiosk with everything it talks to on one
// machine, so the whole Update Mobile journey can be walked without the
// hardware or a centre: the reference centre runs in-process on loopback
// with the demo population, a simulated scanner stands in while no USB
// scanner is plugged in, the printer emulator writes each receipt as a PNG
// and the centre's text messages appear on the console. It runs the same
// kiosk as cmd/kiosk (kiosk/app), handing it these parts as options.
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

// version is reported in heartbeats.
var version = "demo"

func main() {
	flags := flag.NewFlagSet("kiosk-demo", flag.ContinueOnError)
	cfgPath := flags.String("config", "", "TOML configuration `file` (default: the built-in configuration)")
	windowed := flags.Bool("windowed", false, "run in a window instead of full screen")
	fixtures := flags.String("fixtures", defaultFixtures,
		"`folder` of the recorded scanner fixtures; one demo person is enrolled with the recorded finger when it exists")
	if err := flags.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kiosk-demo:", err)
		os.Exit(2)
	}
	os.Exit(run(cfg, *fixtures, *windowed))
}

// run returns the exit status, as cmd/kiosk's does.
func run(cfg config.Config, fixtures string, windowed bool) int {
	log, logPath, logFile, err := app.OpenLog(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kiosk-demo:", err)
		return 1
	}
	defer logFile.Close()
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	d, err := start(ctx, cfg, fixtures, log)
	if err != nil {
		log.Error("the demo cannot start", "err", err)
		fmt.Fprintln(os.Stderr, "kiosk-demo:", err)
		return 1
	}
	// The kiosk stops before the centre and the emulator it talks to.
	defer d.Close()
	log.Info("demo centre running", "centre", d.centre.URL, "fixtures", d.fixtures)
	o := d.options
	o.Version, o.LogPath = version, logPath
	code, err := app.Run(ctx, cfg, log, o, windowed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kiosk-demo:", err)
	}
	return code
}

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
	"log/slog"
	"os"

	"github.com/absher-kiosk/kiosk/kiosk/app"
	"github.com/absher-kiosk/kiosk/kiosk/config"
)

// version is reported in heartbeats.
var version = "demo"

// The exit status is cmd/kiosk's.
func main() {
	flags := flag.NewFlagSet("kiosk-demo", flag.ContinueOnError)
	fixtures := flags.String("fixtures", defaultFixtures,
		"`folder` of the recorded scanner fixtures; one demo person is enrolled with the recorded finger when it exists")
	os.Exit(app.Main(flags, os.Args[1:], version, func(ctx context.Context, cfg config.Config, log *slog.Logger) (app.Options, func(), error) {
		d, err := start(ctx, cfg, *fixtures, log)
		if err != nil {
			return app.Options{}, nil, err
		}
		log.Info("demo centre running", "centre", d.centre.URL, "fixtures", d.fixtures)
		return d.options, d.Close, nil
	}))
}

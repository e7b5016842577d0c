package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/absher-kiosk/kiosk/kiosk/config"
	"github.com/absher-kiosk/kiosk/kiosk/logs"
	"github.com/absher-kiosk/kiosk/kiosk/maintenance"
	mui "github.com/absher-kiosk/kiosk/kiosk/maintenance/ui"
	"github.com/absher-kiosk/kiosk/kiosk/ui"
	"github.com/absher-kiosk/kiosk/kiosk/watchdog"
)

// Around starts what a program runs around the kiosk (the demo's centre and
// printer emulator) once the log is open, and returns the options that hand
// those parts to the kiosk and a stop that runs after the kiosk has closed.
type Around func(ctx context.Context, cfg config.Config, log *slog.Logger) (Options, func(), error)

// Main is the whole of a kiosk program: it reads the command line (-config,
// -windowed and whatever flags the program added to fs), loads the
// configuration, opens the log, runs the kiosk until a signal or the
// kiosk's own exit, and returns the status to exit with: 2 for a bad
// command line or configuration, 1 when the kiosk cannot start, else Run's.
// around may be nil.
func Main(fs *flag.FlagSet, args []string, version string, around Around) int {
	name := fs.Name()
	cfgPath := fs.String("config", "", "TOML configuration `file` (default: the built-in configuration)")
	windowed := fs.Bool("windowed", false, "run in a window instead of full screen")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		return 2
	}
	log, logPath, logFile, err := OpenLog(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		return 1
	}
	defer logFile.Close()
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	var o Options
	if around != nil {
		var stopAround func()
		if o, stopAround, err = around(ctx, cfg, log); err != nil {
			log.Error(name+" cannot start", "err", err)
			fmt.Fprintln(os.Stderr, name+":", err)
			return 1
		}
		// The kiosk stops before the parts it talks to.
		defer stopAround()
	}
	o.Version, o.LogPath = version, logPath
	code, err := Run(ctx, cfg, log, o, *windowed)
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
	}
	return code
}

// OpenLog creates the kiosk's state folder and opens its log there (or
// where kiosk.log_file says); it returns the logger, the log file's path
// (for log collection) and the file to close last.
func OpenLog(cfg config.Config) (*slog.Logger, string, io.Closer, error) {
	state := cfg.Kiosk.StateDir
	if err := os.MkdirAll(state, 0o700); err != nil {
		return nil, "", nil, fmt.Errorf("create the state folder %s: %w", state, err)
	}
	path := cfg.Kiosk.LogFile
	if !filepath.IsAbs(path) {
		path = filepath.Join(state, path)
	}
	log, closer, err := logs.Open(path, slog.LevelInfo)
	if err != nil {
		return nil, "", nil, fmt.Errorf("open the log: %w", err)
	}
	return log, path, closer, nil
}

// Run opens the kiosk, shows it (full screen unless windowed) and serves
// until ctx ends or the kiosk asks to exit; it returns the exit status the
// program should end with: 0 after a signal, ExitRestart, ExitToOS or
// watchdog.ExitHung. A restart or leaving to the operating system ends
// the program through the same orderly stop as a signal, so everything
// queued is on disk before the exit.
func Run(ctx context.Context, cfg config.Config, log *slog.Logger, o Options, windowed bool) (int, error) {
	ctx, end := context.WithCancel(ctx)
	defer end()
	ex := &exiter{end: end}
	o.Exit = ex.exit

	k, err := Open(ctx, cfg, log, o)
	if err != nil {
		log.Error("kiosk cannot start", "err", err)
		return 1, err
	}
	defer k.Close()

	a := fyneapp.NewWithID("sa.gov.absher.kiosk")
	win := a.NewWindow("Absher")
	win.SetPadded(false)
	if cfg.Kiosk.Fullscreen && !windowed {
		win.SetFullScreen(true)
	} else {
		win.Resize(fyne.NewSize(540, 960))
	}
	// Only maintenance mode may end the program: a close request from the
	// window manager (or Alt+F4) is refused.
	win.SetCloseIntercept(func() { log.Warn("window close refused: the kiosk quits from maintenance mode only") })
	if err := k.Present(ctx, a, win); err != nil {
		return 1, err
	}
	go func() {
		<-ctx.Done()
		log.Info("stopping")
		fyne.Do(a.Quit)
	}()
	log.Info("kiosk started", "kiosk", cfg.Kiosk.ID, "stand_in_scanner", o.StandIn != nil)
	win.ShowAndRun()
	return ex.code(), nil
}

// Present puts the screens in the window through the maintenance shell and
// starts the UI watchdog. The watchdog runs outside the supervisor: it
// watches the UI thread, and when that hangs the cure is a restart of the
// whole program, not of one part. Close stops it.
func (k *Kiosk) Present(ctx context.Context, a fyne.App, win fyne.Window) error {
	cfg := k.cfg
	if cfg.Kiosk.HideCursor {
		win = ui.HideCursor(win)
	}
	shell, err := mui.NewShell(win, mui.Options{Gate: k.gate, Console: k.console, Gesture: k.gesture, Lang: cfg.UI.DefaultLanguage, Context: ctx})
	if err != nil {
		return fmt.Errorf("maintenance shell: %w", err)
	}
	announce := cfg.UI.AnnouncementsAR
	if cfg.UI.DefaultLanguage == "en" {
		announce = cfg.UI.AnnouncementsEN
	}
	if _, err := ui.New(a, shell, k.screens, ui.Options{Announcements: announce, LargeText: cfg.UI.LargeText, HighContrast: cfg.UI.HighContrast}); err != nil {
		return err
	}
	// The screen follows the service state; the first state is drawn now.
	k.service.OnChange(func(st maintenance.OutOfService) {
		fyne.Do(func() { shell.SetOutOfService(st) })
	})
	shell.SetOutOfService(k.service.State())

	return k.watch(func(fn func()) { fyne.Do(fn) })
}

// watch starts the UI watchdog, which pings the UI thread through post.
func (k *Kiosk) watch(post func(fn func())) error {
	cfg, log := k.cfg, k.log
	notifier, err := watchdog.NotifierFromEnv()
	if err != nil {
		log.Warn("systemd notification socket unusable; running without it", "err", err)
	}
	var sd watchdog.SystemdNotifier
	if notifier != nil {
		sd = notifier
	}
	wd, err := watchdog.New(watchdog.Options{
		Post:     post,
		Interval: cfg.Watchdog.Interval.Duration,
		Timeout:  cfg.Watchdog.Timeout.Duration,
		OnHang:   k.hang(),
		Restart:  k.exitHung,
		Systemd:  sd,
		Logger:   log.With("part", "watchdog"),
	})
	if err != nil {
		return fmt.Errorf("UI watchdog: %w", err)
	}
	k.watched = make(chan struct{})
	go func() {
		defer close(k.watched)
		if err := wd.Serve(k.ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("UI watchdog stopped", "err", err)
		}
	}()
	return nil
}

// WatchdogStopped is closed when the UI watchdog has stopped (nil before
// Present).
func (k *Kiosk) WatchdogStopped() <-chan struct{} { return k.watched }

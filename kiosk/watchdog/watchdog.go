// Package watchdog notices when the kiosk's UI stops answering and gets the
// program restarted.
//
// Every interval it posts a small callback to the UI thread (through a
// function the UI supplies, fyne.Do in the real program) and waits for it
// to run. When a posted callback has not run for longer than the timeout,
// the UI is hung: the watchdog logs it, reports it (an audit event through
// the outbox) and asks for a restart. It also feeds systemd's watchdog, but
// only while the UI answers: if the process wedges so badly that even the
// restart does not happen, systemd stops hearing from it and kills it.
package watchdog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// ExitHung is the exit code of a kiosk restarted because its UI hung;
// systemd restarts it (Restart=always) and the code tells the journal why.
const ExitHung = 75

// ErrHung is returned by Serve after the UI was found hung.
var ErrHung = errors.New("watchdog: the UI stopped answering; the kiosk exits to be restarted")

// SystemdNotifier is the part of Notifier the watchdog uses.
type SystemdNotifier interface {
	Notify(state string) error
}

// Options configure a Watchdog. Post, OnHang and Restart are required.
type Options struct {
	// Post queues fn to run on the UI thread and returns at once; it must
	// never wait for fn.
	Post func(fn func())
	// Interval between pings; default 1s.
	Interval time.Duration
	// Timeout after which an unanswered ping means the UI is hung; default
	// 10s. It must be longer than Interval.
	Timeout time.Duration
	// OnHang reports the hang (for example as an audit event); it gets how
	// long the UI has been silent.
	OnHang func(silent time.Duration)
	// Restart gets the program restarted; the real one exits with ExitHung.
	// It runs on the watchdog's goroutine and must not need the UI thread,
	// which is the one that hung.
	Restart func()
	// Systemd, when set, receives READY=1 once the UI first answers,
	// WATCHDOG=1 on each interval while it keeps answering and STOPPING=1
	// at shutdown.
	Systemd SystemdNotifier
	Logger  *slog.Logger
}

// Watchdog watches the UI thread.
type Watchdog struct {
	o    Options
	pong chan pong
}

type pong struct {
	seq uint64
	at  time.Time
}

// New checks the options and builds a watchdog.
func New(o Options) (*Watchdog, error) {
	if o.Post == nil || o.OnHang == nil || o.Restart == nil {
		return nil, errors.New("watchdog: Post, OnHang and Restart must all be set")
	}
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Timeout <= o.Interval {
		return nil, fmt.Errorf("watchdog: timeout %v must be longer than the ping interval %v", o.Timeout, o.Interval)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Watchdog{o: o, pong: make(chan pong, 1)}, nil
}

// Serve pings the UI until ctx ends (returning ctx's error) or the UI hangs
// (returning ErrHung after Restart was called).
func (w *Watchdog) Serve(ctx context.Context) error {
	var (
		seq         uint64 // last ping posted
		outstanding bool
		sentAt      time.Time
		lastPong    time.Time
		ready       bool
	)
	receive := func() {
		for {
			select {
			case p := <-w.pong:
				if p.seq == seq && outstanding {
					outstanding = false
					lastPong = p.at
				}
			default:
				return
			}
		}
	}
	for {
		now := time.Now()
		receive()
		if outstanding && now.Sub(sentAt) > w.o.Timeout {
			silent := now.Sub(sentAt)
			if !lastPong.IsZero() {
				silent = now.Sub(lastPong)
			}
			w.o.Logger.Error("UI hung: the kiosk exits to be restarted", "silent", silent.String(), "timeout", w.o.Timeout.String())
			w.o.OnHang(silent)
			w.o.Restart()
			return ErrHung
		}
		if !outstanding {
			seq++
			outstanding, sentAt = true, now
			mine := seq
			w.o.Post(func() {
				// One slot is enough: only one ping is ever outstanding.
				select {
				case w.pong <- pong{seq: mine, at: time.Now()}:
				default:
				}
			})
			receive()
		}
		if !lastPong.IsZero() && now.Sub(lastPong) <= w.o.Timeout {
			if !ready {
				ready = true
				w.notify(StateReady)
			}
			w.notify(StatePing)
		}
		select {
		case <-ctx.Done():
			w.notify(StateStopping)
			return ctx.Err()
		case <-time.After(w.o.Interval):
		}
	}
}

func (w *Watchdog) notify(state string) {
	if w.o.Systemd == nil {
		return
	}
	if err := w.o.Systemd.Notify(state); err != nil {
		w.o.Logger.Warn("systemd notify failed", "state", state, "err", err)
	}
}

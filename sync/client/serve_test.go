package client

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// TestPullersServeLongPoll runs both pullers as services: a command and a
// config published while they wait arrive without polling delay.
func TestPullersServeLongPoll(t *testing.T) {
	dir := t.TempDir()
	s := startCentre(t, filepath.Join(dir, "centre"))
	o := openOutbox(t, filepath.Join(dir, "kiosk.db"))
	c := newClient(t, s, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	gotCfg := make(chan api.Config, 4)
	cp := NewConfigPuller(c, o, nil, func(cfg api.Config) { gotCfg <- cfg }, PullOptions{Wait: 20 * time.Second})
	applied := make(chan api.Command, 1)
	mp := NewCommandPuller(c, o, s.Pub, map[api.CommandKind]Handler{
		api.CmdForceSync: {AfterCommit: func(ctx context.Context, c api.Command) error { applied <- c; return nil }},
	}, PullOptions{Wait: 20 * time.Second})
	done := make(chan error, 2)
	go func() { done <- cp.Serve(ctx) }()
	go func() { done <- mp.Serve(ctx) }()
	if cfg := <-gotCfg; cfg.HeartbeatIntervalSeconds != api.DefaultConfig().HeartbeatIntervalSeconds {
		t.Fatalf("first config %+v", cfg)
	}
	time.Sleep(50 * time.Millisecond) // let both polls reach the centre's wait
	want := api.DefaultConfig()
	want.HeartbeatIntervalSeconds = 15
	if _, err := s.SetConfig(context.Background(), kiosk, want); err != nil {
		t.Fatal(err)
	}
	cmd := queueCommand(t, s, kiosk, api.CmdForceSync, 0)
	timeout := time.After(10 * time.Second)
	select {
	case cfg := <-gotCfg:
		if cfg.HeartbeatIntervalSeconds != 15 {
			t.Fatalf("config %+v", cfg)
		}
	case <-timeout:
		t.Fatal("new config not delivered by the long-poll")
	}
	select {
	case got := <-applied:
		if got.ID != cmd.ID {
			t.Fatalf("applied %+v, want %+v", got, cmd)
		}
	case <-timeout:
		t.Fatal("command not delivered by the long-poll")
	}
	cancel()
	for range 2 {
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Serve: %v", err)
		}
	}
	if st := mp.Status(); st.ConsecutiveFailures != 0 {
		t.Fatalf("command puller status %+v", st)
	}
}

// TestPullersBackOffWhenUnreachable: with nothing listening, each puller
// waits a growing jittered time and reports it. The loops run in a
// synctest bubble, so the waits pass on its fake clock; the centre (for
// its certificates) and the outbox are set up outside it.
func TestPullersBackOffWhenUnreachable(t *testing.T) {
	dir := t.TempDir()
	s := startCentre(t, filepath.Join(dir, "centre"))
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cfg := clientConfig(s, kiosk, "https://"+addr)
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	o := openOutbox(t, filepath.Join(dir, "kiosk.db"))
	top := Backoff{Rand: func(n int64) int64 { return n - 1 }}
	for name, mk := range map[string]func() (interface{ Serve(context.Context) error }, func() Status){
		"config": func() (interface{ Serve(context.Context) error }, func() Status) {
			p := NewConfigPuller(c, o, nil, nil, PullOptions{Backoff: top})
			return p, p.Status
		},
		"commands": func() (interface{ Serve(context.Context) error }, func() Status) {
			p := NewCommandPuller(c, o, s.Pub, map[api.CommandKind]Handler{api.CmdInService: {InTx: func(outbox.Tx, api.Command) error { return nil }}}, PullOptions{Backoff: top})
			return p, p.Status
		},
	} {
		synctest.Test(t, func(t *testing.T) {
			svc, status := mk()
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error)
			go func() { done <- svc.Serve(ctx) }()
			for i, want := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second} {
				synctest.Wait()
				st := status()
				if st.ConsecutiveFailures != i+1 || st.LastError == "" {
					t.Fatalf("%s: status %+v", name, st)
				}
				if got := st.NextAttempt.Sub(st.LastAttempt); got != want {
					t.Fatalf("%s: wait %d is %s, want %s", name, i, got, want)
				}
				time.Sleep(want - time.Millisecond)
				synctest.Wait()
				if n := status().ConsecutiveFailures; n != i+1 {
					t.Fatalf("%s: attempt %d came %v early", name, n, time.Millisecond)
				}
				time.Sleep(time.Millisecond)
			}
			synctest.Wait()
			if n := status().ConsecutiveFailures; n != 4 {
				t.Fatalf("%s: %d failures after the third wait, want 4", name, n)
			}
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("%s: Serve: %v", name, err)
			}
		})
	}
}

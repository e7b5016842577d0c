package commands

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/central"
	"github.com/absher-kiosk/kiosk/central/people"
	"github.com/absher-kiosk/kiosk/internal/centretest"
	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/client"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

// TestCommandsFromTheRealCentre sends commands from the real centre (TLS
// on loopback, mutual TLS, signed envelopes), pulls them with the real
// command puller, and uploads the results: the centre ends up with one
// applied result per command and the collected log.
func TestCommandsFromTheRealCentre(t *testing.T) {
	ctx := context.Background()
	quiet := centretest.Quiet()
	dir := t.TempDir()
	s := centretest.Start(t, central.Options{StateDir: filepath.Join(dir, "centre"), Population: []people.Person{}})
	c := centretest.Client(t, s, client.Config{KioskID: kiosk, Timeout: 5 * time.Second})
	keys, err := seal.LoadOrCreate(filepath.Join(dir, "outbox.key"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := store.Open(ctx, filepath.Join(dir, "kiosk.db"), keys, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()

	for _, req := range []api.NewCommandRequest{
		{Kind: api.CmdOutOfService, Args: map[string]string{"message": "Use the kiosk in hall B"}},
		{Kind: api.CmdCollectLogs, Args: map[string]string{"lines": "1"}},
		{Kind: api.CmdForceSync},
	} {
		if _, err := s.QueueCommand(ctx, kiosk, req); err != nil {
			t.Fatal(err)
		}
	}
	fx := &effects{}
	puller := client.NewCommandPuller(c, o, s.Pub, Handlers(fx, lines{"printer ok", "mobile 0551234567 saved"}), client.PullOptions{Logger: quiet})
	if err := puller.PollOnce(ctx, 0); err != nil {
		t.Fatal(err)
	}
	want := []string{`oos(true,"Use the kiosk in hall B")`, "sync", "sync"}
	if got := fx.got(); !reflect.DeepEqual(got, want) {
		t.Fatalf("effects %v, want %v", got, want)
	}
	if on, msg, err := OutOfService(ctx, o); err != nil || !on || msg != "Use the kiosk in hall B" {
		t.Fatalf("OutOfService = %v %q %v", on, msg, err)
	}

	// Upload what the commands queued, then stop the uploader.
	up := client.NewUploader(c, o, client.UploaderOptions{Logger: quiet})
	upCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- up.Serve(upCtx) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := o.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Parked != 0 {
			t.Fatalf("the centre refused %d events: %+v", st.Parked, st)
		}
		if st.Depth == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("upload did not finish: %+v", st)
		}
		select {
		case <-o.Wake():
		case <-time.After(50 * time.Millisecond):
		}
	}
	stop()
	<-done

	for kind, want := range map[api.EventKind]int{api.EventCommandResult: 3, api.EventAudit: 1} {
		n, err := s.Store.CountEvents(ctx, kiosk, string(kind))
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Fatalf("centre holds %d %s events, want %d", n, kind, want)
		}
	}
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/absher-kiosk/kiosk/kiosk/store"
	"github.com/absher-kiosk/kiosk/sync/seal"
)

const (
	defaultDB   = "/var/lib/absher-kiosk/kiosk.db"
	defaultKeys = "/var/lib/absher-kiosk/outbox.key"
)

func runQueue(a *app, args []string) error {
	fs := flag.NewFlagSet("queue", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dbPath := fs.String("db", defaultDB, "the kiosk's SQLite file")
	keyPath := fs.String("keys", defaultKeys, "the outbox key file (mode 0600)")
	if err := fs.Parse(args); err != nil {
		return usageError(fmt.Sprintf("%v; usage: kioskctl queue [-db PATH] [-keys PATH] [retry ID]", err))
	}
	var retryID int64
	switch rest := fs.Args(); {
	case len(rest) == 0:
	case len(rest) == 2 && rest[0] == "retry":
		id, err := strconv.ParseInt(rest[1], 10, 64)
		if err != nil || id <= 0 {
			return usageError(fmt.Sprintf("retry wants a parked item's id (a positive number), not %q", rest[1]))
		}
		retryID = id
	default:
		return usageError(fmt.Sprintf("unexpected arguments %q; usage: kioskctl queue [-db PATH] [-keys PATH] [retry ID]", rest))
	}
	// Opening would create missing files; a technician's typo must not.
	for _, p := range []string{*dbPath, *keyPath} {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%s: %w; pass the kiosk's files with -db and -keys", p, err)
		}
	}
	keys, err := seal.LoadOrCreate(*keyPath)
	if err != nil {
		return err
	}
	o, err := store.Open(a.ctx, *dbPath, keys, store.Options{Clock: a.now})
	if err != nil {
		return err
	}
	defer o.Close()
	if retryID != 0 {
		if err := o.Retry(a.ctx, retryID); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "item %d is back in the queue and will be sent at the next upload\n", retryID)
		return nil
	}
	return showQueue(a, o)
}

func showQueue(a *app, o *store.Store) error {
	st, err := o.Stats(a.ctx)
	if err != nil {
		return err
	}
	parked, err := o.Parked(a.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "outbox: %s\n", o.Path())
	if st.Depth == 0 {
		fmt.Fprintln(a.stdout, "waiting: 0")
	} else {
		fmt.Fprintf(a.stdout, "waiting: %d, oldest %s ago (%s)\n", st.Depth, st.OldestAge.Round(time.Second), st.Oldest.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(a.stdout, "parked: %d\n", st.Parked)
	if len(parked) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tCREATED\tATTEMPTS\tREASON")
	for _, p := range parked {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\n", p.ID, p.Kind, p.Created.UTC().Format(time.RFC3339), p.Attempts, p.Reason)
	}
	if err := tw.Flush(); err != nil {
		return errors.Join(errors.New("write output"), err)
	}
	fmt.Fprintln(a.stdout, "send a parked item again with: kioskctl queue retry ID")
	return nil
}

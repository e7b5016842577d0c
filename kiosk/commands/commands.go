// Package commands gives each of the centre's remote commands its local
// effect on the kiosk.
//
// A command's effect has two halves. What can be written down (the
// out-of-service flag and its message, the collected log lines queued for
// upload) is written in the same outbox transaction that records the
// command as applied, so a crash either keeps both or neither and a
// command is never applied twice. What cannot be undone by a rollback
// (switching screens, printing, restarting) runs after the commit through
// Effects; the command puller keeps it pending across a crash.
package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/absher-kiosk/kiosk/kiosk/pii"
	"github.com/absher-kiosk/kiosk/sync/api"
	"github.com/absher-kiosk/kiosk/sync/client"
	"github.com/absher-kiosk/kiosk/sync/outbox"
)

// Effects is what the running kiosk does after a command is committed.
type Effects interface {
	// SetOutOfService shows or hides the out-of-service screen; msg is the
	// command's message ("" for the configured one).
	SetOutOfService(on bool, msg string)
	// PrintTestPage prints the printer's test page.
	PrintTestPage(ctx context.Context) error
	// ForceSync wakes the uploader and pullers at once.
	ForceSync()
	// Restart ends the program so systemd starts it again.
	Restart()
}

// LogTail gives the last lines of the kiosk's own log.
type LogTail interface {
	Tail(n int) ([]string, error)
}

// Keys kept beside the queue.
const (
	KVOutOfService        = "out_of_service"         // "1" or "0"
	KVOutOfServiceMessage = "out_of_service_message" // the command's message
)

// Limits on what a command may ask for.
const (
	DefaultLogLines = 200
	MaxLogLines     = 2000
	// MaxLogBytes bounds the collected log in one event, well under a
	// batch's size so it never stalls the upload.
	MaxLogBytes = 64 << 10
	// MaxMessageRunes bounds an out-of-service message; the screen has room
	// for a few lines.
	MaxMessageRunes = 280
)

// Audit actions queued by commands.
const ActionCollectLogs = "command.collect_logs"

// Handlers builds the command puller's handler for every command kind.
func Handlers(fx Effects, tail LogTail) map[api.CommandKind]client.Handler {
	return map[api.CommandKind]client.Handler{
		api.CmdOutOfService: {
			InTx: func(tx outbox.Tx, c api.Command) error { return setOutOfService(tx, true, Message(c.Args)) },
			AfterCommit: func(ctx context.Context, c api.Command) error {
				fx.SetOutOfService(true, Message(c.Args))
				return nil
			},
		},
		api.CmdInService: {
			InTx: func(tx outbox.Tx, c api.Command) error { return setOutOfService(tx, false, "") },
			AfterCommit: func(ctx context.Context, c api.Command) error {
				fx.SetOutOfService(false, "")
				return nil
			},
		},
		api.CmdPrintTestPage: {
			AfterCommit: func(ctx context.Context, c api.Command) error {
				if err := fx.PrintTestPage(ctx); err != nil {
					return fmt.Errorf("print the test page: %w", err)
				}
				return nil
			},
		},
		api.CmdForceSync: {
			AfterCommit: func(ctx context.Context, c api.Command) error {
				fx.ForceSync()
				return nil
			},
		},
		api.CmdCollectLogs: {
			InTx: func(tx outbox.Tx, c api.Command) error { return collectLogs(tx, c, tail) },
			// The queued event is the whole effect; waking the uploader
			// only makes it leave sooner.
			AfterCommit: func(ctx context.Context, c api.Command) error {
				fx.ForceSync()
				return nil
			},
		},
		api.CmdRestart: {
			// A restart that re-ran after the restart it caused would loop.
			AtMostOnce: true,
			AfterCommit: func(ctx context.Context, c api.Command) error {
				fx.Restart()
				return nil
			},
		},
	}
}

func setOutOfService(tx outbox.Tx, on bool, msg string) error {
	v := "0"
	if on {
		v = "1"
	}
	if err := tx.SetKV(KVOutOfService, v); err != nil {
		return fmt.Errorf("record out of service: %w", err)
	}
	if err := tx.SetKV(KVOutOfServiceMessage, msg); err != nil {
		return fmt.Errorf("record the out-of-service message: %w", err)
	}
	return nil
}

// KVReader reads values kept beside the queue; *store.Store is one.
type KVReader interface {
	GetKV(ctx context.Context, key string) (string, bool, error)
}

// OutOfService reads the state the last out_of_service or in_service
// command left, so a restarted kiosk comes back as it was told.
func OutOfService(ctx context.Context, kv KVReader) (on bool, msg string, err error) {
	v, _, err := kv.GetKV(ctx, KVOutOfService)
	if err != nil {
		return false, "", fmt.Errorf("read the out-of-service flag: %w", err)
	}
	if v != "1" {
		return false, "", nil
	}
	m, _, err := kv.GetKV(ctx, KVOutOfServiceMessage)
	if err != nil {
		return true, "", fmt.Errorf("read the out-of-service message: %w", err)
	}
	return true, m, nil
}

// Message is the out-of-service message of a command's arguments, made
// safe to show and store: valid UTF-8, no control characters, at most
// MaxMessageRunes, long digit runs masked. Arguments come signed from the
// centre, but a bad message must not stop the command.
func Message(args map[string]string) string {
	m := strings.ToValidUTF8(args["message"], "")
	m = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, m)
	m = strings.Join(strings.Fields(m), " ")
	if utf8.RuneCountInString(m) > MaxMessageRunes {
		m = string([]rune(m)[:MaxMessageRunes])
	}
	return pii.Scrub(m)
}

// LogLines is the number of lines a collect_logs command asks for:
// DefaultLogLines when absent or unreadable, at most MaxLogLines.
func LogLines(args map[string]string) int {
	n, err := strconv.Atoi(strings.TrimSpace(args["lines"]))
	if err != nil || n <= 0 {
		return DefaultLogLines
	}
	return min(n, MaxLogLines)
}

// collectLogs queues the redacted log lines as an audit event. A log that
// cannot be read is reported in the event instead: failing the transaction
// would leave the command to be fetched and fail again for ever.
func collectLogs(tx outbox.Tx, c api.Command, tail LogTail) error {
	a := api.Audit{Action: ActionCollectLogs, Outcome: "collected", Detail: map[string]string{"command_id": c.ID}}
	var lines []string
	err := errors.New("this kiosk has no log file configured")
	if tail != nil {
		lines, err = tail.Tail(LogLines(c.Args))
	}
	if err != nil {
		a.Outcome = "failed"
		a.Detail["reason"] = pii.Scrub(err.Error())
	} else {
		text, kept := redactedTail(lines, MaxLogBytes)
		a.Detail["lines"] = strconv.Itoa(kept)
		a.Detail["log"] = text
	}
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("collect logs: %w", err)
	}
	// The key follows from the command, so the upload is stored once even
	// if the same lines were queued by a retried transaction.
	key := uuid.NewSHA1(uuid.NameSpaceOID, []byte("collect_logs\x00"+c.ID)).String()
	if _, err := tx.Enqueue(outbox.Event{Kind: string(api.EventAudit), Key: key, Payload: b}); err != nil {
		return fmt.Errorf("collect logs: queue the upload: %w", err)
	}
	return nil
}

// redactedTail redacts each line and keeps the newest lines that fit in
// max bytes.
func redactedTail(lines []string, max int) (string, int) {
	out := make([]string, 0, len(lines))
	size := 0
	for i := len(lines) - 1; i >= 0; i-- {
		l := pii.Scrub(strings.ToValidUTF8(lines[i], "\uFFFD"))
		if size+len(l)+1 > max {
			break
		}
		size += len(l) + 1
		out = append(out, l)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return strings.Join(out, "\n"), len(out)
}

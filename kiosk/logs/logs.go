// Package logs writes the kiosk's JSON log and keeps personal data out of it.
//
// Masking at the call site is the first line of defence (values of type
// pii.ID and pii.Mobile log only their mask); this handler is the second:
// every string attribute and message passes through pii.Scrub, so an ID or
// mobile number that slipped into an error text, in any form, is still cut
// to its last four digits before it reaches the file. Dates and other
// numbers stay readable.
package logs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/absher-kiosk/kiosk/kiosk/pii"
)

// Open creates (or appends to) the JSON log at path, mode 0600.
func Open(path string, level slog.Level) (*slog.Logger, io.Closer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("logs: create folder for %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("logs: open %s: %w", path, err)
	}
	return New(f, level), f, nil
}

// New logs JSON to w through the redacting handler.
func New(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(&Handler{next: slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})})
}

// Handler redacts every string it is given before passing it on.
type Handler struct{ next slog.Handler }

// Wrap redacts records before next sees them.
func Wrap(next slog.Handler) *Handler { return &Handler{next: next} }

func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, pii.Scrub(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = redactAttr(a)
	}
	return &Handler{next: h.next.WithAttrs(red)}
}

func (h *Handler) WithGroup(name string) slog.Handler { return &Handler{next: h.next.WithGroup(name)} }

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, pii.Scrub(v.String()))
	case slog.KindGroup:
		g := v.Group()
		red := make([]any, len(g))
		for i, ga := range g {
			red[i] = redactAttr(ga)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, pii.Scrub(err.Error()))
		}
		return slog.String(a.Key, pii.Scrub(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

package commands

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// FileTail reads the last lines of a log file from its end, so a large log
// costs only the bytes asked for.
type FileTail struct {
	Path string
	// MaxBytes bounds how far back it reads; default 4 × MaxLogBytes.
	MaxBytes int64
}

// Tail returns up to n complete last lines, oldest first. A missing file
// has no lines.
func (f FileTail) Tail(n int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	limit := f.MaxBytes
	if limit <= 0 {
		limit = 4 * MaxLogBytes
	}
	fh, err := os.Open(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open the log %s: %w", f.Path, err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("read the log %s: %w", f.Path, err)
	}
	start := max(st.Size()-limit, 0)
	buf := make([]byte, st.Size()-start)
	if _, err := fh.ReadAt(buf, start); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read the log %s: %w", f.Path, err)
	}
	return lastLines(buf, n, start > 0), nil
}

// lastLines splits b into lines and keeps the last n; when b starts in the
// middle of the file its first, partial line is dropped.
func lastLines(b []byte, n int, partial bool) []string {
	b = bytes.TrimRight(b, "\n")
	if len(b) == 0 {
		return nil
	}
	parts := bytes.Split(b, []byte("\n"))
	if partial && len(parts) > 0 {
		parts = parts[1:]
	}
	if len(parts) > n {
		parts = parts[len(parts)-n:]
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = string(bytes.TrimRight(p, "\r"))
	}
	return out
}

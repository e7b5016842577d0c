package store

import (
	"errors"

	"github.com/absher-kiosk/kiosk/sync/outbox"
	"github.com/mattn/go-sqlite3"
)

// classify turns SQLite storage failures into an *outbox.StorageError and
// leaves every other error as it is.
func classify(path string, err error) error {
	if err == nil {
		return nil
	}
	var se *outbox.StorageError
	if errors.As(err, &se) {
		return err
	}
	var sq sqlite3.Error
	if !errors.As(err, &sq) {
		return err
	}
	fault := ""
	switch sq.Code {
	case sqlite3.ErrFull:
		fault = "full"
	case sqlite3.ErrReadonly:
		fault = "readonly"
	case sqlite3.ErrIoErr:
		fault = "ioerr"
	case sqlite3.ErrCorrupt, sqlite3.ErrNotADB:
		fault = "corrupt"
	case sqlite3.ErrCantOpen:
		fault = "cantopen"
	default:
		return err
	}
	return &outbox.StorageError{Fault: fault, Path: path, Err: err}
}

package outbox

import (
	"errors"
	"fmt"
)

// ErrStorage marks errors caused by the disk or the database file rather than
// by the caller: a full disk, a read-only file, an I/O error or a damaged
// file. Callers test with errors.Is(err, ErrStorage) and report to health.
var ErrStorage = errors.New("outbox: storage fault")

// StorageError says which storage fault happened and what to do about it.
type StorageError struct {
	Fault string // "full", "readonly", "ioerr", "corrupt" or "cantopen"
	Path  string
	Err   error
}

func (e *StorageError) Error() string {
	var what string
	switch e.Fault {
	case "full":
		what = fmt.Sprintf("the kiosk's disk is full: free space on the filesystem holding %s; queued events are kept", e.Path)
	case "readonly":
		what = fmt.Sprintf("the outbox database %s is read-only: make the file, its folder and the filesystem writable for the kiosk's user; queued events are kept", e.Path)
	case "ioerr":
		what = fmt.Sprintf("the disk holding %s failed a read or write: check the disk and its cable; events committed before the fault are kept", e.Path)
	case "corrupt":
		what = fmt.Sprintf("the outbox database %s is damaged: take the kiosk out of service and keep a copy of the file for support before replacing it", e.Path)
	case "cantopen":
		what = fmt.Sprintf("the outbox database %s cannot be opened: check that its folder exists and is writable for the kiosk's user", e.Path)
	default:
		what = fmt.Sprintf("storage fault on %s", e.Path)
	}
	return what + " (" + e.Err.Error() + ")"
}

// Unwrap lets errors.Is find both ErrStorage and the SQLite cause.
func (e *StorageError) Unwrap() []error { return []error{ErrStorage, e.Err} }

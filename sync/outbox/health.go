package outbox

import (
	"errors"

	"github.com/absher-kiosk/kiosk/devices/health"
)

// HealthSource names the storage warnings in the health registry.
const HealthSource = "database"

// StorageWarning turns a storage fault into a critical warning that takes
// the kiosk out of service, with no delay: a full or read-only disk does not
// heal within seconds, and the kiosk must stop taking transactions it cannot
// record. The code is the fault's name. ok is false when err is not a
// storage fault.
func StorageWarning(err error) (w health.Warning, ok bool) {
	var se *StorageError
	if !errors.As(err, &se) {
		return health.Warning{}, false
	}
	code := se.Fault
	if code == "" {
		code = "storage"
	}
	return health.Warning{Source: HealthSource, Code: code, Severity: health.Critical,
		Impact: health.OutOfService, Detail: se.Error()}, true
}

// ReportStorageTo returns the storage-fault callback for
// [Options.OnStorageFault]: each storage fault is set in r, other errors are
// ignored.
func ReportStorageTo(r *health.Registry) func(error) {
	return func(err error) {
		if w, ok := StorageWarning(err); ok {
			r.Set(w)
		}
	}
}

// StorageRecovered clears the storage warnings in r once a write succeeded
// again; the outbox reports faults, not recoveries.
func StorageRecovered(r *health.Registry) { r.Replace(HealthSource, nil) }

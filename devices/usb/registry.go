package usb

// Match selects devices by ID and, where a product ID is shared by
// incompatible firmware, by bcdDevice too.
type Match struct {
	ID ID
	// BCDDevice, when non-zero, must equal the device's bcdDevice.
	BCDDevice uint16
}

// Matches reports whether d is selected.
func (m Match) Matches(d Desc) bool {
	return d.ID == m.ID && (m.BCDDevice == 0 || d.BCDDevice == m.BCDDevice)
}

// Registry maps device matches to drivers of any kind. The first
// registration that matches wins, so register specific matches first.
type Registry[T any] struct {
	entries []entry[T]
}

type entry[T any] struct {
	m Match
	v T
}

// Register adds v for devices that m selects.
func (r *Registry[T]) Register(m Match, v T) { r.entries = append(r.entries, entry[T]{m, v}) }

// Lookup finds the driver for d.
func (r *Registry[T]) Lookup(d Desc) (T, bool) {
	for _, e := range r.entries {
		if e.m.Matches(d) {
			return e.v, true
		}
	}
	var zero T
	return zero, false
}

// Find returns the first device in list that has a driver, in list order.
func (r *Registry[T]) Find(list []Desc) (Desc, T, bool) {
	for _, d := range list {
		if v, ok := r.Lookup(d); ok {
			return d, v, true
		}
	}
	var zero T
	return Desc{}, zero, false
}

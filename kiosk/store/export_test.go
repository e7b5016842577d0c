package store

// Corrupt runs a statement on the writer connection, for tests that damage
// a row on purpose to check that the damage is caught.
func Corrupt(s *Store, query string, args ...any) error {
	_, err := s.w.Exec(query, args...)
	return err
}

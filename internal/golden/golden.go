// Package golden is the test helper for golden files: outputs kept in a
// package's testdata and compared on every run. `go test ./PKG -update`
// rewrites them from the current output instead; look at the changed
// files (images above all) before committing them.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files from the current output instead of comparing with them")

// Update reports whether the run was asked to rewrite golden files, for
// tests that keep their golden output somewhere other than one file.
func Update() bool { return *update }

// Read returns the golden content at path for the caller to compare got
// with. Under -update it first writes got to path, creating its folder. A
// missing file fails the test and says how to create it.
func Read(t testing.TB, path string, got []byte) []byte {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("create the golden folder: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("rewrite golden file: %v", err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it, then look at it before committing)", err)
	}
	return want
}

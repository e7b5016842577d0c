package golden

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReadAndUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "testdata", "page.txt")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("kept"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := string(Read(t, path, []byte("new"))); got != "kept" {
		t.Fatalf("without -update: %q, want the file as it was", got)
	}
	*update = true
	defer func() { *update = false }()
	if !Update() {
		t.Fatal("Update() false under -update")
	}
	other := filepath.Join(t.TempDir(), "made", "here.txt")
	if got := string(Read(t, other, []byte("new"))); got != "new" {
		t.Fatalf("under -update: %q, want the new output", got)
	}
}

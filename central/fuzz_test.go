package central

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/absher-kiosk/kiosk/sync/seal"
)

// FuzzOpenGrant: grants come back from kiosks inside events; whatever they
// carry must give an error, never a panic, and only sealed grants open.
func FuzzOpenGrant(f *testing.F) {
	keys, err := seal.LoadOrCreate(filepath.Join(f.TempDir(), "k"))
	if err != nil {
		f.Fatal(err)
	}
	s := &Server{keys: keys}
	good, err := s.sealGrant(grant{Kiosk: "kiosk-001", Person: "1000000008", Mobile: "+966512345678", Expires: time.Unix(2e9, 0)})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("")
	f.Add("abc.")
	f.Add(".AAAA")
	f.Add(good[:len(good)-2])
	f.Fuzz(func(t *testing.T, g string) {
		got, err := s.openGrant(g)
		if err == nil && g != good {
			t.Fatalf("a forged grant opened: %q → %+v", g, got)
		}
	})
}

func TestOpenGrantBadInput(t *testing.T) {
	keys, _ := seal.LoadOrCreate(filepath.Join(t.TempDir(), "k"))
	s := &Server{keys: keys}
	good, _ := s.sealGrant(grant{Kiosk: "k", Person: "p", Mobile: "m"})
	for _, g := range []string{"", "nodot", "x.!!!", good + "A", "zz" + good} {
		if _, err := s.openGrant(g); err == nil {
			t.Errorf("grant %q opened", g)
		}
	}
	if got, err := s.openGrant(good); err != nil || got.Person != "p" {
		t.Fatalf("good grant: %+v %v", got, err)
	}
}

package demo

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"

	"github.com/absher-kiosk/kiosk/kiosk/passhash"
)

var salt = []byte("0123456789abcdef")

func TestHashPasswordFormat(t *testing.T) {
	h := HashPassword("Demo@2026", salt)
	key := argon2.IDKey([]byte("Demo@2026"), salt, 2, 19*1024, 1, 32)
	want := "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$" + base64.RawStdEncoding.EncodeToString(key)
	if h != want {
		t.Fatalf("hash = %s\nwant   %s", h, want)
	}
	for _, c := range []struct {
		pw   string
		want bool
	}{{"Demo@2026", true}, {"demo@2026", false}, {"", false}, {"Demo@2026 ", false}} {
		ok, err := VerifyPassword(h, c.pw)
		if err != nil || ok != c.want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", c.pw, ok, err, c.want)
		}
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	good := passhash.Encode(DemoParams, "pw", salt)
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	cases := []struct{ name, hash, want string }{
		{"empty", "", "want 5 fields"},
		{"no leading dollar", strings.TrimPrefix(good, "$"), "want 5 fields"},
		{"extra field", good + "$x", "want 5 fields"},
		{"argon2i", with(1, "argon2i"), "not argon2id"},
		{"old version", with(2, "v=16"), "version 16"},
		{"version junk", with(2, "v=19x"), "version field"},
		{"params order", with(3, "t=1,m=256,p=1"), "parameters"},
		{"params spaces", with(3, "m=256, t=1,p=1"), "parameters"},
		{"zero time", with(3, "m=256,t=0,p=1"), "out of range"},
		{"huge memory", with(3, "m=99999999,t=1,p=1"), "out of range"},
		{"too many passes", with(3, "m=256,t=1000,p=1"), "out of range"},
		{"zero threads", with(3, "m=256,t=1,p=0"), "out of range"},
		{"memory below threads", with(3, "m=8,t=1,p=4"), "out of range"},
		{"negative", with(3, "m=-1,t=1,p=1"), "parameters"},
		{"salt padding", with(4, parts[4]+"=="), "salt"},
		{"short salt", with(4, "YWJj"), "salt"},
		{"salt not base64", with(4, "!!!!!!!!!!!!"), "salt"},
		{"short hash", with(5, "YWJj"), "hash is not"},
		{"hash not base64", with(5, "@@@@"), "hash is not"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, err := VerifyPassword(c.hash, "pw")
			if ok || !errors.Is(err, ErrMalformedHash) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("VerifyPassword(%q) = %v, %v; want ErrMalformedHash mentioning %q", c.hash, ok, err, c.want)
			}
		})
	}
	if ok, err := VerifyPassword(good, "pw"); !ok || err != nil {
		t.Fatalf("the unbroken hash does not verify: %v", err)
	}
}

func FuzzVerifyPassword(f *testing.F) {
	f.Add(passhash.Encode(DemoParams, "pw", salt), "pw")
	f.Add("$argon2id$v=19$m=256,t=1,p=1$$", "")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZg", "x")
	f.Add("$$$$$", "")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		ok, err := VerifyPassword(hash, pw)
		if err != nil && ok {
			t.Fatal("verified with an error")
		}
		if err != nil && !errors.Is(err, ErrMalformedHash) {
			t.Fatalf("error not ErrMalformedHash: %v", err)
		}
	})
}

func BenchmarkVerifyPasswordDefault(b *testing.B) {
	h := HashPassword("Demo@2026", salt)
	for b.Loop() {
		VerifyPassword(h, "Demo@2026")
	}
}

func BenchmarkVerifyPasswordDemo(b *testing.B) {
	h := passhash.Encode(DemoParams, "Demo@2026", salt)
	for b.Loop() {
		VerifyPassword(h, "Demo@2026")
	}
}

package passhash

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

var (
	cheap = Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32}
	salt  = []byte("0123456789abcdef")
)

const limit = 1 << 20

func TestEncodeVerify(t *testing.T) {
	h := Encode(cheap, "Demo@2026", salt)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$") {
		t.Fatalf("hash %s", h)
	}
	for pw, want := range map[string]bool{"Demo@2026": true, "demo@2026": false, "": false, "Demo@2026 ": false} {
		if ok, err := Verify(h, pw, limit); ok != want || err != nil {
			t.Errorf("Verify(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	p, err := Parse(h, limit)
	if err != nil || p.Params != cheap || string(p.Salt) != string(salt) || len(p.Key) != 32 {
		t.Fatalf("Parse = %+v, %v", p, err)
	}
}

func TestMalformed(t *testing.T) {
	good := Encode(cheap, "pw", salt)
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	cases := []struct {
		name, hash, want string
		max              uint32
	}{
		{"empty", "", "want 5 fields", limit},
		{"not phc", "482916", "want 5 fields", limit},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuu5Yk8pQWJb7WmB3cI6e0mLrZ4fJ8vS2", "want 5 fields", limit},
		{"no leading dollar", strings.TrimPrefix(good, "$"), "want 5 fields", limit},
		{"leading text", "x" + good, "want 5 fields", limit},
		{"extra field", good + "$x", "want 5 fields", limit},
		{"missing field", strings.Join(parts[:5], "$"), "want 5 fields", limit},
		{"argon2i", with(1, "argon2i"), "not argon2id", limit},
		{"old version", with(2, "v=16"), "version 16", limit},
		{"version junk", with(2, "v=19x"), "version field", limit},
		{"params order", with(3, "t=1,m=64,p=1"), "parameters", limit},
		{"params spaces", with(3, "m=64, t=1,p=1"), "parameters", limit},
		{"negative", with(3, "m=-64,t=1,p=1"), "parameters", limit},
		{"overflowing value", with(3, "m=99999999999999999999,t=1,p=1"), "parameters", limit},
		{"zero time", with(3, "m=64,t=0,p=1"), "out of range", limit},
		{"zero threads", with(3, "m=64,t=1,p=0"), "out of range", limit},
		{"too many threads", with(3, "m=4096,t=1,p=256"), "out of range", limit},
		{"huge memory", with(3, "m=99999999,t=1,p=1"), "out of range", limit},
		{"memory over the caller's limit", good, "out of range", 32},
		{"too many passes", with(3, "m=64,t=1000,p=1"), "out of range", limit},
		{"memory below threads", with(3, "m=8,t=1,p=4"), "out of range", limit},
		{"salt padding", with(4, parts[4]+"=="), "salt", limit},
		{"short salt", with(4, "YWJj"), "salt", limit},
		{"salt not base64", with(4, "!!!!!!!!!!!!"), "salt", limit},
		{"padded key", with(5, parts[5]+"="), "hash is not", limit},
		{"short key", with(5, "YWJj"), "hash is not", limit},
		{"key not base64", with(5, "@@@@"), "hash is not", limit},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, err := Verify(c.hash, "pw", c.max)
			if ok || !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Verify(%q) = %v, %v; want ErrMalformed mentioning %q", c.hash, ok, err, c.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Encode(cheap, "pw", salt), "pw")
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", "1234")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "")
	f.Add("$$$$$", "0")
	f.Fuzz(func(t *testing.T, hash, secret string) {
		h, err := Parse(hash, 256*1024)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		// Whatever parses must be affordable to check.
		if h.MemoryKiB > 256*1024 || h.Time > MaxTime || h.Threads < 1 || len(h.Salt) < minSaltLen || len(h.Key) < minKeyLen {
			t.Fatalf("accepted %+v", h.Params)
		}
		// Its fields re-encode to a string that parses to the same hash:
		// nothing in it was ignored. (Base64 is read as the earlier parsers
		// read it, so unused low bits in the last character are not refused.)
		again := strings.Join([]string{"", "argon2id", "v=19",
			"m=" + itoa(h.MemoryKiB) + ",t=" + itoa(h.Time) + ",p=" + itoa(uint32(h.Threads)),
			b64.EncodeToString(h.Salt), b64.EncodeToString(h.Key)}, "$")
		if h2, err := Parse(again, 256*1024); err != nil || h2.Params != h.Params || string(h2.Salt) != string(h.Salt) || string(h2.Key) != string(h.Key) {
			t.Fatalf("%q parses to %+v, which re-encodes as %q: %+v, %v", hash, h.Params, again, h2.Params, err)
		}
		if h.MemoryKiB <= 4096 && h.Time <= 2 {
			_ = h.Matches(secret)
		}
	})
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

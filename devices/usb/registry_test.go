package usb

import "testing"

func TestRegistryLookup(t *testing.T) {
	var r Registry[string]
	r.Register(Match{ID: ID{0x147e, 0x2016}, BCDDevice: 0x0002}, "upektc_img")
	r.Register(Match{ID: ID{0x298d, 0x1010}}, "nb1010")

	tests := []struct {
		name string
		d    Desc
		want string
		ok   bool
	}{
		{"nb1010 any bcd", Desc{ID: ID{0x298d, 0x1010}, BCDDevice: 0x0001}, "nb1010", true},
		{"upek right firmware", Desc{ID: ID{0x147e, 0x2016}, BCDDevice: 0x0002}, "upektc_img", true},
		{"upek other firmware", Desc{ID: ID{0x147e, 0x2016}, BCDDevice: 0x0001}, "", false},
		{"unknown", Desc{ID: ID{0x1d6b, 0x0002}}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := r.Lookup(tc.d)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("Lookup(%v) = %q, %v; want %q, %v", tc.d, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestRegistryFindKeepsListOrder(t *testing.T) {
	var r Registry[int]
	r.Register(Match{ID: ID{1, 1}}, 1)
	r.Register(Match{ID: ID{2, 2}}, 2)
	list := []Desc{{ID: ID{9, 9}}, {ID: ID{2, 2}, Address: 5}, {ID: ID{1, 1}, Address: 6}}
	d, v, ok := r.Find(list)
	if !ok || v != 2 || d.Address != 5 {
		t.Fatalf("Find = %v, %d, %v; want the device at address 5 with driver 2", d, v, ok)
	}
	if _, _, ok := r.Find(list[:1]); ok {
		t.Fatal("Find found a driver for a list without supported devices")
	}
}

func TestIDAndKeyStrings(t *testing.T) {
	d := Desc{ID: ID{0x298d, 0x1010}, Bus: 1, Address: 3}
	if got := d.ID.String(); got != "298d:1010" {
		t.Fatalf("ID.String() = %q", got)
	}
	if got := d.Key(); got != "001/003 298d:1010" {
		t.Fatalf("Key() = %q", got)
	}
}

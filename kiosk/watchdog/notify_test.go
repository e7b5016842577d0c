package watchdog

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseWatchdogEnv(t *testing.T) {
	tests := []struct {
		usec, pid string
		want      time.Duration
		bad       bool
	}{
		{"", "", 0, false},
		{"30000000", "", 30 * time.Second, false},
		{"30000000", "42", 30 * time.Second, false},
		{"30000000", "43", 0, false}, // meant for another process
		{"0", "", 0, false},
		{"-5", "", 0, true},
		{"30s", "", 0, true},
		{"30000000", "x", 0, true},
		{"30000000", "-1", 0, true},
		{"99999999999999999999", "", 0, true},
		{"18446744073709551615", "", 0, true},
		{" 5", "", 0, true},
	}
	for _, tc := range tests {
		got, err := ParseWatchdogEnv(tc.usec, tc.pid, 42)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseWatchdogEnv(%q, %q) = %v, %v; want %v, error=%v", tc.usec, tc.pid, got, err, tc.want, tc.bad)
		}
	}
}

func FuzzParseWatchdogEnv(f *testing.F) {
	for _, s := range [][2]string{{"", ""}, {"30000000", "1"}, {"0", ""}, {"-1", "x"}, {"9223372036854775807", "1"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, usec, pid string) {
		d, err := ParseWatchdogEnv(usec, pid, 1)
		if err != nil && d != 0 {
			t.Fatalf("error %v with duration %v", err, d)
		}
		if d < 0 {
			t.Fatalf("negative duration %v from %q", d, usec)
		}
	})
}

func TestNewNotifier(t *testing.T) {
	tests := []struct {
		in  string
		bad bool
	}{
		{"/run/systemd/notify", false},
		{"@/org/freedesktop/systemd1/notify/123", false},
		{"", true},
		{"relative/path", true},
		{"vsock:2:1234", true},
		{"/run/\x00x", true},
		{"/" + strings.Repeat("a", 200), true},
	}
	for _, tc := range tests {
		_, err := NewNotifier(tc.in)
		if (err != nil) != tc.bad {
			t.Errorf("NewNotifier(%q): %v, want error=%v", tc.in, err, tc.bad)
		}
	}
}

func FuzzNewNotifier(f *testing.F) {
	for _, s := range []string{"/run/systemd/notify", "@x", "", "vsock:1:2", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NewNotifier(s)
		if (err == nil) == (n == nil) {
			t.Fatalf("NewNotifier(%q) = %v, %v", s, n, err)
		}
	})
}

func TestNilNotifierIsQuiet(t *testing.T) {
	var n *Notifier
	if err := n.Notify(StateReady); err != nil {
		t.Fatal(err)
	}
}

func TestNotifierFromEnv(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	if _, err := NotifierFromEnv(); err == nil {
		t.Fatal("empty NOTIFY_SOCKET accepted")
	}
	t.Setenv("NOTIFY_SOCKET", "/run/systemd/notify")
	if n, err := NotifierFromEnv(); err != nil || n == nil {
		t.Fatalf("NotifierFromEnv: %v %v", n, err)
	}
}

func TestNotifyToMissingSocketFails(t *testing.T) {
	dir, err := os.MkdirTemp("", "wd")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	n, err := NewNotifier(dir + "/none")
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Notify(StateReady); err == nil || !strings.Contains(err.Error(), "READY=1") {
		t.Fatalf("notify to a missing socket: %v", err)
	}
}

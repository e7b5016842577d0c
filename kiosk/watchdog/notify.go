package watchdog

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Notifier speaks systemd's sd_notify protocol: one datagram per state
// change to the unix socket named in $NOTIFY_SOCKET. It is written here
// rather than taken from a module because the protocol is a single write.
type Notifier struct {
	addr *net.UnixAddr
}

// NewNotifier checks a NOTIFY_SOCKET value: an absolute path, or "@name"
// for a socket in the abstract namespace.
func NewNotifier(socket string) (*Notifier, error) {
	switch {
	case socket == "":
		return nil, errors.New("watchdog: NOTIFY_SOCKET is empty; run under systemd with Type=notify or leave it unset")
	case strings.ContainsRune(socket, 0):
		return nil, errors.New("watchdog: NOTIFY_SOCKET holds a NUL byte; it must be a socket path")
	case socket[0] == '@':
		// Go maps a leading '@' to the abstract namespace itself.
	case socket[0] == '/':
	default:
		return nil, fmt.Errorf("watchdog: NOTIFY_SOCKET %q is neither an absolute path nor @abstract; only unix sockets are supported", socket)
	}
	if len(socket) > 107 {
		return nil, fmt.Errorf("watchdog: NOTIFY_SOCKET %q is longer than a unix socket path may be", socket)
	}
	return &Notifier{addr: &net.UnixAddr{Name: socket, Net: "unixgram"}}, nil
}

// NotifierFromEnv builds a Notifier from $NOTIFY_SOCKET; it returns nil and
// no error when the variable is unset (not started by systemd).
func NotifierFromEnv() (*Notifier, error) {
	s, ok := os.LookupEnv("NOTIFY_SOCKET")
	if !ok {
		return nil, nil
	}
	return NewNotifier(s)
}

// Notify sends one state string such as "READY=1". A nil Notifier does
// nothing, so callers need not check whether systemd is there.
func (n *Notifier) Notify(state string) error {
	if n == nil {
		return nil
	}
	c, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("watchdog: tell systemd %q: %w", state, err)
	}
	defer c.Close()
	// systemd reads at once; a full queue means it is gone, and the
	// watchdog must not wedge on it.
	if err := c.SetWriteDeadline(time.Now().Add(time.Second)); err != nil {
		return fmt.Errorf("watchdog: tell systemd %q: %w", state, err)
	}
	if _, err := c.Write([]byte(state)); err != nil {
		return fmt.Errorf("watchdog: tell systemd %q: %w", state, err)
	}
	return nil
}

// States sent to systemd.
const (
	StateReady    = "READY=1"
	StatePing     = "WATCHDOG=1"
	StateStopping = "STOPPING=1"
)

// ParseWatchdogEnv reads systemd's WATCHDOG_USEC and WATCHDOG_PID as given
// to the process with pid self. It returns the watchdog timeout, or 0 when
// the watchdog is off or meant for another process.
func ParseWatchdogEnv(usec, pid string, self int) (time.Duration, error) {
	if usec == "" {
		return 0, nil
	}
	if pid != "" {
		p, err := strconv.Atoi(pid)
		if err != nil || p <= 0 {
			return 0, fmt.Errorf("watchdog: WATCHDOG_PID %q is not a process id", pid)
		}
		if p != self {
			return 0, nil
		}
	}
	u, err := strconv.ParseUint(usec, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("watchdog: WATCHDOG_USEC %q is not a whole number of microseconds", usec)
	}
	if u == 0 {
		return 0, nil
	}
	if u > uint64(time.Duration(1<<63-1)/time.Microsecond) {
		return 0, fmt.Errorf("watchdog: WATCHDOG_USEC %q is too large", usec)
	}
	return time.Duration(u) * time.Microsecond, nil
}

// WatchdogFromEnv is ParseWatchdogEnv on this process's environment.
func WatchdogFromEnv() (time.Duration, error) {
	return ParseWatchdogEnv(os.Getenv("WATCHDOG_USEC"), os.Getenv("WATCHDOG_PID"), os.Getpid())
}

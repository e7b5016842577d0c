// Package usbtest runs a test under umockdev-run against a recorded USB
// session, so that drivers are proven through real libusb calls on the
// recorded bytes of a real scanner.
//
// A replay test calls Replay first. In the parent role (UMOCKDEV_DIR unset)
// Replay re-runs the test binary under umockdev-run, limited to the calling
// test, reports the child's output and returns false: the parent has
// nothing more to do. In the child role it returns true and the test goes on
// to open the mocked device through devices/usb.
package usbtest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Recording names one folder of libfprint's recorded sessions.
type Recording struct {
	Dir string // absolute path of the folder
}

// Fixture finds ../shared/fixtures/libfprint/<name> beside the project root
// (the folder holding go.mod). It skips the test when the folder is absent.
func Fixture(t testing.TB, name string) Recording {
	t.Helper()
	root, err := projectRoot()
	if err != nil {
		t.Fatalf("usbtest: %v", err)
	}
	dir := filepath.Join(root, "..", "shared", "fixtures", "libfprint", name)
	if _, err := os.Stat(filepath.Join(dir, "device")); err != nil {
		t.Skipf("usbtest: recorded session %s is absent (%v); replay tests need libfprint's recordings there", dir, err)
	}
	return Recording{Dir: dir}
}

// File is the path of a file in the recording folder.
func (r Recording) File(name string) string { return filepath.Join(r.Dir, name) }

func projectRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find project root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find project root: no go.mod above the test's folder")
		}
		dir = parent
	}
}

// Child reports whether this process runs inside umockdev-run.
func Child() bool { return os.Getenv("UMOCKDEV_DIR") != "" }

// Replay runs the calling test again under umockdev-run with the recording
// r (ioctl or pcapng, chosen as libfprint's own runner does) and reports
// whether the caller is the child that should now do the work.
func Replay(t *testing.T, r Recording) bool {
	t.Helper()
	if Child() {
		return true
	}
	args, err := r.umockdevArgs()
	if err != nil {
		t.Fatalf("usbtest: %v", err)
	}
	runner, err := exec.LookPath("umockdev-run")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("usbtest: umockdev-run is not installed (scripts/setup.sh installs the umockdev package): %v", err)
		}
		t.Skipf("usbtest: umockdev-run is not installed; install the Debian package umockdev to run replay tests")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("usbtest: find own test binary: %v", err)
	}
	args = append(args, "--", exe, "-test.run", "^"+t.Name()+"$", "-test.v", "-test.count=1")
	cmd := exec.Command(runner, args...)
	out, err := cmd.CombinedOutput()
	t.Logf("umockdev-run %s\n%s", strings.Join(args, " "), out)
	if err != nil {
		t.Fatalf("usbtest: replay of %s failed: %v", r.Dir, err)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("usbtest: replay child did not report %s as passed", t.Name())
	}
	return false
}

// ReplayBench is Replay for benchmarks. A recording holds one capture, so
// the child runs the benchmark for exactly one iteration; the parent runs
// the child once, however often the framework calls it, and reports the
// child's ns/op as its own.
func ReplayBench(b *testing.B, r Recording) bool {
	b.Helper()
	if Child() {
		return true
	}
	benchMu.Lock()
	res, done := benchResults[b.Name()]
	benchMu.Unlock()
	if !done {
		res = runBenchChild(b, r)
		benchMu.Lock()
		benchResults[b.Name()] = res
		benchMu.Unlock()
	}
	if res.err != "" {
		b.Fatal(res.err)
	}
	b.ReportMetric(res.nsPerOp, "ns/op")
	return false
}

type benchResult struct {
	nsPerOp float64
	err     string
}

var (
	benchMu      sync.Mutex
	benchResults = map[string]benchResult{}
)

func runBenchChild(b *testing.B, r Recording) benchResult {
	args, err := r.umockdevArgs()
	if err != nil {
		return benchResult{err: "usbtest: " + err.Error()}
	}
	runner, err := exec.LookPath("umockdev-run")
	if err != nil {
		b.Skipf("usbtest: umockdev-run is not installed; install the Debian package umockdev")
	}
	exe, err := os.Executable()
	if err != nil {
		return benchResult{err: "usbtest: find own test binary: " + err.Error()}
	}
	name := b.Name()
	if i := strings.LastIndex(name, "-"); i > 0 {
		name = name[:i] // the -GOMAXPROCS suffix is not part of the function name
	}
	args = append(args, "--", exe, "-test.run", "^$", "-test.bench", "^"+name+"$", "-test.benchtime", "1x", "-test.count=1")
	out, err := exec.Command(runner, args...).CombinedOutput()
	if err != nil {
		return benchResult{err: fmt.Sprintf("usbtest: replay benchmark failed: %v\n%s", err, out)}
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		for i := 1; i < len(f); i++ {
			if f[i] == "ns/op" && strings.HasPrefix(f[0], name) {
				v, err := strconv.ParseFloat(f[i-1], 64)
				if err == nil {
					return benchResult{nsPerOp: v}
				}
			}
		}
	}
	return benchResult{err: "usbtest: replay benchmark child printed no ns/op:\n" + string(out)}
}

func (r Recording) umockdevArgs() ([]string, error) {
	device := r.File("device")
	if _, err := os.Stat(r.File("capture.pcapng")); err == nil {
		p, err := firstLineAfter(device, "P: ")
		if err != nil {
			return nil, err
		}
		return []string{"-d", device, "-p", "/sys" + p + "=" + r.File("capture.pcapng")}, nil
	}
	ioctl := r.File("capture.ioctl")
	node, err := firstLineAfter(ioctl, "@DEV ")
	if err != nil {
		return nil, err
	}
	return []string{"-d", device, "-i", node + "=" + ioctl}, nil
}

func firstLineAfter(path, prefix string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read recording: %w", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64*1024), 1<<20)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), prefix); ok {
			return strings.TrimSpace(v), nil
		}
	}
	if err := s.Err(); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return "", fmt.Errorf("%s has no line starting %q", path, prefix)
}

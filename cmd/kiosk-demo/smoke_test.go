package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// The real-window smoke test: the demo program (the kiosk with its in-process centre) under
// Xvfb at 1080×1920, read back with ImageMagick and tapped with xdotool.

var tools = []string{"Xvfb", "xdotool", "import"}

func needTools(tb testing.TB) {
	tb.Helper()
	for _, t := range tools {
		if _, err := exec.LookPath(t); err != nil {
			if os.Getenv("CI") != "" {
				tb.Fatalf("%s is missing; scripts/setup.sh installs xvfb, xdotool and imagemagick", t)
			}
			tb.Skipf("%s is missing (install xvfb, xdotool and imagemagick to run the real-window test)", t)
		}
	}
}

// buildKiosk builds the program once per test binary.
func buildKiosk(tb testing.TB, dir string) string {
	tb.Helper()
	bin := filepath.Join(dir, "kiosk-demo")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		tb.Fatalf("build the kiosk: %v\n%s", err, out)
	}
	return bin
}

// xvfb starts an X server on a free display and returns its name. Other
// packages' tests start their own servers at the same time, so a number
// another server took meanwhile is skipped.
func xvfb(tb testing.TB) string {
	tb.Helper()
	for n := 140; n < 200; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
			continue
		}
		disp := fmt.Sprintf(":%d", n)
		cmd := exec.Command("Xvfb", disp, "-screen", "0", "1080x1920x24", "-nolisten", "tcp")
		if err := cmd.Start(); err != nil {
			tb.Fatalf("start Xvfb: %v", err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		up := false
	wait:
		for range 200 {
			select {
			case <-exited:
				break wait // the number was taken after all
			default:
			}
			if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
				up = true
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if up {
			tb.Cleanup(func() { cmd.Process.Kill(); <-exited })
			return disp
		}
		cmd.Process.Kill()
		<-exited
	}
	tb.Fatal("no free X display number between :140 and :199")
	return ""
}

// screenshot reads the whole screen back.
func screenshot(disp string) (*image.RGBA, error) {
	out, err := exec.Command("import", "-display", disp, "-window", "root", "png:-").Output()
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	rgba := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			rgba.Set(x, y, img.At(x, y))
		}
	}
	return rgba, nil
}

// attract finds the attract screen: ink (dark text) in the title band and
// the green "touch to start" button, whose centre it returns.
func attract(img *image.RGBA) (x, y int, ok bool) {
	b := img.Bounds()
	ink, green := 0, 0
	var gx, gy int
	for py := b.Min.Y; py < b.Max.Y; py++ {
		for px := b.Min.X; px < b.Max.X; px++ {
			i := img.PixOffset(px, py)
			r, g, bl := int(img.Pix[i]), int(img.Pix[i+1]), int(img.Pix[i+2])
			if r < 80 && g < 80 && bl < 80 && py > b.Dy()/5 && py < b.Dy()*3/5 {
				ink++
			}
			if r < 40 && g > 80 && g < 150 && bl > 30 && bl < 90 {
				green++
				gx += px
				gy += py
			}
		}
	}
	if ink < 2000 || green < 20000 {
		return 0, 0, false
	}
	return gx / green, gy / green, true
}

// ink counts dark pixels: text on the kiosk's light background.
func ink(img *image.RGBA) int {
	n := 0
	for i := 0; i < len(img.Pix); i += 4 {
		if img.Pix[i] < 80 && img.Pix[i+1] < 80 && img.Pix[i+2] < 80 {
			n++
		}
	}
	return n
}

func changed(a, b *image.RGBA) float64 {
	if a.Bounds() != b.Bounds() {
		return 1
	}
	diff := 0
	for i := 0; i < len(a.Pix); i += 4 {
		if a.Pix[i] != b.Pix[i] || a.Pix[i+1] != b.Pix[i+1] || a.Pix[i+2] != b.Pix[i+2] {
			diff++
		}
	}
	return float64(diff) / float64(len(a.Pix)/4)
}

type running struct {
	cmd   *exec.Cmd
	done  chan error
	log   *bytes.Buffer
	state string // the kiosk's state folder, holding its JSON log
}

// logs is the kiosk's output and the tail of its log file, for a failure
// message.
func (r *running) logs() string {
	b, _ := os.ReadFile(filepath.Join(r.state, "kiosk.log"))
	if len(b) > 8000 {
		b = b[len(b)-8000:]
	}
	return r.log.String() + "\n--- kiosk.log ---\n" + string(b)
}

func startKiosk(tb testing.TB, bin, disp, state string) *running {
	tb.Helper()
	cfg := filepath.Join(state, "kiosk.toml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("[kiosk]\nstate_dir = %q\n", filepath.Join(state, "state"))), 0o600); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, "-config", cfg)
	cmd.Dir = "../.." // where `make run` starts it, so the demo finds its fixtures by the default -fixtures
	runtime := filepath.Join(state, "run")
	os.MkdirAll(runtime, 0o700)
	cmd.Env = append(os.Environ(), "DISPLAY="+disp, "XDG_RUNTIME_DIR="+runtime)
	r := &running{cmd: cmd, done: make(chan error, 1), log: &bytes.Buffer{}, state: filepath.Join(state, "state")}
	cmd.Stdout, cmd.Stderr = r.log, r.log
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start the kiosk: %v", err)
	}
	go func() { r.done <- cmd.Wait() }()
	tb.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	})
	return r
}

// awaitAttract polls the screen until the attract screen is drawn.
// seen is when the settled attract screen was first seen.
func (r *running) awaitAttract(tb testing.TB, disp string, bound time.Duration) (img *image.RGBA, x, y int, seen time.Time) {
	tb.Helper()
	deadline := time.Now().Add(bound)
	lastX, lastY, lastAt := -1, -1, time.Time{}
	for time.Now().Before(deadline) {
		select {
		case err := <-r.done:
			tb.Fatalf("the kiosk exited before drawing: %v\n%s", err, r.logs())
		default:
		}
		at := time.Now()
		if img, err := screenshot(disp); err == nil {
			// The window first maps at its own size and then goes full
			// screen: tap only once two looks agree on where the button is.
			if x, y, ok := attract(img); ok {
				if x == lastX && y == lastY {
					return img, x, y, lastAt
				}
				lastX, lastY, lastAt = x, y, at
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.Fatalf("no attract screen within %v\n%s", bound, r.logs())
	return nil, 0, 0, time.Time{}
}

// stop sends SIGTERM and expects a clean exit.
func (r *running) stop(tb testing.TB) {
	tb.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		tb.Fatal(err)
	}
	select {
	case err := <-r.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) || err != nil {
			tb.Fatalf("the kiosk did not exit cleanly on SIGTERM: %v\n%s", err, r.logs())
		}
	case <-time.After(20 * time.Second):
		tb.Fatalf("the kiosk did not exit within 20 s of SIGTERM\n%s", r.logs())
	}
}

func TestRealWindowSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the whole program; skipped with -short")
	}
	needTools(t)
	dir := t.TempDir()
	bin := buildKiosk(t, dir)
	disp := xvfb(t)
	k := startKiosk(t, bin, disp, dir)
	first, x, y, _ := k.awaitAttract(t, disp, 90*time.Second)
	if b := first.Bounds(); b.Dx() != 1080 || b.Dy() != 1920 {
		t.Fatalf("screen %v, want 1080×1920", b)
	}
	tap := exec.Command("xdotool", "mousemove", "--sync", fmt.Sprint(x), fmt.Sprint(y), "click", "1")
	tap.Env = append(os.Environ(), "DISPLAY="+disp)
	out, err := tap.CombinedOutput()
	if err != nil {
		t.Fatalf("xdotool: %v %s", err, out)
	}
	var second *image.RGBA
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		// A hover highlight changes the screen too: wait for the next screen.
		if img, err := screenshot(disp); err == nil && changed(first, img) > 0.02 {
			if _, _, still := attract(img); !still {
				second = img
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if second == nil {
		t.Fatalf("the attract screen did not give way to the language screen after the tap at (%d,%d)\n%s", x, y, k.logs())
	}
	if n := ink(second); n < 2000 {
		t.Fatalf("the screen after the tap is blank (%d dark pixels)", n)
	}
	k.stop(t)
}

// BenchmarkStartToAttract measures process start to the attract screen
// drawn in a real window under Xvfb (the demo centre's certificates exist
// after the first run, as on a kiosk after its first boot).
func BenchmarkStartToAttract(b *testing.B) {
	needTools(b)
	dir := b.TempDir()
	bin := buildKiosk(b, dir)
	disp := xvfb(b)
	warm := startKiosk(b, bin, disp, dir)
	warm.awaitAttract(b, disp, 90*time.Second)
	warm.stop(b)
	var took []time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		k := startKiosk(b, bin, disp, dir)
		_, _, _, seen := k.awaitAttract(b, disp, 90*time.Second)
		took = append(took, seen.Sub(start))
		b.StopTimer()
		k.stop(b)
		b.StartTimer()
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Milliseconds()), "median-ms-to-attract")
	b.ReportMetric(float64(took[len(took)-1].Milliseconds()), "max-ms-to-attract")
}

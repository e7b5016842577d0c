package xwindow

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/absher-kiosk/kiosk/kiosk/ui"
)

var (
	fyneApp  fyne.App
	setupErr error // why the real window could not be had
)

// TestMain runs the tests beside the GLFW event loop, which must own the
// main thread; an Xvfb server is started when there is no display.
func TestMain(m *testing.M) {
	stop, err := ensureDisplay()
	if err != nil {
		setupErr = err
		os.Exit(m.Run())
	}
	fyneApp = app.NewWithID("sa.absher.kiosk.xwindowtest")
	code := 0
	go func() {
		code = m.Run()
		fyne.Do(fyneApp.Quit)
	}()
	fyneApp.Run()
	stop()
	os.Exit(code)
}

// ensureDisplay starts Xvfb on a free display number unless DISPLAY is set.
func ensureDisplay() (stop func(), err error) {
	if os.Getenv("XDG_RUNTIME_DIR") == "" {
		// GLFW and Fyne's settings watcher want one; a private temporary
		// folder keeps them quiet.
		if dir, err := os.MkdirTemp("", "xdg-"); err == nil {
			_ = os.Chmod(dir, 0o700)
			os.Setenv("XDG_RUNTIME_DIR", dir)
		}
	}
	if os.Getenv("DISPLAY") != "" {
		return func() {}, nil
	}
	xvfb, err := exec.LookPath("Xvfb")
	if err != nil {
		return nil, fmt.Errorf("no display and no Xvfb (Debian package xvfb): %w", err)
	}
	for n := 90; n < 110; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
			continue
		}
		disp := fmt.Sprintf(":%d", n)
		cmd := exec.Command(xvfb, disp, "-screen", "0", "1080x1920x24", "-nolisten", "tcp")
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("Xvfb did not start: %w", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for ctx.Err() == nil {
			if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
				os.Setenv("DISPLAY", disp)
				return func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }, nil
			}
			time.Sleep(50 * time.Millisecond)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("Xvfb on %s did not open its socket within 10 s", disp)
	}
	return nil, fmt.Errorf("no free X display number between :90 and :109")
}

// machine is this test's stand-in step machine.
type machine struct {
	mu   sync.Mutex
	v    ui.View
	subs []func(ui.View)
	keys chan rune
}

func (m *machine) View() ui.View {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.v
}

func (m *machine) Subscribe(f func(ui.View)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.subs = append(m.subs, f)
}

func (m *machine) Send(e ui.Event) {
	m.mu.Lock()
	if e.Kind == ui.EvKey {
		m.v.Entry += string(e.Key)
	}
	v, subs := m.v, m.subs
	m.mu.Unlock()
	for _, f := range subs {
		f(v)
	}
	if e.Kind == ui.EvKey {
		m.keys <- e.Key
	}
}

func TestRealWindowKeyboardAndPaint(t *testing.T) {
	if setupErr != nil {
		t.Skipf("real window test needs an X display: %v", setupErr)
	}
	for _, tool := range []string{"xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is missing (Debian packages xdotool, imagemagick): %v", tool, err)
		}
	}
	m := &machine{v: ui.View{Screen: ui.ScreenID, Lang: "ar", Places: 10}, keys: make(chan rune, 16)}
	shown := make(chan error, 1)
	fyne.Do(func() {
		w := fyneApp.NewWindow("kiosk")
		w.SetPadded(false)
		w.Resize(fyne.NewSize(1080, 1920))
		_, err := ui.New(fyneApp, w, m, ui.Options{})
		w.Show()
		w.RequestFocus()
		shown <- err
	})
	if err := <-shown; err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Type digits through the X server until the window has focus and they
	// arrive as keypad events.
	var got []rune
	for len(got) < 3 && ctx.Err() == nil {
		if out, err := exec.CommandContext(ctx, "xdotool", "search", "--name", "^kiosk$", "windowfocus", "--sync", "key", "--delay", "50", "1", "2", "3").CombinedOutput(); err != nil {
			t.Logf("xdotool: %v %s", err, out)
		}
		deadline := time.After(2 * time.Second)
	collect:
		for len(got) < 3 {
			select {
			case k := <-m.keys:
				got = append(got, k)
			case <-deadline:
				break collect
			}
		}
		if len(got) < 3 {
			got = got[:0]
			m.mu.Lock()
			m.v.Entry = ""
			m.mu.Unlock()
		}
	}
	if string(got) != "123" {
		t.Fatalf("keys typed on the X server arrived as %q, want \"123\"", string(got))
	}
	// The glass shows the kiosk: the primary green of the Confirm key.
	shot := filepath.Join(t.TempDir(), "screen.png")
	var img image.Image
	for ctx.Err() == nil {
		if out, err := exec.CommandContext(ctx, "import", "-window", "root", shot).CombinedOutput(); err != nil {
			t.Fatalf("screenshot failed: %v %s", err, out)
		}
		f, err := os.Open(shot)
		if err != nil {
			t.Fatal(err)
		}
		img, err = png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if countColour(img, color.NRGBA{0x00, 0x6c, 0x35, 0xff}) > 5000 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("the screen never showed the kiosk's primary colour; last screenshot %s", shot)
}

func countColour(img image.Image, c color.NRGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
				n++
			}
		}
	}
	return n
}

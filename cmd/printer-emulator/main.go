// Command printer-emulator is a receipt printer on a pseudo-terminal. It
// prints the tty path for the kiosk's printer.port, writes every cut page as
// PNG and text into the output folder, and takes faults on standard input:
//
//	near-end | paper-out [bytes] | cover-open | cover-close | silent | ok | noise HEX | pages
package main

import (
	"bufio"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/absher-kiosk/kiosk/devices/printer/emulator"
	"github.com/absher-kiosk/kiosk/devices/printer/escpos"
)

func main() {
	out := flag.String("out", "printed", "folder for the printed pages")
	profile := flag.String("profile", "epson-tm-t88", "printer model whose paper width to emulate: "+strings.Join(escpos.ProfileNames(), ", "))
	baud := flag.Int("baud", 115200, "line speed to model (0: as fast as the pty)")
	link := flag.String("link", "", "also make this symlink to the pty, for a stable printer.port")
	flag.Parse()
	if err := run(*out, *profile, *baud, *link, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "printer-emulator:", err)
		os.Exit(1)
	}
}

func run(out, profile string, baud int, link string, in io.Reader, w io.Writer) error {
	prof, err := escpos.LookupProfile(profile)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	var mu sync.Mutex
	n := 0
	em, err := emulator.New(emulator.Options{Dots: prof.DotsPerLine, Baud: baud, OnPage: func(p emulator.Page) {
		mu.Lock()
		n++
		base := filepath.Join(out, fmt.Sprintf("page-%04d", n))
		mu.Unlock()
		if err := emulator.WritePagePNG(base+".png", p); err != nil {
			fmt.Fprintln(w, "error:", err)
			return
		}
		if err := os.WriteFile(base+".txt", []byte(p.Text+"\n"), 0o644); err != nil {
			fmt.Fprintln(w, "error:", err)
			return
		}
		fmt.Fprintf(w, "printed %s.png (%d QR, %d barcodes, events %v)\n", base, len(p.QR), len(p.Barcodes), p.Events)
	}})
	if err != nil {
		return err
	}
	defer em.Close()
	if link != "" {
		os.Remove(link)
		if err := os.Symlink(em.PortPath(), link); err != nil {
			return fmt.Errorf("link %s: %w", link, err)
		}
		defer os.Remove(link)
	}
	// Listen for signals before announcing the port: whoever reads the port
	// may stop us at once.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	fmt.Fprintln(w, em.PortPath())
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	for {
		select {
		case <-sig:
			return nil
		case l, ok := <-lines:
			if !ok {
				// Standard input closed (e.g. run in the background): keep
				// printing until stopped.
				<-sig
				return nil
			}
			msg, err := apply(em, l)
			if err != nil {
				fmt.Fprintln(w, "error:", err)
			} else if msg != "" {
				fmt.Fprintln(w, msg)
			}
		}
	}
}

// faults is the part of the emulator the command line drives.
type faults interface {
	SetPaperNearEnd(bool)
	PaperOutAfter(int)
	SetCoverOpen(bool)
	SetSilent(bool)
	Reset()
	InjectNoise([]byte) error
	Pages() []emulator.Page
}

func apply(em faults, line string) (string, error) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return "", nil
	}
	switch f[0] {
	case "near-end":
		em.SetPaperNearEnd(true)
	case "paper-out":
		after := 0
		if len(f) > 1 {
			n, err := strconv.Atoi(f[1])
			if err != nil || n < 0 {
				return "", fmt.Errorf("paper-out takes a byte count, not %q", f[1])
			}
			after = n
		}
		em.PaperOutAfter(after)
	case "cover-open":
		em.SetCoverOpen(true)
	case "cover-close":
		em.SetCoverOpen(false)
	case "silent":
		em.SetSilent(true)
	case "ok":
		em.Reset()
	case "noise":
		if len(f) != 2 {
			return "", fmt.Errorf("noise takes hex bytes, e.g. noise ff00a5")
		}
		b, err := hex.DecodeString(f[1])
		if err != nil {
			return "", fmt.Errorf("noise: %w", err)
		}
		return "", em.InjectNoise(b)
	case "pages":
		return fmt.Sprintf("%d pages", len(em.Pages())), nil
	default:
		return "", fmt.Errorf("unknown command %q; commands: near-end, paper-out [bytes], cover-open, cover-close, silent, ok, noise HEX, pages", f[0])
	}
	return "ok", nil
}

package layout

import (
	"bufio"
	"bytes"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/absher-kiosk/kiosk/"

// leaves may be imported from every room; they import nothing of the module
// but other leaves.
var leaves = []string{
	"assets",
	"internal/golden",
	"kiosk/domain",
	"kiosk/pii",
	"kiosk/passhash",
	"devices/health",
	"devices/fingerprint/fir",
}

// graph maps each package of the module (relative path) to the packages of
// the module and the outside ones it imports directly, as `go list` reports
// them for the build (tests excluded: test-only imports break no rule).
func graph(t *testing.T) map[string][]string {
	t.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(goTool, "list", "-e", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	g := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		g[strings.TrimPrefix(f[0], module)] = trim(f[1:])
	}
	if len(g) == 0 {
		t.Fatal("go list reported no packages")
	}
	return g
}

func trim(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = strings.TrimPrefix(p, module)
	}
	return out
}

// graph and under work on paths relative to the module, where the standard
// library's "sync" and the room "sync" would look alike; under is therefore
// only asked about packages of the module (see inModule).
func under(p, room string) bool { return p == room || strings.HasPrefix(p, room+"/") }

// path returns the import chain from `from` to the first package `bad`
// accepts, or nil when there is none. Packages outside the module are
// followed only far enough to be matched, not walked.
func path(g map[string][]string, from string, bad func(string) bool) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, q := range g[p] {
			if _, seen := prev[q]; seen {
				continue
			}
			prev[q] = p
			if bad(q) {
				chain := []string{q}
				for c := p; c != ""; c = prev[c] {
					chain = append(chain, c)
				}
				slices.Reverse(chain)
				return chain
			}
			if _, ours := g[q]; ours {
				queue = append(queue, q)
			}
		}
	}
	return nil
}

func TestDependencyRules(t *testing.T) {
	g := graph(t)
	isLeaf := func(p string) bool { return slices.Contains(leaves, p) }
	ours := func(p string) bool { _, ok := g[p]; return ok }
	inModule := func(rooms ...string) func(string) bool {
		return func(p string) bool {
			if !ours(p) {
				return false
			}
			for _, r := range rooms {
				if under(p, r) {
					return true
				}
			}
			return false
		}
	}
	rules := []struct {
		name string
		from func(string) bool
		bad  func(string) bool
	}{
		{"devices never import sync",
			inModule("devices"),
			inModule("sync")},
		{"kiosk/flow draws nothing: no Fyne",
			func(p string) bool { return p == "kiosk/flow" },
			func(p string) bool { return strings.HasPrefix(p, "fyne.io/") }},
		{"dependencies point one way: kiosk, devices and sync import no cmd and nothing of central",
			inModule("kiosk", "devices", "sync"),
			inModule("cmd", "central")},
		{"devices and sync import no kiosk room but the leaves",
			inModule("devices", "sync"),
			func(p string) bool { return inModule("kiosk")(p) && !isLeaf(p) }},
		{"central reaches the kiosk only through the contract and the leaves",
			inModule("central"),
			func(p string) bool {
				return (inModule("kiosk")(p) && !isLeaf(p)) || (inModule("sync")(p) && p != "sync/api" && p != "sync/seal")
			}},
		{"the production kiosk links no demo code: no centre, simulator or emulator",
			func(p string) bool { return p == "cmd/kiosk" },
			inModule("central", "devices/fingerprint/synth", "devices/printer/emulator", "kiosk/simscanner")},
		{"leaves import nothing of the module but other leaves",
			isLeaf,
			func(p string) bool { return ours(p) && !isLeaf(p) }},
	}
	for _, l := range leaves {
		if !ours(l) {
			t.Errorf("leaf %s is not a package of the module any more: update the list here and docs/layout.md", l)
		}
	}
	for _, r := range rules {
		for p := range g {
			if !r.from(p) {
				continue
			}
			if chain := path(g, p, r.bad); chain != nil {
				t.Errorf("%s: %s", r.name, strings.Join(chain, " → "))
			}
		}
	}
}

# The two commands a fresh Debian or Ubuntu machine needs: `make run` and `make test`.
# Both install what is missing first (scripts/setup.sh is idempotent).

GO ?= go
STATE ?= $(HOME)/.local/state/absher-kiosk

.PHONY: setup run test bench build fuzz

setup:
	./scripts/setup.sh

build: setup
	$(GO) build -o bin/ ./cmd/...

run: build
	./bin/kiosk-demo -windowed

# The packages that start goroutines (pollers, timers, tickers, servers,
# supervised loops) run their tests a second time under the race detector:
# 2 minutes of tests on a shared two-core machine once the race build is
# cached. Left out: the Fyne packages (kiosk/ui, kiosk/app,
# kiosk/maintenance/ui, cmd/kiosk, cmd/kiosk-demo), whose plain test runs alone take 6
# minutes there and whose race builds of cgo would add more; and
# central/match and devices/fingerprint/synth, which start no goroutines
# but are CPU-bound (7 to 10 minutes and 1.5 minutes under -race).
RACE_PKGS = ./sync/... ./devices/health ./devices/printer/... ./devices/usb \
	./devices/fingerprint ./devices/fingerprint/scanners ./devices/fingerprint/nb1010 ./devices/fingerprint/upektc \
	./kiosk/session ./kiosk/supervise ./kiosk/watchdog ./kiosk/commands ./kiosk/flow \
	./central ./central/biometric

test: setup
	@$(GO) mod tidy -diff || { echo "go.mod or go.sum is not tidy: run go mod tidy and commit the result" >&2; exit 1; }
	$(GO) vet ./...
	$(GO) test -timeout 40m ./...
	$(GO) test -race -timeout 40m $(RACE_PKGS)

bench: setup
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 ./...

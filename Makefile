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
	./bin/kiosk -demo -windowed

test: setup
	$(GO) vet ./...
	$(GO) test -timeout 40m ./...

bench: setup
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 ./...

// Command kioskctl is the technician's and operator's command line for a
// kiosk: it inspects and repairs the kiosk's local state. Each subcommand
// lives in a file of its own and registers in the table below.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"time"
)

// app is what every subcommand gets: where to write and what time it is,
// so their output can be tested exactly.
type app struct {
	ctx    context.Context
	stdout io.Writer
	stderr io.Writer
	now    func() time.Time
}

type subcommand struct {
	summary string
	run     func(a *app, args []string) error
}

var subcommands = map[string]subcommand{
	"queue": {summary: "show the outbox: depth, oldest age, parked items; \"queue retry ID\" sends a parked item again", run: runQueue},
}

func main() {
	a := &app{ctx: context.Background(), stdout: os.Stdout, stderr: os.Stderr, now: time.Now}
	os.Exit(a.main(os.Args[1:]))
}

// main runs one subcommand and returns the exit code: 0 done, 1 failed,
// 2 the command line was wrong.
func (a *app) main(args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "help" {
		a.usage(a.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sc, ok := subcommands[args[0]]
	if !ok {
		fmt.Fprintf(a.stderr, "kioskctl: unknown command %q\n", args[0])
		a.usage(a.stderr)
		return 2
	}
	if err := sc.run(a, args[1:]); err != nil {
		fmt.Fprintf(a.stderr, "kioskctl %s: %v\n", args[0], err)
		if _, usage := err.(usageError); usage {
			return 2
		}
		return 1
	}
	return 0
}

func (a *app) usage(w io.Writer) {
	fmt.Fprintln(w, "usage: kioskctl <command> [flags] [arguments]")
	fmt.Fprintln(w, "commands:")
	names := make([]string, 0, len(subcommands))
	for n := range subcommands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, subcommands[n].summary)
	}
}

// usageError is a mistake on the command line rather than a failure.
type usageError string

func (e usageError) Error() string { return string(e) }

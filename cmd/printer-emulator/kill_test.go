package main

import (
	"syscall"
	"testing"
)

// syscallKill sends this process SIGTERM, which run has taken over.
func syscallKill(t *testing.T) {
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
}

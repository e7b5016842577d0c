package usb

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/gousb"
)

func TestClassify(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name     string
		ctx      context.Context
		err      error
		gone     bool
		canceled bool
	}{
		{"libusb no device", context.Background(), gousb.ErrorNoDevice, true, false},
		{"transfer no device", context.Background(), fmt.Errorf("wrapped: %w", gousb.TransferNoDevice), true, false},
		{"io error", context.Background(), gousb.ErrorIO, false, false},
		{"timeout", context.Background(), gousb.TransferTimedOut, false, false},
		{"cancelled by caller", cancelled, gousb.TransferCancelled, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := classifyCtx(tc.ctx, tc.err)
			if errors.Is(got, ErrGone) != tc.gone || errors.Is(got, context.Canceled) != tc.canceled {
				t.Fatalf("classifyCtx(%v) = %v", tc.err, got)
			}
		})
	}
}

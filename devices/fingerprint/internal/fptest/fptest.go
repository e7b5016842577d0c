// Package fptest compares captured images with the expected images of the
// recorded sessions.
package fptest

import (
	"fmt"
	"image"
	"image/png"
	"os"
)

// LoadGrey decodes a PNG whose red, green and blue are equal (libfprint's
// capture.png) into grey bytes.
func LoadGrey(path string) (*image.Gray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open expected image: %w", err)
	}
	defer f.Close()
	src, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	b := src.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, _, _, _ := src.At(b.Min.X+x, b.Min.Y+y).RGBA()
			g.Pix[y*g.Stride+x] = uint8(r >> 8)
		}
	}
	return g, nil
}

// Diff reports the first pixel where got differs from want, or nil.
func Diff(got, want *image.Gray) error {
	if got == nil {
		return fmt.Errorf("no image")
	}
	if got.Rect.Dx() != want.Rect.Dx() || got.Rect.Dy() != want.Rect.Dy() {
		return fmt.Errorf("image is %d×%d, want %d×%d", got.Rect.Dx(), got.Rect.Dy(), want.Rect.Dx(), want.Rect.Dy())
	}
	differ := 0
	var first error
	for y := 0; y < want.Rect.Dy(); y++ {
		for x := 0; x < want.Rect.Dx(); x++ {
			g, w := got.Pix[y*got.Stride+x], want.Pix[y*want.Stride+x]
			if g != w {
				if first == nil {
					first = fmt.Errorf("first differing pixel at x=%d y=%d: got %d, want %d", x, y, g, w)
				}
				differ++
			}
		}
	}
	if first != nil {
		return fmt.Errorf("%d pixels differ; %w", differ, first)
	}
	return nil
}

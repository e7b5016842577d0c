// Package xwindow holds the screens' end-to-end test in a real window: the
// GLFW driver on an X server (Xvfb), keys typed through the X server
// (xdotool) and the glass read back (ImageMagick import). It is a package of
// its own so that only this test links the OpenGL driver.
package xwindow

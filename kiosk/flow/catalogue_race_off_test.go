//go:build !race

package flow

const raceOn = false

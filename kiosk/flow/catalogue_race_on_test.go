//go:build race

package flow

// raceOn: the race detector slows password hashing about thirty times, so
// the walk through the real centre takes a sample of its cases.
const raceOn = true

// Package layout holds no code: its test keeps the repository's dependency
// rules (docs/layout.md), which the compiler alone does not enforce. A rule
// broken by a new import fails `go test ./internal/layout` with the importing
// package and the path that brought the forbidden one in.
package layout

//go:build race

package cli

// Under go test -race, TestMain builds the binary with -race as well: it
// then reuses the packages just compiled for the test binary instead of
// compiling everything a second time, and the end-to-end tests look for
// races in the real program too.
func init() { buildFlags = append(buildFlags, "-race") }

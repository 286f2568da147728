package prompts

import (
	"fmt"

	udiff "github.com/aymanbagabas/go-udiff"
)

// diffContext is the number of unchanged lines shown around each change,
// as in diff -u and git.
const diffContext = 3

// Diff returns the unified diff that turns from into to, with the labels
// on its --- and +++ lines; "" when the texts are equal.
func Diff(fromLabel, from, toLabel, to string) string {
	if from == to {
		return ""
	}
	// ToUnified rather than Unified: the latter calls log.Fatalf on an
	// internal error, and a diff must never end the program.
	out, err := udiff.ToUnified(fromLabel, toLabel, from, udiff.Lines(from, to), diffContext)
	if err != nil {
		return fmt.Sprintf("--- %s\n+++ %s\n(the diff could not be computed: %v)\n", fromLabel, toLabel, err)
	}
	return out
}

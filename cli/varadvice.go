package cli

import (
	"errors"
	"fmt"
	"strings"

	"mstudio/prompts"
)

// withVarAdvice adds how to set missing variables on the command line: the
// prompts package names them, each caller says how to set them.
func withVarAdvice(err error) error {
	var mv *prompts.MissingVarsError
	if !errors.As(err, &mv) {
		return err
	}
	if len(mv.Names) == 1 {
		return fmt.Errorf("%w; set it with --var %s=...", err, mv.Names[0])
	}
	sets := make([]string, len(mv.Names))
	for i, n := range mv.Names {
		sets[i] = "--var " + n + "=..."
	}
	return fmt.Errorf("%w; set them with %s", err, strings.Join(sets, " "))
}

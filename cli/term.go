package cli

import (
	"io"
	"os"

	"github.com/charmbracelet/x/term"
)

// defaultWidth is the table width when stdout is not a terminal: wide
// enough for every column, narrow enough for a pasted log.
const defaultWidth = 100

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// terminalWidth returns w's width in columns, 0 when unknown.
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	width, _, err := term.GetSize(f.Fd())
	if err != nil {
		return 0
	}
	return width
}

// SGR sequences for our own styling of stderr; model text never carries any
// (it is sanitized before these are added around it).
const (
	sgrDim   = "\x1b[2m"
	sgrBold  = "\x1b[1m"
	sgrReset = "\x1b[0m"
)

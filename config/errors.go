package config

import (
	"mstudio/fileerr"
)

// Error is one problem in a config file: the file, the line, the key and
// what is wrong (see package fileerr). Load and Validate return one, or
// several joined with errors.Join (one per line) so that a user fixes
// everything in one go; errors.As finds the first.
type Error = fileerr.Error

// problems collects the errors found in one file.
type problems struct{ fileerr.List }

func newProblems(file string) *problems {
	return &problems{fileerr.List{File: file, Label: "config"}}
}

func (p *problems) addf(line int, field, format string, args ...any) {
	p.Addf(line, field, format, args...)
}

func (p *problems) err() error { return p.Err() }

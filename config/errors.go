package config

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Error is one problem in a config file. Load and Validate return an *Error,
// or several joined with errors.Join (one per line) so that a user fixes
// everything in one go; errors.As finds the first.
type Error struct {
	File  string // the file's path; "" for a Config not loaded from a file
	Line  int    // 1-based; 0 when unknown
	Field string // dotted key path such as "endpoints.local.dialect"; "" for syntax errors
	Msg   string
}

// Error formats as file:line: field: message, the form editors and
// terminals turn into a jump to the line.
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.File != "":
		b.WriteString(displayPath(e.File))
	default:
		b.WriteString("config")
	}
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// displayPath shortens the home folder to ~ so the path in a message is the
// one the user would type.
func displayPath(p string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || home == string(filepath.Separator) {
		return p
	}
	if rel, err := filepath.Rel(home, p); err == nil && rel != "." && !strings.HasPrefix(rel, "..") && filepath.IsAbs(p) {
		return "~" + string(filepath.Separator) + rel
	}
	return p
}

// problems collects the errors found in one file.
type problems struct {
	file string
	list []*Error
}

func (p *problems) addf(line int, field, format string, args ...any) {
	p.list = append(p.list, &Error{File: p.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// err returns nil, the single error, or all of them in line order.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	slices.SortStableFunc(p.list, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	if len(p.list) == 1 {
		return p.list[0]
	}
	errs := make([]error, len(p.list))
	for i, e := range p.list {
		errs[i] = e
	}
	return errors.Join(errs...)
}

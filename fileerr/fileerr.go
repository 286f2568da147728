// Package fileerr is the error every file mstudio reads reports its
// problems with: the file, the line, the key and what is wrong, formatted as
// file:line: key: message so editors and terminals turn it into a jump to
// the line. A List collects every problem of a file, so a user fixes them
// all in one go.
package fileerr

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

// Error is one problem in a file.
type Error struct {
	File  string // the file's path; "" when the data came from no file
	Line  int    // 1-based; 0 when unknown
	Field string // a dotted key path such as "endpoints.local.dialect"; "" for syntax errors
	Msg   string
	// Label names the source when File is empty ("config").
	Label string
}

// Error formats as file:line: field: message.
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.File != "":
		b.WriteString(DisplayPath(e.File))
	case e.Label != "":
		b.WriteString(e.Label)
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

// DisplayPath shortens the home folder to ~, so the path in a message is
// the one the user would type.
func DisplayPath(p string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || home == string(filepath.Separator) || !filepath.IsAbs(p) {
		return p
	}
	if rel, err := filepath.Rel(home, p); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
		return "~" + string(filepath.Separator) + rel
	}
	return p
}

// List collects the problems found in one file.
type List struct {
	File  string
	Label string
	errs  []*Error
}

// Addf records a problem at line under field.
func (l *List) Addf(line int, field, format string, args ...any) {
	l.errs = append(l.errs, &Error{File: l.File, Label: l.Label, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// Len returns how many problems were found.
func (l *List) Len() int { return len(l.errs) }

// Err returns nil, the single error, or all of them in line order joined
// with errors.Join (one per line); errors.As finds the first.
func (l *List) Err() error {
	if len(l.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(l.errs, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	if len(l.errs) == 1 {
		return l.errs[0]
	}
	errs := make([]error, len(l.errs))
	for i, e := range l.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"mstudio/session"
	"mstudio/untrusted"
)

// exportOptions is `mstudio export` after flag parsing.
type exportOptions struct {
	file   string
	format string
	run    int    // 0: the first run for code, every run for markdown and json
	output string // -o FILE; "" = stdout
}

func parseExportArgs(args []string) (exportOptions, error) {
	var o exportOptions
	fs := newFlagSet("export")
	fs.StringVar(&o.format, "format", "", "")
	fs.StringVar(&o.format, "f", "", "")
	fs.IntVar(&o.run, "run", 0, "")
	fs.StringVar(&o.output, "o", "", "")
	fs.StringVar(&o.output, "output", "", "")
	pos, err := parse(fs, args)
	if err != nil {
		return o, err
	}
	formats := strings.Join(session.ExportFormats, ", ")
	switch {
	case len(pos) == 0:
		return o, usagef("nothing to export: give a session file and --format (%s)", formats)
	case len(pos) > 1:
		return o, usagef("one session file at a time (got %s)", strings.Join(pos, ", "))
	case o.format == "":
		return o, usagef("--format is required: %s", formats)
	case o.run < 0:
		return o, usagef("--run %d: runs are numbered from 1", o.run)
	}
	o.format = strings.ToLower(strings.TrimSpace(o.format))
	switch o.format {
	case "ts":
		o.format = session.FormatTypeScript
	case "md":
		o.format = session.FormatMarkdown
	case "py":
		o.format = session.FormatPython
	}
	known := false
	for _, f := range session.ExportFormats {
		known = known || f == o.format
	}
	if !known {
		return o, usagef("--format %s: unknown; use %s", o.format, formats)
	}
	o.file = pos[0]
	return o, nil
}

// export is `mstudio export`.
func (a *app) export(args []string) int {
	o, err := parseExportArgs(args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(a.stdout, exportHelp)
		return ExitOK
	}
	if err != nil {
		return a.fail("export", err)
	}
	s, err := a.loadSession(o.file)
	if err != nil {
		return a.fail("export", err)
	}
	text, err := session.Export(s, o.run, o.format)
	if err != nil {
		return a.fail("export", &usageError{msg: err.Error()})
	}
	code := o.format != session.FormatMarkdown && o.format != session.FormatJSON
	if code && o.run == 0 && len(s.Runs) > 1 {
		a.note("%s holds %d runs; exported run %d (choose another with --run N)", o.file, len(s.Runs), s.Runs[0].Run)
	}
	if o.output != "" {
		if err := writeFileAtomic(o.output, []byte(text)); err != nil {
			return a.fail("export", err)
		}
		a.note("wrote %s", o.output)
		return ExitOK
	}
	if a.outTTY {
		// shown on a terminal, model text must not drive it; written to a
		// pipe or a file, the export stays byte for byte
		text = untrusted.Sanitize(text)
	}
	if _, err := fmt.Fprint(a.stdout, text); err != nil {
		return a.fail("export", err)
	}
	return ExitOK
}

// writeFileAtomic writes data to path through a temporary file in the same
// folder, synced and renamed over path, so a crash never leaves half a
// file (DESIGN.md §6).
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

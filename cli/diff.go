package cli

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"mstudio/prompts"
	"mstudio/untrusted"
)

// SGR colours of diff lines, the ones diff --color and git use.
const (
	sgrRed   = "\x1b[31m"
	sgrGreen = "\x1b[32m"
	sgrCyan  = "\x1b[36m"
)

// diff is `mstudio diff NAME A B`.
func (a *app) diff(args []string) int {
	var dir, color string
	fs := newFlagSet("diff")
	fs.StringVar(&dir, "dir", defaultPromptsDir, "")
	fs.StringVar(&color, "color", "auto", "")
	pos, err := parse(fs, args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(a.stdout, diffHelp)
		return ExitOK
	}
	if err == nil && len(pos) != 3 {
		err = usagef("want a prompt name and two versions, such as: hello 1 latest (got %d arguments)", len(pos))
	}
	var colored bool
	if err == nil {
		colored, err = a.useColor(color)
	}
	if err != nil {
		return a.fail("diff", err)
	}
	store, name := promptStore(pos[0], dir)
	vs, err := store.Versions(name)
	if err != nil {
		return a.fail("diff", storeErr(store, err))
	}
	from, err := pickVersion(vs, pos[1], store, name)
	if err == nil {
		var to prompts.Version
		to, err = pickVersion(vs, pos[2], store, name)
		if err == nil {
			err = a.printDiff(from, to, colored)
		}
	}
	if err != nil {
		return a.fail("diff", storeErr(store, err))
	}
	return ExitOK
}

// useColor decides --color: auto colours only a terminal, and only when
// NO_COLOR is unset and the terminal is not dumb.
func (a *app) useColor(mode string) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		return a.outTTY && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb", nil
	}
	return false, usagef("--color %q: want auto, always or never", mode)
}

// pickVersion resolves a version argument: a number, vN, or latest (or 0)
// for the newest.
func pickVersion(vs []prompts.Version, arg string, store *prompts.Store, name string) (prompts.Version, error) {
	have := make([]int, len(vs))
	for i, v := range vs {
		have[i] = v.N
	}
	s := strings.ToLower(arg)
	if s == "latest" {
		return vs[len(vs)-1], nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(s, "v"))
	if err != nil || n < 0 {
		return prompts.Version{}, usagef("version %q: want a number (1, v2), or latest; %s has versions %s", arg, name, prompts.VersionList(have))
	}
	if n == 0 {
		return vs[len(vs)-1], nil
	}
	for _, v := range vs {
		if v.N == n {
			return v, nil
		}
	}
	return prompts.Version{}, usagef("%s has no version %d (versions: %s)", name, n, prompts.VersionList(have))
}

// printDiff prints the unified diff from one version to the other, or says
// on stderr that they are the same. Text bound for a terminal (or coloured
// for a pager) is sanitized: a prompt may hold pasted model output. Piped
// plainly, it is left exact, so that it still applies as a patch.
func (a *app) printDiff(from, to prompts.Version, colored bool) error {
	before, err := os.ReadFile(from.Path)
	if err != nil {
		return err
	}
	after, err := os.ReadFile(to.Path)
	if err != nil {
		return err
	}
	d := prompts.Diff(from.Path, string(before), to.Path, string(after))
	if d == "" {
		a.note("versions %d and %d are identical", from.N, to.N)
		return nil
	}
	if !colored && !a.outTTY {
		_, err := fmt.Fprint(a.stdout, d)
		return err
	}
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimSuffix(d, "\n"), "\n") {
		text := untrusted.Sanitize(line)
		sgr := ""
		if colored {
			switch {
			case i < 2:
				// The --- and +++ file lines; a removed "---" fence
				// further down reads "----" and is coloured as removed.
				sgr = sgrBold
			case strings.HasPrefix(text, "@@"):
				sgr = sgrCyan
			case strings.HasPrefix(text, "+"):
				sgr = sgrGreen
			case strings.HasPrefix(text, "-"):
				sgr = sgrRed
			}
		}
		if sgr != "" {
			text = sgr + text + sgrReset
		}
		b.WriteString(text)
		b.WriteByte('\n')
	}
	_, err = fmt.Fprint(a.stdout, b.String())
	return err
}

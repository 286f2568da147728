package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"mstudio/prompts"
	"mstudio/untrusted"
)

// versionRecord is one version in `mstudio versions --json`.
type versionRecord struct {
	Version int    `json:"version"`
	Saved   string `json:"saved"` // RFC 3339
	SHA256  string `json:"sha256"`
	Model   string `json:"model"`
	Note    string `json:"note"`
	Path    string `json:"path"`
	// Unsaved marks NAME.prompt when it differs from the newest saved
	// version (edited outside mstudio, or never saved by it).
	Unsaved bool `json:"unsaved,omitempty"`
}

// versions is `mstudio versions NAME`.
func (a *app) versions(args []string) int {
	var dir string
	var jsonOutput bool
	fs := newFlagSet("versions")
	fs.StringVar(&dir, "dir", defaultPromptsDir, "")
	fs.BoolVar(&jsonOutput, "json", false, "")
	pos, err := parse(fs, args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(a.stdout, versionsHelp)
		return ExitOK
	}
	if err == nil && len(pos) != 1 {
		err = usagef("want one prompt name, such as hello (got %d arguments)", len(pos))
	}
	if err != nil {
		return a.fail("versions", err)
	}
	store, name := promptStore(pos[0], dir)
	vs, err := store.Versions(name)
	if err != nil {
		return a.fail("versions", storeErr(store, err))
	}
	if jsonOutput {
		recs := make([]versionRecord, len(vs))
		for i, v := range vs {
			recs[i] = versionRecord{
				Version: v.N, Saved: v.Saved.UTC().Format(time.RFC3339), SHA256: v.SHA256,
				Model: v.Model, Note: v.Note, Path: v.Path, Unsaved: v.Unsaved,
			}
		}
		if err := writeJSON(a.stdout, recs); err != nil {
			return a.fail("versions", err)
		}
		return ExitOK
	}
	fmt.Fprint(a.stdout, versionTable(vs, a.width))
	if last := vs[len(vs)-1]; last.Unsaved {
		a.note("%s differs from the saved history; the next save records it as version %d", untrusted.StripLine(last.Path), last.N)
	}
	return ExitOK
}

// promptStore reads NAME as the commands take it: a bare name in --dir, or
// a path to the prompt file (prompts/hello.prompt), whose folder is then
// the store, so a name copied from `ls` or a shell completion works too.
func promptStore(arg, dir string) (*prompts.Store, string) {
	name, isFile := strings.CutSuffix(arg, ".prompt")
	if isFile && strings.ContainsAny(arg, `/`+string(filepath.Separator)) {
		return prompts.NewStore(filepath.Dir(arg)), filepath.Base(name)
	}
	return prompts.NewStore(dir), name
}

// storeErr words a store error for the command line: a prompt that does
// not exist lists those that do; bad names, unknown versions and damaged
// files are bad input (exit 2), anything else (a permission, a full disk)
// a failure (exit 1).
func storeErr(store *prompts.Store, err error) error {
	var pe *prompts.Error
	var ve *prompts.VersionError
	switch {
	case errors.Is(err, prompts.ErrNoPrompt):
		names, _ := store.Names()
		if len(names) == 0 {
			return usagef("%s (%s holds no prompts)", err, store.Dir)
		}
		return usagef("%s (prompts in %s: %s)", err, store.Dir, strings.Join(names, ", "))
	case errors.Is(err, prompts.ErrBadName), errors.As(err, &pe), errors.As(err, &ve):
		return usagef("%s", err)
	}
	return err
}

// versionTable lays versions out in columns, newest marked with a *. The
// note takes what width is left and is cut to fit.
func versionTable(vs []prompts.Version, width int) string {
	head := []string{"VERSION", "SAVED", "MODEL", "SHA", "NOTE"}
	rows := [][]string{head}
	for i, v := range vs {
		n := fmt.Sprint(v.N)
		if i == len(vs)-1 {
			n += " *"
		}
		sha := v.SHA256
		if len(sha) > 8 {
			sha = sha[:8]
		}
		note := untrusted.StripLine(v.Note)
		if v.Unsaved {
			note = "(unsaved) " + note
		}
		rows = append(rows, []string{n, v.Saved.Local().Format("2006-01-02 15:04:05"), untrusted.StripLine(v.Model), sha, note})
	}
	widths := make([]int, len(head))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	used := 0
	for _, w := range widths[:len(widths)-1] {
		used += w + 2
	}
	widths[len(widths)-1] = max(min(widths[len(widths)-1], width-used), len("NOTE"))
	var b strings.Builder
	for _, r := range rows {
		var line strings.Builder
		for i, c := range r {
			c = truncate(c, widths[i])
			line.WriteString(c)
			if i < len(r)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

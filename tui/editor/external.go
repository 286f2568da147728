package editor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// ExternalEditedMsg comes back when $EDITOR exits. The root must hand it to
// this pane whatever has focus: it carries the edited prompt's file.
type ExternalEditedMsg struct {
	Path string // the temporary file the editor was given
	Err  error  // the editor could not run or exited with an error
}

// editState is the external edit under way, or the one whose text did not
// parse: the next ctrl+o reopens that file (with the user's changes and the
// mistake) rather than starting over, as long as the prompt has not changed
// since.
type editState struct {
	path   string
	base   string // FormatText of the document when the file was written
	failed bool
}

// EditorCommand builds the command that edits path: $EDITOR, or $VISUAL, or
// vi. The variable is split into words, so "code --wait" works; quotes
// group words with spaces ("'/opt/My Editor/ed' -w"). No shell is involved:
// nothing in the variable is expanded or run besides the program it names.
func EditorCommand(path string) (*exec.Cmd, error) {
	name, value := "EDITOR", os.Getenv("EDITOR")
	if strings.TrimSpace(value) == "" {
		name, value = "VISUAL", os.Getenv("VISUAL")
	}
	if strings.TrimSpace(value) == "" {
		name, value = "", "vi"
	}
	args, err := splitArgs(value)
	if err != nil {
		return nil, fmt.Errorf("$%s: %w", name, err)
	}
	// Looked up now rather than left to the run, so a wrong $EDITOR is an
	// error in the studio and not a blank screen. (exec.Command would only
	// look up a bare name, not a path.)
	if _, err := exec.LookPath(args[0]); err != nil {
		if name == "" {
			return nil, errors.New("no $EDITOR set and vi not found: set EDITOR, for example EDITOR=nano")
		}
		return nil, fmt.Errorf("$%s=%q: %w", name, value, err)
	}
	return exec.Command(args[0], append(args[1:], path)...), nil
}

// splitArgs splits s at blanks, with '...' and "..." grouping words; a
// backslash escapes the next character outside single quotes.
func splitArgs(s string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inArg := false
	var quote rune
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			escaped, inArg = true, true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inArg = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if quote != 0 {
		return nil, errors.New("unclosed quote")
	}
	if inArg {
		args = append(args, cur.String())
	}
	if len(args) == 0 {
		return nil, errors.New("empty")
	}
	return args, nil
}

// startExternal writes the prompt to a temporary file and returns the Cmd
// that suspends the program and runs the editor on it.
func (m *Model) startExternal() tea.Cmd {
	base := FormatText(m.Document())
	path := m.edit.path
	fresh := !m.edit.failed || base != m.edit.base
	if _, err := os.Stat(path); err != nil {
		fresh = true // gone: an editor would open it empty, and empty is not the prompt
	}
	if fresh {
		f, err := os.CreateTemp("", "mstudio-prompt-*.md") // .md: editors colour the ## headers
		if err != nil {
			return errCmd(fmt.Errorf("edit in $EDITOR: %w", err))
		}
		path = f.Name()
		_, werr := f.WriteString(base)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(path)
			return errCmd(fmt.Errorf("edit in $EDITOR: %w", werr))
		}
	}
	cmd, err := EditorCommand(path)
	if err != nil {
		if fresh {
			os.Remove(path) // nothing of the user's in it yet
		}
		return errCmd(err)
	}
	m.edit = editState{path: path, base: base}
	return tea.ExecProcess(cmd, func(err error) tea.Msg { return ExternalEditedMsg{Path: path, Err: err} })
}

// finishExternal reads the edited file back. A changed, valid file replaces
// the document (which stays dirty against the last save); an invalid one,
// or one left by a failing editor, leaves the document as it was and is
// kept for the next ctrl+o.
func (m *Model) finishExternal(msg ExternalEditedMsg) tea.Cmd {
	base := m.edit.base
	m.edit = editState{}
	data, err := os.ReadFile(msg.Path)
	text := string(data)
	if msg.Err != nil {
		// An editor that failed (or was quit with an error, as vim's :cq)
		// is not trusted to have saved a whole file; whatever it saved is
		// kept for the user, not applied.
		if err == nil && text != base {
			m.edit = editState{path: msg.Path, base: base, failed: true}
			return errCmd(fmt.Errorf("$EDITOR: %w; the prompt is unchanged, the edited text is kept in %s (ctrl+o reopens it)", msg.Err, msg.Path))
		}
		os.Remove(msg.Path)
		return errCmd(fmt.Errorf("$EDITOR: %w; the prompt is unchanged", msg.Err))
	}
	if err != nil {
		return errCmd(fmt.Errorf("reading the edited prompt: %w", err))
	}
	if text == base {
		os.Remove(msg.Path)
		return nil
	}
	if strings.TrimSpace(text) == "" {
		// As with an empty commit message in git: emptying the file is a
		// way to give up, not a wish to lose the whole prompt.
		os.Remove(msg.Path)
		return errCmd(errors.New("the edited prompt was empty; the prompt is unchanged"))
	}
	doc, err := ParseText(text)
	if err != nil {
		m.edit = editState{path: msg.Path, base: base, failed: true}
		return errCmd(fmt.Errorf("edited prompt not applied: %s: %w (ctrl+o reopens it)", msg.Path, err))
	}
	os.Remove(msg.Path)
	m.load(doc, m.sec)
	m.dirty = !equalDocs(m.Document(), m.saved)
	return nil
}

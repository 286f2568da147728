package editor

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// script writes an executable shell script for the tests to use as
// $EDITOR; the editor itself never goes through a shell. The script edits
// its last argument, the file.
func script(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\nfor f; do :; done\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEditorCommand(t *testing.T) {
	dir := t.TempDir()
	ed := script(t, dir, "ed", "true")
	spaced := filepath.Join(dir, "my editor")
	if err := os.Mkdir(spaced, 0o755); err != nil {
		t.Fatal(err)
	}
	edSpaced := script(t, spaced, "ed", "true")

	cases := []struct {
		editor, visual string
		args           []string
	}{
		{ed + " --wait -n", "", []string{ed, "--wait", "-n", "F"}},
		{"", ed + " -w", []string{ed, "-w", "F"}},
		{"  ", ed, []string{ed, "F"}},
		{"'" + edSpaced + "' -w", "", []string{edSpaced, "-w", "F"}},
		{`"` + edSpaced + `"`, "", []string{edSpaced, "F"}},
		{ed + " ; rm -rf $HOME `x`", "", []string{ed, ";", "rm", "-rf", "$HOME", "`x`", "F"}},
	}
	for _, c := range cases {
		t.Setenv("EDITOR", c.editor)
		t.Setenv("VISUAL", c.visual)
		cmd, err := EditorCommand("F")
		if err != nil {
			t.Fatalf("EDITOR=%q VISUAL=%q: %v", c.editor, c.visual, err)
		}
		if cmd.Path != c.args[0] || !slices.Equal(cmd.Args, c.args) {
			t.Errorf("EDITOR=%q: ran %s %q, want %q", c.editor, cmd.Path, cmd.Args, c.args)
		}
	}

	t.Setenv("EDITOR", filepath.Join(dir, "missing")+" -w")
	if _, err := EditorCommand("F"); err == nil || !strings.Contains(err.Error(), "$EDITOR") {
		t.Fatalf("missing editor: %v", err)
	}
	t.Setenv("EDITOR", "'"+ed)
	if _, err := EditorCommand("F"); err == nil || !strings.Contains(err.Error(), "quote") {
		t.Fatalf("unclosed quote: %v", err)
	}
}

// runEditor does what tea.ExecProcess does with ctrl+o's command: runs the
// editor on the file, then hands its result to Update.
func runEditor(t *testing.T, m Model) (Model, tea.Cmd, string) {
	t.Helper()
	m, cmd := press(t, m, "ctrl+o")
	if cmd == nil {
		t.Fatal("ctrl+o returned no command")
	}
	if e, ok := cmd().(ErrorMsg); ok {
		t.Fatalf("ctrl+o: %v", e.Err)
	}
	path := m.edit.path
	ec, err := EditorCommand(path)
	if err != nil {
		t.Fatal(err)
	}
	m, cmd = m.Update(ExternalEditedMsg{Path: path, Err: ec.Run()})
	return m, cmd, path
}

func TestExternalEditFlow(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	t.Setenv("VISUAL", "")

	m := newModel(t, sample())
	m = typeText(m, " Cheap.") // typed but not saved: it goes to the editor too

	// The file holds the document as FormatText writes it.
	t.Setenv("EDITOR", script(t, dir, "noop", "true"))
	m2, _ := press(t, m, "ctrl+o")
	data, err := os.ReadFile(m2.edit.path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != FormatText(m.Document()) || !strings.HasPrefix(m2.edit.path, dir) {
		t.Fatalf("temp file %s holds:\n%s", m2.edit.path, data)
	}
	os.Remove(m2.edit.path) // that editor never ran

	// Unchanged: nothing happens, the file goes.
	before := m.Document()
	m, cmd, path := runEditor(t, m)
	if cmd != nil || !equalDocs(m.Document(), before) {
		t.Fatalf("unchanged edit changed the document: %+v", m.Document())
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("temp file left behind")
	}

	// Changed: the document is replaced and stays dirty.
	m.MarkSaved()
	t.Setenv("EDITOR", script(t, dir, "sed", `sed -i 's/Lyon/Paris/; s/concise/friendly/; s/^## assistant$/## user/' "$f"`))
	m, cmd, path = runEditor(t, m)
	if err := errOf(t, cmd); err != nil {
		t.Fatal(err)
	}
	d := m.Document()
	if d.Vars["city"] != "Paris" || !strings.Contains(d.System, "friendly") || d.Turns[1].Role != "user" || !strings.HasSuffix(d.Turns[2].Text, "Cheap.") {
		t.Fatalf("edit not applied: %+v", d)
	}
	if !m.Dirty() {
		t.Fatal("an external edit leaves the prompt clean")
	}
	if m.sec != 3 {
		t.Fatalf("focus moved to section %d", m.sec)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("temp file left behind")
	}

	// A parse error keeps the document, names the line, keeps the file,
	// and the next ctrl+o reopens it.
	before = m.Document()
	t.Setenv("EDITOR", script(t, dir, "bad", `printf '## foo\n' >> "$f"`))
	m, cmd, path = runEditor(t, m)
	err = errOf(t, cmd)
	if err == nil || !strings.Contains(err.Error(), `unknown section "## foo"`) || !strings.Contains(err.Error(), path+": line ") {
		t.Fatalf("parse error reported as %v", err)
	}
	if !equalDocs(m.Document(), before) {
		t.Fatal("a bad edit changed the document")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the bad file is gone: %v", err)
	}
	t.Setenv("EDITOR", script(t, dir, "fix", `sed -i '/^## foo$/d; s/Paris/Nice/' "$f"`))
	m, cmd, again := runEditor(t, m)
	if again != path {
		t.Fatalf("ctrl+o opened %s, not the file to fix %s", again, path)
	}
	if err := errOf(t, cmd); err != nil || m.Document().Vars["city"] != "Nice" {
		t.Fatalf("fixed edit: %v, %+v", err, m.Document())
	}

	// Emptying the file gives up.
	before = m.Document()
	t.Setenv("EDITOR", script(t, dir, "empty", `: > "$f"`))
	m, cmd, _ = runEditor(t, m)
	if err := errOf(t, cmd); err == nil || !strings.Contains(err.Error(), "empty") || !equalDocs(m.Document(), before) {
		t.Fatalf("emptied file: %v, %+v", err, m.Document())
	}

	// The editor failing leaves everything as it was, and keeps what it
	// saved for the next ctrl+o.
	before = m.Document()
	t.Setenv("EDITOR", script(t, dir, "fail", `sed -i 's/Nice/Rome/' "$f"; exit 1`))
	m, cmd, path = runEditor(t, m)
	if err := errOf(t, cmd); err == nil || !strings.Contains(err.Error(), "exit status 1") || !strings.Contains(err.Error(), path) {
		t.Fatalf("editor failure reported as %v", err)
	}
	if !equalDocs(m.Document(), before) {
		t.Fatal("a failed editor changed the document")
	}
	t.Setenv("EDITOR", script(t, dir, "noop2", "true"))
	m, cmd, again = runEditor(t, m)
	if err := errOf(t, cmd); err != nil || again != path || m.Document().Vars["city"] != "Rome" {
		t.Fatalf("reopened after a failure: %v, %s, %+v", err, again, m.Document())
	}
	m, cmd = m.Update(ExternalEditedMsg{Path: filepath.Join(dir, "gone.md"), Err: errors.New("exit status 2")})
	if err := errOf(t, cmd); err == nil || !strings.Contains(err.Error(), "unchanged") {
		t.Fatalf("editor failure reported as %v", err)
	}

	// No editor to run: an error, and no file left.
	t.Setenv("EDITOR", filepath.Join(dir, "missing"))
	m, cmd = press(t, m, "ctrl+o")
	if err := errOf(t, cmd); err == nil {
		t.Fatal("missing editor not reported")
	}
	left, _ := filepath.Glob(filepath.Join(dir, "mstudio-prompt-*"))
	if len(left) != 0 {
		t.Fatalf("temp files left: %q", left)
	}
}

package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/api/sim"
	"mstudio/tui/dialog"
	"mstudio/tui/models"
)

func studioWithState(t *testing.T, state string) Model {
	t.Helper()
	m := New(Options{Target: simTarget(t, sim.Options{}), Endpoint: "sim", Offline: true, Theme: "dark", StateDir: state})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	return update(m, models.LoadedMsg{Entries: api.FoldAliases(sim.Models())})
}

// writeDraft runs the draft timer to its end, as the program would.
func writeDraft(t *testing.T, m Model) Model {
	t.Helper()
	out, cmd := m.Update(draftTickMsg{seq: m.draftSeq})
	m = out.(Model)
	if cmd == nil {
		t.Fatal("unsaved work should be written")
	}
	if msg, ok := cmd().(draftWrittenMsg); !ok || msg.err != nil {
		t.Fatalf("draft write: %+v", msg)
	}
	return m
}

// offered runs the draft lookup Init starts, as the program would.
func offered(m Model) Model { return update(m, m.loadDraftCmd()()) }

func TestUnsavedWorkSurvivesACrash(t *testing.T) {
	state := t.TempDir()
	m := studioWithState(t, state)
	for _, r := range " and its food" {
		m = update(m, press(string(r)))
	}
	if !m.draftArmed {
		t.Fatal("a change arms the draft timer")
	}
	m = writeDraft(t, m)
	files, _ := filepath.Glob(filepath.Join(state, "drafts", "*.json"))
	if len(files) != 1 {
		t.Fatalf("drafts %v", files)
	}
	// the studio "crashes": a new one starts on the same prompt
	again := offered(studioWithState(t, state))
	if !again.dialogs.Has(dialog.Draft) || !strings.Contains(screen(again), "Unsaved work was found") {
		t.Fatalf("the draft is not offered:\n%s", screen(again))
	}
	again = update(again, press("r"))
	doc := again.editor.Document()
	if !strings.Contains(doc.Turns[len(doc.Turns)-1].Text, "and its food") || !again.unsaved() {
		t.Fatalf("restored %+v", doc.Turns)
	}
	// quitting on purpose, and discarding, removes it
	again = update(again, press("ctrl+c"))
	again, cmd := key2(again, press("ctrl+c"))
	do(t, again, cmd)
	if files, _ := filepath.Glob(filepath.Join(state, "drafts", "*.json")); len(files) != 0 {
		t.Fatalf("a deliberate quit keeps no draft: %v", files)
	}
}

func TestDiscardAndKeepDraft(t *testing.T) {
	state := t.TempDir()
	m := studioWithState(t, state)
	m = update(m, press("x"))
	writeDraft(t, m)
	kept := update(offered(studioWithState(t, state)), press("z"))
	if kept.dialogs.Len() != 0 || kept.unsaved() {
		t.Fatal("any other key opens the saved prompt")
	}
	gone, cmd := key2(offered(studioWithState(t, state)), press("x"))
	do(t, gone, cmd)
	if _, err := os.Stat(gone.draftPath()); !os.IsNotExist(err) {
		t.Fatal("x discards the draft")
	}
}

// savedTwice is a studio whose prompt has two saved versions, then an
// unsaved edit ("!"), with the browser open on version 1.
func savedTwice(t *testing.T) Model {
	t.Helper()
	m := studioWithState(t, t.TempDir())
	m.opts.SaveDir = t.TempDir()
	m = saveNow(t, update(m, press("1")))
	m = saveNow(t, update(m, press("2")))
	m = update(m, press("!"))
	m, cmd := key2(m, ctrl('l'))
	m = do(t, m, cmd)
	m = update(m, tea.KeyPressMsg{Code: tea.KeyDown}) // v2
	m = update(m, tea.KeyPressMsg{Code: tea.KeyDown}) // v1
	return m
}

func saveNow(t *testing.T, m Model) Model {
	t.Helper()
	m, cmd := key2(m, ctrl('s'))
	return do(t, m, cmd)
}

// openV1 presses enter on version 1 in the browser and reads it.
func openV1(t *testing.T, m Model) Model {
	t.Helper()
	m, cmd := key2(m, tea.KeyPressMsg{Code: tea.KeyEnter})
	return do(t, m, cmd)
}

func lastTurn(m Model) string {
	doc := m.editor.Document()
	return doc.Turns[len(doc.Turns)-1].Text
}

func TestOpeningAnotherVersionAsksFirst(t *testing.T) {
	m := openV1(t, savedTwice(t))
	if !m.dialogs.Has(dialog.Unsaved) || m.version != 2 || !strings.HasSuffix(lastTurn(m), "12!") {
		t.Fatalf("unsaved work is never replaced without asking: v%d %q\n%s", m.version, lastTurn(m), screen(m))
	}
	for _, want := range []string{"has unsaved changes", "Before you open hello v1", "save it first", "discard it", "keep it as a draft"} {
		if !strings.Contains(screen(m), want) {
			t.Fatalf("the question lacks %q:\n%s", want, screen(m))
		}
	}

	// esc: back to the work, nothing opened
	back := update(m, press("esc"))
	if back.dialogs.Has(dialog.Unsaved) || back.version != 2 || !back.unsaved() || !strings.HasSuffix(lastTurn(back), "12!") {
		t.Fatalf("esc keeps the work: v%d %q", back.version, lastTurn(back))
	}

	// k: the work goes to a draft, v1 opens
	kept, cmd := key2(m, press("k"))
	kept = do(t, kept, cmd)
	if kept.version != 1 || kept.unsaved() || strings.Contains(lastTurn(kept), "!") {
		t.Fatalf("k opens v1: v%d %q", kept.version, lastTurn(kept))
	}
	d, err := readDraft(kept.draftPath())
	if err != nil || !strings.HasSuffix(d.Doc.Turns[len(d.Doc.Turns)-1].Text, "12!") {
		t.Fatalf("the work is kept as a draft: %v %+v", err, d)
	}

	// d: v1 opens, no draft
	dropped, cmd := key2(m, press("d"))
	dropped = do(t, dropped, cmd)
	if dropped.version != 1 || dropped.unsaved() {
		t.Fatalf("d opens v1: v%d", dropped.version)
	}
	if _, err := os.Stat(dropped.draftPath()); !os.IsNotExist(err) {
		t.Fatal("d keeps no draft")
	}
}

func TestSaveFirstThenOpen(t *testing.T) {
	m := openV1(t, savedTwice(t))
	m, cmd := key2(m, press("s"))
	m = do(t, m, cmd)
	if m.version != 1 || m.unsaved() {
		t.Fatalf("s saves, then opens v1: v%d", m.version)
	}
	v3, err := os.ReadFile(filepath.Join(m.opts.SaveDir, ".versions", "hello", "0003.prompt"))
	if err != nil || !strings.Contains(string(v3), "12!") {
		t.Fatalf("the work is saved as v3: %v\n%s", err, v3)
	}
}

func TestAnUnsavedForkIsFoundInTheBrowser(t *testing.T) {
	state := t.TempDir()
	m := studioWithState(t, state)
	m.opts.SaveDir = t.TempDir()
	m = saveNow(t, update(m, press("1")))
	m = finished(m)
	m = update(m, press("tab")) // the answer pane
	m = update(m, ctrl('x'))
	if m.prompt.Name != "hello-fork" || !m.unsaved() {
		t.Fatalf("fork %q", m.prompt.Name)
	}
	if m.response.Answer() != "" {
		t.Fatal("the fork does not show the original's answer")
	}
	m = update(m, press("?")) // the fork's new user turn
	m = writeDraft(t, m)
	// open hello v1: the fork is kept as a draft
	m, cmd := key2(m, ctrl('l'))
	m = do(t, m, cmd)
	if !strings.Contains(screen(m), "hello-fork") || !strings.Contains(screen(m), "unsaved draft") {
		t.Fatalf("the browser lists the fork's draft:\n%s", screen(m))
	}
	// the cursor is on the fork (open): up to hello, expand it, down to v1
	m = update(m, tea.KeyPressMsg{Code: tea.KeyUp})
	m = update(m, tea.KeyPressMsg{Code: tea.KeyEnter})
	m = update(m, tea.KeyPressMsg{Code: tea.KeyDown})
	m = openV1(t, m)
	m, cmd = key2(m, press("k"))
	m = do(t, m, cmd)
	if m.prompt.Name != "hello" || m.unsaved() {
		t.Fatalf("opened %q", m.prompt.Name)
	}
	// and back to the fork, from its draft
	m, cmd = key2(m, ctrl('l'))
	m = do(t, m, cmd)
	for i := 0; i < 2; i++ { // from hello, past v1, to hello-fork
		m = update(m, tea.KeyPressMsg{Code: tea.KeyDown})
	}
	m = update(m, tea.KeyPressMsg{Code: tea.KeyEnter}) // expand it
	m = update(m, tea.KeyPressMsg{Code: tea.KeyDown})  // its draft
	m = openV1(t, m)
	doc := m.editor.Document()
	if m.prompt.Name != "hello-fork" || !m.unsaved() || len(doc.Turns) != 3 || doc.Turns[2].Text != "?" || !strings.Contains(doc.Turns[1].Text, "Fourvière") {
		t.Fatalf("the fork's draft reopens: %q %+v\n%s", m.prompt.Name, doc.Turns, screen(m))
	}
}

func TestQuitKeepingTheWorkAsADraft(t *testing.T) {
	state := t.TempDir()
	m := studioWithState(t, state)
	m = update(m, press("!"))
	m = update(m, press("ctrl+c"))
	m, cmd := key2(m, press("k"))
	quit := false
	// the sequence writes the draft first, then quits
	var run func(c tea.Cmd)
	run = func(c tea.Cmd) {
		if c == nil {
			return
		}
		msg := c()
		if cmds, ok := cmdList(msg); ok {
			for _, c := range cmds {
				run(c)
			}
			return
		}
		if _, ok := msg.(tea.QuitMsg); ok {
			if _, err := os.Stat(m.draftPath()); err != nil {
				t.Fatalf("quit before the draft was written: %v", err)
			}
			quit = true
		}
	}
	run(cmd)
	if !quit {
		t.Fatal("k quits")
	}
	if again := offered(studioWithState(t, state)); !again.dialogs.Has(dialog.Draft) {
		t.Fatal("the work kept is offered at the next start")
	}
}

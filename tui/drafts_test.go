package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/api/sim"
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
	again := studioWithState(t, state)
	if again.draftOffer == nil || !strings.Contains(screen(again), "Unsaved work was found") {
		t.Fatalf("the draft is not offered:\n%s", screen(again))
	}
	again = update(again, press("r"))
	doc := again.editor.Document()
	if !strings.Contains(doc.Turns[len(doc.Turns)-1].Text, "and its food") || !again.unsaved() {
		t.Fatalf("restored %+v", doc.Turns)
	}
	// quitting on purpose discards it
	again = update(again, press("ctrl+c"))
	out, _ := again.Update(press("ctrl+c"))
	_ = out
	if files, _ := filepath.Glob(filepath.Join(state, "drafts", "*.json")); len(files) != 0 {
		t.Fatalf("a deliberate quit keeps no draft: %v", files)
	}
}

func TestDiscardAndKeepDraft(t *testing.T) {
	state := t.TempDir()
	m := studioWithState(t, state)
	m = update(m, press("x"))
	writeDraft(t, m)
	kept := update(studioWithState(t, state), press("z"))
	if kept.draftOffer != nil || kept.unsaved() {
		t.Fatal("any other key opens the saved prompt")
	}
	gone := update(studioWithState(t, state), press("x"))
	if _, err := os.Stat(gone.draftPath()); !os.IsNotExist(err) {
		t.Fatal("x discards the draft")
	}
}

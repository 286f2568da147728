package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mstudio/prompts"
)

func TestMatrixRunsEveryRowOnEveryModel(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cities.csv"), []byte("city\nLyon\nNantes\n"), 0o644)
	src := "---\nname: trip\nmodel: mistral-small-latest\nmstudio.models: [mistral-small-latest, mistral-large-latest]\nmstudio.matrix: cities.csv\n---\nName one sight in {{city}}.\n"
	path := filepath.Join(dir, "trip.prompt")
	os.WriteFile(path, []byte(src), 0o644)
	p, err := prompts.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	m := studioOn(t, p, "")
	m.opts.SessionDir = t.TempDir()
	m.setFocus(paneCompare)
	m, cmd := key2(m, press("M"))
	m = doRun(t, m, cmd)
	if m.mtx == nil || !m.mtxOpen {
		t.Fatalf("no matrix: %s", m.status.Message())
	}
	done, total, failed := m.mtx.Done()
	if done != 4 || total != 4 || failed != 0 {
		t.Fatalf("cells %d/%d, %d failed", done, total, failed)
	}
	sc := screen(m)
	for _, want := range []string{"4 of 4 cells done", "Lyon", "Nantes", "mistral-large-latest"} {
		if !strings.Contains(sc, want) {
			t.Fatalf("table lacks %q:\n%s", want, sc)
		}
	}
	if r := m.mtx.Result(1, 0); r == nil || !strings.Contains(r.Content(), "Nantes") {
		t.Fatalf("row 2 should be about Nantes: %+v", r)
	}
	// drill into a cell, then back
	m, cmd = key2(m, tea.KeyPressMsg{Code: tea.KeyEnter})
	m = doRun(t, m, cmd)
	if m.cell == nil || !strings.Contains(screen(m), "Cell · mistral-small-latest · row 1") {
		t.Fatalf("cell:\n%s", screen(m))
	}
	m = update(m, tea.KeyPressMsg{Code: tea.KeyEscape})
	if m.cell != nil || !m.mtxOpen {
		t.Fatal("esc goes back to the table")
	}
	checkExact(t, m, 120, 40)
	// every cell is in the session
	if m.recorder == nil {
		t.Fatal("the matrix is recorded")
	}
}

func TestMatrixNeedsAVariablesFile(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m.setFocus(paneResponse)
	m = update(m, press("M"))
	if !strings.Contains(m.status.Message(), "mstudio.matrix") {
		t.Fatalf("status %q", m.status.Message())
	}
}

func TestARecordedMatrixReplaysAsItsTable(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cities.csv"), []byte("city\nLyon\nNantes\n"), 0o644)
	src := "---\nname: trip\nmodel: mistral-small-latest\nmstudio.models: [mistral-small-latest, mistral-large-latest]\nmstudio.matrix: cities.csv\n---\nName one sight in {{city}}.\n"
	path := filepath.Join(dir, "trip.prompt")
	os.WriteFile(path, []byte(src), 0o644)
	p, _ := prompts.Load(path)
	m := studioOn(t, p, "")
	m.opts.SessionDir = t.TempDir()
	m.opts.ReplaySpeed = -1
	m.setFocus(paneCompare)
	m, cmd := key2(m, press("M"))
	m = doRun(t, m, cmd)
	nantes := m.mtx.Result(1, 1).Content()
	rec := m.recorder.Path()
	m.closeRecorder()
	_ = m.CloseSession()
	m.mtx, m.mtxOpen = nil, false
	m = doRun(t, m, loadSessionCmd(rec))
	if m.mtx == nil || !m.mtxOpen {
		t.Fatalf("no table: %s", m.status.Message())
	}
	done, total, _ := m.mtx.Done()
	if done != 4 || total != 4 || m.mtx.Result(1, 1) == nil || m.mtx.Result(1, 1).Content() != nantes {
		t.Fatalf("replayed %d/%d cells", done, total)
	}
}

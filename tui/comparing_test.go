package tui

import (
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mstudio/prompts"
	"mstudio/tui/compare"
	"mstudio/tui/models"
)

func TestCompareTwoModelsInOneCtrlR(t *testing.T) {
	m := newStudio(t, "dark", 140, 40)
	m.opts.SessionDir = t.TempDir()
	// the models pane: choose large as a second column
	m.setFocus(paneModels)
	m = update(m, models.SelectedMsg{ID: "mistral-small-latest"})
	m, _ = key2(m, ctrl('a')) // adds the current model and the one under the cursor
	if len(m.cols) != 2 {
		t.Fatalf("cols %+v", m.cols)
	}
	m.cols[1].model = "mistral-large-latest"
	m.syncCompare()
	m, cmd := key2(m, ctrl('r'))
	m = doRun(t, m, cmd)
	res := m.compare.Results()
	if len(res) != 2 || res[0] == nil || res[1] == nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("results %+v (%s)", res, m.status.Message())
	}
	if m.compare.Answer(0) == "" || m.compare.Answer(1) == "" || m.compare.Answer(0) == m.compare.Answer(1) {
		t.Fatal("each column has its own answer")
	}
	sc := screen(m)
	if !strings.Contains(sc, "mistral-small-latest") || !strings.Contains(sc, "mistral-large-latest") {
		t.Fatalf("columns:\n%s", sc)
	}
	checkExact(t, m, 140, 40)
	// diff the two answers, then keep the second column
	m = update(m, compare.DiffMsg{A: 0, B: 1})
	if m.diff == nil || !strings.Contains(screen(m), "1 · mistral-small-latest → 2 · mistral-large-latest") {
		t.Fatalf("diff:\n%s", screen(m))
	}
	m.diff = nil
	m = update(m, compare.KeepMsg{Index: 1})
	if m.model != "mistral-large-latest" || !m.unsaved() {
		t.Fatal("keeping a column takes its model")
	}
	// the parameters pane edits the focused column's parameters
	m.setFocus(paneCompare)
	if m.promptParams == nil {
		t.Fatal("a column's parameters are shown while the comparison has focus")
	}
	m.setFocus(paneEditor)
	if m.promptParams != nil {
		t.Fatal("the prompt's parameters come back")
	}
	m.setFocus(paneCompare)
	m = update(m, tea.KeyPressMsg{Code: 'X', Text: "X"})
	if m.comparing() {
		t.Fatal("X closes the comparison")
	}
}

func TestPromptModelsOpenAComparison(t *testing.T) {
	p, err := prompts.Load("../prompts/testdata/full.prompt")
	if err != nil {
		t.Fatal(err)
	}
	m := studioOn(t, p, "")
	if !m.comparing() || len(m.cols) != 2 || m.cols[1].model != "mistral-large-latest" {
		t.Fatalf("cols %+v", m.cols)
	}
}

func TestAComparisonReplaysIntoColumns(t *testing.T) {
	m := newStudio(t, "dark", 140, 40)
	m.opts.SessionDir = t.TempDir()
	m.opts.ReplaySpeed = -1 // at once: the test is about what, not when
	m.cols = []compareCol{{model: "mistral-small-latest"}, {model: "mistral-large-latest"}}
	m.syncCompare()
	m, cmd := key2(m, ctrl('r'))
	m = doRun(t, m, cmd)
	// the columns run at once, so the session may list them in either order
	want := map[string]string{m.cols[0].model: m.compare.Answer(0), m.cols[1].model: m.compare.Answer(1)}
	path := m.recorder.Path()
	m.closeRecorder()
	_ = m.CloseSession()
	m.cols = nil
	m = update(m, tea.WindowSizeMsg{Width: 140, Height: 40})
	m = doRun(t, m, loadSessionCmd(path))
	if !m.comparing() || len(m.cols) != 2 {
		t.Fatalf("cols %+v", m.cols)
	}
	for i, c := range m.cols {
		if m.compare.Answer(i) != want[c.model] {
			t.Fatalf("column %d (%s) replayed %q, recorded %q", i, c.model, m.compare.Answer(i), want[c.model])
		}
	}
}

// A prompt with tools runs its tool loop in every column, as a single run
// does: each column ends with the model's answer (finish: stop), built on
// the mocks' results, not at its tool calls.
func TestAComparisonRunsThePromptsToolsInEachColumn(t *testing.T) {
	src, _ := prompts.ExampleSource("weather")
	p, err := prompts.Parse("weather", src)
	if err != nil {
		t.Fatal(err)
	}
	m := studioOn(t, p, filepath.Join(t.TempDir(), "trust.json"))
	m.opts.SessionDir = t.TempDir()
	m.setFocus(paneModels)
	m = update(m, models.SelectedMsg{ID: "mistral-small-latest"})
	m, _ = key2(m, ctrl('a'))
	if len(m.cols) != 2 {
		t.Fatalf("cols %+v", m.cols)
	}
	m.cols[1].model = "mistral-large-latest"
	m.syncCompare()
	m, cmd := key2(m, ctrl('r'))
	m = doRun(t, m, cmd)
	res := m.compare.Results()
	if len(res) != 2 {
		t.Fatalf("results %+v", res)
	}
	for i, r := range res {
		if r == nil || r.Err != nil || r.FinishReason != "stop" {
			t.Fatalf("column %d: %+v (%s)", i, r, m.status.Message())
		}
		if a := m.compare.Answer(i); !strings.Contains(a, "21") {
			t.Fatalf("column %d should quote the weather mock: %q", i, a)
		}
	}
	if sc := screen(m); strings.Count(sc, "✓ stop") != 2 {
		t.Fatalf("both columns end with their answer:\n%s", sc)
	}
}

// Enter in the models pane chooses the model with the key itself, so a
// ctrl+r queued right behind it (typed ahead, pasted) runs that model, not
// the one chosen before (the pane's SelectedMsg comes back a Cmd later).
func TestAModelChosenByEnterIsTheNextRunsAtOnce(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m.setFocus(paneModels)
	before := m.model
	for _, k := range append([]tea.KeyPressMsg{{Code: '/', Text: "/"}}, typed("magistral-medium-latest")...) {
		m = update(m, k)
	}
	m = update(m, tea.KeyPressMsg{Code: tea.KeyEnter}) // its Cmd is not run
	req, err := m.Request()
	if err != nil {
		t.Fatal(err)
	}
	if req.Model != "magistral-medium-latest" || before == req.Model {
		t.Fatalf("the next run asks %q (was %q)", req.Model, before)
	}
	if !m.unsaved() {
		t.Fatal("choosing another model edits the prompt")
	}
}

func typed(s string) []tea.KeyPressMsg {
	var ks []tea.KeyPressMsg
	for _, r := range s {
		ks = append(ks, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return ks
}

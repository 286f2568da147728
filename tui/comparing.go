package tui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/prompts"
	"mstudio/session"
	"mstudio/tui/compare"
)

// Compare mode: the answer area becomes 2 to 4 columns, each a model with
// parameters of its own (the same model at two temperatures is a comparison
// too). One ctrl+r sends the prompt to every column at once, each streaming
// on its own; the parameters pane edits the focused column's parameters; a
// column can be diffed with the next one, or kept: its model and parameters
// become the prompt's. Every column's run is recorded in the session, so a
// comparison replays like a single run.

// compareCol is one column's model and parameters.
type compareCol struct {
	model  string
	params api.ChatRequest
}

// maxColumns bounds a comparison (DESIGN §8: 2 to 4 columns).
const maxColumns = 4

// comparing reports whether the compare view is open.
func (m Model) comparing() bool { return len(m.cols) >= 2 }

// addToCompare adds a model as a column; the first call also adds the
// current model, so a comparison starts from what the prompt had.
func (m Model) addToCompare(model string) (tea.Model, tea.Cmd) {
	if model == "" {
		return m, nil
	}
	if len(m.cols) == 0 {
		m.cols = append(m.cols, compareCol{model: m.model, params: m.params.Params()})
	}
	if len(m.cols) >= maxColumns {
		return m, m.status.Error(fmt.Sprintf("a comparison has at most %d columns", maxColumns))
	}
	m.cols = append(m.cols, compareCol{model: model, params: m.params.Params()})
	m.syncCompare()
	return m, m.status.Note(fmt.Sprintf("comparing %d models · ctrl+r runs them all · in the comparison, p edits a column's parameters, X closes it", len(m.cols)))
}

// syncCompare gives the compare view its columns and layout.
func (m *Model) syncCompare() {
	cols := make([]compare.Column, len(m.cols))
	for i, c := range m.cols {
		cols[i] = compare.Column{Model: m.label(c.model), Params: session.ParamSummary(c.params)}
	}
	m.compare.SetColumns(cols)
	m.layout()
}

// closeCompare leaves compare mode.
func (m Model) closeCompare() (tea.Model, tea.Cmd) {
	m.cols = nil
	if m.focus == paneCompare {
		m.setFocus(paneEditor)
	}
	m.layout()
	return m, m.status.Note("comparison closed")
}

// startCompare sends the prompt to every column at once: one run of
// session.Run, one lane a column, its events read one frame at a time for
// all columns together.
func (m Model) startCompare(req api.ChatRequest) (tea.Model, tea.Cmd) {
	// Columns run the prompt's tool loop as a single run does, so a prompt
	// with tools ends in each column with the model's answer rather than
	// at its tool calls; its commands are trusted first, as there.
	if m.converses(req) || slices.ContainsFunc(m.cols, func(c compareCol) bool { return strings.HasPrefix(c.model, agentPrefix) }) {
		return m, m.loopOptionsCmd(nextCompare, req)
	}
	return m.runCompare(req, session.LoopOptions{})
}

// converses reports whether req runs as a tool conversation.
func (m Model) converses(req api.ChatRequest) bool {
	return len(req.Tools) > 0 && m.prompt.MaxTurns != 1
}

// runCompare starts the comparison, with the loop's options for columns
// that converse or talk to an agent.
func (m Model) runCompare(req api.ChatRequest, opts session.LoopOptions) (tea.Model, tea.Cmd) {
	converse := m.converses(req)
	// each column's request comes from the one builder, its parameters
	// as the settings over the prompt's; all are built before the run
	// starts, so a column that cannot be built leaves the last run shown
	reqs := make([]api.ChatRequest, len(m.cols))
	for i, c := range m.cols {
		r, err := m.requestFor(c.model, m.settingsOf(c.params))
		if err != nil {
			return m, m.status.Error(fmt.Sprintf("column %d: %v", i+1, err))
		}
		reqs[i] = r
	}
	ctx, recordCmd := m.newRun(true)
	m.run.kind = session.KindCompare
	m.running = len(m.cols)
	m.status.Start(fmt.Sprintf("%d models", len(m.cols)))
	// a column on an agent talks to it, its function calls answered like
	// the prompt's tools (by hand through the ask dialog)
	spec := session.Spec{Kind: session.KindCompare, Prompt: m.promptRecord(), Ask: true}
	if converse {
		o := opts
		spec.Loop = &o
	}
	for i, c := range m.cols {
		r := reqs[i]
		t := m.opts.Target
		t.Model = c.model
		lane := session.LaneSpec{Lane: session.Lane{Column: i}, Target: t, Request: r, Params: session.ParamSummary(c.params)}
		if strings.HasPrefix(c.model, agentPrefix) {
			o := opts
			lane.Target.Model = ""
			lane.Agent, lane.Loop = session.AgentSpecFor(c.model, r), &o
		}
		spec.Lanes = append(spec.Lanes, lane)
		m.compare.Start(i)
	}
	return m, tea.Batch(recordCmd, m.startRunCmd(ctx, spec))
}

// finishColumn shows a column's end; the status line sums up when all are.
func (m Model) finishColumn(i int, res session.Result) (tea.Model, tea.Cmd) {
	m.compare.Finish(i, res)
	m.running--
	if m.running > 0 {
		return m, nil
	}
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.status.Finish(res)
	failed := 0
	for _, r := range m.compare.Results() {
		if r != nil && r.Err != nil {
			failed++
		}
	}
	if failed > 0 {
		return m, m.status.Error(fmt.Sprintf("%d of %d models failed: see their columns", failed, len(m.cols)))
	}
	return m, m.status.Note(fmt.Sprintf("%d answers · d diffs the focused column with the next · enter keeps it", len(m.cols)))
}

// keepColumn makes a column's model and parameters the prompt's.
func (m Model) keepColumn(i int) (tea.Model, tea.Cmd) {
	if i < 0 || i >= len(m.cols) {
		return m, nil
	}
	c := m.cols[i]
	m.setModel(c.model)
	if m.promptParams != nil {
		// The pane shows a column's parameters: the kept ones are the
		// prompt's now, and come back when focus leaves the comparison.
		p := c.params
		m.promptParams = &p
	} else {
		m.params.SetParams(c.params)
	}
	m.dirty = true
	return m, m.status.Note("kept " + c.model + " and its parameters · ctrl+s saves them in the prompt")
}

// diffColumns shows two columns' answers as a diff.
func (m *Model) diffColumns(a, b int) {
	if a < 0 || b < 0 || a >= len(m.cols) || b >= len(m.cols) {
		return
	}
	la, lb := fmt.Sprintf("%d · %s", a+1, m.cols[a].model), fmt.Sprintf("%d · %s", b+1, m.cols[b].model)
	m.showDiff(la+" → "+lb, prompts.Diff(la, m.compare.Answer(a), lb, m.compare.Answer(b)))
}

// The parameters pane edits the focused column's parameters while the
// comparison has focus, and the prompt's otherwise. Focus going from the
// comparison to the parameters pane (p in the comparison) keeps the
// column's parameters there, its title naming the column, until focus
// goes to a pane of the prompt (the editor, the models): tab from the
// columns passes through the models first, so the keyboard needs p to
// reach them.

// openColumnParams moves focus to the parameters pane, editing column i's
// parameters.
func (m Model) openColumnParams(i int) (tea.Model, tea.Cmd) {
	if i < 0 || i >= len(m.cols) || !m.comparing() {
		return m, nil
	}
	m.showColumnParams(i)
	m.setFocus(paneParams)
	return m, m.status.Note(fmt.Sprintf("editing column %d's parameters · ctrl+r runs the comparison · tab leaves", i+1))
}

// paramsTitle names whose parameters the pane shows: a column's are told
// apart from the prompt's, or an edit would seem lost when focus leaves.
// The column goes by its number, as in the diff's labels: the side pane is
// too narrow for a model's name too.
func (m Model) paramsTitle() string {
	i := m.compare.Focused()
	if m.promptParams == nil || i < 0 || i >= len(m.cols) {
		return "Parameters"
	}
	return fmt.Sprintf("Parameters · column %d", i+1)
}

// showColumnParams puts column i's parameters in the pane, keeping the
// prompt's aside.
func (m *Model) showColumnParams(i int) {
	if i < 0 || i >= len(m.cols) {
		return
	}
	if m.promptParams == nil {
		p := m.params.Params()
		m.promptParams = &p
	}
	m.params.SetParams(m.cols[i].params)
}

// showPromptParams puts the prompt's parameters back in the pane.
func (m *Model) showPromptParams() {
	if m.promptParams != nil {
		m.params.SetParams(*m.promptParams)
		m.promptParams = nil
	}
}

// paramsChanged stores an edit where it belongs: the focused column's
// parameters while a column's are shown, else the prompt's.
func (m *Model) paramsChanged() bool {
	if m.promptParams == nil {
		return true // the prompt's parameters: the prompt is edited
	}
	i := m.compare.Focused()
	if i >= 0 && i < len(m.cols) {
		m.cols[i].params = m.params.Params()
		m.syncCompare()
	}
	return false
}

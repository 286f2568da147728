package tui

import (
	"fmt"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/session"
	"mstudio/tui/matrix"
	"mstudio/tui/response"
)

// Matrix runs in the studio: the rows of the variables file named by the
// prompt's `mstudio.matrix` (CSV or JSONL, as `mstudio run --vars-file`
// reads them) run on every model of the comparison (or the prompt's model)
// at once, with bounded parallelism, into a table that fills in as cells
// finish. Enter on a cell shows its whole answer in the answer pane; M
// brings the table back, and ctrl+r in the table runs it again. Every cell
// is recorded in the session.

// matrixParallel bounds the cells that run at once.
const matrixParallel = 4

// matrixFile returns the variables file the prompt names, relative to it.
func (m Model) matrixFile() (string, error) {
	name, _ := m.prompt.Ext["matrix"].(string)
	if strings.TrimSpace(name) == "" {
		return "", fmt.Errorf("name a variables file in the prompt to run a matrix: mstudio.matrix: rows.csv (or .jsonl)")
	}
	if !filepath.IsAbs(name) && m.prompt.Path != "" {
		name = filepath.Join(filepath.Dir(m.prompt.Path), name)
	}
	return name, nil
}

// matrixModels are the models a matrix runs on: the comparison's columns,
// or the prompt's model.
func (m Model) matrixModels() []string {
	if m.comparing() {
		var ids []string
		for _, c := range m.cols {
			ids = append(ids, c.model)
		}
		return ids
	}
	return []string{m.model}
}

// rowsLoadedMsg carries the variables file's rows.
type rowsLoadedMsg struct {
	rows []map[string]string
	err  error
}

// matrixKey opens the table again, or starts a matrix run.
func (m Model) matrixKey() (tea.Model, tea.Cmd) {
	if m.mtx != nil && !m.mtxOpen {
		m.mtxOpen = true
		return m, nil
	}
	path, err := m.matrixFile()
	if err != nil {
		return m, m.status.Error(err.Error())
	}
	return m, func() tea.Msg {
		rows, err := session.ReadRows(path)
		return rowsLoadedMsg{rows: rows, err: err}
	}
}

// startMatrix renders the prompt once per row and runs the cells.
func (m Model) startMatrix(msg rowsLoadedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		return m, m.status.Error(msg.err.Error())
	}
	var reqs []api.ChatRequest
	for i, row := range msg.rows {
		req, err := m.requestWith(row)
		if err != nil {
			return m, m.status.Error(fmt.Sprintf("row %d: %v", i+1, err))
		}
		reqs = append(reqs, req)
	}
	models := m.matrixModels()
	var targets []session.Target
	for _, id := range models {
		t := m.opts.Target
		t.Model = id
		targets = append(targets, t)
	}
	ctx, recordCmd := m.newRun(true)
	m.run.kind = session.KindMatrix
	mt := matrix.New(m.st, msg.rows, models)
	m.mtx, m.mtxOpen = &mt, true
	m.layoutOverlays()
	m.status.Start(fmt.Sprintf("%d×%d matrix", len(msg.rows), len(models)))
	spec := session.MatrixSpec(targets, reqs, msg.rows, matrixParallel)
	spec.Prompt = m.promptRecord()
	return m, tea.Batch(recordCmd, m.startRunCmd(ctx, spec))
}

// requestWith is Request with a row's variables over the editor's.
func (m Model) requestWith(row map[string]string) (api.ChatRequest, error) {
	doc := m.editor.Document()
	p, err := m.prompt.WithTurns(docTurns(doc))
	if err != nil {
		return api.ChatRequest{}, err
	}
	vars := map[string]any{}
	for k, v := range doc.Vars {
		if v != "" {
			vars[k] = v
		}
	}
	for k, v := range row {
		vars[k] = v
	}
	return session.Build(p, "", vars, m.params.Settings())
}

// drillCell shows one cell's whole answer, rendered, over the table; esc
// goes back to the table.
func (m Model) drillCell(d matrix.DrillMsg) (tea.Model, tea.Cmd) {
	res := m.mtx.Result(d.Row, d.Col)
	if res == nil {
		return m, m.status.Note("that cell is still running")
	}
	r := response.New(m.st)
	r.SetSize(max(m.width-2, 0), max(m.height-3, 0))
	r.Start(fmt.Sprintf("%s · row %d", res.Model, d.Row+1))
	r.Append(res.Content(), res.Reasoning())
	state, errText := response.Done, ""
	if res.Err != nil {
		state, errText = response.Failed, res.Err.Error()
	}
	r.Finish(state, errText)
	r.Focus()
	m.cell = &r
	return m, nil
}

// matrixOverlayKey routes keys while the table or a cell is shown.
func (m Model) matrixOverlayKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if m.cell != nil {
		if msg.String() == "esc" || msg.String() == "q" {
			m.cell = nil
			return m, nil
		}
		c, cmd := m.cell.Update(msg)
		m.cell = &c
		return m, cmd
	}
	if msg.String() == "ctrl+r" {
		m.mtxOpen = false
		return m.matrixKeyRun()
	}
	t, cmd := m.mtx.Update(msg)
	m.mtx = &t
	return m, cmd
}

// matrixKeyRun starts the matrix again.
func (m Model) matrixKeyRun() (tea.Model, tea.Cmd) {
	m.mtx = nil
	return m.matrixKey()
}

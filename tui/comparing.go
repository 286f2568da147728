package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

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
		cols[i] = compare.Column{Model: c.model, Params: paramSummary(c.params)}
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

// paramSummary is a column's parameters in a few characters.
func paramSummary(req api.ChatRequest) string {
	var parts []string
	for _, p := range api.Params() {
		if v, set := p.Get(&req); set {
			name := map[string]string{"temperature": "t", "top_p": "p", "max_tokens": "max", "random_seed": "seed", "reasoning_effort": "effort"}[p.Name]
			if name == "" {
				name = p.Name
			}
			parts = append(parts, name+"="+v)
		}
	}
	if len(parts) == 0 {
		return "defaults"
	}
	return strings.Join(parts, " ")
}

// startCompare sends the prompt to every column at once.
func (m Model) startCompare(req api.ChatRequest) (tea.Model, tea.Cmd) {
	ctx, recordCmd := m.newRun(true)
	m.running = len(m.cols)
	m.status.Start(fmt.Sprintf("%d models", len(m.cols)))
	reqs := make([]api.ChatRequest, len(m.cols))
	for i, c := range m.cols {
		r := req.Clone()
		// every parameter of the column, set or not, replaces the prompt's
		cp := c.params
		applyParams(&r, &cp)
		r.Model = c.model
		reqs[i] = r
		m.compare.Start(i)
	}
	id, e, t := m.runID, m.opts.Engine, m.opts.Target
	return m, tea.Batch(recordCmd, func() tea.Msg { return columnsMsg{id: id, fan: startFanIn(ctx, e, t, reqs)} })
}

// The columns stream into one channel, and one read hands over what every
// column sent within a frame: four streams cost one Update and one View a
// frame, not four (docs/PERFORMANCE.md).

// columnItem is one column's event, or its end with its result.
type columnItem struct {
	col  int
	ev   api.StreamEvent
	done bool
	res  session.Result
}

type fanIn struct{ ch chan columnItem }

// startFanIn runs every request at once, each on its own goroutine.
func startFanIn(ctx context.Context, e *session.Engine, t session.Target, reqs []api.ChatRequest) *fanIn {
	f := &fanIn{ch: make(chan columnItem, 1024)}
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := e.Open(ctx, t, r)
			for {
				ev, err := s.Next()
				it := columnItem{col: i, ev: ev}
				if err != nil {
					it = columnItem{col: i, done: true, res: s.Result()}
				}
				select {
				case f.ch <- it:
				case <-ctx.Done(): // a replaced comparison: nobody reads any more
					s.Close()
					return
				}
				if err != nil {
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(f.ch) }()
	return f
}

// columnsMsg carries what the columns sent within a frame; the first one,
// with no items, only starts the reading.
type columnsMsg struct {
	id    int
	fan   *fanIn
	items []columnItem
	end   bool
}

func readColumnsCmd(id int, f *fanIn) tea.Cmd {
	return func() tea.Msg {
		msg := columnsMsg{id: id, fan: f}
		it, ok := <-f.ch
		if !ok {
			msg.end = true
			return msg
		}
		msg.items = append(msg.items, it)
		deadline := time.NewTimer(frameTime)
		defer deadline.Stop()
		for len(msg.items) < cap(f.ch) {
			select {
			case it, ok := <-f.ch:
				if !ok {
					msg.end = true
					return msg
				}
				msg.items = append(msg.items, it)
			case <-deadline.C:
				return msg
			}
		}
		return msg
	}
}

// handleColumns applies a frame's worth of column events.
func (m Model) handleColumns(msg columnsMsg) (tea.Model, tea.Cmd) {
	if msg.id != m.runID {
		return m, nil
	}
	content := make([]strings.Builder, len(m.cols))
	thinking := make([]strings.Builder, len(m.cols))
	var ends []columnItem
	for _, it := range msg.items {
		if it.col >= len(m.cols) {
			continue
		}
		if it.done {
			ends = append(ends, it)
			continue
		}
		content[it.col].WriteString(it.ev.Content)
		thinking[it.col].WriteString(it.ev.Thinking)
	}
	var cmds []tea.Cmd
	for i := range m.cols {
		if content[i].Len() > 0 || thinking[i].Len() > 0 {
			cmds = append(cmds, m.compare.Append(i, content[i].String(), thinking[i].String()))
		}
	}
	var next tea.Model = m
	for _, it := range ends {
		var cmd tea.Cmd
		next, cmd = next.(Model).finishColumn(it.col, it.res)
		cmds = append(cmds, cmd)
	}
	if !msg.end {
		cmds = append(cmds, readColumnsCmd(msg.id, msg.fan))
	}
	return next, tea.Batch(cmds...)
}

// applyParams copies every parameter of src onto dst (set or default).
func applyParams(dst, src *api.ChatRequest) {
	for _, p := range api.Params() {
		v, set := p.Get(src)
		if !set {
			v = api.DefaultWord
		}
		_ = p.Set(dst, v)
	}
	if src.ResponseFormat != nil { // its text form loses a schema
		dst.ResponseFormat = src.ResponseFormat
	}
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

// handleColumn applies a compare column's events.
func (m Model) handleColumn(msg eventMsg) (tea.Model, tea.Cmd) {
	i := msg.column - 1
	var content, thinking strings.Builder
	for _, ev := range msg.events {
		content.WriteString(ev.Content)
		thinking.WriteString(ev.Thinking)
	}
	cmd := m.compare.Append(i, content.String(), thinking.String())
	if msg.done {
		next, fin := m.finishColumn(i, msg.pump.res)
		return next, tea.Batch(cmd, fin)
	}
	return m, tea.Batch(cmd, readColumnCmd(msg.id, msg.column, msg.pump))
}

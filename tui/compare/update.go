package compare

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mstudio/tui/response"
)

// Update handles the view's keys, the wheel, and the columns' delayed tail
// renders, each handed to the column and run it names. Other messages are
// not the columns': the root broadcasts its ticks to every pane, and a
// pane's message reaching four more panes would cost four Updates for
// nothing.
//
// The columns live in a slice shared by copies of the Model, as the root
// always keeps the Model Update returns.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case flushMsg:
		for i := range m.cols {
			c := &m.cols[i]
			if c.id == msg.id && c.gen == msg.gen {
				var cmd tea.Cmd
				c.pane, cmd = c.pane.Update(msg.msg)
				return m, c.flushCmd(cmd)
			}
		}
		return m, nil // a column closed, or a run replaced since
	case response.DeltaMsg:
		// A delta names no column; forwarded, it would land in all of them.
		// The root calls Append with the column instead.
		return m, nil
	case tea.MouseWheelMsg:
		return m.wheel(msg), nil
	case tea.KeyPressMsg:
		if !m.focused || len(m.cols) == 0 {
			return m, nil
		}
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.keys
	n := len(m.cols)
	switch {
	case key.Matches(msg, k.Left):
		m.focus = max(m.focus-1, 0)
	case key.Matches(msg, k.Right):
		m.focus = min(m.focus+1, n-1)
	case key.Matches(msg, k.Link):
		m.linked = !m.linked
	case key.Matches(msg, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom):
		m.scrollKey(msg)
	case key.Matches(msg, k.Diff):
		if n < 2 {
			return m, nil
		}
		a, b := m.focus, (m.focus+1)%n
		return m, func() tea.Msg { return DiffMsg{A: a, B: b} }
	case key.Matches(msg, k.Keep):
		i := m.focus
		return m, func() tea.Msg { return KeepMsg{Index: i} }
	case key.Matches(msg, k.Copy):
		return m, copyCmd(m.Answer(m.focus))
	case key.Matches(msg, k.Params):
		i := m.focus
		return m, func() tea.Msg { return ParamsMsg{Index: i} }
	default:
		// The pane's own keys (thinking, copy the last code block) act on
		// the column the user is looking at.
		var cmd tea.Cmd
		m.cols[m.focus].pane, cmd = m.cols[m.focus].pane.Update(msg)
		return m, cmd
	}
	return m, nil
}

// scrollKey hands a scroll key to every column when linked, else to the
// focused one. The panes clamp on their own, so answers of different
// lengths stay in step until the shorter one runs out.
func (m Model) scrollKey(msg tea.KeyPressMsg) {
	for i := range m.cols {
		if m.linked || i == m.focus {
			m.cols[i].pane, _ = m.cols[i].pane.Update(msg)
		}
	}
}

// wheel scrolls the column under the pointer, or all of them when linked.
func (m Model) wheel(msg tea.MouseWheelMsg) Model {
	x := msg.X - m.originX
	for i := range m.cols {
		w, left := m.colWidth(i)
		if m.linked || (x >= left && x < left+w) {
			m.cols[i].pane, _ = m.cols[i].pane.Update(msg)
		}
	}
	return m
}

// copyCmd puts text on the clipboard and tells the root, in the answer
// pane's words so the root shows one kind of note for both.
func copyCmd(text string) tea.Cmd {
	if text == "" {
		return func() tea.Msg { return response.CopiedMsg{What: "nothing to copy"} }
	}
	return tea.Batch(tea.SetClipboard(text), func() tea.Msg {
		return response.CopiedMsg{What: "answer", Bytes: len(text)}
	})
}

// ShortHelp returns the view's main keys.
func (m Model) ShortHelp() []key.Binding {
	k := m.keys
	return []key.Binding{k.Left, k.Right, k.Link, k.Params, k.Diff, k.Keep, k.Copy}
}

// FullHelp returns all the view's keys.
func (m Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		{k.Left, k.Right, k.Link},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Params, k.Diff, k.Keep, k.Copy},
	}
}

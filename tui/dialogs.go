package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mstudio/tui/dialog"
	"mstudio/tui/frame"
	"mstudio/untrusted"
)

// The root's side of the dialog stack (tui/dialog): which dialog gets a key
// and how each is drawn. Dialogs whose state lives with the runs (a tool
// ask, the trust question, the matrix table) or in a pane (the browser, the
// diff view) are kept on the stack by syncDialogs, which runs after every
// Update: one order for all of them, decided by when each opened.

// dialogKeys are the keys of the dialogs whose answers the root takes.
type dialogKeys struct {
	StepGo, StepStop, AskSend, AskSkip, TrustYes, TrustNo key.Binding
	Save, Discard, KeepDraft, Stay, Restore, DraftDiscard key.Binding
}

func defaultDialogKeys() dialogKeys {
	return dialogKeys{
		StepGo:       key.NewBinding(key.WithKeys("enter", "space"), key.WithHelp("enter", "go on")),
		StepStop:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "stop here")),
		AskSend:      key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "send the answer")),
		AskSkip:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "decline")),
		TrustYes:     key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "trust the file and run")),
		TrustNo:      key.NewBinding(key.WithKeys(), key.WithHelp("any key", "do not run")),
		Save:         key.NewBinding(key.WithKeys("s", "ctrl+s"), key.WithHelp("s", "save")),
		Discard:      key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "discard")),
		KeepDraft:    key.NewBinding(key.WithKeys("k"), key.WithHelp("k", "keep as draft")),
		Stay:         key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Restore:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "restore")),
		DraftDiscard: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "discard")),
	}
}

// syncDialogs keeps the stack in step with the state of the dialogs that
// live elsewhere: one that opened is pushed on top, one that closed is
// taken out, one that changed keeps its place. It runs after every Update,
// streamed frames included, so it allocates nothing while no such dialog
// is open.
func (m *Model) syncDialogs() {
	k := m.dkeys
	sync := func(kind dialog.Kind, open bool, title func() string, keys func() []key.Binding) {
		switch {
		case open:
			m.dialogs.Set(dialog.Ref{K: kind, T: title(), Keys: keys()})
		case m.dialogs.Has(kind):
			m.dialogs.Remove(kind)
		}
	}
	fixed := func(s string) func() string { return func() string { return s } }
	these := func(keys ...key.Binding) func() []key.Binding { return func() []key.Binding { return keys } }
	step := len(m.asks) > 0 && m.asks[0].Call == nil
	switch {
	case step && m.answer != nil && m.answer.editing:
		sync(dialog.Ask, true, fixed("Step mode · the conversation waits for you"), these(stepKeys.Send, stepKeys.Leave))
	case step && m.answer != nil:
		sync(dialog.Ask, true, fixed("Step mode · the conversation waits for you"), these(k.StepGo, stepKeys.Edit, k.StepStop))
	case step:
		sync(dialog.Ask, true, fixed("Step mode · the conversation waits for you"), these(k.StepGo, k.StepStop))
	default:
		sync(dialog.Ask, len(m.asks) > 0, fixed("The conversation waits for you"), these(k.AskSend, k.AskSkip))
	}
	sync(dialog.Trust, m.trustOffer != nil, fixed("Trust this prompt's commands?"), these(k.TrustYes, k.TrustNo))
	sync(dialog.Browser, m.browsing, fixed("Prompts · versions · drafts · sessions"),
		func() []key.Binding { return flatten(m.browser.FullHelp()) })
	sync(dialog.Diff, m.diff != nil, func() string { return "Diff · " + m.diff.Title() },
		func() []key.Binding { return flatten(m.diff.FullHelp()) })
	sync(dialog.Matrix, (m.mtxOpen && m.mtx != nil) || m.cell != nil,
		func() string {
			if m.cell != nil {
				return "Cell · " + m.cell.ModelName() + " · esc back to the matrix"
			}
			return "Matrix · ctrl+r runs it again"
		},
		func() []key.Binding {
			if m.mtx == nil {
				return nil
			}
			return flatten(m.mtx.FullHelp())
		})
}

func flatten(groups [][]key.Binding) []key.Binding {
	var out []key.Binding
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// dialogKey gives a key to the dialog on top: the one place that decides
// which dialog answers.
func (m Model) dialogKey(d dialog.Dialog, msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch d := d.(type) {
	case dialog.Choice:
		v, ok := d.Choose(msg)
		if !ok {
			return m, nil
		}
		m.dialogs.Remove(d.K)
		return m.chosen(d, v)
	case dialog.Pager:
		p, closed := d.Update(msg)
		if closed {
			m.dialogs.Remove(d.Kind())
		} else {
			m.dialogs.Set(p)
		}
		return m, nil
	}
	switch d.Kind() {
	case dialog.Ask:
		return m.askKey(msg)
	case dialog.Trust:
		return m.answerTrust(msg)
	case dialog.Matrix:
		return m.matrixOverlayKey(msg)
	case dialog.Diff, dialog.Browser:
		next, cmd, _ := m.overlayKey(msg)
		return next, cmd
	}
	return m, nil
}

// dialogWheel scrolls the dialog on top that scrolls.
func (m Model) dialogWheel(d dialog.Dialog, msg tea.MouseWheelMsg) (tea.Model, tea.Cmd) {
	switch d := d.(type) {
	case dialog.Pager:
		p, _ := d.Update(msg)
		m.dialogs.Set(p)
		return m, nil
	}
	var cmd tea.Cmd
	switch d.Kind() {
	case dialog.Diff:
		v, c := m.diff.Update(msg)
		m.diff, cmd = &v, c
	case dialog.Matrix:
		if m.cell != nil {
			c, cc := m.cell.Update(msg)
			m.cell, cmd = &c, cc
		}
	}
	return m, cmd
}

// chosen acts on the answer to a Choice.
func (m Model) chosen(c dialog.Choice, v string) (tea.Model, tea.Cmd) {
	switch c.K {
	case dialog.Draft:
		return m.answerDraft(c.Data.(*draft), v)
	case dialog.Unsaved:
		return m.answerUnsaved(c.Data.(tea.Msg), v)
	}
	return m, nil
}

// dialogView draws the dialog on top over everything but the status line.
func (m Model) dialogView(d dialog.Dialog) string {
	w, h := m.width, m.height-1
	title := d.Title()
	switch d := d.(type) {
	case dialog.Choice:
		return frame.Render(m.st, title, true, w, h, d.View(m.st, max(w-4, 10)))
	case dialog.Pager:
		return frame.RenderExact(m.st, title, true, w, h, d.View())
	}
	var body string
	switch d.Kind() {
	case dialog.Ask:
		return m.askDialog(title, w, h) // a step keeps the tools inspector in view
	case dialog.Trust:
		body = m.trustView()
	case dialog.Diff:
		body = m.diff.View()
	case dialog.Browser:
		body = m.browser.View()
	case dialog.Matrix:
		if m.cell != nil {
			return frame.RenderExact(m.st, title, true, w, h, m.cell.View())
		}
		body = m.mtx.View()
	}
	return frame.Render(m.st, title, true, w, h, body)
}

// pagerSize is the inner size of a dialog drawn over the main area.
func (m Model) pagerSize() (int, int) { return frame.Inner(m.width, max(m.height-1, 0)) }

// resizeDialogs gives the pagers on the stack the window's new size; help
// is written again for the new width.
func (m *Model) resizeDialogs() {
	w, h := m.pagerSize()
	if m.dialogs.Has(dialog.Help) {
		m.dialogs.Set(m.helpPager())
	}
	if p, ok := m.dialogs.Get(dialog.Message).(dialog.Pager); ok {
		p.SetSize(w, h)
		m.dialogs.Set(p)
	}
}

// openHelp opens the keys, the focused pane's first.
func (m Model) openHelp() (tea.Model, tea.Cmd) {
	m.dialogs.Push(m.helpPager())
	return m, nil
}

func (m Model) helpPager() dialog.Pager {
	w, h := m.pagerSize()
	keys := dialog.DefaultPagerKeys("?", "f1")
	return dialog.NewPager(dialog.Help, "mstudio · keys", m.helpText(w), keys, w, h)
}

// showMessage opens text whole in a pager (an error cut on the status line).
func (m Model) showMessage(title, text string) (tea.Model, tea.Cmd) {
	w, h := m.pagerSize()
	// wrapped at words: the pager would cut a long line at any cell
	body := m.st.Error.Width(max(w, 10)).Render(untrusted.Sanitize(strings.TrimSpace(text)))
	m.dialogs.Push(dialog.NewPager(dialog.Message, title, body, dialog.DefaultPagerKeys(), w, h))
	return m, nil
}

// helpHint is the status line's hint: the top dialog's keys, or the key
// that opens help in the focused pane (f1 where "?" is typed).
func (m Model) helpHint() string {
	if d := m.dialogs.Top(); d != nil {
		return dialog.HelpLine(d.ShortHelp())
	}
	if m.capturing() {
		return "f1 help"
	}
	return "? help"
}

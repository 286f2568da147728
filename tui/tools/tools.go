// Package tools is the studio's tool-call inspector pane: one compact line
// per call (state, name, arguments, the start of the result), parallel calls
// grouped under their turn, and on demand an expansion with the id, the
// arguments pretty-printed and highlighted, the schema violations and the
// result or the error. Failed calls start expanded, since a failure is what
// the user came to look at.
//
// Arguments and results come from the model and from tools, so they are
// untrusted: every piece of them passes through package untrusted before it
// is drawn, and a result is never shown in full. An expansion renders at
// most MaxResultLines lines of a result and is cached per call, so that a
// megabyte of JSON costs one pass when first opened and nothing per frame.
package tools

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mstudio/themes"
	"mstudio/untrusted"
)

// Call states, as the session engine names them.
const (
	StatePending  = "pending"
	StateAnswered = "answered"
	StateFailed   = "failed"
)

// Call is one tool call as the pane shows it. Its fields mirror the session
// engine's ToolCallState one for one, so the root converts with a plain
// struct conversion.
type Call struct {
	Turn          int
	ID, Name      string
	Arguments     string
	State         string // pending, answered or failed
	Result, Error string
	SchemaErrors  []string
}

// CopiedMsg tells the root what was put on the clipboard.
type CopiedMsg struct {
	What  string
	Bytes int
}

// KeyMap holds the pane's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Toggle, ToggleAll, Copy, Edit           key.Binding
}

// DefaultKeyMap returns the pane's keys. Space toggles here rather than
// paging, because opening a call is the pane's main action.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous call")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next call")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "f"), key.WithHelp("pgdn", "page down")),
		Top:       key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "first call")),
		Bottom:    key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "last call")),
		Toggle:    key.NewBinding(key.WithKeys("enter", "space"), key.WithHelp("enter", "expand/collapse")),
		ToggleAll: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "expand/collapse all")),
		Copy:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy result")),
		Edit:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit the tools (the prompt file) in $EDITOR")),
	}
}

// EditToolsMsg asks the root to open the prompt file, where the tools are
// defined, in the user's editor.
type EditToolsMsg struct{}

// Model is the tool-call pane.
type Model struct {
	st   *themes.Styles
	keys KeyMap

	calls []Call
	// open holds the user's expand/collapse choices by call key; a call
	// with no choice is open only when it failed, so a call that fails
	// after it was listed opens by itself.
	open map[string]bool
	// cache holds each call's summary and rendered expansion by call key;
	// entries are checked against the call they were made from.
	cache map[string]*entry

	rows   []row // the laid-out list, rebuilt when calls, choices or width change
	cursor int   // index into calls
	offset int   // first row shown

	width, height int
	focused       bool
}

// New returns an empty tool-call pane.
func New(st *themes.Styles) Model {
	return Model{st: st, keys: DefaultKeyMap(), open: map[string]bool{}, cache: map[string]*entry{}}
}

// SetStyles applies a theme: expansions are highlighted again in its colours.
func (m *Model) SetStyles(st *themes.Styles) {
	m.st = st
	for _, e := range m.cache {
		e.exp = nil
	}
	m.layout()
}

// SetSize sets the inner size of the pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 0), max(h, 0)
	m.layout()
	m.ensureVisible()
}

// Focus gives the pane the keyboard.
func (m *Model) Focus() { m.focused = true }

// Blur takes the keyboard away.
func (m *Model) Blur() { m.focused = false }

// Focused reports whether the pane has the keyboard.
func (m Model) Focused() bool { return m.focused }

// Capturing is always false: the pane takes no typed text.
func (m Model) Capturing() bool { return false }

// Calls returns the calls shown.
func (m Model) Calls() []Call { return m.calls }

// Cursor returns the index of the call under the cursor.
func (m Model) Cursor() int { return m.cursor }

// Expanded reports whether call i shows its details.
func (m Model) Expanded(i int) bool {
	if i < 0 || i >= len(m.calls) {
		return false
	}
	return m.isOpen(i)
}

// Title returns the pane's title with its counts, for the border.
func (m Model) Title() string {
	if len(m.calls) == 0 {
		return "Tool calls"
	}
	failed, pending := 0, 0
	for _, c := range m.calls {
		switch c.State {
		case StateFailed:
			failed++
		case StatePending:
			pending++
		}
	}
	t := fmt.Sprintf("Tool calls · %d", len(m.calls))
	if pending > 0 {
		t += fmt.Sprintf(" · %d pending", pending)
	}
	if failed > 0 {
		t += fmt.Sprintf(" · %d failed", failed)
	}
	return t
}

// SetCalls replaces the list; it is called each time calls arrive or are
// answered. The cursor stays on the call it was on; when it was on the last
// call it moves to the new last one, so that a running loop stays in view.
func (m *Model) SetCalls(calls []Call) {
	var curKey string
	follow := len(m.calls) == 0 || m.cursor >= len(m.calls)-1
	if m.cursor < len(m.calls) {
		curKey = callKey(m.calls, m.cursor)
	}
	m.calls = append(m.calls[:0:0], calls...)
	live := make(map[string]bool, len(calls))
	m.cursor = min(m.cursor, max(len(calls)-1, 0))
	for i := range m.calls {
		k := callKey(m.calls, i)
		live[k] = true
		if k == curKey {
			m.cursor = i
		}
	}
	if follow && len(calls) > 0 {
		m.cursor = len(calls) - 1
	}
	// Entries of calls that went away would otherwise keep a rendered
	// megabyte alive for the rest of the session.
	for k := range m.cache {
		if !live[k] {
			delete(m.cache, k)
		}
	}
	m.layout()
	m.ensureVisible()
}

// Reset empties the pane for a new run.
func (m *Model) Reset() {
	m.calls = nil
	m.open = map[string]bool{}
	m.cache = map[string]*entry{}
	m.rows = nil
	m.cursor, m.offset = 0, 0
}

// callKey names call i across SetCalls: by turn and id, or by turn and
// position when the id is missing (an id may be reused in a later turn).
func callKey(calls []Call, i int) string {
	c := calls[i]
	if c.ID != "" {
		return fmt.Sprintf("%d/%s", c.Turn, c.ID)
	}
	return fmt.Sprintf("%d#%d", c.Turn, i)
}

func (m Model) isOpen(i int) bool {
	if v, ok := m.open[callKey(m.calls, i)]; ok {
		return v
	}
	return m.calls[i].State == StateFailed
}

// Update handles the pane's keys and the wheel.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.scroll(-3)
		case tea.MouseWheelDown:
			m.scroll(3)
		}
	case tea.KeyPressMsg:
		if !m.focused || len(m.calls) == 0 {
			return m, nil
		}
		page := max(m.height-1, 1)
		switch {
		case key.Matches(msg, m.keys.Up):
			m.move(-1)
		case key.Matches(msg, m.keys.Down):
			m.move(1)
		case key.Matches(msg, m.keys.PageUp):
			m.scroll(-page)
		case key.Matches(msg, m.keys.PageDown):
			m.scroll(page)
		case key.Matches(msg, m.keys.Top):
			m.cursor, m.offset = 0, 0
		case key.Matches(msg, m.keys.Bottom):
			// The very bottom, even when that is deep in the last call's
			// expansion: the rows shown then all belong to the cursor call.
			m.cursor, m.offset = len(m.calls)-1, m.maxOffset()
		case key.Matches(msg, m.keys.Toggle):
			m.open[callKey(m.calls, m.cursor)] = !m.isOpen(m.cursor)
			m.layout()
			m.revealExpansion()
		case key.Matches(msg, m.keys.Edit):
			return m, func() tea.Msg { return EditToolsMsg{} }
		case key.Matches(msg, m.keys.ToggleAll):
			m.toggleAll()
		case key.Matches(msg, m.keys.Copy):
			return m, m.copyCmd()
		}
	}
	return m, nil
}

// toggleAll opens every call if any is closed, else closes them all.
func (m *Model) toggleAll() {
	anyClosed := false
	for i := range m.calls {
		if !m.isOpen(i) {
			anyClosed = true
			break
		}
	}
	for i := range m.calls {
		m.open[callKey(m.calls, i)] = anyClosed
	}
	m.layout()
	m.ensureVisible()
}

// copyCmd puts the cursor call's result on the clipboard (OSC 52), or its
// error when it failed without one. The text is sanitised like everything
// else from a tool, so a paste cannot carry a control sequence either.
func (m Model) copyCmd() tea.Cmd {
	c := m.calls[m.cursor]
	text, what := c.Result, "result"
	if text == "" && c.Error != "" {
		text, what = c.Error, "error"
	}
	text = untrusted.Sanitize(text)
	if text == "" {
		return func() tea.Msg { return CopiedMsg{What: "nothing to copy"} }
	}
	what = untrusted.StripLine(c.Name) + " " + what
	return tea.Batch(tea.SetClipboard(text), func() tea.Msg { return CopiedMsg{What: what, Bytes: len(text)} })
}

// move steps the cursor by n calls and brings it into view.
func (m *Model) move(n int) {
	m.cursor = min(max(m.cursor+n, 0), len(m.calls)-1)
	m.ensureVisible()
}

// scroll moves the view by n rows. The cursor follows to the first call on
// screen when it scrolls out, so that the highlight and the keys always act
// on something visible (and paging through a long result keeps its call
// under the cursor).
func (m *Model) scroll(n int) {
	m.offset = min(max(m.offset+n, 0), m.maxOffset())
	if len(m.rows) == 0 || m.height == 0 {
		return
	}
	head := m.headRow(m.cursor)
	if head >= m.offset && head < m.offset+m.height {
		return
	}
	if r := m.rows[min(m.offset, len(m.rows)-1)]; r.call >= 0 {
		m.cursor = r.call
	} else if m.offset+1 < len(m.rows) {
		m.cursor = m.rows[m.offset+1].call // a turn header: its first call
	}
}

func (m Model) maxOffset() int { return max(len(m.rows)-m.height, 0) }

// headRow returns the row of call i's summary line.
func (m Model) headRow(i int) int {
	for r, row := range m.rows {
		if row.call == i && row.head {
			return r
		}
	}
	return 0
}

// ensureVisible scrolls so that the cursor's summary line is on screen,
// with its turn header when there is one just above it.
func (m *Model) ensureVisible() {
	if len(m.rows) == 0 || m.height == 0 {
		m.offset = 0
		return
	}
	r := m.headRow(m.cursor)
	top := r
	if r > 0 && m.rows[r-1].call < 0 && m.height > 1 {
		top = r - 1
	}
	if top < m.offset {
		m.offset = top
	}
	if r >= m.offset+m.height {
		m.offset = r - m.height + 1
	}
	m.offset = min(max(m.offset, 0), m.maxOffset())
}

// revealExpansion shows as much of a just-opened call as fits without
// pushing its summary line off the top.
func (m *Model) revealExpansion() {
	m.ensureVisible()
	r := m.headRow(m.cursor)
	end := r
	for end+1 < len(m.rows) && m.rows[end+1].call == m.cursor && !m.rows[end+1].head {
		end++
	}
	if end >= m.offset+m.height {
		m.offset = min(end-m.height+1, r)
	}
	m.offset = min(max(m.offset, 0), m.maxOffset())
}

// ShortHelp returns the pane's main keys.
func (m Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Down, m.keys.Toggle, m.keys.ToggleAll, m.keys.Copy}
}

// FullHelp returns all the pane's keys.
func (m Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Toggle, k.ToggleAll, k.Copy, k.Edit}}
}

// Package editor is the studio's prompt editor pane: the system prompt, the
// conversation's user and assistant turns, and the values of the prompt's
// {{variables}}, stacked in one scrolling column.
//
// The focused section is a bubbles textarea (a textinput in the vars
// section); the others are drawn as wrapped text kept in a cache, so a
// keystroke costs the textarea's work and not the whole prompt's. enter
// inserts a newline, as it does in every editor; running the prompt is the
// root's ctrl+r, so no key has to guess between "newline" and "send".
// ctrl+j and alt+enter also insert one, for terminals and tmux setups where
// shift+enter does not arrive. ctrl+o hands the whole prompt to $EDITOR in a
// plain format (FormatText, ParseText) and reads it back.
//
// The pane edits a Document; the root converts it to and from Dotprompt
// .prompt files and never reaches into the pane's widgets.
package editor

import (
	"errors"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/themes"
)

// Turn is one message of the conversation the prompt holds.
type Turn struct {
	Role string // api.RoleUser or api.RoleAssistant
	Text string
}

// Document is everything the pane edits.
type Document struct {
	System string
	Turns  []Turn
	// Vars holds the values of the variables, by name. An empty value means
	// unset, so Vars never holds one.
	Vars map[string]string
}

// ErrorMsg reports something the pane could not do (the external editor
// failed, its text did not parse, a turn cannot be deleted); the root shows
// it in the status line. The pane's state is unchanged when one is sent.
type ErrorMsg struct{ Err error }

// KeyMap holds the pane's keys. The root may replace Model.KeyMap to make
// keys configurable.
type KeyMap struct {
	// Newline inserts a line break (and in vars moves to the next variable).
	Newline key.Binding
	// LineUp and LineDown move the cursor a line, and on to the previous or
	// next section from a section's first or last line.
	LineUp, LineDown key.Binding
	// PrevSection and NextSection jump between system, turns and vars.
	PrevSection, NextSection key.Binding
	// AddTurn adds a turn after the focused one; ToggleRole switches the
	// focused turn between user and assistant; DeleteTurn removes the focused
	// turn when it is empty (and deletes the next character otherwise).
	AddTurn, ToggleRole, DeleteTurn key.Binding
	// ExternalEditor edits the whole prompt in $EDITOR.
	ExternalEditor key.Binding
}

// DefaultKeyMap returns the pane's keys. Every section key has an alt+
// twin because some terminals (and macOS Mission Control) take ctrl+arrows.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Newline:        key.NewBinding(key.WithKeys("enter", "ctrl+j", "alt+enter", "shift+enter"), key.WithHelp("enter/ctrl+j", "newline")),
		LineUp:         key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "line up")),
		LineDown:       key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "line down")),
		PrevSection:    key.NewBinding(key.WithKeys("ctrl+up", "alt+up"), key.WithHelp("ctrl+↑", "previous section")),
		NextSection:    key.NewBinding(key.WithKeys("ctrl+down", "alt+down"), key.WithHelp("ctrl+↓", "next section")),
		AddTurn:        key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "add turn")),
		ToggleRole:     key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "user/assistant")),
		DeleteTurn:     key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "delete empty turn")),
		ExternalEditor: key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "edit in $EDITOR")),
	}
}

// Model is the prompt editor pane.
type Model struct {
	// KeyMap is the pane's keys; the root may change it (configurable keys).
	KeyMap KeyMap

	st *themes.Styles

	system string
	turns  []Turn
	// values holds every variable value typed or loaded, also for names the
	// text no longer uses, so that a variable broken and retyped gets its
	// value back. Document reports only the used ones.
	values map[string]string
	vars   []string // the variables the text uses now, sorted

	saved Document // as last loaded or saved; Dirty compares with it
	dirty bool

	// sec is the focused section: 0 is system, 1..len(turns) the turns,
	// len(turns)+1 vars.
	sec    int
	varIdx int // the focused variable, in vars

	// ta edits the focused text section. taLoaded is what it held right
	// after being filled: while its value is still that, the section's
	// stored text stands as it is, so merely visiting a section never
	// changes it (the textarea turns tabs into spaces and drops \r).
	ta       textarea.Model
	taLoaded string
	ti       textinput.Model // edits the focused variable

	focused bool
	w, h    int
	offset  int // the first line of the column shown

	cache *lineCache
	edit  editState
}

// New returns an empty editor: no system prompt and one empty user turn.
func New(st *themes.Styles) Model {
	m := Model{KeyMap: DefaultKeyMap(), st: st, cache: newLineCache()}
	m.ta = textarea.New()
	m.ta.ShowLineNumbers = false
	m.ta.Prompt = ""
	m.ta.DynamicHeight = true
	m.ta.MinHeight = 1
	m.ta.MaxWidth = 0
	// MaxHeight caps only the visible height; without a content limit the
	// textarea would refuse newlines past MaxHeight lines.
	m.ta.MaxContentHeight = 1 << 30
	m.ta.SetVirtualCursor(false)
	m.ti = textinput.New()
	m.ti.Prompt = ""
	m.ti.SetVirtualCursor(false)
	m.applyStyles()
	m.Load(Document{})
	return m
}

// SetStyles switches the pane to new styles (a theme change).
func (m *Model) SetStyles(st *themes.Styles) {
	m.st = st
	m.cache.reset()
	m.applyStyles()
}

// applyStyles gives the widgets the theme's colours and the pane's keys
// (both widgets bind keys the pane owns, such as ctrl+n and ctrl+t).
func (m *Model) applyStyles() {
	st := m.st
	state := textarea.StyleState{
		Text:        st.InputFocused,
		CursorLine:  st.InputFocused,
		Placeholder: st.Placeholder,
		EndOfBuffer: st.Subtle,
		Selection:   st.Selected,
	}
	blurred := state
	blurred.Text, blurred.CursorLine = st.Input, st.Input
	cur := textarea.CursorStyle{Color: st.Cursor.GetBackground(), Shape: tea.CursorBlock, Blink: true}
	m.ta.SetStyles(textarea.Styles{Focused: state, Blurred: blurred, Cursor: cur})

	m.ti.SetStyles(textinput.Styles{
		Focused: textinput.StyleState{Text: st.InputFocused, Placeholder: st.Placeholder},
		Blurred: textinput.StyleState{Text: st.Input, Placeholder: st.Placeholder},
		Cursor:  textinput.CursorStyle{Color: st.Cursor.GetBackground(), Shape: tea.CursorBlock, Blink: true},
	})
	m.applyKeys()
}

// applyKeys makes the widgets use the pane's bindings where they overlap,
// and drops theirs for keys the pane gives another meaning.
func (m *Model) applyKeys() {
	k := m.KeyMap
	m.ta.KeyMap.InsertNewline = k.Newline
	m.ta.KeyMap.LinePrevious = k.LineUp
	m.ta.KeyMap.LineNext = k.LineDown
	m.ta.KeyMap.TransposeCharacterBackward = key.Binding{} // ctrl+t toggles the role
	// ctrl+v would read the clipboard in a Cmd whose message is private to
	// the textarea; terminals deliver a paste as tea.PasteMsg anyway.
	m.ta.KeyMap.Paste = key.Binding{}
	m.ti.KeyMap.Paste = key.Binding{}
	m.ti.KeyMap.AcceptSuggestion = key.Binding{}
	m.ti.KeyMap.NextSuggestion = key.Binding{}
	m.ti.KeyMap.PrevSuggestion = key.Binding{}
}

// Load replaces the document. Focus goes to the last user turn with the
// cursor at its end, the pane is not dirty after it, and a document with no
// user turn gets an empty one, as every prompt needs one.
func (m *Model) Load(doc Document) {
	m.offset = 0
	m.load(doc, -1)
	m.saved = m.Document()
	m.dirty = false
}

// load replaces the text; sec is the section to focus, or -1 for the last
// user turn.
func (m *Model) load(doc Document, sec int) {
	m.sec = -1 // no section is live until enter: docText reads the stored text only
	m.system = doc.System
	m.turns = make([]Turn, 0, len(doc.Turns)+1)
	for _, t := range doc.Turns {
		if t.Role != api.RoleAssistant && t.Role != "model" {
			t.Role = api.RoleUser
		} else {
			t.Role = api.RoleAssistant
		}
		m.turns = append(m.turns, t)
	}
	if m.userTurns() == 0 {
		m.turns = append(m.turns, Turn{Role: api.RoleUser})
	}
	m.values = map[string]string{}
	for k, v := range doc.Vars {
		if v != "" {
			m.values[k] = v
		}
	}
	m.vars = docVariables(m.docText())
	if sec < 0 || sec > m.varsSec() || (sec == m.varsSec() && len(m.vars) == 0) {
		for i, t := range m.turns {
			if t.Role == api.RoleUser {
				sec = i + 1
			}
		}
	}
	m.enter(sec, false)
}

// Document returns the prompt as it is now, the text being typed included.
// Vars holds the set values of the variables the text uses.
func (m Model) Document() Document {
	d := m.docText()
	d.Vars = make(map[string]string, len(m.vars))
	for _, n := range m.vars {
		if v := m.values[n]; v != "" {
			d.Vars[n] = v
		}
	}
	return d
}

// docText is the document without its vars.
func (m *Model) docText() Document {
	d := Document{System: m.system, Turns: slices.Clone(m.turns)}
	if m.sec == 0 {
		d.System = m.liveText()
	} else if m.isTurn(m.sec) {
		d.Turns[m.sec-1].Text = m.liveText()
	}
	return d
}

// liveText is the focused text section's text.
func (m *Model) liveText() string {
	if v := m.ta.Value(); v != m.taLoaded {
		return v
	}
	return m.stored(m.sec)
}

// stored is a text section's text as last committed.
func (m *Model) stored(sec int) string {
	if sec == 0 {
		return m.system
	}
	return m.turns[sec-1].Text
}

// Dirty reports whether the document differs from the one last loaded or
// marked saved.
func (m Model) Dirty() bool { return m.dirty }

// MarkSaved records the current document as saved.
func (m *Model) MarkSaved() {
	m.saved = m.Document()
	m.dirty = false
}

// Variables lists the variables the text uses ({{name}}, the parameters of
// helpers and blocks such as {{#if x}} and {{json x}}), sorted, each once.
func (m Model) Variables() []string { return slices.Clone(m.vars) }

// Focus gives the pane the keyboard.
func (m *Model) Focus() tea.Cmd {
	m.focused = true
	if m.sec == m.varsSec() {
		return m.ti.Focus()
	}
	return m.ta.Focus()
}

// Blur takes the keyboard away; the text stays as typed.
func (m *Model) Blur() {
	m.focused = false
	m.ta.Blur()
	m.ti.Blur()
}

// Focused reports whether the pane has the keyboard.
func (m Model) Focused() bool { return m.focused }

// Capturing reports whether keys are being typed as text, so the root must
// not read "?" or "q" as its own: always, while the pane has focus.
func (m Model) Capturing() bool { return m.focused }

// ShortHelp is the pane's keys for the help line.
func (m Model) ShortHelp() []key.Binding {
	k := m.KeyMap
	return []key.Binding{k.Newline, k.NextSection, k.AddTurn, k.ToggleRole, k.ExternalEditor}
}

// FullHelp is the pane's keys for the help overlay.
func (m Model) FullHelp() [][]key.Binding {
	k := m.KeyMap
	return [][]key.Binding{
		{k.Newline, k.LineUp, k.LineDown},
		{k.PrevSection, k.NextSection},
		{k.AddTurn, k.ToggleRole, k.DeleteTurn},
		{k.ExternalEditor},
	}
}

func (m *Model) varsSec() int        { return len(m.turns) + 1 }
func (m *Model) isTurn(sec int) bool { return sec >= 1 && sec <= len(m.turns) }
func (m *Model) inVars() bool        { return m.sec == m.varsSec() }
func (m *Model) focusedVar() string  { return m.vars[m.varIdx] }

// lastSec is the last section focus can reach: vars holds nothing to edit
// while the text uses no variable.
func (m *Model) lastSec() int { return m.varsSec() - boolInt(len(m.vars) == 0) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (m *Model) userTurns() int {
	n := 0
	for _, t := range m.turns {
		if t.Role == api.RoleUser {
			n++
		}
	}
	return n
}

// leave stores the focused section's text before focus moves.
func (m *Model) leave() {
	switch {
	case m.sec == 0:
		m.system = m.liveText()
	case m.isTurn(m.sec):
		m.turns[m.sec-1].Text = m.liveText()
	}
}

// enter focuses section sec, the cursor at its end, or at its start when
// atStart (moving down into a section starts at its top).
func (m *Model) enter(sec int, atStart bool) tea.Cmd {
	m.sec = max(0, min(sec, m.lastSec()))
	m.ta.Blur()
	m.ti.Blur()
	if m.inVars() {
		m.varIdx = 0
		if !atStart {
			m.varIdx = len(m.vars) - 1
		}
		return m.enterVar()
	}
	m.ta.Placeholder = placeholders[m.kind(m.sec)]
	// The textarea reads \r\n as two line breaks.
	m.ta.SetValue(strings.ReplaceAll(m.stored(m.sec), "\r\n", "\n"))
	m.taLoaded = m.ta.Value()
	if atStart {
		m.ta.MoveToBegin()
	} else {
		m.ta.MoveToEnd()
	}
	m.sizeWidgets()
	var cmd tea.Cmd
	if m.focused {
		cmd = m.ta.Focus()
	}
	m.scroll()
	return cmd
}

// enterVar loads the focused variable into the text input.
func (m *Model) enterVar() tea.Cmd {
	m.varIdx = max(0, min(m.varIdx, len(m.vars)-1))
	m.sizeWidgets() // first: the input scrolls its text by the width it has when set
	m.ti.SetValue(m.values[m.focusedVar()])
	m.ti.CursorEnd()
	var cmd tea.Cmd
	if m.focused {
		cmd = m.ti.Focus()
	}
	m.scroll()
	return cmd
}

// move goes to another section, keeping what was typed.
func (m *Model) move(sec int, atStart bool) tea.Cmd {
	if sec < 0 || sec > m.lastSec() || sec == m.sec {
		return nil
	}
	m.leave()
	return m.enter(sec, atStart)
}

// refresh recomputes what follows from the text after an edit.
func (m *Model) refresh() {
	m.vars = docVariables(m.docText())
	m.varIdx = max(0, min(m.varIdx, len(m.vars)-1))
	m.dirty = !equalDocs(m.Document(), m.saved)
	m.scroll()
}

// errCmd reports err to the root.
func errCmd(err error) tea.Cmd { return func() tea.Msg { return ErrorMsg{Err: err} } }

var errLastUser = errors.New("a prompt keeps at least one user turn")

// Update handles keys, pastes and the external editor's return.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case ExternalEditedMsg:
		return m, m.finishExternal(msg)
	case tea.PasteMsg:
		if !m.focused {
			return m, nil
		}
		// Terminals send \r or \r\n in pastes; the widgets would read each
		// \r as a line break of its own.
		msg.Content = strings.ReplaceAll(msg.Content, "\r\n", "\n")
		msg.Content = strings.ReplaceAll(msg.Content, "\r", "\n")
		return m.updateWidget(msg)
	case tea.KeyPressMsg:
		if !m.focused {
			return m, nil
		}
		m.applyKeys() // the root may have changed KeyMap since
		return m.updateKey(msg)
	}
	return m, nil
}

func (m Model) updateKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.KeyMap
	switch {
	case key.Matches(msg, k.ExternalEditor):
		return m, m.startExternal()
	case key.Matches(msg, k.PrevSection):
		return m, m.move(m.sec-1, false)
	case key.Matches(msg, k.NextSection):
		return m, m.move(m.sec+1, true)
	case key.Matches(msg, k.AddTurn):
		return m, m.addTurn()
	case key.Matches(msg, k.ToggleRole):
		return m, m.toggleRole()
	case key.Matches(msg, k.DeleteTurn) && m.isTurn(m.sec) && m.liveText() == "":
		return m, m.deleteTurn()
	}
	if m.inVars() {
		switch {
		case key.Matches(msg, k.LineUp):
			if m.varIdx == 0 {
				return m, m.move(m.sec-1, false)
			}
			m.varIdx--
			return m, m.enterVar()
		case key.Matches(msg, k.LineDown), key.Matches(msg, k.Newline):
			if m.varIdx < len(m.vars)-1 {
				m.varIdx++
				return m, m.enterVar()
			}
			return m, nil
		}
		return m.updateWidget(msg)
	}
	switch {
	case key.Matches(msg, k.LineUp) && m.ta.Line() == 0 && m.ta.LineInfo().RowOffset == 0:
		return m, m.move(m.sec-1, false)
	case key.Matches(msg, k.LineDown) && m.atLastRow():
		return m, m.move(m.sec+1, true)
	}
	return m.updateWidget(msg)
}

// atLastRow reports whether the textarea's cursor is on its last screen row.
func (m *Model) atLastRow() bool {
	li := m.ta.LineInfo()
	return m.ta.Line() == m.ta.LineCount()-1 && li.RowOffset >= li.Height-1
}

// updateWidget passes msg to the focused widget and follows up on changes.
func (m Model) updateWidget(msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	if m.inVars() {
		if len(m.vars) == 0 {
			return m, nil
		}
		before := m.ti.Value()
		m.ti, cmd = m.ti.Update(msg)
		if v := m.ti.Value(); v != before {
			if v == "" {
				delete(m.values, m.focusedVar())
			} else {
				m.values[m.focusedVar()] = v
			}
			m.refresh()
		}
		m.scroll()
		return m, cmd
	}
	before := m.ta.Value()
	m.ta, cmd = m.ta.Update(msg)
	if m.ta.Value() != before {
		m.refresh()
	} else {
		m.scroll() // the cursor may have moved to another row
	}
	return m, cmd
}

// addTurn adds an empty turn after the focused section, of the role that
// alternates with the turn before it, and focuses it.
func (m *Model) addTurn() tea.Cmd {
	m.leave()
	at := min(m.sec, len(m.turns)) // after system: 0; after turn i: i; from vars: the end
	role := api.RoleUser
	if at > 0 && m.turns[at-1].Role == api.RoleUser {
		role = api.RoleAssistant
	}
	m.turns = slices.Insert(m.turns, at, Turn{Role: role})
	cmd := m.enter(at+1, false)
	m.refresh()
	return cmd
}

// toggleRole switches the focused turn between user and assistant.
func (m *Model) toggleRole() tea.Cmd {
	if !m.isTurn(m.sec) {
		return nil
	}
	t := &m.turns[m.sec-1]
	if t.Role == api.RoleUser {
		if m.userTurns() == 1 {
			return errCmd(errLastUser)
		}
		t.Role = api.RoleAssistant
	} else {
		t.Role = api.RoleUser
	}
	m.ta.Placeholder = placeholders[m.kind(m.sec)]
	m.refresh()
	return nil
}

// deleteTurn removes the focused (empty) turn and moves to the section
// before it, as backspace would.
func (m *Model) deleteTurn() tea.Cmd {
	if m.turns[m.sec-1].Role == api.RoleUser && m.userTurns() == 1 {
		return errCmd(errLastUser)
	}
	m.turns = slices.Delete(m.turns, m.sec-1, m.sec)
	cmd := m.enter(m.sec-1, false)
	m.refresh()
	return cmd
}

// FocusedTurn returns the index in Document().Turns of the focused turn, or
// -1 when the focus is on the system prompt or the variables.
func (m Model) FocusedTurn() int {
	if m.sec >= 1 && m.sec <= len(m.turns) {
		return m.sec - 1
	}
	return -1
}

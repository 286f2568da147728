// Package params is the studio's Parameters pane: one row per request
// parameter of api.Params(), its value or "default" (not sent), and an
// inline editor that checks every keystroke with the parameter's own
// validation, so the pane and `mstudio run --set` accept the same values.
//
// The pane owns the values: it keeps an api.ChatRequest holding only the
// parameter fields, and the prompt's own values beside them. LoadPrompt
// starts both from what the prompt sends (its config, and the
// response_format its output asks for), so the pane shows what a run sends;
// SetParams replaces the values shown, Params returns a copy, and Settings
// lists what differs from the prompt, the overrides session.Build applies
// on top of the rendered prompt (as `mstudio run --set` does). Each
// committed change is reported with a ChangedMsg so the root can mark the
// prompt edited.
package params

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/session"
	"mstudio/themes"
)

// ChangedMsg reports a committed change. Value is the new value as the
// pane shows it; api.DefaultWord when the parameter went back to default.
type ChangedMsg struct {
	Name, Value string
}

// KeyMap is the pane's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	// Edit opens the editor on the row (a bool row toggles instead); typing
	// any character opens it too, starting from that character.
	Edit key.Binding
	// Toggle flips a bool (true → false → default) and steps an enum.
	Toggle key.Binding
	// Next and Prev step a bool or enum row through default and its values.
	Next, Prev key.Binding
	// Reset sets the row back to default (not sent).
	Reset key.Binding
	// Commit, Cancel and Complete act in the editor.
	Commit, Cancel, Complete key.Binding
}

// DefaultKeyMap returns the pane's default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Home:     key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "first")),
		End:      key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "last")),
		Edit:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "edit")),
		Toggle:   key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "toggle")),
		Next:     key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "next value")),
		Prev:     key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "previous value")),
		Reset:    key.NewBinding(key.WithKeys("d", "backspace", "delete"), key.WithHelp("d", "default")),
		Commit:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "set")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Complete: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete")),
	}
}

// Option configures a Model in New.
type Option func(*Model)

// WithKeyMap sets the pane's keys (from the user's config).
func WithKeyMap(km KeyMap) Option { return func(m *Model) { m.keys = km } }

// WithParams starts the pane with the parameter fields of r as the
// prompt's own (LoadPrompt without tools).
func WithParams(r api.ChatRequest) Option {
	return func(m *Model) { m.LoadPrompt(r, nil) }
}

// Model is the Parameters pane.
type Model struct {
	st     *themes.Styles
	keys   KeyMap
	params []api.Param
	req    api.ChatRequest // parameter fields only
	// base is what the prompt itself sends: Settings is the difference.
	base api.ChatRequest
	// tools names the prompt's tools: tool_choice steps through them, and
	// the help under tool_choice lists them.
	tools []string

	width, height int
	focused       bool
	cursor        int
	offset        int

	editing bool
	edit    lineEdit
	orig    string // the text the editor opened with
	editErr string // why the text typed so far is not a valid value
	// prefix is what tab completes from, kept while tab is pressed again.
	prefix     string
	completing bool
}

// New returns a Parameters pane drawing with st, every parameter at
// default unless WithParams says otherwise.
func New(st *themes.Styles, opts ...Option) Model {
	m := Model{keys: DefaultKeyMap(), params: api.Params()}
	for _, o := range opts {
		o(&m)
	}
	m.SetStyles(st)
	return m
}

// SetStyles switches the pane to new styles (a theme change).
func (m *Model) SetStyles(st *themes.Styles) {
	if st == nil {
		st = themes.New(themes.Dark())
	}
	m.st = st
}

// SetSize sets the inner size the pane draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 0), max(h, 0)
	m.fixOffset()
}

// Focus gives the pane the keyboard.
func (m *Model) Focus() { m.focused = true }

// Blur takes the keyboard away. A value being typed stays in its editor,
// neither committed nor lost, until the pane has the keyboard again:
// nothing the user typed is thrown away by a change of focus.
func (m *Model) Blur() { m.focused = false }

// Focused reports whether the pane has the keyboard.
func (m Model) Focused() bool { return m.focused }

// Capturing reports whether a value is being typed, so the root must not
// read "q", "?" or esc as its own keys.
func (m Model) Capturing() bool { return m.editing }

// Params returns a copy of the parameter values.
func (m Model) Params() api.ChatRequest {
	var r api.ChatRequest
	copyParams(&r, &m.req)
	return r
}

// SetParams replaces every parameter shown with the ones of r (a compare
// column's, a draft's, a recorded run's); fields of r that are not
// parameters are ignored. The prompt's own values stay, so Settings is
// still what r changes relative to the prompt. An edit in progress is
// dropped.
func (m *Model) SetParams(r api.ChatRequest) {
	m.req = api.ChatRequest{}
	copyParams(&m.req, &r)
	m.editing = false
}

// LoadPrompt starts the pane on a prompt: r is every parameter the prompt
// sends (session.PromptParams) and tools the names of its tools. Nothing
// is changed yet: Settings is empty.
func (m *Model) LoadPrompt(r api.ChatRequest, tools []string) {
	m.base = api.ChatRequest{}
	copyParams(&m.base, &r)
	m.tools = slices.Clone(tools)
	m.SetParams(r)
}

// Rebase makes r the prompt's own values and tools its tools (the prompt
// was saved with the pane's): the values shown stay, Settings is what
// still differs.
func (m *Model) Rebase(r api.ChatRequest, tools []string) {
	m.base = api.ChatRequest{}
	copyParams(&m.base, &r)
	m.tools = slices.Clone(tools)
}

// Settings lists the parameters whose value differs from the prompt's, in
// the pane's order, each with its value spelled as --set takes it
// ("default" for one the prompt sets and the pane no longer does): the
// overrides for session.Build.
func (m Model) Settings() []session.Setting {
	var out []session.Setting
	for _, p := range m.params {
		if m.Changed(p.Name) {
			out = append(out, session.Setting{Name: p.Name, Value: settingText(p, &m.req)})
		}
	}
	return out
}

// Changed reports whether the named parameter differs from the prompt's
// own value.
func (m Model) Changed(name string) bool {
	fi, ok := fieldIndex()[name]
	if !ok {
		p, _ := api.LookupParam(name)
		a, _ := p.Get(&m.req)
		b, _ := p.Get(&m.base)
		return a != b
	}
	a := reflect.ValueOf(m.req).FieldByIndex(fi).Interface()
	b := reflect.ValueOf(m.base).FieldByIndex(fi).Interface()
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) != string(jb)
}

// settingText spells r's value of p so that p.Set gives it back whole:
// Get's text, except where Get is lossy or ambiguous (a response_format
// with a schema shows as "json_schema:NAME"; a stop text may start with
// "["), which are written as JSON.
func settingText(p api.Param, r *api.ChatRequest) string {
	switch {
	case p.Kind == api.KindFormat && r.ResponseFormat != nil &&
		(r.ResponseFormat.JSONSchema != nil || (r.ResponseFormat.Type != "text" && r.ResponseFormat.Type != "json_object")):
		if b, err := json.Marshal(r.ResponseFormat); err == nil {
			return string(b)
		}
	case p.Kind == api.KindStops && (len(r.Stop) > 1 || len(r.Stop) == 1 && strings.HasPrefix(r.Stop[0], "[")):
		if b, err := json.Marshal([]string(r.Stop)); err == nil {
			return string(b)
		}
	}
	v, _ := p.Get(r)
	return v
}

// Current returns the parameter under the cursor.
func (m Model) Current() api.Param { return m.params[m.cursor] }

// ShortHelp returns the keys worth a place in the one-line help.
func (m Model) ShortHelp() []key.Binding {
	if m.editing {
		return []key.Binding{m.keys.Commit, m.keys.Cancel, m.keys.Complete}
	}
	return []key.Binding{m.keys.Up, m.keys.Down, m.keys.Edit, m.keys.Next, m.keys.Reset}
}

// FullHelp returns every key of the pane, in columns.
func (m Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{m.keys.Up, m.keys.Down, m.keys.PageUp, m.keys.PageDown, m.keys.Home, m.keys.End},
		{m.keys.Edit, m.keys.Toggle, m.keys.Next, m.keys.Prev, m.keys.Reset},
		{m.keys.Commit, m.keys.Cancel, m.keys.Complete},
	}
}

// Update handles keys and paste while focused, and the mouse wheel.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		if !m.editing {
			switch msg.Button {
			case tea.MouseWheelUp:
				m.move(-1)
			case tea.MouseWheelDown:
				m.move(1)
			}
		}
	case tea.PasteMsg:
		if m.focused {
			if !m.editing {
				m.open("")
			}
			m.edit.insert(msg.Content)
			m.validate()
		}
	case tea.KeyPressMsg:
		if !m.focused {
			return m, nil
		}
		if m.editing {
			return m.editKey(msg)
		}
		return m.navKey(msg)
	}
	return m, nil
}

func (m Model) navKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	p := m.params[m.cursor]
	switch {
	case key.Matches(msg, m.keys.Up):
		m.move(-1)
	case key.Matches(msg, m.keys.Down):
		m.move(1)
	case key.Matches(msg, m.keys.PageUp):
		m.move(-m.page())
	case key.Matches(msg, m.keys.PageDown):
		m.move(m.page())
	case key.Matches(msg, m.keys.Home):
		m.move(-len(m.params))
	case key.Matches(msg, m.keys.End):
		m.move(len(m.params))
	case key.Matches(msg, m.keys.Reset):
		return m, m.set(p, "")
	case key.Matches(msg, m.keys.Edit) && p.Kind == api.KindBool,
		key.Matches(msg, m.keys.Toggle) && (p.Kind == api.KindBool || p.Kind == api.KindEnum),
		key.Matches(msg, m.keys.Next) && m.cycle(p) != nil:
		return m, m.step(p, 1)
	case key.Matches(msg, m.keys.Prev) && m.cycle(p) != nil:
		return m, m.step(p, -1)
	case key.Matches(msg, m.keys.Edit, m.keys.Toggle):
		v, set := p.Get(&m.req)
		if !set {
			v = ""
		}
		m.open(v)
	case printable(msg):
		// Typing on a row replaces its value, as in a spreadsheet.
		m.open("")
		m.edit.insert(msg.Text)
		m.validate()
	}
	return m, nil
}

func (m Model) editKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	p := m.params[m.cursor]
	switch {
	case key.Matches(msg, m.keys.Cancel):
		m.editing = false
	case key.Matches(msg, m.keys.Commit):
		text := m.edit.String()
		if text == m.orig {
			// Unchanged: nothing to check. This also keeps values the editor
			// cannot spell back, such as a prompt file's JSON schema.
			m.editing = false
			return m, nil
		}
		if err := p.Validate(text); err != nil {
			m.editErr = reason(err)
			return m, nil
		}
		m.editing = false
		return m, m.set(p, text)
	case key.Matches(msg, m.keys.Complete):
		m.complete(p)
	default:
		if m.edit.key(msg) {
			m.validate()
		}
	}
	return m, nil
}

// open starts the editor on the cursor's row.
func (m *Model) open(text string) {
	m.editing = true
	m.edit = newLineEdit(text)
	m.orig = text
	m.editErr = ""
	m.completing = false
	m.fixOffset()
}

// validate checks the text typed so far, for the error shown as one types.
func (m *Model) validate() {
	m.editErr = ""
	m.completing = false
	if err := m.params[m.cursor].Validate(m.edit.String()); err != nil {
		m.editErr = reason(err)
	}
	m.fixOffset()
}

// reason drops the "temperature: " that Param.Set puts in front of its
// errors: the row already says which parameter it is.
func reason(err error) string {
	if inner := errors.Unwrap(err); inner != nil {
		return inner.Error()
	}
	return err.Error()
}

// set writes v (or default, for "") and reports a change when there was
// one.
func (m *Model) set(p api.Param, v string) tea.Cmd {
	before, _ := p.Get(&m.req)
	if err := p.Set(&m.req, v); err != nil {
		return nil // callers validate first; nothing is written on error
	}
	after, _ := p.Get(&m.req)
	if after == before {
		return nil
	}
	msg := ChangedMsg{Name: p.Name, Value: after}
	return func() tea.Msg { return msg }
}

// step moves a row with a fixed set of values through them, default
// included: true → false → default for a bool, default → each value for
// an enum, a tool_choice (its modes, then the prompt's tools) or a
// response_format (text, json_object, then the prompt's own schema).
func (m *Model) step(p api.Param, dir int) tea.Cmd {
	cycle := m.cycle(p)
	if len(cycle) == 0 {
		return nil
	}
	// Values are compared as Get shows them, which is how a schema's
	// JSON matches the row's "json_schema:NAME".
	shown := func(v string) string {
		var r api.ChatRequest
		if p.Set(&r, v) != nil {
			return ""
		}
		s, _ := p.Get(&r)
		return s
	}
	cur, _ := p.Get(&m.req)
	i := -1
	for j, v := range cycle {
		if strings.EqualFold(shown(v), cur) {
			i = j
		}
	}
	if i < 0 && dir < 0 {
		i = 0 // a value off the cycle (a typed one) steps back as if from its start
	}
	next := cycle[((i+dir)%len(cycle)+len(cycle))%len(cycle)]
	return m.set(p, next)
}

// cycle lists the values step goes through, as Set takes them; nil for a
// row that is typed rather than chosen.
func (m Model) cycle(p api.Param) []string {
	switch p.Kind {
	case api.KindBool:
		return []string{"true", "false", api.DefaultWord}
	case api.KindEnum:
		return append([]string{api.DefaultWord}, p.Enum...)
	case api.KindToolChoice:
		c := []string{api.DefaultWord, "auto", "none", "any", "required"}
		for _, t := range m.tools {
			c = append(c, "function:"+t)
		}
		return c
	case api.KindFormat:
		c := []string{api.DefaultWord, "text", "json_object"}
		if f := m.base.ResponseFormat; f != nil && f.JSONSchema != nil {
			c = append(c, settingText(p, &m.base))
		}
		return c
	}
	return nil
}

// complete finishes the typed text with a known value that starts with
// it (enum values, true/false, tool_choice modes, response formats); tab
// again goes on to the next one with the same start.
func (m *Model) complete(p api.Param) {
	var words []string
	switch p.Kind {
	case api.KindEnum:
		words = p.Enum
	case api.KindBool:
		words = []string{"true", "false"}
	case api.KindToolChoice:
		words = []string{"auto", "none", "any", "required"}
	case api.KindFormat:
		words = []string{"text", "json_object"}
	default:
		return
	}
	words = append(slices.Clip(words), api.DefaultWord)
	text := m.edit.String()
	if !m.completing {
		m.prefix, m.completing = strings.ToLower(text), true
	}
	var match []string
	for _, w := range words {
		if strings.HasPrefix(w, m.prefix) {
			match = append(match, w)
		}
	}
	if len(match) == 0 {
		return
	}
	next := match[(slices.Index(match, text)+1)%len(match)]
	m.edit = newLineEdit(next)
	m.validate()
	m.completing = true // validate ends a completion; this one goes on
}

func (m *Model) move(n int) {
	m.cursor = min(max(m.cursor+n, 0), len(m.params)-1)
	m.fixOffset()
}

// page is how many rows a page key moves.
func (m Model) page() int { return max(m.listHeight()-1, 1) }

// fieldIndex maps a parameter's wire name to the ChatRequest field carrying
// it, found by its json tag, so that new parameters are picked up without
// code here.
var fieldIndex = sync.OnceValue(func() map[string][]int {
	idx := map[string][]int{}
	t := reflect.TypeFor[api.ChatRequest]()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			idx[name] = f.Index
		}
	}
	return idx
})

// copyParams copies every parameter of api.Params() from src to dst, set
// or not. A field is copied whole (through its JSON form, so dst shares no
// pointer with src) rather than as the text Param.Get shows: that text is
// lossy for some values (a response_format with a JSON schema shows as
// "json_schema:NAME"). A parameter with no field of its own name falls back
// to Get and Set.
func copyParams(dst, src *api.ChatRequest) {
	idx := fieldIndex()
	dv, sv := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	for _, p := range api.Params() {
		fi, ok := idx[p.Name]
		if !ok {
			if v, set := p.Get(src); set {
				_ = p.Set(dst, v)
			} else {
				_ = p.Set(dst, "")
			}
			continue
		}
		from, to := sv.FieldByIndex(fi), dv.FieldByIndex(fi)
		if from.IsZero() {
			to.SetZero()
			continue
		}
		c := reflect.New(from.Type())
		data, err := json.Marshal(from.Interface())
		if err == nil && json.Unmarshal(data, c.Interface()) == nil {
			to.Set(c.Elem())
		} else {
			to.Set(from)
		}
	}
}

// Package models is the studio's Models pane: the endpoint's models with
// their capabilities, context length and price, a filter that matches ids,
// aliases, names and capabilities, and the choice of the model runs use.
//
// The root loads the list (GET /v1/models, folded with api.FoldAliases) and
// sends it as a LoadedMsg; until then the pane says it is loading, and after
// a failure it shows the error and still lets the user type any id, because
// self-hosted servers may serve ids they do not list. Enter emits a
// SelectedMsg; SetSelected marks the model chosen elsewhere (a prompt file).
//
// Everything shown from the list came over the network, so ids, names and
// errors pass through untrusted.StripLine before they reach the screen.
package models

import (
	"slices"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"mstudio/api"
	"mstudio/prices"
	"mstudio/themes"
	"mstudio/untrusted"
)

// LoadedMsg carries the endpoint's model list. Err is set when the list
// could not be read; the pane then shows it and keeps working with Entries
// (usually empty).
type LoadedMsg struct {
	Entries []api.ModelEntry
	Err     error
}

// SelectedMsg says the user chose a model for the next runs. ID is the id
// as the server knows it, or the text the user typed when nothing matched.
type SelectedMsg struct {
	ID string
}

// KeyMap is the pane's keys. While the filter is being typed in, keys that
// type text (k, j, ...) go to the filter; the others keep their meaning.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	// Filter starts typing a filter; any other printable key does too.
	Filter key.Binding
	// ClearFilter empties the filter. When there is no filter the pane
	// leaves the key alone (see Capturing), so the root may use it.
	ClearFilter key.Binding
	// Choose picks the model under the cursor, or the typed text as an id
	// when the filter matches nothing.
	Choose key.Binding
}

// DefaultKeyMap returns the pane's default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:      key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Home:        key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "first")),
		End:         key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "last")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		ClearFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Choose:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "use model")),
	}
}

// Option configures a Model in New.
type Option func(*Model)

// WithKeyMap sets the pane's keys (from the user's config).
func WithKeyMap(km KeyMap) Option { return func(m *Model) { m.keys = km } }

// WithPrices sets the price table (the config's overrides applied with
// prices.Table.With); the default is prices.Default().
func WithPrices(t *prices.Table) Option { return func(m *Model) { m.prices = t } }

// WithSelected marks the model chosen at start.
func WithSelected(id string) Option { return func(m *Model) { m.selected = strings.TrimSpace(id) } }

// Model is the Models pane.
type Model struct {
	st     *themes.Styles
	keys   KeyMap
	prices *prices.Table
	// chip is Badge without its padding: a pane is often 26 cells wide, and
	// padded badges would push context and price off the line.
	chip lipgloss.Style

	width, height int
	focused       bool

	loaded  bool
	errText string // the load error, already made safe to print

	entries  []api.ModelEntry
	listed   []row // one per entry, built on load and on a style change
	rows     []row // listed, behind a row for a chosen id the list lacks
	selected string
	selRow   int // index into rows of the chosen model, -1 when none

	visible []int // indices into rows that pass the filter, best first
	cursor  int   // index into visible
	offset  int   // first index into visible drawn

	filtering bool
	input     filterInput
}

// New returns a Models pane drawing with st. It shows "loading models…"
// until it receives a LoadedMsg.
func New(st *themes.Styles, opts ...Option) Model {
	m := Model{keys: DefaultKeyMap(), prices: prices.Default(), selRow: -1}
	for _, o := range opts {
		o(&m)
	}
	if m.prices == nil {
		m.prices = prices.Default()
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
	m.chip = st.Badge.UnsetPadding()
	m.buildListed()
}

// SetPrices replaces the price table (the config was reloaded).
func (m *Model) SetPrices(t *prices.Table) {
	if t == nil {
		t = prices.Default()
	}
	m.prices = t
	m.buildListed()
}

// SetSize sets the inner size the pane draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 0), max(h, 0)
	m.fixOffset()
}

// Focus gives the pane the keyboard.
func (m *Model) Focus() { m.focused = true }

// Blur takes the keyboard away. A filter being typed stays as it is.
func (m *Model) Blur() { m.focused = false }

// Focused reports whether the pane has the keyboard.
func (m Model) Focused() bool { return m.focused }

// Capturing reports whether typed text goes to the filter, so the root must
// not read "q", "?" or esc as its own keys.
func (m Model) Capturing() bool { return m.filtering }

// Selected returns the id chosen for runs, or "".
func (m Model) Selected() string { return m.selected }

// Filter returns the filter text.
func (m Model) Filter() string { return m.input.value }

// Loaded reports whether a LoadedMsg has arrived.
func (m Model) Loaded() bool { return m.loaded }

// Entries returns the list the pane shows (as loaded; do not modify).
func (m Model) Entries() []api.ModelEntry { return m.entries }

// Cursor returns the id under the cursor, or "" when the list is empty.
func (m Model) Cursor() string {
	if m.cursor < 0 || m.cursor >= len(m.visible) {
		return ""
	}
	return m.pickID(m.visible[m.cursor])
}

// pickIndex is which of row ri's ids choosing it means, which is also the
// one the row shows: the id the filter names exactly; else the only kind
// of id the typed text is part of (typing "latest" finds a model by its
// alias); else, for the chosen row, the id it was chosen by (someone who
// picked mistral-small-latest keeps it, not the dated id the list files it
// under); else the row's own id.
func (m Model) pickIndex(ri int) int {
	r := &m.rows[ri]
	if q := strings.ToLower(strings.TrimSpace(m.input.value)); m.filtering && q != "" {
		for i, x := range r.rawIDs {
			if strings.EqualFold(x, q) {
				return i
			}
		}
		if !strings.Contains(strings.ToLower(r.rawID), q) {
			for i, x := range r.rawIDs {
				if strings.Contains(strings.ToLower(x), q) {
					return i
				}
			}
		}
	}
	if ri == m.selRow {
		for i, x := range r.rawIDs {
			if normID(x) == normID(m.selected) {
				return i
			}
		}
	}
	return 0
}

// pickID is the id choosing row ri selects: see pickIndex.
func (m Model) pickID(ri int) string {
	r := &m.rows[ri]
	if i := m.pickIndex(ri); i < len(r.rawIDs) {
		return r.rawIDs[i]
	}
	return r.rawID
}

// SetSelected marks id as the model runs use: from a prompt file, or to
// confirm a SelectedMsg. An id the list does not have gets a row of its own.
// When no filter is typed the cursor moves to it.
func (m *Model) SetSelected(id string) {
	m.selected = strings.TrimSpace(id)
	m.buildRows()
	m.refilter(true)
	if !m.filtering && m.selRow >= 0 {
		m.cursorTo(m.selRow)
	}
}

// ShortHelp returns the keys worth a place in the one-line help.
func (m Model) ShortHelp() []key.Binding {
	if m.filtering {
		return []key.Binding{m.keys.Choose, m.keys.ClearFilter, m.keys.Up, m.keys.Down}
	}
	return []key.Binding{m.keys.Up, m.keys.Down, m.keys.Choose, m.keys.Filter}
}

// FullHelp returns every key of the pane, in columns.
func (m Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{m.keys.Up, m.keys.Down, m.keys.PageUp, m.keys.PageDown, m.keys.Home, m.keys.End},
		{m.keys.Choose, m.keys.Filter, m.keys.ClearFilter},
	}
}

// Update handles the list arriving, keys and paste while focused, and the
// mouse wheel (routed here by the root whether focused or not).
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case LoadedMsg:
		m.load(msg)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.move(-1)
		case tea.MouseWheelDown:
			m.move(1)
		}
	case tea.PasteMsg:
		if m.focused {
			if !m.filtering {
				m.startFilter()
			}
			m.input.paste(msg.Content)
			m.refilter(false)
		}
	case tea.KeyPressMsg:
		if m.focused {
			return m.key(msg)
		}
	}
	return m, nil
}

func (m Model) key(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	typed := printable(msg)
	// While filtering, a key that types text is text: "k" must reach the
	// filter, not move the cursor.
	nav := !m.filtering || !typed
	switch {
	case key.Matches(msg, m.keys.Choose):
		return m.choose()
	case m.filtering && key.Matches(msg, m.keys.ClearFilter):
		m.stopFilter()
	case nav && key.Matches(msg, m.keys.Up):
		m.move(-1)
	case nav && key.Matches(msg, m.keys.Down):
		m.move(1)
	case nav && key.Matches(msg, m.keys.PageUp):
		m.move(-m.page())
	case nav && key.Matches(msg, m.keys.PageDown):
		m.move(m.page())
	case nav && key.Matches(msg, m.keys.Home):
		m.move(-len(m.visible))
	case nav && key.Matches(msg, m.keys.End):
		m.move(len(m.visible))
	case m.filtering:
		if msg.String() == "backspace" && m.input.value == "" {
			// Backspace on an empty filter leaves it, as in most pickers.
			m.stopFilter()
			break
		}
		before := m.input.value
		m.input.key(msg)
		if m.input.value != before {
			m.refilter(false)
		}
	case key.Matches(msg, m.keys.Filter):
		m.startFilter()
	case typed && strings.TrimSpace(msg.Text) != "":
		m.startFilter()
		m.input.key(msg)
		m.refilter(false)
	}
	return m, nil
}

// printable reports whether the key types text rather than commanding.
func printable(msg tea.KeyPressMsg) bool {
	if msg.Text == "" || msg.Mod&(tea.ModCtrl|tea.ModAlt|tea.ModSuper|tea.ModMeta|tea.ModHyper) != 0 {
		return false
	}
	for _, r := range msg.Text {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func (m *Model) startFilter() {
	m.filtering = true
	m.input = filterInput{}
	m.fixOffset()
}

// stopFilter clears the filter and leaves the cursor on the model it was
// on, so a filter is also a way to jump through the list.
func (m *Model) stopFilter() {
	m.filtering = false
	m.input = filterInput{}
	m.refilter(true)
}

// choose selects the cursor's model, or the typed text when the filter
// matches nothing.
func (m Model) choose() (Model, tea.Cmd) {
	q := strings.TrimSpace(m.input.value)
	var id string
	switch {
	case len(m.visible) > 0:
		// The id the row shows: an alias typed or chosen before
		// ("mistral-small-latest") stays that alias, not the dated id the
		// list files it under.
		id = m.pickID(m.visible[m.cursor])
	case m.filtering && q != "":
		id = q
	default:
		return m, nil
	}
	m.filtering = false
	m.input = filterInput{}
	m.SetSelected(id) // also moves the cursor to it, the filter being gone
	return m, selectCmd(id)
}

func selectCmd(id string) tea.Cmd {
	return func() tea.Msg { return SelectedMsg{ID: id} }
}

func (m *Model) load(msg LoadedMsg) {
	keep := m.Cursor()
	m.loaded = true
	m.entries = msg.Entries
	m.errText = ""
	if msg.Err != nil {
		m.errText = untrusted.StripLine(msg.Err.Error())
	}
	m.buildListed()
	switch {
	case m.selRow >= 0 && !m.filtering:
		m.cursorTo(m.selRow)
	case keep != "":
		for i, r := range m.rows {
			if slices.Contains(r.rawIDs, keep) {
				m.cursorTo(i)
			}
		}
	}
}

// move moves the cursor by n rows, stopping at the ends.
func (m *Model) move(n int) {
	if len(m.visible) == 0 {
		return
	}
	m.cursor = min(max(m.cursor+n, 0), len(m.visible)-1)
	m.fixOffset()
}

// cursorTo puts the cursor on rows[i] when it is visible.
func (m *Model) cursorTo(i int) {
	for p, v := range m.visible {
		if v == i {
			m.cursor = p
			m.fixOffset()
			return
		}
	}
}

// page is how many rows a page key moves: about a screenful of two-line
// rows.
func (m Model) page() int { return max(m.listHeight()/2-1, 1) }

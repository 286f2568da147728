// Package diffview shows a unified diff in the studio: added lines in the
// theme's add colour, removed lines in its delete colour, hunk headers
// muted, scrolled with the keys or the wheel. It is used for two prompt
// versions and for a replayed answer against the recorded one.
package diffview

import (
	"mstudio/tui/frame"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mstudio/themes"
	"mstudio/untrusted"
)

// KeyMap holds the view's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom, Close key.Binding
}

// DefaultKeyMap returns the view's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "space", "f"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		Close:    key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc/q", "close the diff")),
	}
}

// ClosedMsg says the user closed the view.
type ClosedMsg struct{}

// Model is a diff on screen.
type Model struct {
	st            *themes.Styles
	keys          KeyMap
	title         string
	lines         []string // styled, one per diff line, cut to width when drawn
	raw           []string
	adds, dels    int
	width, height int
	offset        int
}

// New returns a view of diff (unified format) under title. An empty diff
// shows that the two sides are identical.
func New(st *themes.Styles, title, diff string) Model {
	m := Model{st: st, keys: DefaultKeyMap(), title: title}
	diff = untrusted.Sanitize(strings.ReplaceAll(diff, "\t", "    "))
	if strings.TrimSpace(diff) != "" {
		m.raw = strings.Split(strings.TrimRight(diff, "\n"), "\n")
	}
	m.restyle()
	return m
}

func (m *Model) restyle() {
	m.lines = m.lines[:0]
	m.adds, m.dels = 0, 0
	for _, l := range m.raw {
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
			m.lines = append(m.lines, m.st.Bold.Render(l))
		case strings.HasPrefix(l, "@@"):
			m.lines = append(m.lines, m.st.Info.Render(l))
		case strings.HasPrefix(l, "+"):
			m.adds++
			m.lines = append(m.lines, m.st.DiffAdd.Render(l))
		case strings.HasPrefix(l, "-"):
			m.dels++
			m.lines = append(m.lines, m.st.DiffDel.Render(l))
		default:
			m.lines = append(m.lines, m.st.DiffContext.Render(l))
		}
	}
}

// SetStyles applies a theme.
func (m *Model) SetStyles(st *themes.Styles) { m.st = st; m.restyle() }

// SetSize sets the inner size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 0), max(h, 0)
	m.offset = min(m.offset, m.maxOffset())
}

// Title returns the view's title with its counts.
func (m Model) Title() string {
	if len(m.raw) == 0 {
		return m.title + " · identical"
	}
	return m.title + " · +" + itoa(m.adds) + " −" + itoa(m.dels)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// Identical reports whether there is nothing to show.
func (m Model) Identical() bool { return len(m.raw) == 0 }

func (m Model) maxOffset() int {
	body := m.height - 1 // the key hint line
	return max(len(m.lines)-body, 0)
}

// Update scrolls and closes.
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
		page := max(m.height-2, 1)
		switch {
		case key.Matches(msg, m.keys.Close):
			return m, func() tea.Msg { return ClosedMsg{} }
		case key.Matches(msg, m.keys.Up):
			m.scroll(-1)
		case key.Matches(msg, m.keys.Down):
			m.scroll(1)
		case key.Matches(msg, m.keys.PageUp):
			m.scroll(-page)
		case key.Matches(msg, m.keys.PageDown):
			m.scroll(page)
		case key.Matches(msg, m.keys.Top):
			m.offset = 0
		case key.Matches(msg, m.keys.Bottom):
			m.offset = m.maxOffset()
		}
	}
	return m, nil
}

func (m *Model) scroll(n int) { m.offset = min(max(m.offset+n, 0), m.maxOffset()) }

// View draws exactly width x height cells.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var out []string
	if len(m.lines) == 0 {
		out = append(out, m.st.Muted.Render("The two sides are identical."))
	}
	body := m.height - 1
	for i := m.offset; i < len(m.lines) && len(out) < body; i++ {
		out = append(out, m.lines[i])
	}
	for len(out) < body {
		out = append(out, "")
	}
	out = append(out, m.st.Muted.Render("↑/↓ scroll · g/G top/bottom · esc close"))
	return frame.Block(out, m.width, m.height)
}

// ShortHelp returns the view's main keys.
func (m Model) ShortHelp() []key.Binding { return []key.Binding{m.keys.Down, m.keys.Close} }

// FullHelp returns all the view's keys.
func (m Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Close}}
}

// Package browser is the studio's file browser: the prompts of the prompts
// folder, each with its versions (newest first) and the sessions recorded
// with it, and the unsaved draft kept for it. Enter opens a version, a draft
// or a session; d diffs a version against the
// one marked with space (or against the version before it). The root loads
// the data and acts on the messages; the pane only shows and chooses.
package browser

import (
	"fmt"
	"mstudio/tui/frame"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mstudio/themes"
	"mstudio/untrusted"
)

// Version is one saved version of a prompt.
type Version struct {
	N     int
	Saved time.Time
	Model string
	Note  string
}

// Session is one recorded session of a prompt.
type Session struct {
	Path    string
	Created time.Time
	Runs    int
	Models  []string
}

// Draft is unsaved work kept for a prompt (a fork never saved has only
// this).
type Draft struct {
	Path  string // the draft file
	Saved time.Time
	Model string
}

// Prompt is a prompt with its history.
type Prompt struct {
	Name     string
	Versions []Version // oldest first, as the store lists them
	Sessions []Session // newest first
	Draft    *Draft    // unsaved work kept for it, nil when none
}

// LoadedMsg hands the pane its data.
type LoadedMsg struct {
	Prompts []Prompt
	Err     error
}

// OpenVersionMsg asks the root to open version N of a prompt (0: newest).
type OpenVersionMsg struct {
	Name string
	N    int
}

// OpenDraftMsg asks the root to open a draft's unsaved work.
type OpenDraftMsg struct{ Path string }

// OpenSessionMsg asks the root to open a recorded session.
type OpenSessionMsg struct{ Path string }

// DiffMsg asks the root to show the diff between two versions.
type DiffMsg struct {
	Name string
	A, B int
}

// ClosedMsg says the user left the browser.
type ClosedMsg struct{}

// KeyMap holds the pane's keys.
type KeyMap struct {
	Up, Down, Open, Mark, Diff, Close key.Binding
}

// DefaultKeyMap returns the pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:    key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:  key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Open:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open / expand")),
		Mark:  key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "mark a version to diff")),
		Diff:  key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "diff with the marked (or previous) version")),
		Close: key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "close")),
	}
}

// row kinds
const (
	rowPrompt = iota
	rowVersion
	rowSession
	rowNote
	rowDraft
)

type row struct {
	kind    int
	prompt  int
	version int // index in Versions
	session int // index in Sessions
}

// Model is the browser.
type Model struct {
	st            *themes.Styles
	keys          KeyMap
	prompts       []Prompt
	err           error
	loaded        bool
	open          map[string]bool // expanded prompts
	cursor        int
	offset        int
	marked        *DiffMsg // Name and A set: the marked version
	width, height int
	current       string // the prompt open in the studio
}

// New returns an empty browser.
func New(st *themes.Styles) Model {
	return Model{st: st, keys: DefaultKeyMap(), open: map[string]bool{}}
}

// SetStyles applies a theme.
func (m *Model) SetStyles(st *themes.Styles) { m.st = st }

// SetSize sets the inner size.
func (m *Model) SetSize(w, h int) { m.width, m.height = max(w, 0), max(h, 0) }

// SetCurrent names the prompt open in the studio; it starts expanded.
func (m *Model) SetCurrent(name string) {
	m.current = name
	m.open[name] = true
}

func (m Model) rows() []row {
	var rows []row
	for i, p := range m.prompts {
		rows = append(rows, row{kind: rowPrompt, prompt: i})
		if !m.open[p.Name] {
			continue
		}
		if p.Draft != nil {
			rows = append(rows, row{kind: rowDraft, prompt: i})
		}
		for v := len(p.Versions) - 1; v >= 0; v-- {
			rows = append(rows, row{kind: rowVersion, prompt: i, version: v})
		}
		for s := range p.Sessions {
			rows = append(rows, row{kind: rowSession, prompt: i, session: s})
		}
		if len(p.Versions) == 0 && len(p.Sessions) == 0 && p.Draft == nil {
			rows = append(rows, row{kind: rowNote, prompt: i})
		}
	}
	return rows
}

// Update moves, expands, opens and diffs.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case LoadedMsg:
		m.prompts, m.err, m.loaded = msg.Prompts, msg.Err, true
		m.cursor = 0
		for i, r := range m.rows() {
			if r.kind == rowPrompt && m.prompts[r.prompt].Name == m.current {
				m.cursor = i
			}
		}
		return m, nil
	case tea.KeyPressMsg:
		rows := m.rows()
		switch {
		case key.Matches(msg, m.keys.Close):
			return m, func() tea.Msg { return ClosedMsg{} }
		case key.Matches(msg, m.keys.Up):
			m.cursor = max(m.cursor-1, 0)
		case key.Matches(msg, m.keys.Down):
			m.cursor = min(m.cursor+1, max(len(rows)-1, 0))
		case key.Matches(msg, m.keys.Open) && m.cursor < len(rows):
			return m.openRow(rows[m.cursor])
		case key.Matches(msg, m.keys.Mark) && m.cursor < len(rows) && rows[m.cursor].kind == rowVersion:
			r := rows[m.cursor]
			p := m.prompts[r.prompt]
			m.marked = &DiffMsg{Name: p.Name, A: p.Versions[r.version].N}
		case key.Matches(msg, m.keys.Diff) && m.cursor < len(rows) && rows[m.cursor].kind == rowVersion:
			return m.diffRow(rows[m.cursor])
		}
		m.follow()
	}
	return m, nil
}

func (m Model) openRow(r row) (Model, tea.Cmd) {
	p := m.prompts[r.prompt]
	switch r.kind {
	case rowPrompt:
		m.open[p.Name] = !m.open[p.Name]
		return m, nil
	case rowVersion:
		msg := OpenVersionMsg{Name: p.Name, N: p.Versions[r.version].N}
		return m, func() tea.Msg { return msg }
	case rowSession:
		msg := OpenSessionMsg{Path: p.Sessions[r.session].Path}
		return m, func() tea.Msg { return msg }
	case rowDraft:
		msg := OpenDraftMsg{Path: p.Draft.Path}
		return m, func() tea.Msg { return msg }
	}
	return m, nil
}

func (m Model) diffRow(r row) (Model, tea.Cmd) {
	p := m.prompts[r.prompt]
	b := p.Versions[r.version].N
	a := 0
	switch {
	case m.marked != nil && m.marked.Name == p.Name && m.marked.A != b:
		a = m.marked.A
	case r.version > 0:
		a = p.Versions[r.version-1].N
	default:
		return m, nil // the first version has nothing before it
	}
	if a > b {
		a, b = b, a
	}
	msg := DiffMsg{Name: p.Name, A: a, B: b}
	m.marked = nil
	return m, func() tea.Msg { return msg }
}

// follow keeps the cursor in the window.
func (m *Model) follow() {
	h := max(m.height-1, 1)
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
}

func (m Model) label(r row) string {
	p := m.prompts[r.prompt]
	switch r.kind {
	case rowPrompt:
		arrow := "▸"
		if m.open[p.Name] {
			arrow = "▾"
		}
		extra := "  " + plural(len(p.Versions), "version") + " · " + plural(len(p.Sessions), "session")
		if p.Draft != nil {
			extra += " · unsaved draft"
		}
		name := untrusted.StripLine(p.Name)
		if p.Name == m.current {
			name += " (open)"
		}
		return arrow + " " + m.st.Bold.Render(name) + m.st.Muted.Render(extra)
	case rowVersion:
		v := p.Versions[r.version]
		mark := " "
		if m.marked != nil && m.marked.Name == p.Name && m.marked.A == v.N {
			mark = m.st.Accent.Render("◆")
		}
		text := fmt.Sprintf("  %s v%d  %s  %s", mark, v.N, v.Saved.Local().Format("2006-01-02 15:04"), untrusted.StripLine(v.Model))
		if v.Note != "" {
			text += "  " + m.st.Muted.Render(untrusted.StripLine(v.Note))
		}
		if r.version == len(p.Versions)-1 {
			text += m.st.Success.Render("  newest")
		}
		return text
	case rowDraft:
		d := p.Draft
		return m.st.Warning.Render("    ✎ draft (unsaved) ") + d.Saved.Local().Format("2006-01-02 15:04") + "  " + m.st.Muted.Render(untrusted.StripLine(d.Model))
	case rowSession:
		s := p.Sessions[r.session]
		models := untrusted.StripLine(strings.Join(s.Models, ", "))
		text := "    ● session " + s.Created.Local().Format("2006-01-02 15:04:05")
		if s.Runs > 0 {
			text += "  " + plural(s.Runs, "run")
		}
		if models != "" {
			text += "  " + m.st.Muted.Render(models)
		}
		return text
	}
	return m.st.Muted.Render("    no versions or sessions yet")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// View draws exactly width x height cells.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var lines []string
	switch {
	case !m.loaded:
		lines = append(lines, m.st.Muted.Render("reading the prompts folder…"))
	case m.err != nil:
		lines = append(lines, m.st.Error.Render(untrusted.StripLine(m.err.Error())))
	case len(m.prompts) == 0:
		lines = append(lines, m.st.Muted.Render("No prompts yet: ctrl+s saves the open one."))
	}
	rows := m.rows()
	body := m.height - 1
	for i := m.offset; i < len(rows) && len(lines) < body; i++ {
		l := m.label(rows[i])
		if i == m.cursor {
			l = m.st.Selected.Render(ansi.Strip(l))
		}
		lines = append(lines, l)
	}
	for len(lines) < body {
		lines = append(lines, "")
	}
	lines = append(lines, m.st.Muted.Render("enter open · space mark · d diff · esc close"))
	return frame.Block(lines, m.width, m.height)
}

// FullHelp returns the pane's keys.
func (m Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.Open, k.Mark, k.Diff, k.Close}}
}

// Package matrix is the studio's matrix view: every row of a variables file
// run on every model, as a table of cells (state, latency, tokens, cost, the
// start of the answer) filled in as the runs finish. Enter on a cell asks
// the root to show its whole answer.
package matrix

import (
	"fmt"
	"mstudio/tui/frame"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mstudio/prices"
	"mstudio/session"
	"mstudio/themes"
	"mstudio/untrusted"
)

// Cell is one row on one model: nil Result while it runs.
type Cell struct {
	Result *session.Result
}

// DrillMsg asks the root to show one cell's answer.
type DrillMsg struct{ Row, Col int }

// ClosedMsg says the user left the matrix.
type ClosedMsg struct{}

// KeyMap holds the view's keys.
type KeyMap struct{ Up, Down, Left, Right, Open, Close key.Binding }

// DefaultKeyMap returns the view's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:    key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous cell")),
		Down:  key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next cell")),
		Left:  key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "previous row, same model")),
		Right: key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next row, same model")),
		Open:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "the cell's whole answer")),
		Close: key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "close")),
	}
}

// Model is the matrix view.
type Model struct {
	st            *themes.Styles
	keys          KeyMap
	rows          []map[string]string
	models        []string
	cells         [][]Cell
	row, col      int
	offset        int
	width, height int
}

// New returns a matrix of rows (their variables) by models, all running.
func New(st *themes.Styles, rows []map[string]string, models []string) Model {
	cells := make([][]Cell, len(rows))
	for i := range cells {
		cells[i] = make([]Cell, len(models))
	}
	return Model{st: st, keys: DefaultKeyMap(), rows: rows, models: models, cells: cells}
}

// SetStyles applies a theme.
func (m *Model) SetStyles(st *themes.Styles) { m.st = st }

// SetSize sets the inner size.
func (m *Model) SetSize(w, h int) { m.width, m.height = max(w, 0), max(h, 0) }

// SetResult fills a cell.
func (m *Model) SetResult(row, col int, r session.Result) {
	if row >= 0 && row < len(m.cells) && col >= 0 && col < len(m.models) {
		m.cells[row][col].Result = &r
	}
}

// Result returns a cell's result, nil while it runs.
func (m Model) Result(row, col int) *session.Result {
	if row < 0 || row >= len(m.cells) || col < 0 || col >= len(m.models) {
		return nil
	}
	return m.cells[row][col].Result
}

// Done counts the finished cells.
func (m Model) Done() (done, total, failed int) {
	for _, r := range m.cells {
		for _, c := range r {
			total++
			if c.Result != nil {
				done++
				if c.Result.Err != nil {
					failed++
				}
			}
		}
	}
	return
}

// Update moves the cursor, drills into a cell, closes.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, m.keys.Close):
		return m, func() tea.Msg { return ClosedMsg{} }
	case key.Matches(k, m.keys.Up):
		m.move(-1)
	case key.Matches(k, m.keys.Down):
		m.move(1)
	case key.Matches(k, m.keys.Left):
		m.move(-len(m.models))
	case key.Matches(k, m.keys.Right):
		m.move(len(m.models))
	case key.Matches(k, m.keys.Open):
		d := DrillMsg{Row: m.row, Col: m.col}
		return m, func() tea.Msg { return d }
	}
	return m, nil
}

// move goes n cells through the table, one line a cell (row by row, model
// by model).
func (m *Model) move(n int) {
	i := m.row*len(m.models) + m.col + n
	total := len(m.rows) * len(m.models)
	i = min(max(i, 0), max(total-1, 0))
	if len(m.models) > 0 {
		m.row, m.col = i/len(m.models), i%len(m.models)
	}
	body := max(m.height-3, 1)
	line := m.row*len(m.models) + m.col
	if line < m.offset {
		m.offset = line
	}
	if line >= m.offset+body {
		m.offset = line - body + 1
	}
}

// rowLabel shows a row by its number and values, in name order.
func rowLabel(i int, vars map[string]string) string {
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, k := range names {
		parts = append(parts, vars[k])
	}
	return fmt.Sprintf("%d %s", i+1, untrusted.StripLine(strings.Join(parts, " ")))
}

// View draws the table: one line per cell, exactly the size given.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	done, total, failed := m.Done()
	head := fmt.Sprintf("%d of %d cells done", done, total)
	if failed > 0 {
		head += fmt.Sprintf(" · %d failed", failed)
	}
	lines := []string{m.st.Bold.Render(head), m.st.Muted.Render(fmt.Sprintf("%-18s %-22s %-7s %8s %11s %9s  %s", "row", "model", "state", "latency", "in/out", "cost", "answer"))}
	body := max(m.height-3, 0)
	n := len(m.rows) * len(m.models)
	for i := m.offset; i < n && len(lines) < body+2; i++ {
		r, c := i/len(m.models), i%len(m.models)
		lines = append(lines, m.cellLine(r, c, r == m.row && c == m.col))
	}
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	lines = append(lines, m.st.Muted.Render("↑/↓ cells · enter the whole answer · esc close"))
	return frame.Block(lines, m.width, m.height)
}

func (m Model) cellLine(r, c int, selected bool) string {
	label := ansi.Truncate(rowLabel(r, m.rows[r]), 18, "…")
	model := ansi.Truncate(untrusted.StripLine(m.models[c]), 22, "…")
	res := m.cells[r][c].Result
	state, latency, tokens, cost, answer := "running", "", "", "", ""
	if res != nil {
		state = "ok"
		if res.Err != nil {
			state, answer = "error", untrusted.StripLine(res.Err.Error())
		} else {
			answer = untrusted.StripLine(strings.Join(strings.Fields(res.Content()), " "))
		}
		latency = res.Latency.Round(time.Millisecond).String()
		if res.Usage != nil {
			tokens = fmt.Sprintf("%d/%d", res.Usage.PromptTokens, res.Usage.CompletionTokens)
		}
		if res.CostKnown {
			cost = prices.Format(res.CostUSD)
		}
	}
	line := fmt.Sprintf("%-18s %-22s %-7s %8s %11s %9s  %s", label, model, state, latency, tokens, cost, answer)
	switch {
	case selected:
		return m.st.Selected.Render(line)
	case state == "error":
		return m.st.Error.Render(line)
	case state == "running":
		return m.st.Muted.Render(line)
	}
	return line
}

// FullHelp returns the view's keys.
func (m Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.Left, k.Right, k.Open, k.Close}}
}

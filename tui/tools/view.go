package tools

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// emptyText is what the pane says before any call.
const emptyText = "No tool calls yet. Prompts with toolDefs call tools when you run them."

// View draws exactly the size given to SetSize. Rows are laid out and
// cached when calls, choices or the width change, so a frame only picks the
// visible rows and pads them: its cost follows the pane's height, not the
// size of any result.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lines := make([]string, 0, m.height)
	if len(m.calls) == 0 {
		for _, l := range strings.Split(ansi.Wrap(emptyText, m.width, ""), "\n") {
			lines = append(lines, m.st.Muted.Render(l))
		}
	}
	for r := m.offset; r < len(m.rows) && len(lines) < m.height; r++ {
		row := m.rows[r]
		l := row.line
		if row.head && row.call == m.cursor && m.focused {
			l = row.sel
		}
		lines = append(lines, l)
	}
	var out strings.Builder
	for i := range m.height {
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		w := ansi.StringWidth(l)
		if w > m.width {
			l = ansi.Truncate(l, m.width, "…")
			w = ansi.StringWidth(l)
		}
		out.WriteString(l)
		if w < m.width {
			out.WriteString(strings.Repeat(" ", m.width-w))
		}
		if i < m.height-1 {
			out.WriteByte('\n')
		}
	}
	return out.String()
}

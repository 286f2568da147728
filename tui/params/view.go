package params

import (
	"mstudio/tui/frame"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"mstudio/api"
	"mstudio/untrusted"
)

// View draws the pane in exactly the size given by SetSize: the rows, then
// the focused parameter's help and range at the bottom.
func (m Model) View() string {
	w, h := m.width, m.height
	if h <= 0 {
		return ""
	}
	listH := m.listHeight()
	lines := make([]string, 0, h)
	for i := m.scrolled(); i < len(m.params) && len(lines) < listH; i++ {
		lines = append(lines, m.rowLines(i, w)...)
	}
	if len(lines) > listH {
		lines = lines[:listH]
	}
	for len(lines) < listH {
		lines = append(lines, "")
	}
	return finish(append(lines, m.detail(w)...), w, h)
}

// detailHeight is how many lines the help at the bottom takes: a rule and
// two lines, or as many as the focused row's help wraps to so that every
// allowed value can be read, leaving the list four rows at least; one line
// on a short pane, none on a tiny one.
func (m Model) detailHeight() int {
	switch {
	case m.height >= 8:
		n := len(wrap(m.helpText(m.params[m.cursor]), m.width))
		return 1 + min(max(n, 2), max(m.height-1-4, 2))
	case m.height >= 5:
		return 1
	}
	return 0
}

func (m Model) listHeight() int { return max(m.height-m.detailHeight(), 0) }

// helpText is a parameter's help and its allowed values, with what the
// prompt adds: its tools for tool_choice, its schema for response_format.
func (m Model) helpText(p api.Param) string {
	text := p.Help + " · " + p.Range()
	switch p.Kind {
	case api.KindToolChoice:
		if len(m.tools) > 0 {
			text += " · the prompt's tools: " + strings.Join(m.tools, ", ")
		}
	case api.KindFormat:
		if f := m.base.ResponseFormat; f != nil && f.JSONSchema != nil {
			text += " · the prompt's output: json_schema:" + f.JSONSchema.Name
		}
	}
	if m.Changed(p.Name) {
		own, _ := p.Get(&m.base)
		text += " · changed from the prompt's " + own
	}
	// Tool and schema names come from prompt files.
	return untrusted.StripLine(text)
}

// detail is the focused parameter's help and valid values, wrapped under
// a rule: on a narrow pane the help would not fit on one line.
func (m Model) detail(w int) []string {
	st := m.st
	n := m.detailHeight()
	if n == 0 {
		return nil
	}
	p := m.params[m.cursor]
	text := m.helpText(p)
	var lines []string
	if n > 1 {
		lines = append(lines, st.Subtle.Render(strings.Repeat("─", w)))
		n--
	}
	wrapped := wrap(text, w)
	if len(wrapped) > n {
		wrapped = wrapped[:n]
		wrapped[n-1] = ansi.Truncate(wrapped[n-1], max(w-1, 0), "") + "…"
	}
	for _, l := range wrapped {
		lines = append(lines, st.Muted.Render(l))
	}
	return lines
}

// nameWidth is the width of the name column: the longest name, cut when
// the pane is narrow so that "default" still fits beside it.
func (m Model) nameWidth(w int) int {
	longest := 0
	for _, p := range m.params {
		longest = max(longest, len(p.Name))
	}
	return max(min(longest, w-2-1-len(api.DefaultWord)), 1)
}

// rowLines draws parameter i: its marker, name and value, or the editor
// and the error of the text typed so far.
func (m Model) rowLines(i, w int) []string {
	st := m.st
	p := m.params[i]
	cur := i == m.cursor
	nameW := m.nameWidth(w)
	valueW := max(w-2-nameW-1, 0)
	name := fit(p.Name, nameW)
	v, set := p.Get(&m.req)
	// Values come from prompt files, which may come from anywhere.
	v = untrusted.StripLine(v)

	if cur && m.editing {
		lines := []string{st.Accent.Render("▸ ") + st.Bold.Render(name) + " " + m.edit.view(st, m.focused, valueW)}
		if m.editErr != "" {
			for _, l := range wrap("✗ "+untrusted.StripLine(m.editErr), max(w-2, 1)) {
				lines = append(lines, "  "+st.Error.Render(l))
			}
		}
		return lines
	}
	if cur && m.focused {
		if set {
			return []string{st.Selected.Render(fit("▸ "+name+" "+v, w))}
		}
		// On the selection's background the muted colour would not read;
		// italics keep "default" distinct from a value set to that word.
		lead := "▸ " + name + " "
		return []string{st.Selected.Render(lead) +
			st.Selected.Italic(true).Render(fit(v, max(w-ansi.StringWidth(lead), 0)))}
	}
	valueStyle := st.Text
	switch {
	case m.Changed(p.Name):
		valueStyle = st.Accent // changed here: sent over the prompt's own value
	case !set:
		valueStyle = st.Muted
	}
	value := valueStyle.Render(ansi.Truncate(v, valueW, "…"))
	if cur {
		return []string{st.Accent.Render("▸ ") + st.Bold.Render(name) + " " + value}
	}
	return []string{"  " + st.Text.Render(name) + " " + value}
}

// scrolled returns the first row to draw: the stored offset moved just
// enough that the cursor's row, with its error lines, is on screen.
func (m Model) scrolled() int {
	listH := m.listHeight()
	curH := len(m.rowLines(m.cursor, m.width))
	off := min(max(m.offset, 0), m.cursor)
	if m.cursor-off+curH > listH {
		off = max(m.cursor+curH-listH, 0)
		off = min(off, m.cursor)
	}
	// No empty space under the last row while rows above are hidden.
	if rows := len(m.params) - 1 + curH; off > 0 && rows-off < listH {
		off = max(rows-listH, 0)
	}
	return off
}

// fixOffset stores the scroll position View would use, so that scrolling
// keeps its place from one key to the next.
func (m *Model) fixOffset() { m.offset = m.scrolled() }

// wrap breaks plain text into lines of at most w cells, at spaces only
// (ansi.Wrap also breaks after hyphens, which would split "-2 … 2"); a word
// longer than a line is cut across lines.
func wrap(s string, w int) []string {
	if w <= 0 {
		return []string{s}
	}
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case ansi.StringWidth(line)+1+ansi.StringWidth(word) <= w:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
		for ansi.StringWidth(line) > w {
			lines = append(lines, ansi.Truncate(line, w, ""))
			line = ansi.TruncateLeft(line, w, "")
		}
	}
	return append(lines, line)
}

// fit cuts or pads a line to exactly w cells.
func fit(s string, w int) string { return frame.FitLine(s, w) }

// finish makes exactly h lines of exactly w cells.
func finish(lines []string, w, h int) string { return frame.Block(lines, w, h) }

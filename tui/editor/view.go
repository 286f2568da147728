package editor

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mstudio/api"
)

// kind is how a section is drawn.
type kind int

const (
	kindSystem kind = iota
	kindUser
	kindAssistant
	kindVars
)

var labels = [...]string{kindSystem: "system", kindUser: "user", kindAssistant: "assistant", kindVars: "vars"}

// shortLabels stand in when the gutter is too narrow for the full ones: a
// cut "syste" reads worse than "sys".
var shortLabels = [...]string{kindSystem: "sys", kindUser: "user", kindAssistant: "asst", kindVars: "vars"}

// placeholders are shown in the focused textarea while it is empty.
var placeholders = [...]string{
	kindSystem:    "System prompt (optional)",
	kindUser:      "User message…",
	kindAssistant: "Assistant reply, as an example for the model…",
}

// gutterMax is the label column: "assistant" and a space.
const gutterMax = 10

func (m *Model) kind(sec int) kind {
	switch {
	case sec == 0:
		return kindSystem
	case m.isTurn(sec) && m.turns[sec-1].Role == api.RoleAssistant:
		return kindAssistant
	case m.isTurn(sec):
		return kindUser
	}
	return kindVars
}

// gutter is the width of the label column; it shrinks on a narrow pane so
// the text keeps most of the room.
func (m *Model) gutter() int { return min(gutterMax, m.w/3) }

// textWidth is the width of the text right of the labels.
func (m *Model) textWidth() int { return max(0, m.w-m.gutter()) }

// SetSize sets the inside size the pane draws in.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = max(0, w), max(0, h)
	m.sizeWidgets()
	m.scroll()
}

// sizeWidgets fits the widgets to the pane. The textarea grows with its
// text up to all but two rows of the pane, so that the sections around the
// one being typed in stay in sight.
func (m *Model) sizeWidgets() {
	tw := m.textWidth()
	m.ta.MaxHeight = max(1, m.h-2)
	m.ta.SetWidth(max(1, tw))
	if m.inVars() && len(m.vars) > 0 {
		m.ti.SetWidth(max(1, tw-ansi.StringWidth(m.focusedVar())-4)) // " = " and the cursor's cell
		m.ti.SetCursor(m.ti.Position())                              // re-scrolls the text to the new width
	}
}

// blockHeight is how many rows section sec takes.
func (m *Model) blockHeight(sec int) int {
	switch {
	case sec == m.sec && !m.inVars():
		return m.ta.Height()
	case sec == m.varsSec():
		return max(1, len(m.vars))
	}
	return len(m.cachedLines(sec))
}

// scroll moves the view so that the focused section, or at least the line
// with the cursor, is in sight, and no space is left empty below the end.
func (m *Model) scroll() {
	if m.h <= 0 {
		m.offset = 0
		return
	}
	start, total := 0, 0
	for sec := 0; sec <= m.varsSec(); sec++ {
		if sec == m.sec {
			start = total
		}
		total += m.blockHeight(sec)
	}
	top, bottom := start, start+m.blockHeight(m.sec)
	if bottom-top > m.h {
		// Only the vars list can be taller than the pane (the textarea is
		// capped below its height): keep the focused variable in sight.
		if m.inVars() {
			top = start + m.varIdx
		}
		bottom = top + 1
	}
	if top < m.offset {
		m.offset = top
	}
	if bottom > m.offset+m.h {
		m.offset = bottom - m.h
	}
	m.offset = max(0, min(m.offset, total-m.h))
}

// View draws the pane: exactly the size given to SetSize.
func (m Model) View() string {
	if m.w <= 0 || m.h <= 0 {
		return strings.Repeat("\n", max(0, m.h-1))
	}
	out := make([]string, 0, m.h)
	row := 0
	for sec := 0; sec <= m.varsSec() && len(out) < m.h; sec++ {
		n := m.blockHeight(sec)
		if row+n <= m.offset {
			row += n
			continue
		}
		lines := m.blockLines(sec)
		from := max(0, m.offset-row)
		for _, l := range lines[min(from, len(lines)):] {
			if len(out) == m.h {
				break
			}
			out = append(out, l)
		}
		row += n
	}
	blank := strings.Repeat(" ", m.w)
	for len(out) < m.h {
		out = append(out, blank)
	}
	return strings.Join(out, "\n")
}

// blockLines draws section sec, every line exactly the pane's width.
func (m *Model) blockLines(sec int) []string {
	switch {
	case sec == m.varsSec():
		return m.varLines()
	case sec == m.sec:
		return m.textareaLines()
	}
	return m.cachedLines(sec)
}

// label draws a section's label in the gutter on its first row, and the
// gutter's blank on the others.
func (m *Model) label(sec int, first bool) string {
	return m.labelFor(m.kind(sec), sec == m.sec && m.focused, first)
}

// labelFor depends only on the kind and the focus, which is why cached lines
// can hold it: the accent marks the section being typed in, and assistant
// turns have their own colour so that a conversation reads at a glance.
func (m *Model) labelFor(k kind, active, first bool) string {
	g := m.gutter()
	if !first || g == 0 {
		return strings.Repeat(" ", g)
	}
	style := m.st.Muted
	switch {
	case active:
		style = m.st.Accent.Bold(true)
	case k == kindAssistant:
		style = m.st.Info
	}
	l := labels[k]
	if len(l) > g-1 {
		l = shortLabels[k]
	}
	return fit(style.Render(ansi.Truncate(l, g-1, "")), g)
}

func (m *Model) textareaLines() []string {
	lines := strings.Split(m.ta.View(), "\n")
	if h := m.ta.Height(); len(lines) > h {
		lines = lines[:h]
	}
	tw := m.textWidth()
	for i, l := range lines {
		lines[i] = m.label(m.sec, i == 0) + fit(l, tw)
	}
	return lines
}

// varLines draws the vars section: one "name = value" line a variable, the
// focused one as a text input, unset ones marked in the warning colour.
func (m *Model) varLines() []string {
	sec, tw := m.varsSec(), m.textWidth()
	if len(m.vars) == 0 {
		return []string{m.label(sec, true) + fit(m.st.Muted.Render("none: write {{name}} in the text"), tw)}
	}
	lines := make([]string, len(m.vars))
	for i, n := range m.vars {
		focused := m.inVars() && i == m.varIdx
		name := m.st.Text.Render(n)
		if focused && m.focused {
			name = m.st.Accent.Render(n)
		}
		var value string
		switch v := m.values[n]; {
		case focused:
			value = m.ti.View()
		case v == "":
			value = m.st.Warning.Render("‹unset›")
		default:
			value = m.st.Text.Render(oneLine(v))
		}
		lines[i] = m.label(sec, i == 0) + fit(name+m.st.Muted.Render(" = ")+value, tw)
	}
	return lines
}

// Cursor is where the terminal's cursor goes, relative to the pane's
// top-left inside cell, or nil when the pane has no focus or the cursor is
// out of sight.
func (m Model) Cursor() *tea.Cursor {
	if !m.focused || m.w <= 0 || m.h <= 0 {
		return nil
	}
	start := 0
	for sec := 0; sec < m.sec; sec++ {
		start += m.blockHeight(sec)
	}
	var c *tea.Cursor
	x := m.gutter()
	if m.inVars() {
		if len(m.vars) == 0 {
			return nil
		}
		c = m.ti.Cursor()
		x += ansi.StringWidth(m.focusedVar()) + 3
		start += m.varIdx
	} else {
		c = m.ta.Cursor()
	}
	if c == nil {
		return nil
	}
	out := *c
	out.Position.X += x
	out.Position.Y += start - m.offset
	if out.X < 0 || out.X >= m.w || out.Y < 0 || out.Y >= m.h {
		return nil
	}
	return &out
}

// fit cuts or pads s to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "")
		sw = ansi.StringWidth(s)
	}
	return s + strings.Repeat(" ", w-sw)
}

// clean makes text from a file safe and measurable to draw: tabs become
// four spaces, as in the textarea, and other control characters (escape
// sequences included) are dropped, so a prompt file cannot move the cursor
// or retitle the terminal.
func clean(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < ' ' && r != '\n' || r == 0x7f || (r >= 0x80 && r < 0xa0) }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteString("    ")
		case r == '\n':
			b.WriteRune(r)
		case r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// oneLine is clean for one-line fields.
func oneLine(s string) string { return strings.ReplaceAll(clean(s), "\n", " ") }

// lineCache keeps the drawn lines of the sections not being edited, keyed
// by what they depend on, so a keystroke does not wrap and style the whole
// prompt again. It is a pointer so that View, on a copy of the model, can
// fill it.
type lineCache struct{ m map[cacheKey][]string }

type cacheKey struct {
	kind  kind
	text  string
	width int
}

func newLineCache() *lineCache { return &lineCache{m: map[cacheKey][]string{}} }

func (c *lineCache) reset() { clear(c.m) }

// cachedLines draws unfocused text section sec, from the cache when it can.
func (m *Model) cachedLines(sec int) []string {
	k := cacheKey{kind: m.kind(sec), text: m.stored(sec), width: m.w}
	if l, ok := m.cache.m[k]; ok {
		return l
	}
	// Entries for texts edited since pile up; drop them all now and then
	// rather than track them.
	if len(m.cache.m) > 2*len(m.turns)+16 {
		m.cache.reset()
	}
	l := m.wrapSection(k.kind, k.text)
	m.cache.m[k] = l
	return l
}

// wrapSection draws a section's text wrapped to the pane, with its label;
// assistant turns are faint, so the user's own words stand out.
func (m *Model) wrapSection(k kind, text string) []string {
	tw := m.textWidth()
	body := m.st.Text
	if k == kindAssistant {
		body = m.st.Text.Faint(true)
	}
	var rows []string
	switch {
	case m.w <= 0:
		return []string{""}
	case text == "":
		empty := "empty"
		if k == kindSystem {
			empty = "none"
		}
		rows = []string{m.st.Placeholder.Render(empty)}
	default:
		for _, l := range strings.Split(ansi.Wrap(clean(text), max(1, tw), ""), "\n") {
			rows = append(rows, body.Render(l))
		}
	}
	for i, r := range rows {
		rows[i] = m.labelFor(k, false, i == 0) + fit(r, tw)
	}
	return rows
}

package models

import (
	"mstudio/tui/frame"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// indent is the width of the "▸● " in front of every row.
const indent = 3

// View draws the pane in exactly the size given by SetSize. Only the rows
// on screen are drawn; every piece of them was prepared when the list or
// the theme changed.
func (m Model) View() string {
	w, h := m.width, m.height
	if h <= 0 {
		return ""
	}
	lines := m.header(w)
	if room := h - len(lines); room > 0 && len(m.visible) > 0 {
		off := m.scrolled()
		for p := off; p < len(m.visible) && room > 0; p++ {
			rl := m.rowLines(p, w)
			if len(rl) > room {
				rl = rl[:room]
			}
			lines = append(lines, rl...)
			room -= len(rl)
		}
	}
	return finish(lines, w, h)
}

// header is the filter line and any status above the list: loading, the
// load error, or what enter does when nothing matches.
func (m Model) header(w int) []string {
	st := m.st
	var lines []string
	if m.filtering || m.height >= 3 {
		lines = append(lines, m.filterLine(w))
	}
	var status []string
	q := strings.TrimSpace(m.input.value)
	switch {
	case !m.loaded:
		status = []string{st.Muted.Render("loading models…")}
	case m.errText != "":
		for _, l := range wrap(m.errText, w) {
			status = append(status, st.Error.Render(l))
		}
		for _, l := range wrap("type any model id and press enter to use it", w) {
			status = append(status, st.Muted.Render(l))
		}
	case m.filtering && q != "" && len(m.visible) == 0:
		for _, l := range wrap("no match; enter uses "+strconv.Quote(q)+" as the model id", w) {
			status = append(status, st.Muted.Render(l))
		}
	case len(m.entries) == 0 && !m.filtering:
		for _, l := range wrap("the endpoint lists no models; type any id", w) {
			status = append(status, st.Muted.Render(l))
		}
	}
	// Leave the list two lines when there is room for them: the chosen
	// model's row matters more than the end of a long error.
	if most := max(m.height-len(lines)-2, 1); len(status) > most {
		status = status[:most]
		status[most-1] = ansi.Truncate(status[most-1], max(w-1, 0), "") + st.Muted.Render("…")
	}
	return append(lines, status...)
}

func (m Model) filterLine(w int) string {
	st := m.st
	if m.filtering {
		return st.Accent.Render("/ ") + m.input.view(st, m.focused, "id, name or capability", w-2)
	}
	left := st.Muted.Render("/ filter")
	if !m.loaded || len(m.entries) == 0 {
		return left
	}
	n := len(m.entries)
	right := strconv.Itoa(n) + " models"
	if n == 1 {
		right = "1 model"
	}
	gap := w - ansi.StringWidth(left) - len(right)
	if gap < 1 {
		return left
	}
	return left + strings.Repeat(" ", gap) + st.Subtle.Render(right)
}

// listHeight is the number of lines left for rows under the header.
func (m Model) listHeight() int { return max(m.height-len(m.header(m.width)), 0) }

// rowLines draws the row at position p of the visible list: the id line,
// then the second line of badges, context and price. The cursor's row shows
// all of its second line, wrapped, and the aliases under it.
func (m Model) rowLines(p, w int) []string {
	st := m.st
	ri := m.visible[p]
	r := &m.rows[ri]
	cur := p == m.cursor
	marker, dot := " ", " "
	if cur {
		marker = "▸"
	}
	if ri == m.selRow {
		dot = "●"
	}

	// The chosen model shows under the id it was chosen by: someone who
	// picked mistral-small-latest should see that, not the dated id.
	shown := r.id
	if i := m.pickIndex(ri); i > 0 && i < len(r.names) {
		shown = r.names[i]
	}
	var first string
	switch {
	case cur && m.focused:
		first = st.Selected.Render(fit(marker+dot+" "+shown, w))
	default:
		idStyle := st.Text
		switch {
		case cur:
			idStyle = st.Bold
		case r.dim:
			idStyle = st.Muted
		}
		lead := "   "
		if cur || ri == m.selRow {
			lead = st.Accent.Render(marker+dot) + " "
		}
		first = lead + idStyle.Render(shown)
	}
	lines := []string{first}

	pad := strings.Repeat(" ", indent)
	if !cur {
		if r.meta != "" {
			lines = append(lines, pad+r.meta)
		}
		return lines
	}
	avail := max(w-indent, 1)
	for _, l := range pack(r.segs, avail) {
		lines = append(lines, pad+l)
	}
	var aka []string
	for _, n := range r.names {
		if n != shown {
			aka = append(aka, n)
		}
	}
	detail := r.detail
	if len(aka) > 0 {
		detail = append([]string{"aka " + strings.Join(aka, ", ")}, detail...)
	}
	for _, d := range detail {
		for _, l := range wrap(d, avail) {
			lines = append(lines, pad+st.Muted.Render(l))
		}
	}
	return lines
}

// pack lays styled pieces out in lines of at most w cells, one space
// apart, breaking only between pieces.
func pack(segs []string, w int) []string {
	var lines []string
	var cur strings.Builder
	used := 0
	for _, s := range segs {
		sw := ansi.StringWidth(s)
		if sw > w {
			s, sw = ansi.Truncate(s, w, "…"), w
		}
		if used > 0 && used+1+sw > w {
			lines = append(lines, cur.String())
			cur.Reset()
			used = 0
		}
		if used > 0 {
			cur.WriteByte(' ')
			used++
		}
		cur.WriteString(s)
		used += sw
	}
	if used > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// scrolled returns the first visible row to draw: the stored offset moved
// just enough that the cursor's whole row is on screen and no space is
// left empty under the last row while rows above are hidden.
func (m Model) scrolled() int {
	n := len(m.visible)
	if n == 0 {
		return 0
	}
	listH := m.listHeight()
	w := m.width
	height := func(p int) int {
		if p == m.cursor {
			return len(m.rowLines(p, w))
		}
		if m.rows[m.visible[p]].meta != "" {
			return 2
		}
		return 1
	}
	off := min(max(m.offset, 0), m.cursor)
	used := 0
	for p := off; p <= m.cursor; p++ {
		used += height(p)
	}
	for off < m.cursor && used > listH {
		used -= height(off)
		off++
	}
	for p := m.cursor + 1; p < n && used <= listH; p++ {
		used += height(p)
	}
	for off > 0 && used+height(off-1) <= listH {
		off--
		used += height(off)
	}
	return off
}

// fixOffset stores the scroll position View would use, so that scrolling
// keeps its place from one key to the next.
func (m *Model) fixOffset() {
	if m.cursor >= len(m.visible) {
		m.cursor = max(len(m.visible)-1, 0)
	}
	m.offset = m.scrolled()
}

// wrap breaks plain text into lines of at most w cells.
func wrap(s string, w int) []string {
	if w <= 0 {
		return []string{s}
	}
	return strings.Split(ansi.Wrap(s, w, " -"), "\n")
}

// fit cuts or pads a line to exactly w cells.
func fit(s string, w int) string { return frame.FitLine(s, w) }

// finish makes exactly h lines of exactly w cells.
func finish(lines []string, w, h int) string { return frame.Block(lines, w, h) }

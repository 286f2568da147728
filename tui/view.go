package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"mstudio/tui/frame"
)

// Below these sizes the side panes fold away: they come back over the main
// area when focused.
const (
	wideMin   = 96
	minWidth  = 30
	minHeight = 10
)

// rect is a pane's outer box on the screen.
type rect struct{ x, y, w, h int }

// wide reports whether the side column fits beside the main one.
func (m Model) wide() bool { return m.width >= wideMin }

// boxes computes every pane's outer box from the window size. Sizes cascade
// from here into the panes; nothing else decides them.
func (m Model) boxes() (models, params, editor, response rect) {
	models, params, editor, response, _ = m.allBoxes()
	return
}

// allBoxes adds the tools pane's box, under the answer when it is shown.
func (m Model) allBoxes() (models, params, editor, response, tools rect) {
	h := max(m.height-1, 0) // the status line
	mainX, mainW := 0, m.width
	if m.wide() {
		sideW := min(max(m.width*28/100, 30), 44)
		modelsH := h * 55 / 100
		models = rect{0, 0, sideW, modelsH}
		params = rect{0, modelsH, sideW, h - modelsH}
		mainX, mainW = sideW, m.width-sideW
	} else {
		// folded: a focused side pane takes the whole main area
		models = rect{0, 0, m.width, h}
		params = rect{0, 0, m.width, h}
	}
	editorH := min(max(h*40/100, 6), h)
	editor = rect{mainX, 0, mainW, editorH}
	response = rect{mainX, editorH, mainW, h - editorH}
	if m.showTools() && h-editorH >= 10 {
		toolsH := max((h-editorH)*40/100, 4)
		response.h -= toolsH
		tools = rect{mainX, editorH + response.h, mainW, toolsH}
	}
	return
}

// layout hands every pane its inner size.
func (m *Model) layout() {
	if m.width <= 0 || m.height <= 0 {
		return
	}
	mo, pa, ed, re, to := m.allBoxes()
	m.tools.SetSize(frame.Inner(to.w, to.h))
	m.compare.SetSize(re.w, re.h) // the columns draw their own frames
	m.compare.SetOrigin(re.x)
	m.models.SetSize(frame.Inner(mo.w, mo.h))
	m.params.SetSize(frame.Inner(pa.w, pa.h))
	m.editor.SetSize(frame.Inner(ed.w, ed.h))
	m.response.SetSize(frame.Inner(re.w, re.h))
	m.status.SetWidth(m.width)
	m.layoutOverlays()
}

func (m Model) titles() (models, params, editor, response string) {
	models = "Models"
	params = m.paramsTitle() // a compare column's, or the prompt's
	editor = "Prompt · " + m.prompt.Name + m.versionLabel()
	if m.unsaved() {
		editor += " (edited)"
	}
	response = "Answer"
	if n := m.response.ModelName(); n != "" {
		response += " · " + n
	}
	return
}

// View composes the panes. Every frame is drawn at its exact size, so the
// screen never garbles, whatever the size.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "mstudio · " + m.prompt.Name
	if !m.help && m.focus == paneEditor && m.width >= minWidth && m.height >= minHeight {
		if c := m.editor.Cursor(); c != nil {
			_, _, ed, _ := m.boxes()
			c.X += ed.x + 1
			c.Y += ed.y + 1
			v.Cursor = c
		}
	}
	return v
}

func (m Model) render() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.width < minWidth || m.height < minHeight {
		return frame.Fit(m.st.Warning.Render("The window is too small for mstudio.")+"\n"+
			m.st.Muted.Render("Make it at least 30×10."), m.width, m.height)
	}
	if len(m.asks) > 0 {
		return frame.Render(m.st, "The conversation waits for you", true, m.width, m.height-1, m.askView()) + "\n" + m.status.View()
	}
	if m.trustOffer != nil {
		return frame.Fit(m.trustView(), m.width, m.height-1) + "\n" + m.status.View()
	}
	if m.draftOffer != nil {
		return frame.Fit(m.draftView(), m.width, m.height-1) + "\n" + m.status.View()
	}
	if m.help {
		return frame.Fit(m.helpView(), m.width, m.height-1) + "\n" + m.status.View()
	}
	if m.diff != nil {
		return frame.Render(m.st, "Diff · "+m.diff.Title(), true, m.width, m.height-1, m.diff.View()) + "\n" + m.status.View()
	}
	if m.cell != nil {
		return frame.RenderExact(m.st, "Cell · "+m.cell.ModelName()+" · esc back to the matrix", true, m.width, m.height-1, m.cell.View()) + "\n" + m.status.View()
	}
	if m.mtxOpen && m.mtx != nil {
		return frame.Render(m.st, "Matrix · ctrl+r runs it again", true, m.width, m.height-1, m.mtx.View()) + "\n" + m.status.View()
	}
	if m.browsing {
		return frame.Render(m.st, "Prompts · versions · sessions", true, m.width, m.height-1, m.browser.View()) + "\n" + m.status.View()
	}
	mo, pa, ed, re, to := m.allBoxes()
	tm, tp, te, tr := m.titles()
	// While an answer streams only the answer pane changes: the other
	// frames come from the cache, which any other message clears.
	c := m.frames
	key := fmt.Sprintf("%dx%d|%d|%s|%s|%s|%p", m.width, m.height, m.focus, tm, tp, te, m.st)
	if c.key != key {
		*c = frameCache{key: key}
	}
	if c.editor == "" {
		c.editor = frame.Render(m.st, te, m.focus == paneEditor, ed.w, ed.h, m.editor.View())
	}
	var responseBox string
	if m.comparing() {
		responseBox = m.compare.View()
	} else {
		responseBox = frame.RenderExact(m.st, tr, m.focus == paneResponse, re.w, re.h, m.response.View())
	}
	main := c.editor + "\n" + responseBox
	if to.h > 0 {
		main += "\n" + frame.Render(m.st, m.tools.Title(), m.focus == paneTools, to.w, to.h, m.tools.View())
	}
	var body string
	switch {
	case m.wide():
		if c.side == "" {
			c.side = frame.Render(m.st, tm, m.focus == paneModels, mo.w, mo.h, m.models.View()) + "\n" +
				frame.Render(m.st, tp, m.focus == paneParams, pa.w, pa.h, m.params.View())
		}
		body = joinColumns(c.side, main)
	case m.focus == paneModels:
		body = frame.Render(m.st, tm+" · tab to leave", true, mo.w, mo.h, m.models.View())
	case m.focus == paneParams:
		body = frame.Render(m.st, tp+" · tab to leave", true, pa.w, pa.h, m.params.View())
	default:
		body = main
	}
	return body + "\n" + m.status.View()
}

// frameCache keeps the framed panes that do not change while an answer
// streams. It is shared by the copies of the model (a pointer), and cleared
// by Update for every message that is not part of a run.
type frameCache struct {
	key          string
	side, editor string
}

func (c *frameCache) clear() { *c = frameCache{} }

// joinColumns puts two blocks of equal height side by side. Every line of a
// frame is exactly its width, so no line needs measuring.
func joinColumns(left, right string) string {
	l := strings.Split(left, "\n")
	r := strings.Split(right, "\n")
	var b strings.Builder
	b.Grow(len(left) + len(right))
	for i := 0; i < len(l) || i < len(r); i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(l) {
			b.WriteString(l[i])
		}
		if i < len(r) {
			b.WriteString(r[i])
		}
	}
	return b.String()
}

// draftView asks what to do with unsaved work found at start.
func (m Model) draftView() string {
	d := m.draftOffer
	return m.st.Warning.Render("Unsaved work was found for "+m.draftID()) + "\n\n" +
		m.st.Text.Render("It was kept "+d.Saved.Local().Format("2006-01-02 15:04")+", when the studio stopped without saving it.") + "\n\n" +
		"  " + m.st.HelpKey.Render("r") + "  " + m.st.HelpDesc.Render("restore it (still unsaved)") + "\n" +
		"  " + m.st.HelpKey.Render("x") + "  " + m.st.HelpDesc.Render("discard it") + "\n" +
		"  " + m.st.HelpKey.Render("any other key") + "  " + m.st.HelpDesc.Render("open the saved prompt and keep the draft for later")
}

// helpView lists the global keys and the focused pane's keys.
func (m Model) helpView() string {
	var b strings.Builder
	section := func(title string, keys []key.Binding) {
		b.WriteString(m.st.Bold.Render(title) + "\n")
		for _, k := range keys {
			if !k.Enabled() || k.Help().Key == "" {
				continue
			}
			b.WriteString("  " + m.st.HelpKey.Render(padRight(k.Help().Key, 14)) + m.st.HelpDesc.Render(k.Help().Desc) + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString(m.st.Accent.Render("mstudio · keys") + m.st.Muted.Render("   (any key closes this)") + "\n\n")
	section("Everywhere", m.keys.global())
	name, groups := m.focusedHelp()
	var keys []key.Binding
	for _, g := range groups {
		keys = append(keys, g...)
	}
	section(name, keys)
	return b.String()
}

func (m Model) focusedHelp() (string, [][]key.Binding) {
	switch m.focus {
	case paneModels:
		return "Models pane", m.models.FullHelp()
	case paneParams:
		return "Parameters pane", m.params.FullHelp()
	case paneResponse:
		return "Answer pane", m.response.FullHelp()
	case paneTools:
		return "Tool calls pane", m.tools.FullHelp()
	case paneCompare:
		return "Comparison (X closes it)", m.compare.FullHelp()
	}
	return "Prompt editor", m.editor.FullHelp()
}

func padRight(s string, n int) string {
	if w := lipgloss.Width(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s + " "
}

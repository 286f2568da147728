package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"mstudio/tui/diffview"
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
		// labelled when drawn: an agent's name may come with the model
		// list after its run (a session reopened at start)
		id, rest, _ := strings.Cut(n, " · ")
		response += " · " + m.label(id)
		if rest != "" {
			response += " · " + rest
		}
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
	if m.dialogs.Top() == nil && m.focus == paneEditor && m.width >= minWidth && m.height >= minHeight {
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
	status := m.status
	hint := m.helpHint()
	status.SetHint(hint)
	if d := m.dialogs.Top(); d != nil {
		status.SetDialogHint(hint)
		return m.dialogView(d) + "\n" + status.View()
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
	return body + "\n" + status.View()
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

// helpText lists every key: the global ones, the focused pane's, then
// every other pane's and dialog's, so each is reachable from anywhere (the
// help dialog scrolls).
func (m Model) helpText(width int) string {
	var b strings.Builder
	const keyW = 14
	descW := max(width-keyW-3, 10)
	wrap := lipgloss.NewStyle().Width(descW)
	section := func(title string, keys []key.Binding) {
		b.WriteString(m.st.Bold.Render(title) + "\n")
		for _, k := range keys {
			if k.Help().Key == "" {
				continue
			}
			// descriptions wrap under themselves, so none is cut at 80x24
			for i, l := range strings.Split(wrap.Render(k.Help().Desc), "\n") {
				lead := strings.Repeat(" ", keyW)
				if i == 0 {
					lead = padRight(k.Help().Key, keyW)
				}
				b.WriteString("  " + m.st.HelpKey.Render(lead) + m.st.HelpDesc.Render(strings.TrimRight(l, " ")) + "\n")
			}
		}
		b.WriteString("\n")
	}
	b.WriteString(lipgloss.NewStyle().Width(max(width, 10)).Render(m.st.Muted.Render("↓/j, pgdn and space scroll · esc, ? or f1 close · ? is typed in text fields: f1 works everywhere")) + "\n\n")
	section("Everywhere", m.keys.global())
	focused, groups := m.focusedHelp()
	section(focused+" (focused)", flatten(groups))
	for _, p := range []pane{paneEditor, paneResponse, paneCompare, paneTools, paneModels, paneParams} {
		if p == m.focus {
			continue
		}
		name, groups := m.paneHelp(p)
		section(name, flatten(groups))
	}
	section("Browser (ctrl+l)", flatten(m.browser.FullHelp()))
	section("Diff view", flatten(diffview.New(m.st, "", "").FullHelp()))
	if m.mtx != nil {
		section("Matrix (M)", flatten(m.mtx.FullHelp()))
	}
	k := m.dkeys
	section("Unsaved work (asked before it is replaced)", []key.Binding{k.Save, k.Discard, k.KeepDraft, k.Stay})
	section("Step mode and tools answered by hand", []key.Binding{k.StepGo, stepKeys.Edit, stepKeys.Send, k.StepStop, k.AskSend, k.AskSkip})
	section("A session opened (ctrl+l)", []key.Binding{groupKeys.Next, groupKeys.Prev})
	return strings.TrimRight(b.String(), "\n")
}

func (m Model) focusedHelp() (string, [][]key.Binding) { return m.paneHelp(m.focus) }

func (m Model) paneHelp(p pane) (string, [][]key.Binding) {
	switch p {
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

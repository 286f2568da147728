// Package response is the studio's answer pane: the model's answer streams
// in as rendered markdown (finished blocks rendered once, the unfinished tail
// at most about 30 times a second), the thinking shown apart and
// collapsible, auto-follow only while the view is at the bottom, scrolling
// with keys and the wheel, and copying the answer or its last code block
// through OSC 52.
//
// Everything the model writes passes through untrusted.Writer before it is
// rendered, so an escape sequence in an answer can never reach the terminal.
package response

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"mstudio/themes"
	"mstudio/tui/markdown"
	"mstudio/untrusted"
)

// State is where the answer is in its life.
type State int

// States.
const (
	Idle State = iota
	Waiting
	Streaming
	Done
	Cancelled
	Failed
)

// TailInterval is the least time between two renders of the unfinished
// tail: about 30 frames a second, which is as fast as anyone reads.
const TailInterval = 33 * time.Millisecond

// DeltaMsg carries new answer text and thinking into the pane; the root
// turns each stream event into one.
type DeltaMsg struct{ Content, Thinking string }

// flushMsg asks for the pending tail to be rendered.
type flushMsg struct{ gen int }

// Owns reports whether msg is one of the pane's own timing messages, which
// change nothing but this pane.
func Owns(msg tea.Msg) bool {
	_, ok := msg.(flushMsg)
	return ok
}

// KeyMap holds the pane's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	ToggleThinking, Copy, CopyCode          key.Binding
}

// DefaultKeyMap returns the pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:             key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:           key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:         key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "page up")),
		PageDown:       key.NewBinding(key.WithKeys("pgdown", "space", "f"), key.WithHelp("pgdn", "page down")),
		Top:            key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:         key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom, follow")),
		ToggleThinking: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "show/hide thinking")),
		Copy:           key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy answer")),
		CopyCode:       key.NewBinding(key.WithKeys("Y"), key.WithHelp("Y", "copy last code block")),
	}
}

// Model is the answer pane.
type Model struct {
	st      *themes.Styles
	keys    KeyMap
	md      *markdown.Renderer
	clean   *untrusted.Writer
	cleaned *bytes.Buffer

	// thinking is a pointer because the pane is copied by value on every
	// Update: a strings.Builder that has been written to panics when a
	// copy of it is written to again.
	thinking      *strings.Builder
	thinkingLines []string
	thinkingWidth int
	thinkingDirty bool
	showThinking  bool

	width, height int
	offset        int
	follow        bool
	focused       bool

	// headLines and footLines are the thinking section and the end-state
	// lines, built when they change rather than on every frame.
	headLines, footLines []string

	state    State
	model    string
	errText  string
	finish   string // the finish reason, shown in the end line
	gen      int    // run generation: stale flush ticks are dropped
	lastTail time.Time
	pending  bool
	now      func() time.Time
}

// New returns an empty answer pane.
func New(st *themes.Styles) Model {
	buf := &bytes.Buffer{}
	return Model{
		st: st, keys: DefaultKeyMap(), md: markdown.New(st.Markdown, 40), thinking: &strings.Builder{},
		clean: untrusted.NewWriter(buf), cleaned: buf, follow: true, now: time.Now,
	}
}

// SetStyles applies a theme: the markdown is rendered again in its colours.
func (m *Model) SetStyles(st *themes.Styles) {
	m.st = st
	m.md.SetStyle(st.Markdown)
	m.thinkingDirty = true
	m.refresh()
}

// SetSize sets the inner size of the pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 0), max(h, 0)
	m.md.SetWidth(max(w-1, 10)) // one column for the scroll bar
	m.thinkingDirty = true
	m.refresh()
}

// Focus gives the pane the keyboard.
func (m *Model) Focus() { m.focused = true }

// Blur takes the keyboard away.
func (m *Model) Blur() { m.focused = false }

// Focused reports whether the pane has the keyboard.
func (m Model) Focused() bool { return m.focused }

// Capturing is always false: the pane takes no typed text.
func (m Model) Capturing() bool { return false }

// State returns where the answer is.
func (m Model) State() State { return m.state }

// Model returns the model the answer is from.
func (m Model) ModelName() string { return m.model }

// Answer returns the answer's markdown source as received (sanitised).
func (m Model) Answer() string { return m.md.Source() }

// Thinking returns the thinking text as received (sanitised).
func (m Model) Thinking() string { return m.thinking.String() }

// Error returns the error that ended the answer, if any.
func (m Model) Error() string { return m.errText }

// Start clears the pane for a new answer from model.
func (m *Model) Start(model string) {
	m.md.Reset()
	m.thinking.Reset()
	m.thinkingLines = nil
	m.thinkingDirty = true
	m.showThinking = true
	m.offset, m.follow = 0, true
	m.state, m.model, m.errText, m.finish = Waiting, untrusted.StripLine(model), "", ""
	m.gen++
	m.pending = false
	m.lastTail = time.Time{}
	m.rebuildChrome()
}

// Clear empties the pane: another prompt was opened.
func (m *Model) Clear() {
	m.Start("")
	m.state = Idle
	m.rebuildChrome()
}

// SetFinishReason records why the model stopped, shown in the end line
// ("length" is an answer cut short, which must not look finished).
func (m *Model) SetFinishReason(reason string) {
	m.finish = untrusted.StripLine(reason)
	m.rebuildChrome()
}

// FinishReason returns the reason recorded, "" when none.
func (m Model) FinishReason() string { return m.finish }

// Append adds streamed answer text and thinking. Finished markdown blocks
// are rendered now, once; the tail waits for the next frame slot, and the
// returned Cmd (if any) brings that slot.
func (m *Model) Append(content, thinking string) tea.Cmd {
	if content == "" && thinking == "" {
		return nil
	}
	if m.state == Waiting || m.state == Idle {
		m.state = Streaming
	}
	if thinking != "" {
		m.thinking.WriteString(m.sanitize(thinking))
		m.thinkingDirty = true
	}
	if content != "" {
		if m.md.Source() == "" && m.thinking.Len() > 0 {
			m.showThinking = false // the answer has begun: fold the thinking away
		}
		m.md.Append(m.sanitize(content))
	}
	return m.schedule()
}

func (m *Model) sanitize(s string) string {
	m.clean.WriteString(s)
	out := m.cleaned.String()
	m.cleaned.Reset()
	return out
}

// schedule renders the tail now if the last render is old enough, else
// makes sure a tick will.
func (m *Model) schedule() tea.Cmd {
	if now := m.now(); now.Sub(m.lastTail) >= TailInterval {
		m.refresh()
		return nil
	}
	if m.pending {
		return nil
	}
	m.pending = true
	gen := m.gen
	return tea.Tick(TailInterval, func(time.Time) tea.Msg { return flushMsg{gen: gen} })
}

// refresh renders whatever is pending and keeps the view at the bottom
// while following.
func (m *Model) refresh() {
	m.lastTail = m.now()
	m.pending = false
	m.md.RenderTail()
	if m.thinkingDirty {
		m.wrapThinking()
	}
	m.rebuildChrome()
	if m.follow {
		m.offset = m.maxOffset()
	}
	m.offset = min(m.offset, m.maxOffset())
}

// Finish ends the answer: state, the error if any, and a final render.
func (m *Model) Finish(state State, errText string) {
	m.clean.Flush()
	if rest := m.cleaned.String(); rest != "" {
		m.cleaned.Reset()
		m.md.Append(rest)
	}
	m.md.Finish()
	m.state, m.errText = state, untrusted.Sanitize(errText)
	m.thinkingDirty = true
	m.refresh()
}

func (m *Model) wrapThinking() {
	m.thinkingDirty = false
	text := strings.TrimSpace(m.thinking.String())
	if text == "" {
		m.thinkingLines = nil
		return
	}
	w := max(m.width-3, 10)
	wrapped := lipgloss.NewStyle().Width(w).Render(text)
	m.thinkingLines = strings.Split(wrapped, "\n")
	m.thinkingWidth = w
}

// rebuildChrome recomputes the lines around the answer.
func (m *Model) rebuildChrome() {
	m.headLines = m.buildHeader()
	m.footLines = m.buildFooter()
}

// buildHeader returns the thinking section, folded or not, above the answer.
func (m Model) buildHeader() []string {
	if len(m.thinkingLines) == 0 {
		return nil
	}
	words := len(strings.Fields(m.thinking.String()))
	if !m.showThinking {
		return []string{m.st.Thinking.Render(fmt.Sprintf("▸ thought for %d words · t to show", words)), ""}
	}
	out := []string{m.st.Thinking.Render(fmt.Sprintf("▾ thinking (%d words) · t to hide", words))}
	for _, l := range m.thinkingLines {
		out = append(out, m.st.Thinking.Render("│ "+l))
	}
	return append(out, "")
}

// buildFooter returns the answer's end state.
func (m Model) buildFooter() []string {
	switch m.state {
	case Done:
		switch m.finish {
		case "":
			return nil
		case "stop", "tool_calls":
			return []string{"", m.st.Muted.Render("■ finish: " + m.finish)}
		case "length":
			return []string{"", m.st.Warning.Render("■ cut at max_tokens (finish: length) · raise max_tokens to get the rest")}
		case "model_length":
			return []string{"", m.st.Warning.Render("■ cut at the model's context length (finish: model_length)")}
		case "error":
			return []string{"", m.st.Error.Render("■ the model stopped on an error (finish: error)")}
		}
		return []string{"", m.st.Warning.Render("■ finish: " + m.finish)}
	case Cancelled:
		return []string{"", m.st.Warning.Render("■ cancelled · the partial answer is kept")}
	case Failed:
		lines := []string{""}
		for _, l := range strings.Split(lipgloss.NewStyle().Width(max(m.width-3, 10)).Render("✗ "+m.errText), "\n") {
			lines = append(lines, m.st.Error.Render(l))
		}
		return lines
	}
	return nil
}

func (m Model) totalLines() int {
	return len(m.headLines) + m.md.LineCount() + len(m.footLines)
}

func (m Model) maxOffset() int { return max(m.totalLines()-m.height, 0) }

// AtBottom reports whether the view shows the last line.
func (m Model) AtBottom() bool { return m.offset >= m.maxOffset() }

// Update handles the pane's keys, the wheel and its own render ticks.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case DeltaMsg:
		return m, m.Append(msg.Content, msg.Thinking)
	case flushMsg:
		if msg.gen == m.gen && m.pending {
			m.refresh()
		}
		return m, nil
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.scroll(-3)
		case tea.MouseWheelDown:
			m.scroll(3)
		}
		return m, nil
	case tea.KeyPressMsg:
		if !m.focused {
			return m, nil
		}
		switch {
		case key.Matches(msg, m.keys.Up):
			m.scroll(-1)
		case key.Matches(msg, m.keys.Down):
			m.scroll(1)
		case key.Matches(msg, m.keys.PageUp):
			m.scroll(-max(m.height-1, 1))
		case key.Matches(msg, m.keys.PageDown):
			m.scroll(max(m.height-1, 1))
		case key.Matches(msg, m.keys.Top):
			m.offset, m.follow = 0, m.maxOffset() == 0
		case key.Matches(msg, m.keys.Bottom):
			m.offset, m.follow = m.maxOffset(), true
		case key.Matches(msg, m.keys.ToggleThinking):
			m.showThinking = !m.showThinking
			m.rebuildChrome()
			m.offset = min(m.offset, m.maxOffset())
			if m.follow {
				m.offset = m.maxOffset()
			}
		case key.Matches(msg, m.keys.Copy):
			return m, m.copyCmd(m.Answer(), "answer")
		case key.Matches(msg, m.keys.CopyCode):
			return m, m.copyCmd(LastCodeBlock(m.Answer()), "code block")
		}
	}
	return m, nil
}

// CopiedMsg tells the root what was put on the clipboard.
type CopiedMsg struct {
	What  string
	Bytes int
}

func (m Model) copyCmd(text, what string) tea.Cmd {
	if text == "" {
		return func() tea.Msg { return CopiedMsg{What: "nothing to copy"} }
	}
	return tea.Batch(tea.SetClipboard(text), func() tea.Msg { return CopiedMsg{What: what, Bytes: len(text)} })
}

// scroll moves the view; following stops when the user scrolls up and
// resumes when they come back to the bottom.
func (m *Model) scroll(n int) {
	m.offset = min(max(m.offset+n, 0), m.maxOffset())
	m.follow = m.offset >= m.maxOffset()
}

// View draws the visible window only: its cost follows the pane's height,
// not the answer's length. Markdown lines arrive already exactly as wide as
// the text column, so only the few lines around them are measured.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	textW := m.width - 1 // the last column is the scroll bar
	type row struct {
		text  string
		width int // -1: measure
	}
	rows := make([]row, 0, m.height)
	switch {
	case m.state == Idle && m.md.LineCount() == 0:
		rows = append(rows, row{m.st.Muted.Render("Press ctrl+r to run the prompt."), -1})
	case m.state == Waiting && m.totalLines() == 0:
		rows = append(rows, row{m.st.Muted.Render("Waiting for " + m.model + "…"), -1})
	}
	if len(rows) == 0 {
		head, foot := m.headLines, m.footLines
		bodyN := m.md.LineCount()
		from, to := m.offset, m.offset+m.height
		for i := from; i < to && i < len(head); i++ {
			rows = append(rows, row{head[i], -1})
		}
		if to > len(head) && from < len(head)+bodyN {
			mdW := m.md.Width()
			for _, l := range m.md.Lines(max(from-len(head), 0), min(to-len(head), bodyN)) {
				w := mdW
				if l == "" {
					w = 0
				}
				rows = append(rows, row{l, w})
			}
		}
		for i := max(from-len(head)-bodyN, 0); len(rows) < m.height && i < len(foot); i++ {
			rows = append(rows, row{foot[i], -1})
		}
	}
	bar := m.scrollbar()
	var out strings.Builder
	for i := 0; i < m.height; i++ {
		line, w := "", 0
		if i < len(rows) {
			line, w = rows[i].text, rows[i].width
			if w < 0 {
				w = ansi.StringWidth(line)
			}
		}
		if w > textW {
			line = ansi.Truncate(line, max(textW, 0), "")
			w = ansi.StringWidth(line)
		}
		out.WriteString(line)
		if pad := textW - w; pad > 0 {
			out.WriteString(strings.Repeat(" ", pad))
		}
		out.WriteString(bar[i])
		if i < m.height-1 {
			out.WriteByte('\n')
		}
	}
	return out.String()
}

// scrollbar returns one cell per row: a thumb where the view is, when the
// answer is longer than the pane.
func (m Model) scrollbar() []string {
	bar := make([]string, m.height)
	total := m.totalLines()
	for i := range bar {
		bar[i] = " "
	}
	if total <= m.height || m.height == 0 {
		return bar
	}
	size := max(m.height*m.height/total, 1)
	pos := m.offset * (m.height - size) / max(total-m.height, 1)
	for i := pos; i < pos+size && i < m.height; i++ {
		bar[i] = m.st.Subtle.Render("┃")
	}
	return bar
}

// ShortHelp returns the pane's main keys.
func (m Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Down, m.keys.ToggleThinking, m.keys.Copy, m.keys.CopyCode}
}

// FullHelp returns all the pane's keys.
func (m Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.ToggleThinking, k.Copy, k.CopyCode}}
}

// LastCodeBlock returns the body of the last fenced code block in md.
func LastCodeBlock(md string) string {
	lines := strings.Split(md, "\n")
	var blocks []string
	var cur []string
	in := false
	fence := ""
	for _, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case !in && (strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")):
			in, fence, cur = true, t[:3], nil
		case in && strings.HasPrefix(t, fence):
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, l)
		}
	}
	if in && len(cur) > 0 { // an unclosed block at the end of a cut answer
		blocks = append(blocks, strings.Join(cur, "\n"))
	}
	if len(blocks) == 0 {
		return ""
	}
	return blocks[len(blocks)-1]
}

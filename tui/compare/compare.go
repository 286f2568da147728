// Package compare is the studio's compare view: it replaces the answer area
// with 2 to 4 columns side by side, one per model (or per set of parameters
// on the same model), each streaming on its own into its own answer pane and
// headed by its model, its parameters and its live figures: time to first
// token, tokens per second, tokens in and out, latency, cost, finish reason
// or error.
//
// The columns scroll together (linked, the default) or one by one; the user
// can ask for a diff of two columns or keep one, which the view reports to
// the root as DiffMsg and KeepMsg: the root owns the diff view and the
// prompt, this package only draws and routes.
//
// Four columns stream at once, so the view is built to cost what the screen
// shows, not what the answers hold: each column is a response.Model (whose
// lines arrive exactly as wide as the column), and the columns are joined
// line by line without measuring them again.
package compare

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mstudio/session"
	"mstudio/themes"
	"mstudio/tui/frame"
	"mstudio/tui/response"
)

// MaxColumns is the most columns the view shows: beyond four, a column on an
// ordinary terminal is too narrow to read.
const MaxColumns = 4

// Column is what one column runs: a model and a short summary of its
// parameters, such as "t=0.2 max=256".
type Column struct {
	Model  string
	Params string
}

// DiffMsg asks the root to show the diff of column A's answer against
// column B's.
type DiffMsg struct{ A, B int }

// KeepMsg asks the root to make column Index's model and parameters the
// prompt's.
type KeepMsg struct{ Index int }

// ParamsMsg asks the root to move the keyboard to the parameters pane,
// editing column Index's parameters: the parameters pane is not next to
// the columns in the focus order, so without it a column's parameters
// could not be reached from the keyboard.
type ParamsMsg struct{ Index int }

// KeyMap holds the view's keys.
type KeyMap struct {
	Left, Right, Link                       key.Binding
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Diff, Keep, Copy, Params                key.Binding
}

// DefaultKeyMap returns the view's keys. The scroll keys are the answer
// pane's, so that a user moving from one answer to four keeps their habits;
// that is also why "keep" is enter and not k.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Left:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "previous column")),
		Right:    key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next column")),
		Link:     key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "link/unlink scrolling")),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "space", "f"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom, follow")),
		Diff:     key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "diff with next column")),
		Keep:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep this column")),
		Copy:     key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy answer")),
		Params:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "edit this column's parameters")),
	}
}

// column is one column's state: what it runs, its answer pane, and what the
// live figures are computed from.
type column struct {
	spec Column
	pane response.Model
	// id names the column in its flush messages, gen its run: a flush
	// reaches only the column and the run that asked for it.
	id, gen int
	running bool
	started time.Time
	first   time.Time // first content or thinking: the live ttft
	chars   int       // answer characters so far: the live token estimate
	res     *session.Result
}

// Model is the compare view.
type Model struct {
	st     *themes.Styles
	keys   KeyMap
	cols   []column
	focus  int
	linked bool

	focused       bool
	width, height int
	originX       int // where the view starts on screen, to find the column under the pointer
	now           func() time.Time
}

// New returns a compare view of cols (at most MaxColumns are kept).
func New(st *themes.Styles, cols []Column) Model {
	m := Model{st: st, keys: DefaultKeyMap(), linked: true, now: time.Now}
	m.SetColumns(cols)
	return m
}

// SetColumns sets what the columns run. A column whose index survives keeps
// its answer and figures, so adding a fourth model does not wipe the three
// answers already there; columns past MaxColumns are dropped.
func (m *Model) SetColumns(cols []Column) {
	if len(cols) > MaxColumns {
		cols = cols[:MaxColumns]
	}
	next := make([]column, len(cols))
	for i, c := range cols {
		if i < len(m.cols) {
			next[i] = m.cols[i]
		} else {
			next[i].id = int(lastID.Add(1))
			next[i].pane = response.New(m.st)
			// The view decides which column a key reaches, so every pane
			// takes keys it is handed.
			next[i].pane.Focus()
		}
		next[i].spec = c
	}
	m.cols = next
	m.focus = min(m.focus, max(len(m.cols)-1, 0))
	m.layout()
}

// Columns returns what the columns run.
func (m Model) Columns() []Column {
	out := make([]Column, len(m.cols))
	for i, c := range m.cols {
		out[i] = c.spec
	}
	return out
}

// SetStyles applies a theme to every column.
func (m *Model) SetStyles(st *themes.Styles) {
	m.st = st
	for i := range m.cols {
		m.cols[i].pane.SetStyles(st)
	}
}

// SetSize sets the view's outer size: the columns' frames fill it exactly.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 0), max(h, 0)
	m.layout()
}

// SetOrigin tells the view where its left edge is on screen: wheel events
// arrive in screen cells, and the view has to know which column is under
// the pointer.
func (m *Model) SetOrigin(x int) { m.originX = x }

// Focus gives the view the keyboard.
func (m *Model) Focus() { m.focused = true }

// Blur takes the keyboard away.
func (m *Model) Blur() { m.focused = false }

// Focused returns the focused column.
func (m Model) Focused() int { return m.focus }

// HasFocus reports whether the view has the keyboard.
func (m Model) HasFocus() bool { return m.focused }

// Linked reports whether the columns scroll together.
func (m Model) Linked() bool { return m.linked }

// Capturing is always false: the view takes no typed text.
func (m Model) Capturing() bool { return false }

// Answer returns column i's answer as received (sanitised).
func (m Model) Answer(i int) string {
	if i < 0 || i >= len(m.cols) {
		return ""
	}
	return m.cols[i].pane.Answer()
}

// Results returns each column's result; an entry is nil while its column
// has none.
func (m Model) Results() []*session.Result {
	out := make([]*session.Result, len(m.cols))
	for i, c := range m.cols {
		out[i] = c.res
	}
	return out
}

// Start begins a run in column i: its answer and figures are cleared.
func (m *Model) Start(i int) {
	if i < 0 || i >= len(m.cols) {
		return
	}
	c := &m.cols[i]
	c.pane.Start(c.spec.Model)
	c.gen++
	c.running, c.started, c.first, c.chars, c.res = true, m.now(), time.Time{}, 0, nil
}

// Append adds streamed text to column i. The column's pane paces its own
// tail renders; the returned Cmd, if any, brings its next frame as a
// message for this column alone, which the root must hand to Update (Owns
// tells it apart): without it, a column's last text would wait for a chunk
// that may never come.
func (m *Model) Append(i int, content, thinking string) tea.Cmd {
	if i < 0 || i >= len(m.cols) || (content == "" && thinking == "") {
		return nil
	}
	c := &m.cols[i]
	if c.first.IsZero() {
		c.first = m.now()
	}
	c.chars += len(content)
	return c.flushCmd(c.pane.Append(content, thinking))
}

// lastID numbers the columns of every view, as the bubbles spinner numbers
// its spinners: an id stays unique for the program's life.
var lastID atomic.Int64

// flushMsg is a column pane's delayed tail render, addressed to the column
// (id) and its run (gen).
type flushMsg struct {
	id, gen int
	msg     tea.Msg
}

// Owns reports whether msg is one of the view's own timing messages, which
// change nothing but the view.
func Owns(msg tea.Msg) bool {
	_, ok := msg.(flushMsg)
	return ok
}

// flushCmd wraps the pane's tick so that its message names the column.
// The tick sleeps inside the Cmd, so the wrapper waits with it, off Update.
func (c *column) flushCmd(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	id, gen := c.id, c.gen
	return func() tea.Msg { return flushMsg{id: id, gen: gen, msg: cmd()} }
}

// Finish ends column i's run with its final figures. An error is shown in
// the column, under whatever text had arrived, which is kept. A result
// whose answer the column never saw (a replayed comparison) fills it in.
func (m *Model) Finish(i int, res session.Result) {
	if i < 0 || i >= len(m.cols) {
		return
	}
	c := &m.cols[i]
	if c.pane.Answer() == "" && res.Content() != "" {
		if c.pane.State() == response.Idle {
			c.pane.Start(c.spec.Model)
		}
		c.pane.Append(res.Content(), "")
	}
	c.running = false
	c.res = &res
	switch {
	case res.Err == nil, errors.Is(res.Err, io.EOF):
		c.pane.Finish(response.Done, "")
	case errors.Is(res.Err, context.Canceled):
		c.pane.Finish(response.Cancelled, "")
	default:
		c.pane.Finish(response.Failed, res.Err.Error())
	}
}

// layout hands each column's pane the room left inside its frame under its
// header.
func (m *Model) layout() {
	for i := range m.cols {
		w, _ := m.colWidth(i)
		iw, ih := frame.Inner(w, m.height)
		m.cols[i].pane.SetSize(iw, ih-headerLines(ih))
	}
}

// colWidth returns column i's outer width and left edge: the width split
// evenly, the cells left over going to the first columns.
func (m Model) colWidth(i int) (w, x int) {
	n := len(m.cols)
	if n == 0 {
		return 0, 0
	}
	base, extra := m.width/n, m.width%n
	w = base
	if i < extra {
		w++
	}
	x = i*base + min(i, extra)
	return w, x
}

// headerLines is how many lines the figures take above the answer: three
// when there is room (a narrow column wraps its figures), fewer on a short
// view, none when even one would leave no answer to see. It depends on the
// height only, so the panes keep their size while the figures change.
func headerLines(innerH int) int {
	switch {
	case innerH >= 12:
		return 3
	case innerH >= 6:
		return 2
	case innerH >= 2:
		return 1
	}
	return 0
}

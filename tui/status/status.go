// Package status is the studio's bottom line: where requests go (and
// "offline simulator" on the built-in one), the model, and the figures of
// the last run: time to first token, tokens per second, tokens in and out,
// cost. Errors and notes show there too and fade after a while, so the line
// always comes back to the figures.
package status

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mstudio/prices"
	"mstudio/session"
	"mstudio/themes"
	"mstudio/untrusted"
)

// How long a message stays on the line.
const (
	ErrorFade = 8 * time.Second
	NoteFade  = 3 * time.Second
)

// fadeMsg clears the message it was scheduled for, unless a newer one
// replaced it.
type fadeMsg struct{ seq int }

// Owns reports whether msg is the line's own fade timer, which changes
// nothing but the line.
func Owns(msg tea.Msg) bool {
	_, ok := msg.(fadeMsg)
	return ok
}

// Model is the status line.
type Model struct {
	st    *themes.Styles
	width int

	endpoint string
	offline  bool
	model    string
	hint     string

	running bool
	chars   int // answer characters so far, for a live token estimate
	started time.Time
	res     *session.Result

	msg     string
	isError bool
	seq     int
	now     func() time.Time
}

// New returns a status line.
func New(st *themes.Styles) Model { return Model{st: st, now: time.Now, hint: "? help"} }

// SetStyles applies a theme.
func (m *Model) SetStyles(st *themes.Styles) { m.st = st }

// SetWidth sets the line's width.
func (m *Model) SetWidth(w int) { m.width = max(w, 0) }

// SetEndpoint names where requests go; offline marks the built-in simulator.
func (m *Model) SetEndpoint(name string, offline bool) { m.endpoint, m.offline = name, offline }

// SetModel names the model the next run uses.
func (m *Model) SetModel(id string) { m.model = id }

// SetHint sets the key hint at the end of the line.
func (m *Model) SetHint(h string) { m.hint = h }

// Start marks a run as begun.
func (m *Model) Start(model string) {
	m.model, m.running, m.chars, m.res = model, true, 0, nil
	m.started = m.now()
}

// Progress counts streamed answer characters for the live estimate.
func (m *Model) Progress(chars int) { m.chars += chars }

// Finish shows a run's final figures.
func (m *Model) Finish(res session.Result) {
	m.running = false
	m.res = &res
}

// Running reports whether a run is in progress.
func (m Model) Running() bool { return m.running }

// Error shows an error that fades after ErrorFade.
func (m *Model) Error(text string) tea.Cmd { return m.show(text, true, ErrorFade) }

// Note shows a short note (copied, saved) that fades after NoteFade.
func (m *Model) Note(text string) tea.Cmd { return m.show(text, false, NoteFade) }

// Message returns the message on the line, "" when none.
func (m Model) Message() string { return m.msg }

func (m *Model) show(text string, isErr bool, d time.Duration) tea.Cmd {
	m.seq++
	m.msg, m.isError = untrusted.StripLine(text), isErr
	seq := m.seq
	return tea.Tick(d, func(time.Time) tea.Msg { return fadeMsg{seq: seq} })
}

// Update clears faded messages.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if f, ok := msg.(fadeMsg); ok && f.seq == m.seq {
		m.msg = ""
	}
	return m, nil
}

// Figures returns the run figures as the line shows them.
func (m Model) Figures() []string {
	var out []string
	switch {
	case m.running:
		el := m.now().Sub(m.started)
		out = append(out, fmt.Sprintf("%.1fs", el.Seconds()))
		if m.chars > 0 {
			est := m.chars / 4
			out = append(out, fmt.Sprintf("~%d tok", est))
			if secs := el.Seconds(); secs > 0.2 {
				out = append(out, fmt.Sprintf("~%.0f tok/s", float64(est)/secs))
			}
		}
	case m.res != nil:
		r := m.res
		if r.TTFT > 0 {
			out = append(out, fmt.Sprintf("ttft %d ms", r.TTFT.Milliseconds()))
		}
		if r.Usage != nil {
			if gen := r.Latency - r.TTFT; gen > 0 && r.Usage.CompletionTokens > 1 {
				out = append(out, fmt.Sprintf("%.0f tok/s", float64(r.Usage.CompletionTokens)/gen.Seconds()))
			}
			out = append(out, fmt.Sprintf("%d↑ %d↓", r.Usage.PromptTokens, r.Usage.CompletionTokens))
		}
		if r.CostKnown {
			out = append(out, prices.Format(r.CostUSD))
		}
	}
	return out
}

// View draws the line, exactly width cells.
func (m Model) View() string {
	if m.width <= 0 {
		return ""
	}
	sep := m.st.HelpSep.Render(" · ")
	var parts []string
	ep := m.endpoint
	if m.offline {
		ep = "offline simulator"
	}
	if ep != "" {
		if m.offline {
			parts = append(parts, m.st.Warning.Render(ep))
		} else {
			parts = append(parts, m.st.StatusKey.Render(ep))
		}
	}
	if m.model != "" {
		parts = append(parts, m.st.StatusValue.Render(untrusted.StripLine(m.model)))
	}
	if m.running {
		parts = append(parts, m.st.Accent.Render("streaming"))
	}
	for _, f := range m.Figures() {
		parts = append(parts, m.st.StatusValue.Render(f))
	}
	if m.msg != "" {
		style := m.st.Success
		if m.isError {
			style = m.st.StatusError
		}
		parts = append(parts, style.Render(m.msg))
	}
	left := " " + strings.Join(parts, sep)
	right := m.st.Muted.Render(m.hint) + " "
	lw, rw := ansi.StringWidth(left), ansi.StringWidth(right)
	if lw+rw > m.width {
		right, rw = "", 0
	}
	if lw > m.width {
		left = ansi.Truncate(left, m.width-1, "…")
		lw = ansi.StringWidth(left)
	}
	line := left + strings.Repeat(" ", max(m.width-lw-rw, 0)) + right
	return m.st.StatusBar.Render(line)
}

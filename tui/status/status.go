// Package status is the studio's bottom line: where requests go (and
// "offline simulator" on the built-in one), the model, and the figures of
// the last run: time to first token, tokens per second, tokens in and out,
// cost, and why the model stopped. Errors and notes show there too and fade
// after a while, so the line always comes back to the figures; one that does
// not fit names the key that shows it whole.
package status

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"mstudio/api"
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

	endpoint  string
	offline   bool
	model     string
	hint      string
	hintFirst bool // the hint wins over the message (a dialog's keys)

	running bool
	chars   int // answer characters so far, for a live token estimate
	started time.Time
	res     *session.Result

	msg     string // one line, as shown
	full    string // the whole message, for the dialog that shows it
	isError bool
	seq     int
	now     func() time.Time

	// retryAt is when the client tries again after a 429 (zero when it is
	// not waiting): the line says so instead of "streaming".
	retryAt time.Time
}

// MessageKey is the key the root binds to show a cut message whole; the
// line names it when a message does not fit.
const MessageKey = "f2"

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
func (m *Model) SetHint(h string) { m.hint, m.hintFirst = h, false }

// SetDialogHint sets the keys of the dialog open as the hint: they are
// kept whole over the message (f2 does not reach past a dialog).
func (m *Model) SetDialogHint(h string) { m.hint, m.hintFirst = h, true }

// Start marks a run as begun.
func (m *Model) Start(model string) {
	m.model, m.running, m.chars, m.res = model, true, 0, nil
	m.started = m.now()
	m.retryAt = time.Time{}
}

// Progress counts streamed answer characters for the live estimate.
func (m *Model) Progress(chars int) {
	m.chars += chars
	m.retryAt = time.Time{} // bytes arrive: the wait is over
}

// Finish shows a run's final figures.
func (m *Model) Finish(res session.Result) {
	m.running = false
	m.res = &res
	m.retryAt = time.Time{}
}

// Clear forgets the last run's figures (another prompt was opened: they
// were not its own).
func (m *Model) Clear() {
	m.running, m.chars, m.res, m.retryAt = false, 0, nil, time.Time{}
}

// Retrying says the client waits wait before trying again after a 429.
func (m *Model) Retrying(wait time.Duration) { m.retryAt = m.now().Add(wait) }

// Running reports whether a run is in progress.
func (m Model) Running() bool { return m.running }

// Error shows an error that fades after ErrorFade.
func (m *Model) Error(text string) tea.Cmd { return m.show(text, true, ErrorFade) }

// Note shows a short note (copied, saved) that fades after NoteFade.
func (m *Model) Note(text string) tea.Cmd { return m.show(text, false, NoteFade) }

// Message returns the message on the line, "" when none.
func (m Model) Message() string { return m.msg }

// Full returns the whole message (lines and all), "" when none.
func (m Model) Full() string { return m.full }

// IsError reports whether the message on the line is an error.
func (m Model) IsError() bool { return m.isError && m.msg != "" }

// Seq counts the messages shown so far: a caller tells whether a step
// showed one.
func (m Model) Seq() int { return m.seq }

func (m *Model) show(text string, isErr bool, d time.Duration) tea.Cmd {
	m.seq++
	m.msg, m.isError = untrusted.StripLine(text), isErr
	m.full = untrusted.Sanitize(text)
	seq := m.seq
	return tea.Tick(d, func(time.Time) tea.Msg { return fadeMsg{seq: seq} })
}

// Update clears faded messages.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if f, ok := msg.(fadeMsg); ok && f.seq == m.seq {
		m.msg, m.full = "", ""
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
			out = append(out, "ttft "+session.Millis(r.TTFT))
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
	switch wait := m.retryAt.Sub(m.now()); {
	case m.running && wait > 0:
		parts = append(parts, m.st.Warning.Render(fmt.Sprintf("rate limited · retrying in %ds", int(wait.Seconds()+0.999))))
	case m.running:
		parts = append(parts, m.st.Accent.Render("streaming"))
	}
	for _, f := range m.Figures() {
		parts = append(parts, m.st.StatusValue.Render(f))
	}
	if m.res != nil && !m.running && m.res.FinishReason != "" && m.res.Err == nil {
		// last of the figures: on a narrow line it is cut first, and the
		// answer pane's end line says it too
		parts = append(parts, finishStyle(m.st, m.res.FinishReason).Render(FinishWords(m.res.FinishReason)))
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
	if hint := " " + MessageKey + " whole "; m.cut(lw) && m.width >= 2*len(hint) && !m.hintFirst {
		// the message does not fit: name the key that shows it whole
		right = m.st.Muted.Render(hint)
		rw = ansi.StringWidth(right)
		if lw+rw > m.width {
			left = ansi.Truncate(left, max(m.width-rw-1, 1), "…")
			lw = ansi.StringWidth(left)
		}
	} else if lw+rw > m.width && (!m.hintFirst || rw > m.width*3/4) {
		right, rw = "", 0
	} else if lw+rw > m.width {
		left = ansi.Truncate(left, max(m.width-rw-1, 1), "…")
		lw = ansi.StringWidth(left)
	}
	if lw > m.width {
		left = ansi.Truncate(left, m.width-1, "…")
		lw = ansi.StringWidth(left)
	}
	line := left + strings.Repeat(" ", max(m.width-lw-rw, 0)) + right
	return m.st.StatusBar.Render(line)
}

// cut reports whether the message does not fit whole on a line whose left
// part is lw cells wide: too wide, or more than one line.
func (m Model) cut(lw int) bool {
	return m.msg != "" && (lw > m.width || strings.Contains(strings.TrimSpace(m.full), "\n"))
}

// FinishWords says why the model stopped, short enough for the line; the
// answer pane's end line says what a cut means. A cut answer is told from
// a finished one by its style (a warning) as well as its words.
func FinishWords(reason string) string {
	return "finish: " + untrusted.StripLine(reason)
}

func finishStyle(st *themes.Styles, reason string) lipgloss.Style {
	switch api.ClassifyFinish(reason) {
	case api.FinishedNormally:
		return st.Muted
	case api.FinishedOnError:
		return st.Error
	}
	return st.Warning
}

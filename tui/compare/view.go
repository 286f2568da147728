package compare

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"mstudio/api"
	"mstudio/prices"
	"mstudio/session"
	"mstudio/tui/frame"
	"mstudio/untrusted"
)

// View draws the view at exactly its size. Each column is framed on its
// own, and the frames are joined line by line: the answer lines come from
// the panes exactly as wide as their columns, so nothing is measured again
// here (lipgloss.JoinHorizontal would measure every line of every column at
// every frame of four streams).
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if len(m.cols) == 0 {
		return frame.Fit("", m.width, m.height)
	}
	blocks := make([][]string, len(m.cols))
	for i := range m.cols {
		blocks[i] = m.columnLines(i)
	}
	var out strings.Builder
	out.Grow((m.width + 16*len(m.cols)) * m.height)
	for r := 0; r < m.height; r++ {
		for _, b := range blocks {
			out.WriteString(b[r])
		}
		if r < m.height-1 {
			out.WriteByte('\n')
		}
	}
	return out.String()
}

// columnLines draws column i as exactly m.height lines of its width.
func (m Model) columnLines(i int) []string {
	w, _ := m.colWidth(i)
	if w < 3 || m.height < 2 {
		// Too small for a frame (frame.Render draws its top corner and one
		// edge cell even at width 2): blank cells keep the other columns in
		// place.
		lines := make([]string, m.height)
		for r := range lines {
			lines[r] = strings.Repeat(" ", w)
		}
		return lines
	}
	c := &m.cols[i]
	iw, ih := frame.Inner(w, m.height)
	var content strings.Builder
	for _, l := range m.header(i, iw, headerLines(ih)) {
		content.WriteString(l)
		content.WriteByte('\n')
	}
	content.WriteString(c.pane.View())
	title := untrusted.StripLine(c.spec.Model)
	if title == "" {
		title = "column " + strconv.Itoa(i+1)
	}
	out := frame.RenderExact(m.st, title, m.focused && i == m.focus, w, m.height, content.String())
	return strings.Split(out, "\n")
}

// header returns column i's n header lines, each exactly w cells: the
// parameters and the run's state, then the figures, packed whole so that a
// narrow column wraps a figure rather than cutting it. On one line they
// share it, the state first, since it is what changes.
func (m Model) header(i, w, n int) []string {
	if n == 0 {
		return nil
	}
	c := &m.cols[i]
	sep := m.st.Subtle.Render(" · ")
	params := ""
	if p := untrusted.StripLine(c.spec.Params); p != "" {
		params = m.st.Muted.Render(p)
	}
	state := m.state(i)
	figs := m.Figures(i)
	if n == 1 {
		parts := []string{state}
		if params != "" {
			parts = append(parts, params)
		}
		for _, f := range figs {
			parts = append(parts, m.st.Text.Render(f))
		}
		return []string{fitLine(strings.Join(parts, sep), w)}
	}
	// The state comes first: it is what a person looks for (how the run
	// ended), and a long parameter summary (a schema's name, a tool
	// choice) may be cut at the edge where the state must not be.
	first := state
	if params != "" {
		first = state + sep + params
	}
	lines := []string{fitLine(first, w)}
	var cur strings.Builder
	curW := 0
	for _, f := range figs {
		fw := ansi.StringWidth(f)
		if curW > 0 && curW+3+fw > w && len(lines) < n-1 {
			lines = append(lines, fitLine(cur.String(), w))
			cur.Reset()
			curW = 0
		}
		if curW > 0 {
			cur.WriteString(sep)
			curW += 3
		}
		cur.WriteString(m.st.Text.Render(f))
		curW += fw
	}
	lines = append(lines, fitLine(cur.String(), w))
	for len(lines) < n {
		lines = append(lines, fitLine("", w))
	}
	return lines
}

// state names where column i's run is: ready, waiting, streaming, or how it
// ended (finish reason, cancelled, cut off, the error).
func (m Model) state(i int) string {
	c := &m.cols[i]
	switch {
	case c.res != nil:
		switch err := c.res.Err; {
		case err == nil:
			reason := untrusted.StripLine(c.res.FinishReason)
			if reason == "" {
				reason = "done"
			}
			switch api.ClassifyFinish(c.res.FinishReason) {
			case api.FinishedOnError:
				return m.st.Error.Render("✗ finish: " + reason)
			case api.FinishedCut:
				if reason == api.FinishLength {
					return m.st.Warning.Render("■ length (cut at max tokens)")
				}
				return m.st.Warning.Render("■ " + reason + " (cut)")
			}
			return m.st.Success.Render("✓ " + reason)
		case errors.Is(err, context.Canceled):
			return m.st.Warning.Render("■ cancelled")
		case errors.Is(err, io.EOF):
			return m.st.Warning.Render("✗ stream cut off")
		default:
			return m.st.Error.Render("✗ " + untrusted.StripLine(err.Error()))
		}
	case c.running && c.first.IsZero():
		return m.st.Muted.Render("waiting…")
	case c.running:
		return m.st.Accent.Render("streaming")
	}
	return m.st.Muted.Render("ready")
}

// Figures returns column i's figures as its header shows them: while it
// streams, the time so far, ttft and a token estimate (four characters a
// token, as the API counts on average); once finished, the run's own.
func (m Model) Figures(i int) []string {
	if i < 0 || i >= len(m.cols) {
		return nil
	}
	c := &m.cols[i]
	var out []string
	switch {
	case c.res != nil:
		r := c.res
		if r.TTFT > 0 {
			out = append(out, "ttft "+session.Millis(r.TTFT))
		}
		if r.Usage != nil {
			if gen := r.Latency - r.TTFT; gen > 0 && r.Usage.CompletionTokens > 1 {
				out = append(out, fmt.Sprintf("%.0f tok/s", float64(r.Usage.CompletionTokens)/gen.Seconds()))
			}
			out = append(out, fmt.Sprintf("%d↑ %d↓", r.Usage.PromptTokens, r.Usage.CompletionTokens))
		}
		if r.Latency > 0 {
			out = append(out, seconds(r.Latency))
		}
		if r.CostKnown {
			out = append(out, prices.Format(r.CostUSD))
		}
	case c.running:
		el := m.now().Sub(c.started)
		out = append(out, seconds(el))
		if !c.first.IsZero() {
			out = append(out, "ttft "+session.Millis(c.first.Sub(c.started)))
		}
		if c.chars > 0 {
			est := c.chars / 4
			out = append(out, fmt.Sprintf("~%d↓", est))
			// Under a fifth of a second the rate is noise.
			if secs := el.Seconds(); secs > 0.2 {
				out = append(out, fmt.Sprintf("~%.0f tok/s", float64(est)/secs))
			}
		}
	}
	return out
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

// fitLine cuts or pads a header line to exactly w cells, so the frame can
// take it without measuring.
func fitLine(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

package cli

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"mstudio/prices"
	"mstudio/session"
	"mstudio/untrusted"
)

// padRight pads s with spaces to w display columns.
func padRight(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// cutCols cuts s to w display columns, marking the cut.
func cutCols(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "…")
}

// costText is a run's cost as tables show it.
func costText(r session.Result) string {
	switch {
	case r.CostKnown:
		return prices.Format(r.CostUSD)
	case r.Usage != nil:
		return "unknown"
	}
	return "-"
}

// tokensText is "in / out", "-" without usage.
func tokensText(r session.Result) string {
	if r.Usage == nil {
		return "-"
	}
	return fmt.Sprintf("%d / %d", r.Usage.PromptTokens, r.Usage.CompletionTokens)
}

// figureLines are the figures of one run, one per line, for the
// side-by-side table.
func figureLines(r session.Result) []string {
	ttft, rate := "-", "-"
	if r.TTFT > 0 {
		ttft = fmt.Sprintf("%d ms", r.TTFT.Milliseconds())
	}
	if r.Usage != nil {
		if gen := r.Latency - r.TTFT; gen > 0 && r.Usage.CompletionTokens > 0 {
			rate = fmt.Sprintf("%.0f", float64(r.Usage.CompletionTokens)/gen.Seconds())
		}
	}
	finish := untrusted.StripLine(r.FinishReason)
	if finish == "" {
		finish = "-"
	}
	lines := []string{
		"ttft    " + ttft,
		"tok/s   " + rate,
		"tokens  " + tokensText(r),
		"cost    " + costText(r),
		"finish  " + finish,
	}
	if r.Failed() {
		lines = append(lines, "error   "+untrusted.StripLine(r.Err.Error()))
	}
	return lines
}

// answerText is what a run produced, sanitized: the answer, then its tool
// calls one a line.
func answerText(r session.Result) string {
	text := strings.TrimRight(untrusted.Sanitize(r.Content()), "\n")
	for _, tc := range r.Message.ToolCalls {
		if text != "" {
			text += "\n"
		}
		text += toolCallLine(tc)
	}
	return text
}

// wrapLines wraps sanitized text to w columns: words where possible, hard
// breaks for longer ones; tabs become spaces.
func wrapLines(text string, w int) []string {
	if text == "" {
		return nil
	}
	text = strings.ReplaceAll(text, "\t", "    ")
	var out []string
	for _, para := range strings.Split(text, "\n") {
		out = append(out, strings.Split(ansi.Wrap(para, w, ""), "\n")...)
	}
	return out
}

// sideBySide renders several runs as a plain table: one column per model
// (width/models columns each), a header with the model, the figures, a
// rule, then the answers wrapped to the column width. All model text is
// sanitized.
func sideBySide(results []session.Result, width int) string {
	n := len(results)
	if n == 0 {
		return ""
	}
	const sep = " │ "
	cw := max((width-len([]rune(sep))*(n-1))/n, 8)
	cols := make([][]string, n)
	figures := 0
	for i, r := range results {
		var cells []string
		for _, l := range figureLines(r) {
			cells = append(cells, wrapLines(l, cw)...)
		}
		cols[i] = cells
		figures = max(figures, len(cells))
	}
	for i, r := range results {
		for len(cols[i]) < figures {
			cols[i] = append(cols[i], "")
		}
		cols[i] = append(cols[i], strings.Repeat("─", cw))
		cols[i] = append(cols[i], wrapLines(answerText(r), cw)...)
	}
	height := 0
	for _, c := range cols {
		height = max(height, len(c))
	}
	var b strings.Builder
	line := func(cell func(i int) string) {
		parts := make([]string, n)
		for i := range n {
			parts[i] = padRight(cutCols(cell(i), cw), cw)
		}
		b.WriteString(strings.TrimRight(strings.Join(parts, sep), " "))
		b.WriteByte('\n')
	}
	line(func(i int) string { return untrusted.StripLine(results[i].Model) })
	line(func(int) string { return strings.Repeat("─", cw) })
	for row := range height {
		line(func(i int) string {
			if row < len(cols[i]) {
				return cols[i][row]
			}
			return ""
		})
	}
	return b.String()
}

// printCompare shows several finished runs: on a terminal as a side-by-side
// table (failures also said on stderr), elsewhere one after the other as
// before, which scripts and the e2e tests read.
func (a *app) printCompare(results []session.Result) {
	if !a.outTTY {
		a.printAll(results)
		return
	}
	fmt.Fprint(a.stdout, sideBySide(results, a.width))
	for _, r := range results {
		if r.Failed() {
			fmt.Fprintf(a.stderr, "%s: %s: %s\n", programName, untrusted.StripLine(r.Model), untrusted.StripLine(r.Err.Error()))
		}
	}
}

// matrixTable renders a matrix run as a plain table, one line per cell:
// row (its first variable values), model, state, latency, tokens in / out,
// cost, and the start of the answer cut to width.
func matrixTable(rows []map[string]string, varNames []string, results [][]session.Result, width int) string {
	header := []string{"row", "model", "state", "latency", "in / out", "cost", "answer"}
	var lines [][]string
	for ri, row := range results {
		label := fmt.Sprint(ri + 1) // from 1, as in the studio and the CSV's data lines
		var vals []string
		for _, k := range varNames {
			if v, ok := rows[ri][k]; ok {
				vals = append(vals, v)
			}
		}
		if len(vals) > 0 {
			label += " " + cutCols(untrusted.StripLine(strings.Join(vals, ", ")), 20)
		}
		for _, r := range row {
			state, answer := "ok", untrusted.StripLine(answerText(r))
			if r.Failed() {
				state, answer = "error", untrusted.StripLine(r.Err.Error())
			}
			lines = append(lines, []string{
				label, cutCols(untrusted.StripLine(r.Model), 30), state,
				fmt.Sprintf("%d ms", r.Latency.Milliseconds()), tokensText(r), costText(r), answer,
			})
		}
	}
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = ansi.StringWidth(h)
	}
	for _, l := range lines {
		for i, c := range l[:len(l)-1] {
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	used := 0
	for _, w := range widths[:len(widths)-1] {
		used += w + 2
	}
	answerW := max(width-used, 10)
	var b strings.Builder
	write := func(cells []string) {
		parts := make([]string, len(cells))
		for i, c := range cells {
			if i == len(cells)-1 {
				parts[i] = cutCols(c, answerW)
			} else {
				parts[i] = padRight(c, widths[i])
			}
		}
		b.WriteString(strings.TrimRight(strings.Join(parts, "  "), " "))
		b.WriteByte('\n')
	}
	write(header)
	for _, l := range lines {
		write(l)
	}
	return b.String()
}

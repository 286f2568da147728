// Package frame draws the border every pane of the studio sits in: a rounded
// box with the pane's title set into its top edge, the accent colour when the
// pane has focus. Panes render only their inside; the root composes frames,
// so a pane never needs to know how it is framed.
package frame

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"mstudio/themes"
)

// Inner returns the content size that fits a frame of the given outer size.
func Inner(width, height int) (int, int) {
	return max(width-2, 0), max(height-2, 0)
}

// Render draws content in a frame of exactly width x height cells. Lines of
// content wider than the inside are cut, and missing lines are padded, so
// the frame never breaks whatever the content does.
func Render(st *themes.Styles, title string, focused bool, width, height int, content string) string {
	return render(st, title, focused, width, height, content, false)
}

// RenderExact is Render for content whose every line is known to be exactly
// the inner width (a pane that pads its own lines): nothing is measured,
// which matters for a pane redrawn at every frame of a stream.
func RenderExact(st *themes.Styles, title string, focused bool, width, height int, content string) string {
	return render(st, title, focused, width, height, content, true)
}

func render(st *themes.Styles, title string, focused bool, width, height int, content string, exact bool) string {
	if width < 2 || height < 2 {
		return ""
	}
	border := st.Pane
	titleStyle := st.PaneTitle
	if focused {
		border = st.PaneFocused
		titleStyle = st.PaneTitleFocused
	}
	b := border.GetBorderStyle()
	if b.Top == "" {
		b = lipgloss.RoundedBorder()
	}
	edge := lipgloss.NewStyle().Foreground(border.GetBorderTopForeground())
	innerW, innerH := Inner(width, height)

	var out strings.Builder
	out.Grow((width + 8) * height)

	// top edge with the title
	t := ""
	if title != "" && innerW > 4 {
		t = ansi.Truncate(" "+title+" ", innerW-2, "…")
	}
	out.WriteString(edge.Render(b.TopLeft + b.Top))
	if t != "" {
		out.WriteString(titleStyle.Render(t))
	}
	rest := innerW - 1 - ansi.StringWidth(t)
	if rest > 0 {
		out.WriteString(edge.Render(strings.Repeat(b.Top, rest)))
	}
	out.WriteString(edge.Render(b.TopRight))
	out.WriteByte('\n')

	lines := strings.Split(content, "\n")
	left, right := edge.Render(b.Left), edge.Render(b.Right)
	for i := 0; i < innerH; i++ {
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		if exact && line != "" {
			out.WriteString(left)
			out.WriteString(line)
			out.WriteString(right)
			out.WriteByte('\n')
			continue
		}
		w := ansi.StringWidth(line)
		if w > innerW {
			line = ansi.Truncate(line, innerW, "")
			w = ansi.StringWidth(line)
		}
		out.WriteString(left)
		out.WriteString(line)
		if w < innerW {
			out.WriteString(strings.Repeat(" ", innerW-w))
		}
		out.WriteString(right)
		out.WriteByte('\n')
	}
	out.WriteString(edge.Render(b.BottomLeft + strings.Repeat(b.Bottom, innerW) + b.BottomRight))
	return out.String()
}

// Fit cuts or pads content to exactly width x height cells, for areas drawn
// without a frame (the status bar, overlays).
func Fit(content string, width, height int) string {
	lines := strings.Split(content, "\n")
	var out strings.Builder
	for i := 0; i < height; i++ {
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		if ansi.StringWidth(line) > width {
			line = ansi.Truncate(line, width, "")
		}
		out.WriteString(line)
		if w := ansi.StringWidth(line); w < width {
			out.WriteString(strings.Repeat(" ", width-w))
		}
		if i < height-1 {
			out.WriteByte('\n')
		}
	}
	return out.String()
}

// FitLine cuts (with …) or pads one line to exactly w cells.
func FitLine(s string, w int) string {
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

// Block makes exactly h lines of exactly w cells from lines: the shape
// every pane's View returns.
func Block(lines []string, w, h int) string {
	var b strings.Builder
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		b.WriteString(FitLine(l, w))
	}
	return b.String()
}

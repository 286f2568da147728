// Package markdown renders a markdown answer while it streams in, at a cost
// per frame that does not grow with the answer.
//
// The text is cut into top-level blocks at blank lines that are provably
// final: outside any code fence, and confirmed by the first line after them
// (not indented, so not a continuation; not another item of the same list).
// Each finished block is rendered once with glamour and kept as lines; only
// the unfinished tail is rendered again, and the caller decides how often
// (the response pane does it at most about 30 times a second). A width
// change re-renders each block once. Rendering a block alone gives the same
// lines as rendering it inside the whole document, except that a list split
// by a blank line shows as two lists; so list items are never split apart.
package markdown

import (
	"strings"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/ansi"
	xansi "github.com/charmbracelet/x/ansi"
)

// Renderer holds one answer's markdown and its rendered lines.
type Renderer struct {
	style ansi.StyleConfig
	width int
	tr    *glamour.TermRenderer

	src    strings.Builder
	blocks []block // finished blocks, rendered
	// open is the offset in src where the unfinished tail starts.
	open int
	// scan is the offset up to which lines have been classified.
	scan  int
	fence fenceState
	// candidate is the offset just after a blank line that may end a block,
	// or -1; inList tells whether the text before it ended in a list item.
	candidate       int
	candidateInList bool
	lastWasList     bool

	tailLines []string
	tailDirty bool
	lines     int // total rendered lines of finished blocks
}

type block struct {
	src   string
	lines []string
}

type fenceState struct {
	open bool
	char byte
	n    int
}

// New returns a renderer for the given glamour style and width in cells.
func New(style ansi.StyleConfig, width int) *Renderer {
	r := &Renderer{style: style, candidate: -1}
	r.SetWidth(width)
	return r
}

// SetWidth changes the wrap width; every finished block is rendered again,
// once.
func (r *Renderer) SetWidth(width int) {
	if width < 10 {
		width = 10
	}
	if width == r.width && r.tr != nil {
		return
	}
	r.width = width
	// Code is highlighted in true colour so it keeps the theme's exact
	// colours; Bubble Tea downsamples for terminals that have fewer.
	tr, err := glamour.NewTermRenderer(glamour.WithStyles(r.style), glamour.WithWordWrap(width), glamour.WithChromaFormatter("terminal16m"))
	if err != nil {
		tr = nil
	}
	r.tr = tr
	r.lines = 0
	for i := range r.blocks {
		r.blocks[i].lines = r.render(r.blocks[i].src)
		r.lines += len(r.blocks[i].lines)
	}
	r.tailDirty = true
}

// SetStyle changes the glamour style (a theme change) and re-renders.
func (r *Renderer) SetStyle(style ansi.StyleConfig) {
	r.style = style
	w := r.width
	r.width = 0
	r.SetWidth(w)
}

// Width returns the wrap width.
func (r *Renderer) Width() int { return r.width }

// Reset drops all text.
func (r *Renderer) Reset() {
	r.src.Reset()
	r.blocks = nil
	r.open, r.scan, r.lines = 0, 0, 0
	r.fence = fenceState{}
	r.candidate, r.candidateInList, r.lastWasList = -1, false, false
	r.tailLines, r.tailDirty = nil, false
}

// Source returns all the markdown text so far.
func (r *Renderer) Source() string { return r.src.String() }

// Append adds streamed text. Blocks it completes are rendered now, once;
// the tail is only marked for rendering.
func (r *Renderer) Append(text string) {
	if text == "" {
		return
	}
	r.src.WriteString(text)
	r.tailDirty = true
	r.classify(false)
}

// Finish marks the end of the answer: the tail becomes a finished block.
func (r *Renderer) Finish() {
	r.classify(true)
	s := r.src.String()
	if r.open < len(s) && strings.TrimSpace(s[r.open:]) != "" {
		r.commit(len(s))
	}
	r.open = len(s)
	r.tailLines, r.tailDirty = nil, false
}

// Dirty reports whether the tail changed since it was last rendered.
func (r *Renderer) Dirty() bool { return r.tailDirty }

// RenderTail renders the unfinished tail if it changed.
func (r *Renderer) RenderTail() {
	if !r.tailDirty {
		return
	}
	r.tailDirty = false
	tail := r.src.String()[r.open:]
	if strings.TrimSpace(tail) == "" {
		r.tailLines = nil
		return
	}
	r.tailLines = r.render(tail)
}

// LineCount returns the number of rendered lines, blank separators included.
func (r *Renderer) LineCount() int {
	n := r.lines
	if len(r.blocks) > 1 {
		n += len(r.blocks) - 1
	}
	if len(r.tailLines) > 0 {
		if len(r.blocks) > 0 {
			n++
		}
		n += len(r.tailLines)
	}
	return n
}

// Lines returns rendered lines [from, to) without building the whole text:
// the cost follows the window, not the answer. Every line is exactly Width
// cells wide, except the blank separators, which are empty.
func (r *Renderer) Lines(from, to int) []string {
	if from < 0 {
		from = 0
	}
	total := r.LineCount()
	if to > total {
		to = total
	}
	if from >= to {
		return nil
	}
	out := make([]string, 0, to-from)
	pos := 0
	emit := func(lines []string) bool {
		for _, l := range lines {
			if pos >= to {
				return false
			}
			if pos >= from {
				out = append(out, l)
			}
			pos++
		}
		return true
	}
	for i, b := range r.blocks {
		if pos+len(b.lines)+1 <= from { // skip whole blocks cheaply
			pos += len(b.lines)
			if i < len(r.blocks)-1 || len(r.tailLines) > 0 {
				pos++
			}
			continue
		}
		if !emit(b.lines) {
			return out
		}
		if i < len(r.blocks)-1 || len(r.tailLines) > 0 {
			if !emit([]string{""}) {
				return out
			}
		}
	}
	emit(r.tailLines)
	return out
}

// String renders everything (for copying and tests).
func (r *Renderer) String() string {
	return strings.Join(r.Lines(0, r.LineCount()), "\n")
}

// classify walks the lines added since the last call, committing blocks
// whose end is now certain. With final set, an unterminated last line is
// classified too.
func (r *Renderer) classify(final bool) {
	s := r.src.String()
	for r.scan < len(s) {
		nl := strings.IndexByte(s[r.scan:], '\n')
		if nl < 0 && !final {
			// An unfinished line after a blank one: its first characters
			// may already tell whether it continues the block before, which
			// then need not be rendered again with the tail on every frame
			// until the line ends (a paragraph is often one long line).
			if r.candidate >= 0 && !r.fence.open {
				if continues, known := startContinues(s[r.scan:], r.candidateInList); known {
					r.confirm(r.scan, continues)
				}
			}
			return
		}
		end := len(s)
		next := len(s)
		if nl >= 0 {
			end = r.scan + nl
			next = end + 1
		}
		line := s[r.scan:end]
		r.line(line, r.scan, next)
		r.scan = next
	}
}

// line classifies one whole line that starts at offset start.
func (r *Renderer) line(line string, start, next int) {
	if r.fence.open {
		if closesFence(line, r.fence) {
			r.fence = fenceState{}
		}
		return
	}
	if f, ok := opensFence(line); ok {
		r.confirm(start, false)
		r.fence = f
		r.lastWasList = false
		return
	}
	if strings.TrimSpace(line) == "" {
		if r.candidate < 0 {
			r.candidate, r.candidateInList = next, r.lastWasList
		} else {
			r.candidate = next // more blank lines: the block ends later
		}
		return
	}
	indented := line[0] == ' ' || line[0] == '\t'
	list := isListItem(line)
	r.confirm(start, indented || (list && r.candidateInList))
	if list {
		r.lastWasList = true
	} else if !indented {
		r.lastWasList = false
	}
}

// startContinues tells, from the start of a line, what line would decide
// once whole: whether it continues the block before the blank line (it is
// indented, or another item of the list). known is false while the start
// could still go either way (only spaces so far, or a list marker cut
// short).
func startContinues(start string, inList bool) (continues, known bool) {
	t := strings.TrimLeft(start, " \t")
	if t == "" {
		return false, false // spaces only: it may yet be a blank line
	}
	if t != start {
		if t[0] == '`' || t[0] == '~' {
			return false, false // perhaps a fence, which ends the block
		}
		return true, true // indented: a continuation
	}
	if !inList {
		return false, true
	}
	switch c := start[0]; {
	case c == '-' || c == '*' || c == '+':
		if len(start) < 2 {
			return false, false
		}
	case c >= '0' && c <= '9':
		// up to 9 digits, '.' or ')', a space: isListItem's answer is
		// final once 11 characters are known, or at the first character
		// that cannot be part of a marker
		i := 0
		for i < len(start) && i < 9 && start[i] >= '0' && start[i] <= '9' {
			i++
		}
		if i+1 >= len(start) && (i == len(start) || start[i] == '.' || start[i] == ')') {
			return false, false
		}
	}
	return isListItem(start), true
}

// confirm decides a pending candidate once the next non-blank line, at
// offset start, is known: it ends a block unless the line continues it.
func (r *Renderer) confirm(start int, continues bool) {
	if r.candidate < 0 {
		return
	}
	if !continues && r.candidate > r.open {
		r.commit(r.candidate)
	}
	r.candidate = -1
	_ = start
}

// commit renders src[open:end] as a finished block.
func (r *Renderer) commit(end int) {
	text := r.src.String()[r.open:end]
	r.open = end
	if strings.TrimSpace(text) == "" {
		return
	}
	lines := r.render(text)
	r.blocks = append(r.blocks, block{src: text, lines: lines})
	r.lines += len(lines)
	r.tailDirty = true
}

// render runs glamour on one piece and trims its outer blank lines, so the
// pieces can be joined with exactly one blank line. Each line is then
// rewritten with fewer escape sequences (see compactSGR): the screen is
// parsed on every frame, and glamour's lines are mostly escapes.
func (r *Renderer) render(text string) []string {
	lines := r.renderRaw(text)
	for i, l := range lines {
		lines[i] = compactSGR(l)
	}
	return lines
}

// renderRaw is render without the compaction: glamour's own lines, trimmed
// and padded.
func (r *Renderer) renderRaw(text string) []string {
	out := text
	if r.tr != nil {
		if s, err := r.tr.Render(text); err == nil {
			out = s
		}
	}
	// A tab would move the terminal's cursor to its next tab stop, which
	// no width count can know: code keeps its indentation as spaces.
	out = strings.ReplaceAll(out, "\t", "    ")
	lines := strings.Split(out, "\n")
	for len(lines) > 0 && blank(lines[0]) {
		lines = lines[1:]
	}
	for len(lines) > 0 && blank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	// Every line leaves here exactly r.width cells wide, measured once, so
	// the pane can place lines without measuring them on every frame.
	for i, l := range lines {
		w := xansi.StringWidth(l)
		switch {
		case w > r.width:
			lines[i] = xansi.Truncate(l, r.width, "")
			if w = xansi.StringWidth(lines[i]); w < r.width {
				lines[i] += strings.Repeat(" ", r.width-w)
			}
		case w < r.width:
			lines[i] = l + strings.Repeat(" ", r.width-w)
		}
	}
	return lines
}

func blank(line string) bool {
	return strings.TrimSpace(xansi.Strip(line)) == ""
}

func opensFence(line string) (fenceState, bool) {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || len(t) < 3 {
		return fenceState{}, false
	}
	c := t[0]
	if c != '`' && c != '~' {
		return fenceState{}, false
	}
	n := 0
	for n < len(t) && t[n] == c {
		n++
	}
	if n < 3 || (c == '`' && strings.IndexByte(t[n:], '`') >= 0) {
		return fenceState{}, false
	}
	return fenceState{open: true, char: c, n: n}, true
}

func closesFence(line string, f fenceState) bool {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return false
	}
	n := 0
	for n < len(t) && t[n] == f.char {
		n++
	}
	return n >= f.n && strings.TrimSpace(t[n:]) == ""
}

func isListItem(line string) bool {
	t := strings.TrimLeft(line, " ")
	if len(t) >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && (t[1] == ' ' || t[1] == '\t') {
		return true
	}
	i := 0
	for i < len(t) && i < 9 && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	return i > 0 && i+1 < len(t) && (t[i] == '.' || t[i] == ')') && (t[i+1] == ' ' || t[i+1] == '\t')
}

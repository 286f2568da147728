package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/alecthomas/chroma/v2/quick"
	"github.com/charmbracelet/x/ansi"

	"mstudio/themes"
	"mstudio/untrusted"
)

// MaxResultLines is the most lines of arguments or of a result an expansion
// renders; the rest is counted in a "… N more lines" marker. The full text
// is one y away, and no terminal pane is worth drawing a megabyte into.
const MaxResultLines = 200

const (
	// previewBytes bounds the one-line forms of arguments and results:
	// more than any pane is wide, little enough to cost nothing.
	previewBytes = 1024
	// compactLimit is the largest text compacted exactly as JSON; above it
	// the preview is taken from the start with its whitespace folded, so
	// that a huge result is never parsed for a one-line summary.
	compactLimit = 64 << 10
	// validLimit is the largest text checked with json.Valid before it is
	// pretty-printed; above it the first character decides, since the
	// pretty-printer copes with anything and a full parse would cost more
	// than the lines shown are worth.
	validLimit = 256 << 10
)

// row is one line of the laid-out list. call is the call it belongs to, or
// -1 for a turn header; head marks a call's summary line, which has a
// second, highlighted form for when the cursor is on it.
type row struct {
	call int
	head bool
	line string
	sel  string
}

// entry is what the pane keeps per call: the call it was made from (to
// notice changes), the one-line summary, and the rendered expansion.
type entry struct {
	call Call
	sum  summary
	exp  *expansion
}

// summary holds a call's texts in one-line, sanitised form.
type summary struct {
	id, name, args, result, err string
}

// expansion is a call's rendered detail lines for one width and indent.
type expansion struct {
	width, indent int
	lines         []string
}

// sameCall reports whether two calls would render the same. Comparing a big
// result string is cheap when it is the same string (Go compares the
// pointers first), and a memory compare otherwise.
func sameCall(a, b Call) bool {
	return a.Turn == b.Turn && a.ID == b.ID && a.Name == b.Name && a.Arguments == b.Arguments &&
		a.State == b.State && a.Result == b.Result && a.Error == b.Error && slices.Equal(a.SchemaErrors, b.SchemaErrors)
}

// entryFor returns call i's cache entry, renewed when the call changed.
func (m *Model) entryFor(i int) *entry {
	k := callKey(m.calls, i)
	c := m.calls[i]
	if e := m.cache[k]; e != nil && sameCall(e.call, c) {
		return e
	}
	e := &entry{call: c, sum: summary{
		id: untrusted.StripLine(c.ID), name: untrusted.StripLine(c.Name),
		args: oneLine(c.Arguments), result: oneLine(c.Result), err: oneLine(c.Error),
	}}
	if e.sum.name == "" {
		e.sum.name = "(unnamed)"
	}
	m.cache[k] = e
	return e
}

// layout rebuilds the row list: turn headers for parallel calls, one
// summary line per call, and the cached expansion of every open call.
func (m *Model) layout() {
	m.rows = m.rows[:0]
	w := m.width
	for start := 0; start < len(m.calls); {
		end := start + 1
		for end < len(m.calls) && m.calls[end].Turn == m.calls[start].Turn {
			end++
		}
		indent := 0
		if n := end - start; n > 1 {
			indent = 2
			h := m.st.Muted.Render(fmt.Sprintf("turn %d · %d parallel calls", m.calls[start].Turn, n))
			m.rows = append(m.rows, row{call: -1, line: h})
		}
		for i := start; i < end; i++ {
			e := m.entryFor(i)
			line, sel := m.headLines(e, w, indent)
			m.rows = append(m.rows, row{call: i, head: true, line: line, sel: sel})
			if !m.isOpen(i) || w <= 0 {
				continue
			}
			if e.exp == nil || e.exp.width != w || e.exp.indent != indent {
				e.exp = &expansion{width: w, indent: indent, lines: m.expand(e.call, e.sum, w, indent)}
			}
			for _, l := range e.exp.lines {
				m.rows = append(m.rows, row{call: i, line: l})
			}
		}
		start = end
	}
	m.offset = min(m.offset, m.maxOffset())
}

// seg is a piece of a summary line and its style.
type seg struct {
	text  string
	style lipgloss.Style
}

// headLines returns a call's summary line in its normal and its cursor
// form, at most w wide: icon, name, arguments, the start of the result or
// the error, and the id at the right end when there is room for it.
func (m Model) headLines(e *entry, w, indent int) (string, string) {
	st, s := m.st, e.sum
	icon := seg{"·", st.Muted}
	var tail []seg
	switch e.call.State {
	case StatePending:
		icon = seg{"…", st.Warning}
	case StateAnswered:
		icon = seg{"✓", st.Success}
		tail = []seg{{" → ", st.Muted}, {s.result, st.Muted}}
	case StateFailed:
		icon = seg{"✗", st.Error}
		msg := s.err
		if msg == "" && len(e.call.SchemaErrors) > 0 {
			msg = plural(len(e.call.SchemaErrors), "schema violation")
		}
		if msg != "" {
			tail = []seg{{" → ", st.Muted}, {msg, st.Error}}
		}
	}
	left := []seg{icon, {" ", st.Text}, {s.name, st.Bold}}
	if s.args != "" {
		left = append(left, seg{" ", st.Text}, seg{s.args, st.Text})
	}
	left = append(left, tail...)

	avail := max(w-indent, 0)
	idW := ansi.StringWidth(s.id)
	full := 0
	for _, g := range left {
		full += ansi.StringWidth(g.text)
	}
	// The id is the least useful part: shown when everything fits, or on a
	// pane wide enough that the arguments keep most of the line anyway.
	showID := idW > 0 && (full+1+idW <= avail || (avail >= 60 && avail-idW-1 >= 40))
	leftW := avail
	if showID {
		leftW = avail - idW - 1
	}
	pad := strings.Repeat(" ", indent)
	build := func(sel *lipgloss.Style) string {
		l, lw := fitSegs(left, leftW, sel)
		if !showID {
			return pad + l
		}
		gap, id := strings.Repeat(" ", avail-lw-idW), st.Muted.Render(s.id)
		if sel != nil {
			return pad + l + sel.Render(gap+s.id)
		}
		return pad + l + gap + id
	}
	return build(nil), build(&st.Selected)
}

// fitSegs renders segs within w cells, cutting the piece that overflows
// with "…" and dropping the rest. With sel, every piece is drawn in sel
// (the cursor row) and the line is filled to w so the highlight is a bar.
func fitSegs(segs []seg, w int, sel *lipgloss.Style) (string, int) {
	var b strings.Builder
	used := 0
	for i, g := range segs {
		if g.text == "" {
			continue
		}
		rem := w - used
		if rem <= 0 {
			break
		}
		t, tw := g.text, ansi.StringWidth(g.text)
		more := false
		for _, n := range segs[i+1:] {
			more = more || n.text != ""
		}
		if tw > rem || (tw == rem && more) {
			t = ansi.Truncate(t, rem, "…")
			tw = ansi.StringWidth(t)
			rem = 0
		}
		style := g.style
		if sel != nil {
			style = *sel
		}
		b.WriteString(style.Render(t))
		used += tw
		if rem == 0 {
			break
		}
	}
	if sel != nil && used < w {
		b.WriteString(sel.Render(strings.Repeat(" ", w-used)))
		used = w
	}
	return b.String(), used
}

// expand renders a call's detail lines below its summary: id, arguments,
// schema violations, then the result or the error.
func (m Model) expand(c Call, s summary, w, indent int) []string {
	st := m.st
	cw := max(w-indent-2, 1)
	var body []string
	head := "turn " + fmt.Sprint(c.Turn)
	if s.id != "" {
		head = "id " + s.id + " · " + head
	}
	body = append(body, st.Muted.Render(ansi.Truncate(head, cw, "…")))
	if strings.TrimSpace(c.Arguments) == "" {
		body = append(body, st.Muted.Render("no arguments"))
	} else {
		body = append(body, m.bodyLines(c.Arguments, cw, st.Text)...)
	}
	for _, v := range c.SchemaErrors {
		body = append(body, wrapStyled("✗ "+untrusted.StripLine(v), cw, st.Warning)...)
	}
	switch c.State {
	case StatePending:
		body = append(body, st.Muted.Render("waiting for the result…"))
	case StateFailed:
		if c.Error != "" {
			body = append(body, wrapStyled("error: "+untrusted.StripLine(c.Error), cw, st.Error)...)
		}
	}
	if c.Result != "" {
		label := "result"
		if len(c.Result) >= 1024 {
			label += " · " + size(len(c.Result))
		}
		body = append(body, st.Muted.Render(label))
		body = append(body, m.bodyLines(c.Result, cw, st.Text)...)
	}
	gutter := strings.Repeat(" ", indent) + st.Subtle.Render("│") + " "
	for i, l := range body {
		body[i] = gutter + l
	}
	return body
}

// bodyLines renders arguments or a result within cw cells: JSON
// pretty-printed and highlighted, anything else as wrapped text, at most
// MaxResultLines lines and a marker for the rest.
func (m Model) bodyLines(src string, cw int, text lipgloss.Style) []string {
	src = strings.TrimSpace(src)
	var lines []string
	var more int
	if looksJSON(src) {
		lines, more = m.jsonLines(src, cw)
	} else {
		lines, more = textLines(src, cw, text)
	}
	if more > 0 {
		lines = append(lines, m.st.Muted.Render("… "+plural(more, "more line")+" · y copies all"))
	}
	return lines
}

// looksJSON reports whether s is a JSON object or array (scalars read fine
// as text). Big texts are judged by their first character only.
func looksJSON(s string) bool {
	if s == "" || (s[0] != '{' && s[0] != '[') {
		return false
	}
	return len(s) > validLimit || json.Valid([]byte(s))
}

// jsonLines pretty-prints and highlights src, keeping MaxResultLines lines.
func (m Model) jsonLines(src string, cw int) ([]string, int) {
	pretty, total := indentJSON(src, MaxResultLines, cw*4+8)
	// A JSON string may hold raw C1 controls or DEL; invalid input anything.
	pretty = strings.ReplaceAll(untrusted.Sanitize(pretty), "\t", "    ")
	plain := strings.Split(pretty, "\n")
	more := max(total-len(plain), 0)
	var b strings.Builder
	if err := quick.Highlight(&b, pretty, "json", themes.ChromaFormatter, m.st.CodeTheme); err != nil {
		return cutLines(plain, cw, ""), more
	}
	hl := strings.Split(b.String(), "\n")
	if len(hl) < len(plain) {
		return cutLines(plain, cw, ""), more
	}
	// Chroma may close a colour on the next line; each line is closed on
	// its own so that no colour leaks into the border or the next pane.
	return cutLines(hl[:len(plain)], cw, "\x1b[0m"), more
}

// cutLines cuts each line to cw cells, appending reset to lines that carry
// escape sequences.
func cutLines(lines []string, cw int, reset string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if ansi.StringWidth(l) > cw {
			l = ansi.Truncate(l, cw, "…")
		}
		if reset != "" && strings.Contains(l, "\x1b[") && !strings.HasSuffix(l, reset) {
			l += reset
		}
		out[i] = l
	}
	return out
}

// textLines wraps text to cw cells, keeping MaxResultLines lines; it
// returns them and how many source lines were left out. A very long line
// is cut first, so a megabyte on one line costs no more than a screenful.
func textLines(src string, cw int, style lipgloss.Style) ([]string, int) {
	var out []string
	rest := strings.TrimRight(src, "\n")
	for rest != "" && len(out) < MaxResultLines {
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		line, cut := cutBytes(line, cw*(MaxResultLines/4)+8)
		if cut {
			line += "…"
		}
		line = strings.ReplaceAll(untrusted.Sanitize(line), "\t", "    ")
		for _, p := range strings.Split(ansi.Hardwrap(line, cw, true), "\n") {
			if len(out) == MaxResultLines {
				break
			}
			out = append(out, style.Render(p))
		}
	}
	more := 0
	if rest != "" {
		more = strings.Count(rest, "\n") + 1
	}
	return out, more
}

// wrapStyled wraps one line of plain text to cw cells in style.
func wrapStyled(s string, cw int, style lipgloss.Style) []string {
	parts := strings.Split(ansi.Wrap(s, cw, ""), "\n")
	for i, p := range parts {
		parts[i] = style.Render(p)
	}
	return parts
}

// oneLine returns s as a single sanitised line of at most about
// previewBytes: compact JSON when it is JSON of a reasonable size,
// otherwise its start with runs of whitespace folded.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if len(s) <= compactLimit && (s[0] == '{' || s[0] == '[' || s[0] == '"') {
		var b bytes.Buffer
		if json.Compact(&b, []byte(s)) == nil {
			t, cut := cutBytes(b.String(), previewBytes)
			if cut {
				t += "…"
			}
			return untrusted.StripLine(t)
		}
	}
	t, cut := cutBytes(s, previewBytes)
	t = strings.Join(strings.Fields(untrusted.StripLine(t)), " ")
	if cut {
		t += "…"
	}
	return t
}

// cutBytes returns the start of s of at most n bytes, cut between
// characters, and whether anything was cut.
func cutBytes(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}

// indentJSON pretty-prints src with two spaces per level, like
// json.Indent, but it writes only the first maxLines lines (each cut at
// about lineBytes) and still counts how many lines the whole would have.
// Counting is one pass over the bytes with no allocation, which is what
// keeps a megabyte result cheap to open. It never fails: input that is not
// JSON comes out re-spaced but complete.
func indentJSON(src string, maxLines, lineBytes int) (string, int) {
	var b strings.Builder
	lines, depth, lineLen := 1, 0, 0
	inStr, esc, cut := false, false, false
	put := func(c byte) {
		if lines > maxLines || cut {
			return
		}
		if lineLen >= lineBytes && utf8.RuneStart(c) {
			cut = true
			b.WriteString("…")
			return
		}
		b.WriteByte(c)
		lineLen++
	}
	nl := func() {
		lines++
		lineLen, cut = 0, false
		if lines <= maxLines {
			b.WriteByte('\n')
			for range depth {
				b.WriteString("  ")
			}
		}
	}
	for i := 0; i < len(src); i++ {
		if lines > maxLines {
			return b.String(), lines + countLines(src[i:], inStr, esc)
		}
		c := src[i]
		if inStr {
			put(c)
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
		case '"':
			inStr = true
			put(c)
		case '{', '[':
			put(c)
			j := i + 1
			for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\n' || src[j] == '\r') {
				j++
			}
			if j < len(src) && (src[j] == '}' || src[j] == ']') {
				put(src[j])
				i = j
				continue
			}
			depth++
			nl()
		case '}', ']':
			depth = max(depth-1, 0)
			nl()
			put(c)
		case ',':
			put(c)
			nl()
		case ':':
			put(c)
			put(' ')
		default:
			put(c)
		}
	}
	return b.String(), lines
}

// countLines returns how many line breaks indentJSON would still write
// for src, which starts inside a string when inStr (just after a backslash
// when esc). It is indentJSON without the writing, kept tight because it
// walks the bulk of a huge result.
func countLines(src string, inStr, esc bool) int {
	n := 0
	for i := 0; i < len(src); i++ {
		if inStr {
			// Jump to the closing quote with IndexByte (vectorised): the
			// strings are most of a typical result's bytes.
			if esc {
				i++
				esc = false
			}
			for {
				k := strings.IndexByte(src[i:], '"')
				if k < 0 {
					return n
				}
				q := i + k
				bs := 0
				for p := q - 1; p >= i && src[p] == '\\'; p-- {
					bs++
				}
				i = q
				if bs%2 == 0 {
					break
				}
				i++ // an escaped quote: the string goes on
			}
			inStr = false
			continue
		}
		c := src[i]
		switch c {
		case '"':
			inStr = true
		case ',', '}', ']':
			n++
		case '{', '[':
			j := i + 1
			for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\n' || src[j] == '\r') {
				j++
			}
			if j < len(src) && (src[j] == '}' || src[j] == ']') {
				i = j // an empty {} or [] stays on its line
				continue
			}
			n++
		}
	}
	return n
}

// plural says "1 thing" or "n things".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// size says how big n bytes are.
func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

package editor

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"mstudio/api"
)

// Section headers of the plain format. "model" is accepted for assistant
// because that is what Dotprompt calls the role, so a user who knows the
// .prompt files can type either.
const (
	headerSystem    = "## system"
	headerUser      = "## user"
	headerAssistant = "## assistant"
	headerVars      = "## vars"
)

// preamble opens every file FormatText writes: the user sees the rules of
// the format in the file itself, in $EDITOR, where there is no help line.
const preamble = `# mstudio prompt. Save and quit to apply it; if it cannot be read, the prompt stays as it was.
# Sections: "## system", "## user", "## assistant", "## vars" (one "name = value" a line; empty = unset).
# Text is kept exactly as written; a text line starting with "## " is written "\## ".
`

// ParseError is a problem in text given to ParseText, with the 1-based line
// it is on, so an editor can jump to it.
type ParseError struct {
	Line int
	Msg  string
}

// Error formats as "line 7: unknown section ...".
func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// FormatText writes doc in the plain format the $EDITOR round trip uses:
// a short comment, then "## system", one "## user" or "## assistant" section
// a turn, and "## vars" with one "name = value" line for every variable the
// text uses or doc.Vars holds (unset ones with nothing after the "=").
//
// Text is written verbatim except that a line starting with "## " (or with
// backslashes and then "## ") gets one more backslash in front, so it cannot
// be read as a header. ParseText(FormatText(d)) gives d back exactly for
// every Document whose Vars has no empty values (an empty value means unset)
// and whose variable names hold no space, "=" or leading "#".
func FormatText(doc Document) string {
	var b strings.Builder
	b.WriteString(preamble)
	b.WriteString("\n")
	writeSection(&b, headerSystem, doc.System)
	for _, t := range doc.Turns {
		h := headerUser
		if t.Role == api.RoleAssistant {
			h = headerAssistant
		}
		writeSection(&b, h, t.Text)
	}
	b.WriteString(headerVars + "\n")
	names := docVariables(doc)
	for n := range doc.Vars {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range slices.Compact(names) {
		b.WriteString(n + " = " + quoteValue(doc.Vars[n]) + "\n")
	}
	return b.String()
}

// writeSection writes a header, the text and a blank line. ParseText drops
// exactly one blank line at the end of a section, which is this one, so a
// text that ends in newlines keeps them.
func writeSection(b *strings.Builder, header, text string) {
	b.WriteString(header + "\n")
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		if isHeaderLike(line) {
			b.WriteByte('\\')
		}
		b.WriteString(line)
	}
	b.WriteString("\n\n")
}

// isHeaderLike reports whether a text line must be escaped: it would be a
// header ("## " or "##" alone), or it is already an escaped one (so that
// "\## " in the text survives as itself).
func isHeaderLike(line string) bool {
	rest := strings.TrimLeft(line, `\`)
	return rest == "##" || strings.HasPrefix(rest, "## ")
}

// quoteValue writes a value so that it reads back the same: plain when it
// can be, Go-quoted when spaces at its ends, a newline or a leading quote
// would otherwise be lost or misread.
func quoteValue(v string) string {
	if v == "" {
		return ""
	}
	plain := v == strings.TrimSpace(v) && !strings.HasPrefix(v, `"`)
	for _, r := range v {
		if r < ' ' || r == 0x7f {
			plain = false
			break
		}
	}
	if plain {
		return v
	}
	return strconv.Quote(v)
}

// ParseText reads the plain format FormatText writes, and what a user makes
// of it in an editor: sections in any order (at most one system and one
// vars), blank or "#" comment lines before the first section and in vars,
// "## model" for assistant, a missing blank line before a header. Errors
// name their line.
func ParseText(text string) (Document, error) {
	doc := Document{Vars: map[string]string{}}
	lines := strings.Split(text, "\n")
	if strings.HasSuffix(text, "\n") {
		lines = lines[:len(lines)-1] // the file's final newline ends the last line; it is not an empty line
	}

	const (
		none = iota
		inSystem
		inTurn
		inVars
	)
	state := none
	var body []string
	seenSystem, seenVars := false, false
	seenVar := map[string]bool{}

	// flush closes the text section being read.
	flush := func() {
		if state != inSystem && state != inTurn {
			return
		}
		if n := len(body); n > 0 && body[n-1] == "" {
			body = body[:n-1] // the blank line FormatText puts between sections
		}
		t := strings.Join(body, "\n")
		if state == inSystem {
			doc.System = t
		} else {
			doc.Turns[len(doc.Turns)-1].Text = t
		}
		body = body[:0]
	}

	for i, line := range lines {
		n := i + 1
		if h, ok := header(line); ok {
			flush()
			switch strings.ToLower(h) {
			case headerSystem:
				if seenSystem {
					return Document{}, &ParseError{n, "a second \"## system\" section; keep one"}
				}
				seenSystem, state = true, inSystem
			case headerUser:
				doc.Turns = append(doc.Turns, Turn{Role: api.RoleUser})
				state = inTurn
			case headerAssistant, "## model":
				doc.Turns = append(doc.Turns, Turn{Role: api.RoleAssistant})
				state = inTurn
			case headerVars:
				if seenVars {
					return Document{}, &ParseError{n, "a second \"## vars\" section; keep one"}
				}
				seenVars, state = true, inVars
			default:
				return Document{}, &ParseError{n, fmt.Sprintf("unknown section %q; sections are ## system, ## user, ## assistant and ## vars", h)}
			}
			continue
		}
		switch state {
		case none:
			if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
				return Document{}, &ParseError{n, "text before the first section; start it with \"## system\" or \"## user\""}
			}
		case inSystem, inTurn:
			if isHeaderLike(line) {
				line = line[1:] // undo FormatText's escape
			}
			body = append(body, line)
		case inVars:
			if err := parseVar(n, line, doc.Vars, seenVar); err != nil {
				return Document{}, err
			}
		}
	}
	flush()
	return doc, nil
}

// header reports whether line is a section header, and returns it without
// trailing blanks (an editor may leave a space or a \r there).
func header(line string) (string, bool) {
	h := strings.TrimRight(line, " \t\r")
	if h == "##" || strings.HasPrefix(h, "## ") {
		return h, true
	}
	return "", false
}

// parseVar reads one line of the vars section into vars; seen catches a
// name given twice even when its first value was empty.
func parseVar(n int, line string, vars map[string]string, seen map[string]bool) error {
	t := strings.TrimSpace(line)
	if t == "" || strings.HasPrefix(t, "#") {
		return nil
	}
	name, value, ok := strings.Cut(t, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t") {
		return &ParseError{n, fmt.Sprintf("want \"name = value\" in ## vars, got %q", t)}
	}
	if seen[name] {
		return &ParseError{n, fmt.Sprintf("%s is set twice", name)}
	}
	value = strings.TrimSpace(value)
	if strings.HasPrefix(value, `"`) {
		v, err := strconv.Unquote(value)
		if err != nil {
			return &ParseError{n, fmt.Sprintf("the value of %s starts with a quote but is not a complete quoted string", name)}
		}
		value = v
	}
	seen[name] = true
	if value != "" { // empty means unset: no entry
		vars[name] = value
	}
	return nil
}

// equalDocs reports whether two documents hold the same prompt; nil and
// empty Vars are the same.
func equalDocs(a, b Document) bool {
	return a.System == b.System && slices.Equal(a.Turns, b.Turns) && maps.Equal(a.Vars, b.Vars)
}

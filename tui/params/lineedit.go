package params

import (
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mstudio/themes"
)

// lineEdit is the one-line editor a value is typed in. It is written here
// rather than taken from bubbles' textinput, which pulls in a clipboard
// library the module does not carry (and a value is a few characters); it
// keeps the same keys as textinput and readline.
type lineEdit struct {
	value []rune
	pos   int // cursor, in runes
}

func newLineEdit(s string) lineEdit {
	v := []rune(s)
	return lineEdit{value: v, pos: len(v)}
}

func (e lineEdit) String() string { return string(e.value) }

// key applies an editing key and reports whether it was one.
func (e *lineEdit) key(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "left", "ctrl+b":
		e.pos = max(e.pos-1, 0)
	case "right", "ctrl+f":
		e.pos = min(e.pos+1, len(e.value))
	case "home", "ctrl+a":
		e.pos = 0
	case "end", "ctrl+e":
		e.pos = len(e.value)
	case "alt+left", "ctrl+left", "alt+b":
		e.pos = e.wordStart()
	case "alt+right", "ctrl+right", "alt+f":
		e.pos = e.wordEnd()
	case "backspace", "ctrl+h":
		if e.pos > 0 {
			e.value = append(e.value[:e.pos-1:e.pos-1], e.value[e.pos:]...)
			e.pos--
		}
	case "delete", "ctrl+d":
		if e.pos < len(e.value) {
			e.value = append(e.value[:e.pos:e.pos], e.value[e.pos+1:]...)
		}
	case "ctrl+w", "alt+backspace", "ctrl+backspace":
		start := e.wordStart()
		e.value = append(e.value[:start:start], e.value[e.pos:]...)
		e.pos = start
	case "ctrl+u":
		e.value = append([]rune(nil), e.value[e.pos:]...)
		e.pos = 0
	case "ctrl+k":
		e.value = e.value[:e.pos:e.pos]
	default:
		if !printable(msg) {
			return false
		}
		e.insert(msg.Text)
	}
	return true
}

// insert types s at the cursor. Line breaks and tabs become spaces and
// other controls are dropped: a value is one line.
func (e *lineEdit) insert(s string) {
	var add []rune
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			add = append(add, ' ')
		case unicode.IsPrint(r):
			add = append(add, r)
		}
	}
	v := make([]rune, 0, len(e.value)+len(add))
	v = append(v, e.value[:e.pos]...)
	v = append(v, add...)
	e.value = append(v, e.value[e.pos:]...)
	e.pos += len(add)
}

func (e lineEdit) wordStart() int {
	i := e.pos
	for i > 0 && unicode.IsSpace(e.value[i-1]) {
		i--
	}
	for i > 0 && !unicode.IsSpace(e.value[i-1]) {
		i--
	}
	return i
}

func (e lineEdit) wordEnd() int {
	i := e.pos
	for i < len(e.value) && unicode.IsSpace(e.value[i]) {
		i++
	}
	for i < len(e.value) && !unicode.IsSpace(e.value[i]) {
		i++
	}
	return i
}

// view draws the text in w cells with a block cursor (a plain cell when
// the pane is not focused), scrolled so that the cursor is always in view.
func (e lineEdit) view(st *themes.Styles, focused bool, w int) string {
	if w <= 0 {
		return ""
	}
	start := 0
	for start < e.pos && ansi.StringWidth(string(e.value[start:e.pos]))+1 > w {
		start++
	}
	before := string(e.value[start:e.pos])
	under, after := " ", ""
	if e.pos < len(e.value) {
		under = string(e.value[e.pos])
		after = string(e.value[e.pos+1:])
	}
	room := w - ansi.StringWidth(before) - ansi.StringWidth(under)
	after = ansi.Truncate(after, max(room, 0), "")
	var b strings.Builder
	b.WriteString(st.InputFocused.Render(before))
	if focused {
		b.WriteString(st.Cursor.Render(under))
	} else {
		b.WriteString(st.InputFocused.Render(under))
	}
	if after != "" {
		b.WriteString(st.InputFocused.Render(after))
	}
	return b.String()
}

// printable reports whether the key types text rather than commanding.
func printable(msg tea.KeyPressMsg) bool {
	if msg.Text == "" || msg.Mod&(tea.ModCtrl|tea.ModAlt|tea.ModSuper|tea.ModMeta|tea.ModHyper) != 0 {
		return false
	}
	for _, r := range msg.Text {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

package models

import (
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mstudio/themes"
)

// filterInput is the filter's one line of text. It is typed at its end
// only: a filter is a few characters, and bubbles' textinput pulls in a
// clipboard library the module does not carry.
type filterInput struct {
	value string
}

// key applies an editing key and reports whether it was one.
func (f *filterInput) key(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "backspace", "ctrl+h":
		if r := []rune(f.value); len(r) > 0 {
			f.value = string(r[:len(r)-1])
		}
	case "ctrl+w", "alt+backspace", "ctrl+backspace":
		v := strings.TrimRightFunc(f.value, unicode.IsSpace)
		f.value = v[:strings.LastIndexFunc(v, unicode.IsSpace)+1]
	case "ctrl+u":
		f.value = ""
	default:
		if !printable(msg) {
			return false
		}
		f.value += msg.Text
	}
	return true
}

// paste adds pasted text on the same line: line breaks become spaces and
// controls are dropped, since a filter is one line of plain text.
func (f *filterInput) paste(s string) {
	f.value += strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case !unicode.IsPrint(r):
			return -1
		}
		return r
	}, s)
}

// view draws the text with a block cursor at its end in w cells, showing
// the end of a text too long for them.
func (f filterInput) view(st *themes.Styles, focused bool, placeholder string, w int) string {
	if w <= 0 {
		return ""
	}
	cursor := ""
	if focused {
		cursor = st.Cursor.Render(" ")
		w--
	}
	if f.value == "" {
		return cursor + st.Placeholder.Render(ansi.Truncate(placeholder, max(w, 0), "…"))
	}
	v := f.value
	if ansi.StringWidth(v) > w {
		v = ansi.TruncateLeft(v, ansi.StringWidth(v)-w+1, "…")
	}
	return st.InputFocused.Render(v) + cursor
}

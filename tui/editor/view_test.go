package editor

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"mstudio/api"
	"mstudio/themes"
)

func stripANSI(s string) string { return ansi.Strip(s) }

// requireSize fails unless view is exactly w x h cells.
func requireSize(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if h == 0 {
		if view != "" {
			t.Fatalf("0 rows: got %q", view)
		}
		return
	}
	if len(lines) != h {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), h, stripANSI(view))
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("line %d is %d cells wide, want %d: %q", i, got, w, stripANSI(l))
		}
	}
}

// longDoc has more lines than any test pane.
func longDoc() Document {
	d := sample()
	for i := range 6 {
		d.Turns = append(d.Turns,
			Turn{Role: api.RoleAssistant, Text: fmt.Sprintf("Answer %d: a paragraph long enough to wrap over a few lines in a narrow pane.", i)},
			Turn{Role: api.RoleUser, Text: fmt.Sprintf("Question %d\nwith a second line", i)})
	}
	return d
}

func TestViewExactSize(t *testing.T) {
	for _, sz := range [][2]int{{60, 20}, {40, 10}} {
		for _, doc := range []Document{{}, sample(), longDoc()} {
			m := newModel(t, doc)
			m.SetSize(sz[0], sz[1])
			requireSize(t, m.View(), sz[0], sz[1])
			for _, k := range []string{"ctrl+up", "ctrl+up", "ctrl+down", "ctrl+down", "ctrl+down", "ctrl+n", "enter", "enter"} {
				m, _ = press(t, m, k)
				requireSize(t, m.View(), sz[0], sz[1])
			}
		}
	}
}

func TestTinySizesNeverPanic(t *testing.T) {
	for w := 0; w <= 6; w++ {
		for h := 0; h <= 4; h++ {
			m := newModel(t, longDoc())
			m.SetSize(w, h)
			requireSize(t, m.View(), w, h)
			for _, k := range []string{"ctrl+up", "up", "enter", "ctrl+down", "ctrl+down", "down", "ctrl+n", "ctrl+d"} {
				m, _ = press(t, m, k)
				m = typeText(m, "é{{v}}")
				requireSize(t, m.View(), w, h)
				_ = m.Cursor()
			}
		}
	}
	var m Model // the zero value is not usable, but New at size 0x0 is
	m = New(themes.New(themes.Dark()))
	requireSize(t, m.View(), 0, 0)
}

func TestScrollKeepsFocusInSight(t *testing.T) {
	m := newModel(t, longDoc())
	m.SetSize(40, 10)
	check := func(what string) {
		t.Helper()
		c := m.Cursor()
		if c == nil {
			t.Fatalf("%s: no cursor", what)
		}
		if c.X < 0 || c.X >= 40 || c.Y < 0 || c.Y >= 10 {
			t.Fatalf("%s: cursor at %d,%d outside 40x10", what, c.X, c.Y)
		}
		// The focused label is on screen (the block fits in the pane).
		label := labels[m.kind(m.sec)]
		lines := strings.Split(stripANSI(m.View()), "\n")
		if c.Y >= len(lines) {
			t.Fatalf("%s: cursor row %d past the view", what, c.Y)
		}
		found := false
		for _, l := range lines[:c.Y+1] {
			if strings.HasPrefix(l, label) {
				found = true
			}
		}
		if !found {
			t.Fatalf("%s: label %q not above the cursor:\n%s", what, label, strings.Join(lines, "\n"))
		}
	}
	check("loaded")
	for range len(m.turns) + 1 {
		m, _ = press(t, m, "ctrl+up")
		check("ctrl+up")
	}
	if m.sec != 0 || m.offset != 0 {
		t.Fatalf("at system: section %d offset %d", m.sec, m.offset)
	}
	for range len(m.turns) + 2 {
		m, _ = press(t, m, "ctrl+down")
		check("ctrl+down")
	}
	// A section growing past the pane scrolls inside the textarea.
	m, _ = press(t, m, "ctrl+up")
	for range 15 {
		m, _ = press(t, m, "enter")
		m = typeText(m, "line")
		check("growing")
		requireSize(t, m.View(), 40, 10)
	}
}

func TestCursorPosition(t *testing.T) {
	m := newModel(t, Document{System: "sys", Turns: []Turn{{Role: api.RoleUser, Text: "hello"}}})
	c := m.Cursor()
	if c == nil || c.X != gutterMax+5 || c.Y != 1 {
		t.Fatalf("cursor %+v, want %d,1", c, gutterMax+5)
	}
	m.Blur()
	if m.Cursor() != nil {
		t.Fatal("a blurred pane shows a cursor")
	}
	m.Focus()
	m = typeText(m, " {{city}}")
	m, _ = press(t, m, "ctrl+down")
	m = typeText(m, "Lyon")
	c = m.Cursor()
	if want := gutterMax + len("city = Lyon"); c == nil || c.X != want || c.Y != 2 {
		t.Fatalf("var cursor %+v, want %d,2", c, want)
	}
}

func TestUnfocusedSectionsAreCached(t *testing.T) {
	m := newModel(t, longDoc())
	_ = m.View()
	n := len(m.cache.m)
	for range 50 {
		m = typeText(m, "x")
		_ = m.View()
	}
	if got := len(m.cache.m); got != n {
		t.Fatalf("typing in one section changed the cache of the others: %d entries, was %d", got, n)
	}
	m.SetStyles(themes.New(themes.Light()))
	if len(m.cache.m) != 0 && !strings.Contains(m.View(), "") {
		t.Fatal("styles change kept old lines")
	}
}

func TestGoldenView(t *testing.T) {
	for _, theme := range []struct {
		name string
		p    themes.Palette
	}{{"dark", themes.Dark()}, {"light", themes.Light()}} {
		t.Run(theme.name, func(t *testing.T) {
			m := New(themes.New(theme.p))
			m.SetSize(60, 20)
			m.Load(sample())
			m.Focus()
			m, _ = m.Update(tea.KeyPressMsg{Code: '!', Text: "!"})
			v := m.View()
			requireSize(t, v, 60, 20)
			golden.RequireEqual(t, []byte(v))
		})
	}
}

// BenchmarkKeystroke is one key typed (or deleted, so the text keeps its
// length) and the frame drawn, in a prompt of 80 sections.
func BenchmarkKeystroke(b *testing.B) {
	m := New(themes.New(themes.Dark()))
	m.SetSize(80, 30)
	d := longDoc()
	for range 4 {
		d.Turns = append(d.Turns, longDoc().Turns...)
	}
	m.Load(d)
	m.Focus()
	keys := []tea.KeyPressMsg{{Code: 'x', Text: "x"}, {Code: tea.KeyBackspace}}
	b.ResetTimer()
	for i := range b.N {
		m, _ = m.Update(keys[i%2])
		_ = m.View()
	}
}

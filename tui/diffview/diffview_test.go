package diffview

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"mstudio/themes"
)

const sample = "--- hello v1\n+++ hello v2\n@@ -1,3 +1,3 @@\n {{role \"user\"}}\n-Name one thing to see in {{city}}.\n+Name two things to see in {{city}}.\n context\tline\n"

func TestCountsScrollAndClose(t *testing.T) {
	m := New(themes.New(themes.Dark()), "hello v1 → v2", sample)
	m.SetSize(40, 4)
	if m.Title() != "hello v1 → v2 · +1 −1" || m.Identical() {
		t.Fatalf("title %q", m.Title())
	}
	for i := 0; i < 10; i++ {
		m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	if m.offset != m.maxOffset() || m.offset == 0 {
		t.Fatalf("offset %d max %d", m.offset, m.maxOffset())
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if cmd == nil {
		t.Fatal("esc closes")
	}
	if _, ok := cmd().(ClosedMsg); !ok {
		t.Fatal("esc sends ClosedMsg")
	}
	for _, l := range strings.Split(m.View(), "\n") {
		if ansi.StringWidth(l) != 40 || strings.Contains(l, "\t") {
			t.Fatalf("line %q", l)
		}
	}
}

func TestIdentical(t *testing.T) {
	m := New(themes.New(themes.Dark()), "a → b", "")
	m.SetSize(30, 3)
	if !m.Identical() || !strings.Contains(ansi.Strip(m.View()), "identical") {
		t.Fatal("an empty diff says the sides are identical")
	}
}

func TestGolden(t *testing.T) {
	for name, pal := range map[string]themes.Palette{"dark": themes.Dark(), "light": themes.Light()} {
		t.Run(name, func(t *testing.T) {
			m := New(themes.New(pal), "hello v1 → v2", sample)
			m.SetSize(50, 9)
			golden.RequireEqual(t, []byte(m.View()))
		})
	}
}

package matrix

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mstudio/api"
	"mstudio/session"
	"mstudio/themes"
)

func TestTableFillsInAndDrills(t *testing.T) {
	m := New(themes.New(themes.Dark()), []map[string]string{{"city": "Lyon"}, {"city": "Nantes \x1b[2J"}}, []string{"a", "b"})
	m.SetSize(100, 10)
	if !strings.Contains(ansi.Strip(m.View()), "0 of 4 cells done") || !strings.Contains(ansi.Strip(m.View()), "running") {
		t.Fatal("cells start running")
	}
	m.SetResult(0, 1, session.Result{Model: "b", Message: api.Message{Content: api.Text("Fourvière\nhill")}, Latency: 1200 * time.Millisecond, Usage: &api.Usage{PromptTokens: 9, CompletionTokens: 3}})
	m.SetResult(1, 0, session.Result{Model: "a", Err: errors.New("429 rate limited")})
	done, total, failed := m.Done()
	if done != 2 || total != 4 || failed != 1 {
		t.Fatalf("%d %d %d", done, total, failed)
	}
	v := m.View()
	if strings.Contains(v, "\x1b[2J") || !strings.Contains(ansi.Strip(v), "Fourvière hill") || !strings.Contains(ansi.Strip(v), "429 rate limited") {
		t.Fatalf("view:\n%s", ansi.Strip(v))
	}
	for _, l := range strings.Split(v, "\n") {
		if ansi.StringWidth(l) != 100 {
			t.Fatalf("line %q", ansi.Strip(l))
		}
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if got := cmd(); got != (DrillMsg{Row: 0, Col: 1}) {
		t.Fatalf("drill %+v", got)
	}
	for _, sz := range [][2]int{{0, 0}, {1, 1}, {5, 3}} {
		m.SetSize(sz[0], sz[1])
		_ = m.View()
	}
}

// Rows count from 1 on screen, as in the headless table, the --json
// records and the CSV's data lines.
func TestRowsCountFromOne(t *testing.T) {
	m := New(themes.New(themes.Dark()), []map[string]string{{"city": "Lyon"}, {"city": "Nantes"}}, []string{"a"})
	m.SetSize(100, 10)
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if !strings.HasPrefix(lines[2], "1 Lyon") || !strings.HasPrefix(lines[3], "2 Nantes") {
		t.Fatalf("rows:\n%s", strings.Join(lines, "\n"))
	}
}

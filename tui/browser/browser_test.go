package browser

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mstudio/themes"
)

var day = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func loaded() Model {
	m := New(themes.New(themes.Dark()))
	m.SetSize(70, 12)
	m.SetCurrent("hello")
	m, _ = m.Update(LoadedMsg{Prompts: []Prompt{
		{Name: "extract"},
		{Name: "hello", Versions: []Version{{N: 1, Saved: day, Model: "mistral-small-latest"}, {N: 2, Saved: day.Add(time.Hour)}, {N: 3, Saved: day.Add(2 * time.Hour), Note: "shorter"}},
			Sessions: []Session{{Path: "sessions/a.jsonl", Created: day, Runs: 2, Models: []string{"a", "b"}}}},
	}})
	return m
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	}
	return tea.KeyPressMsg{Code: rune(s[0]), Text: s}
}

func run(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	return cmd()
}

func TestTreeOpenAndDiff(t *testing.T) {
	m := loaded()
	view := ansi.Strip(m.View())
	for _, want := range []string{"▸ extract", "▾ hello (open)", "v3", "newest", "shorter", "session", "2 runs"} {
		if !strings.Contains(view, want) {
			t.Fatalf("view lacks %q:\n%s", want, view)
		}
	}
	if m.cursor != 1 {
		t.Fatalf("the cursor starts on the open prompt, got %d", m.cursor)
	}
	m, _ = m.Update(press("down")) // v3
	_, cmd := m.Update(press("enter"))
	if got := run(t, cmd); got != (OpenVersionMsg{Name: "hello", N: 3}) {
		t.Fatalf("open %+v", got)
	}
	_, cmd = m.Update(press("d"))
	if got := run(t, cmd); got != (DiffMsg{Name: "hello", A: 2, B: 3}) {
		t.Fatalf("diff with the previous %+v", got)
	}
	m, _ = m.Update(press("space")) // mark v3
	m, _ = m.Update(press("down"))
	m, _ = m.Update(press("down")) // v1
	_, cmd = m.Update(press("d"))
	if got := run(t, cmd); got != (DiffMsg{Name: "hello", A: 1, B: 3}) {
		t.Fatalf("diff with the marked %+v", got)
	}
	m, _ = m.Update(press("down")) // session
	_, cmd = m.Update(press("enter"))
	if got := run(t, cmd); got != (OpenSessionMsg{Path: "sessions/a.jsonl"}) {
		t.Fatalf("open session %+v", got)
	}
	_, cmd = m.Update(press("esc"))
	if _, ok := run(t, cmd).(ClosedMsg); !ok {
		t.Fatal("esc closes")
	}
	for _, l := range strings.Split(m.View(), "\n") {
		if ansi.StringWidth(l) != 70 {
			t.Fatalf("line %q", ansi.Strip(l))
		}
	}
}

func TestExpandCollapse(t *testing.T) {
	m := loaded()
	m.cursor = 0
	m, _ = m.Update(press("enter"))
	if !strings.Contains(ansi.Strip(m.View()), "no versions or sessions yet") {
		t.Fatal("an expanded prompt without history says so")
	}
}

func TestADraftIsListedAndOpens(t *testing.T) {
	m := New(themes.New(themes.Dark()))
	m.SetSize(70, 12)
	m.SetCurrent("hello")
	m, _ = m.Update(LoadedMsg{Prompts: []Prompt{
		{Name: "hello"},
		{Name: "hello-fork", Draft: &Draft{Path: "state/drafts/ab.json", Saved: day, Model: "mistral-large-latest"}},
	}})
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "hello-fork") || !strings.Contains(view, "unsaved draft") {
		t.Fatalf("a prompt with only a draft is listed:\n%s", view)
	}
	m, _ = m.Update(press("down"))
	m, _ = m.Update(press("down")) // past hello's note, onto hello-fork
	m, _ = m.Update(press("enter"))
	m, _ = m.Update(press("down")) // its draft row
	if !strings.Contains(ansi.Strip(m.View()), "draft (unsaved)") {
		t.Fatalf("the draft row shows when expanded:\n%s", ansi.Strip(m.View()))
	}
	_, cmd := m.Update(press("enter"))
	if cmd == nil {
		t.Fatal("enter on a draft opens it")
	}
	if msg, ok := cmd().(OpenDraftMsg); !ok || msg.Path != "state/drafts/ab.json" {
		t.Fatalf("got %#v", cmd())
	}
}

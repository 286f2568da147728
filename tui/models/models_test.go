package models

import (
	"errors"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"mstudio/api"
	"mstudio/themes"
)

// testEntries is a small list covering every kind of row: aliases folded
// into one entry, badges, a price from the table, a deprecated model and a
// fine-tuned one.
func testEntries() []api.ModelEntry {
	return api.FoldAliases([]api.ModelCard{
		{ID: "mistral-small-2603", Aliases: []string{"mistral-small-latest"}, MaxContextLength: 262144,
			Capabilities: api.Capabilities{CompletionChat: true, FunctionCalling: true, Vision: true}},
		{ID: "mistral-small-latest", Aliases: []string{"mistral-small-2603"}, MaxContextLength: 262144},
		{ID: "codestral-2508", Aliases: []string{"codestral-latest"}, MaxContextLength: 131072,
			Capabilities: api.Capabilities{CompletionChat: true, FunctionCalling: true, CompletionFIM: true}},
		{ID: "magistral-medium-2509", MaxContextLength: 131072, Deprecation: "2026-05-22T00:00:00Z",
			DeprecationReplacementModel: "mistral-medium-latest",
			Capabilities:                api.Capabilities{CompletionChat: true, Reasoning: true, Vision: true}},
		{ID: "ft:mistral-small:team:abc", Type: "fine-tuned", Job: "j1", Root: "mistral-small-2603", MaxContextLength: 131072,
			Capabilities: api.Capabilities{CompletionChat: true}},
		{ID: "mistral-large-4", MaxContextLength: 524288,
			Capabilities: api.Capabilities{CompletionChat: true, FunctionCalling: true, Vision: true, Reasoning: true}},
		{ID: "zai-glm-5-2", MaxContextLength: 1048576},
	})
}

func press(s string) tea.KeyPressMsg {
	codes := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "up": tea.KeyUp, "down": tea.KeyDown,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"backspace": tea.KeyBackspace, "tab": tea.KeyTab,
	}
	if c, ok := codes[s]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	if s == "ctrl+u" {
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// send feeds messages to m and returns it with the messages its commands
// produced.
func send(t *testing.T, m Model, msgs ...tea.Msg) (Model, []tea.Msg) {
	t.Helper()
	var out []tea.Msg
	for _, msg := range msgs {
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		if cmd != nil {
			out = append(out, cmd())
		}
	}
	return m, out
}

func typeText(t *testing.T, m Model, s string) Model {
	t.Helper()
	for _, r := range s {
		m, _ = send(t, m, press(string(r)))
	}
	return m
}

func loaded(t *testing.T, opts ...Option) Model {
	t.Helper()
	m := New(themes.New(themes.Dark()), opts...)
	m.SetSize(40, 20)
	m.Focus()
	m, _ = send(t, m, LoadedMsg{Entries: testEntries()})
	return m
}

func visibleIDs(m Model) []string {
	var ids []string
	for _, v := range m.visible {
		ids = append(ids, m.rows[v].rawID)
	}
	return ids
}

func plain(m Model) string { return ansi.Strip(m.View()) }

func TestKeyNames(t *testing.T) {
	// The tests build keys by hand; make sure they read as the bindings
	// expect.
	for _, s := range []string{"enter", "esc", "up", "down", "pgup", "pgdown", "home", "end", "backspace", "k", "/", "ctrl+u"} {
		if got := press(s).String(); got != s {
			t.Errorf("press(%q).String() = %q", s, got)
		}
	}
}

func TestLoadingThenRows(t *testing.T) {
	m := New(themes.New(themes.Dark()))
	m.SetSize(40, 20)
	if v := plain(m); !strings.Contains(v, "loading models…") {
		t.Fatalf("no loading line:\n%s", v)
	}
	m, _ = send(t, m, LoadedMsg{Entries: testEntries()})
	v := plain(m)
	for _, want := range []string{
		"codestral-2508", "tools FIM 128k $0.30/$0.90", // badges, context, price on one line
		"mistral-small-2603", "tools vision 256k $0.15/$0.60",
		"fine-tuned 128k", "mistral-large-4", "tools vision reason 512k $0.68/$2.09",
		"zai-glm-5-2", "1M $1.40/$4.40",
		"deprecated 2026-05-22", "6 models",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "loading") {
		t.Error("still loading")
	}
}

func TestCursorRowShowsAliases(t *testing.T) {
	m := loaded(t)
	if m.Cursor() != "codestral-2508" {
		t.Fatalf("cursor on %q", m.Cursor())
	}
	if v := plain(m); !strings.Contains(v, "aka codestral-latest") {
		t.Fatalf("no alias line:\n%s", v)
	}
	m, _ = send(t, m, press("end"))
	if v := plain(m); !strings.Contains(v, "replaced by mistral-medium-latest") {
		t.Fatalf("no replacement line for the deprecated model:\n%s", v)
	}
}

func TestFilterByCapability(t *testing.T) {
	m := loaded(t)
	m, _ = send(t, m, press("/"))
	if !m.Capturing() {
		t.Fatal("/ did not start the filter")
	}
	m = typeText(t, m, "vision")
	want := []string{"mistral-large-4", "mistral-small-2603", "magistral-medium-2509"}
	if got := visibleIDs(m); !slices.Equal(got, want) {
		t.Fatalf("vision: %v, want %v", got, want)
	}
	// Terms combine: vision models that also call tools.
	m = typeText(t, m, " tools")
	if got := visibleIDs(m); !slices.Equal(got, want[:2]) {
		t.Fatalf("vision tools: %v", got)
	}
	if v := plain(m); !strings.Contains(v, "/ vision tools") {
		t.Fatalf("filter text not shown:\n%s", v)
	}
}

func TestTypingStartsFilter(t *testing.T) {
	m := loaded(t)
	m = typeText(t, m, "VISION") // any printable key starts it; case does not matter
	if !m.Capturing() || m.Filter() != "VISION" || len(m.visible) != 3 {
		t.Fatalf("capturing=%v filter=%q visible=%v", m.Capturing(), m.Filter(), visibleIDs(m))
	}
	// j and k are text while filtering.
	m = typeText(t, m, "jk")
	if m.Filter() != "VISIONjk" {
		t.Fatalf("filter %q", m.Filter())
	}
	m, _ = send(t, m, press("ctrl+u"))
	if m.Filter() != "" || !m.Capturing() {
		t.Fatalf("ctrl+u: filter %q", m.Filter())
	}
	m, _ = send(t, m, press("backspace")) // on an empty filter: leave it
	if m.Capturing() {
		t.Fatal("backspace on an empty filter kept filtering")
	}
}

func TestFilterByAliasChoosesAlias(t *testing.T) {
	m := loaded(t)
	m = typeText(t, m, "/mistral-small-latest")
	if got := visibleIDs(m); !slices.Equal(got, []string{"mistral-small-2603"}) {
		t.Fatalf("alias filter: %v", got)
	}
	m, msgs := send(t, m, press("enter"))
	if len(msgs) != 1 || msgs[0] != (SelectedMsg{ID: "mistral-small-latest"}) {
		t.Fatalf("enter on an exact alias: %v", msgs)
	}
	if m.Capturing() || m.Filter() != "" || m.Selected() != "mistral-small-latest" {
		t.Fatalf("after choosing: capturing=%v filter=%q selected=%q", m.Capturing(), m.Filter(), m.Selected())
	}
	// The row reads as chosen: under the alias, with the dated id as aka.
	v := plain(m)
	if !strings.Contains(v, "▸● mistral-small-latest") || !strings.Contains(v, "aka mistral-small-2603") {
		t.Fatalf("chosen row:\n%s", v)
	}
}

func TestFilterSubsequence(t *testing.T) {
	m := loaded(t)
	m = typeText(t, m, "/mlg4")
	if got := visibleIDs(m); !slices.Equal(got, []string{"mistral-large-4"}) {
		t.Fatalf("subsequence: %v", got)
	}
	// Subsequences count only when nothing contains the text: "fim" is
	// the FIM models, not every id with f, i and m in order.
	m, _ = send(t, m, press("ctrl+u"))
	m = typeText(t, m, "fim")
	if got := visibleIDs(m); !slices.Equal(got, []string{"codestral-2508"}) {
		t.Fatalf("fim: %v", got)
	}
}

func TestNoMatchChoosesTypedID(t *testing.T) {
	m := loaded(t)
	m = typeText(t, m, "/my-local-model")
	if len(m.visible) != 0 {
		t.Fatalf("matched %v", visibleIDs(m))
	}
	if v := plain(m); !strings.Contains(v, `no match; enter uses "my-local-model"`) {
		t.Fatalf("no hint:\n%s", v)
	}
	m, msgs := send(t, m, press("enter"))
	if len(msgs) != 1 || msgs[0] != (SelectedMsg{ID: "my-local-model"}) {
		t.Fatalf("enter: %v", msgs)
	}
	v := plain(m)
	if m.Selected() != "my-local-model" || !strings.Contains(v, "▸● my-local-model") || !strings.Contains(v, "not in the endpoint's list") {
		t.Fatalf("selected %q:\n%s", m.Selected(), v)
	}
}

func TestCursorMovesAndWheel(t *testing.T) {
	m := loaded(t)
	ids := visibleIDs(m)
	last := len(ids) - 1
	down := tea.MouseWheelMsg{Button: tea.MouseWheelDown}
	up := tea.MouseWheelMsg{Button: tea.MouseWheelUp}
	for i, s := range []struct {
		msg  tea.Msg
		want int
	}{
		{press("down"), 1}, {press("j"), 2}, {press("k"), 1}, {press("up"), 0}, {press("up"), 0},
		{down, 1}, {down, 2}, {up, 1},
		{press("end"), last}, {press("down"), last}, {press("home"), 0},
		{press("pgdown"), min(m.page(), last)}, {press("pgup"), 0},
	} {
		m, _ = send(t, m, s.msg)
		if got := slices.Index(ids, m.Cursor()); got != s.want {
			t.Fatalf("step %d (%v): cursor %d, want %d", i, s.msg, got, s.want)
		}
	}
	if m.page() < 2 {
		t.Fatalf("a page of a 20-line pane is %d rows", m.page())
	}
}

func TestEnterChoosesCursorModel(t *testing.T) {
	m := loaded(t)
	m, _ = send(t, m, press("down"), press("down"))
	want := m.Cursor()
	m, msgs := send(t, m, press("enter"))
	if len(msgs) != 1 || msgs[0] != (SelectedMsg{ID: want}) || m.Selected() != want {
		t.Fatalf("enter: %v, selected %q, want %q", msgs, m.Selected(), want)
	}
	if v := plain(m); !strings.Contains(v, "▸● "+want) {
		t.Fatalf("no ● on the chosen row:\n%s", v)
	}
}

func TestEscClearsFilter(t *testing.T) {
	m := loaded(t)
	m = typeText(t, m, "/codestral")
	m, _ = send(t, m, press("esc"))
	if m.Capturing() || m.Filter() != "" || len(m.visible) != len(testEntries()) {
		t.Fatalf("esc: capturing=%v filter=%q visible=%d", m.Capturing(), m.Filter(), len(m.visible))
	}
	// The cursor stays on the model the filter found.
	if m.Cursor() != "codestral-2508" {
		t.Fatalf("cursor %q", m.Cursor())
	}
	// Without a filter esc is the root's: the pane does nothing with it.
	before := m
	m, msgs := send(t, m, press("esc"))
	if len(msgs) != 0 || m.Capturing() || m.Cursor() != before.Cursor() {
		t.Fatal("esc without a filter changed the pane")
	}
}

func TestSetSelected(t *testing.T) {
	m := loaded(t)
	m.SetSelected("mistral/mistral-large-4") // as a prompt file may write it
	if m.Cursor() != "mistral-large-4" || m.rows[m.selRow].rawID != "mistral-large-4" {
		t.Fatalf("cursor %q", m.Cursor())
	}
	if m.Selected() != "mistral/mistral-large-4" {
		t.Fatalf("Selected %q", m.Selected())
	}
	// Chosen before the list arrives: shown while loading, found after.
	m = New(themes.New(themes.Dark()), WithSelected("codestral-latest"))
	m.SetSize(40, 20)
	if v := plain(m); !strings.Contains(v, "● codestral-latest") {
		t.Fatalf("loading view lacks the chosen id:\n%s", v)
	}
	m, _ = send(t, m, LoadedMsg{Entries: testEntries()})
	// the row stands for the alias it was chosen by
	if len(m.rows) != len(testEntries()) || m.Cursor() != "codestral-latest" {
		t.Fatalf("rows %d, cursor %q", len(m.rows), m.Cursor())
	}
}

func TestErrorState(t *testing.T) {
	m := New(themes.New(themes.Dark()))
	m.SetSize(40, 20)
	m.Focus()
	m, _ = send(t, m, LoadedMsg{Err: errors.New("401 Unauthorized: the API key was refused\x1b]52;c;ZXZpbA==\x07; check MISTRAL_API_KEY")})
	raw := m.View()
	if strings.Contains(raw, "\x1b]52") {
		t.Fatal("the error's escape sequence reached the screen")
	}
	v := ansi.Strip(raw)
	for _, want := range []string{"401 Unauthorized", "MISTRAL_API_KEY", "type any model id"} {
		if !strings.Contains(v, want) {
			t.Errorf("error view lacks %q:\n%s", want, v)
		}
	}
	m = typeText(t, m, "mistral-small-latest")
	m, msgs := send(t, m, press("enter"))
	if len(msgs) != 1 || msgs[0] != (SelectedMsg{ID: "mistral-small-latest"}) {
		t.Fatalf("typing an id after an error: %v", msgs)
	}
}

func TestUnsafeIDs(t *testing.T) {
	m := New(themes.New(themes.Dark()))
	m.SetSize(40, 10)
	m, _ = send(t, m, LoadedMsg{Entries: []api.ModelEntry{{ModelCard: api.ModelCard{ID: "evil\x1b[2Jmodel\x1b]0;title\x07"}, IDs: []string{"evil\x1b[2Jmodel\x1b]0;title\x07"}}}})
	v := m.View()
	if strings.Contains(v, "\x1b[2J") || strings.Contains(v, "\x1b]0") || !strings.Contains(ansi.Strip(v), "evilmodel") {
		t.Fatalf("unsafe id: %q", v)
	}
}

func TestBlurredIgnoresKeys(t *testing.T) {
	m := loaded(t)
	m.Blur()
	m, msgs := send(t, m, press("down"), press("v"), press("enter"))
	if len(msgs) != 0 || m.Capturing() || m.Cursor() != "codestral-2508" {
		t.Fatal("a blurred pane took keys")
	}
}

func TestPasteFilters(t *testing.T) {
	m := loaded(t)
	m, _ = send(t, m, tea.PasteMsg{Content: "large\n"})
	if !m.Capturing() || m.Filter() != "large " || !slices.Equal(visibleIDs(m), []string{"mistral-large-4"}) {
		t.Fatalf("paste: filter %q, visible %v", m.Filter(), visibleIDs(m))
	}
}

func TestFormatContext(t *testing.T) {
	for n, want := range map[int]string{0: "", 8192: "8k", 32768: "32k", 40960: "40k", 131072: "128k",
		262144: "256k", 524288: "512k", 1048576: "1M", 128000: "128k", 2000000: "2M", 512: "512"} {
		if got := formatContext(n); got != want {
			t.Errorf("formatContext(%d) = %q, want %q", n, got, want)
		}
	}
}

// checkSize fails unless the view is exactly w x h cells.
func checkSize(t *testing.T, what string, v string, w, h int) {
	t.Helper()
	if h == 0 {
		if v != "" {
			t.Fatalf("%s: %dx%d view is %q", what, w, h, v)
		}
		return
	}
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Fatalf("%s: %dx%d view has %d lines", what, w, h, len(lines))
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw != w {
			t.Fatalf("%s: %dx%d line %d is %d wide: %q", what, w, h, i, lw, ansi.Strip(l))
		}
	}
}

func TestViewSize(t *testing.T) {
	states := map[string]func(Model) Model{
		"loading": func(m Model) Model { return m },
		"loaded": func(m Model) Model {
			m, _ = send(t, m, LoadedMsg{Entries: testEntries()})
			return m
		},
		"end": func(m Model) Model {
			m, _ = send(t, m, LoadedMsg{Entries: testEntries()}, press("end"))
			return m
		},
		"filtering": func(m Model) Model {
			m, _ = send(t, m, LoadedMsg{Entries: testEntries()})
			return typeText(t, m, "/a-very-long-filter-text-that-is-wider-than-the-pane")
		},
		"error": func(m Model) Model {
			m, _ = send(t, m, LoadedMsg{Err: errors.New(strings.Repeat("the endpoint refused the request ", 6))})
			return m
		},
		"custom": func(m Model) Model {
			m, _ = send(t, m, LoadedMsg{Entries: testEntries()})
			m.SetSelected("some-self-hosted-model-with-a-long-name")
			return m
		},
	}
	sizes := [][2]int{{40, 20}, {30, 10}, {0, 0}, {1, 1}, {5, 3}, {2, 1}, {0, 3}, {3, 0}, {12, 2}, {80, 4}}
	for name, state := range states {
		for _, focused := range []bool{true, false} {
			for _, sz := range sizes {
				m := New(themes.New(themes.Dark()), WithSelected("mistral-small-latest"))
				m.SetSize(sz[0], sz[1])
				if focused {
					m.Focus()
				}
				m = state(m)
				checkSize(t, name, m.View(), sz[0], sz[1])
				// Moving through the whole list keeps the size.
				for range len(testEntries()) + 1 {
					m, _ = send(t, m, press("down"))
					checkSize(t, name+" moved", m.View(), sz[0], sz[1])
				}
			}
		}
	}
}

func TestGolden(t *testing.T) {
	for name, p := range map[string]themes.Palette{"dark": themes.Dark(), "light": themes.Light()} {
		t.Run(name, func(t *testing.T) {
			m := New(themes.New(p), WithSelected("mistral-small-latest"))
			m.SetSize(40, 20)
			m.Focus()
			m, _ = send(t, m, LoadedMsg{Entries: testEntries()})
			golden.RequireEqual(t, []byte(m.View()))
		})
	}
	t.Run("filtering", func(t *testing.T) {
		m := loaded(t)
		m = typeText(t, m, "/vision")
		golden.RequireEqual(t, []byte(m.View()))
	})
	t.Run("error", func(t *testing.T) {
		m := New(themes.New(themes.Dark()))
		m.SetSize(40, 20)
		m, _ = send(t, m, LoadedMsg{Err: errors.New("GET /v1/models: 401 Unauthorized: check MISTRAL_API_KEY")})
		golden.RequireEqual(t, []byte(m.View()))
	})
}

func TestAgentsShowByName(t *testing.T) {
	m := New(themes.New(themes.Dark()))
	m.SetSize(50, 12)
	m, _ = m.Update(LoadedMsg{Entries: []api.ModelEntry{{ModelCard: api.ModelCard{ID: "agent:ag_123", Name: "Weather concierge", Type: "agent"}, IDs: []string{"agent:ag_123"}}}})
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "agent · Weather concierge") {
		t.Fatalf("view:\n%s", v)
	}
}

// Choosing the row of the model chosen by its alias keeps the alias: the
// row shows mistral-small-latest, enter must not swap in the dated id the
// list files it under.
func TestChoosingKeepsTheAliasShown(t *testing.T) {
	m := loaded(t, WithSelected("mistral-small-latest"))
	if !strings.Contains(plain(m), "● mistral-small-latest") {
		t.Fatalf("the chosen row does not show its alias:\n%s", plain(m))
	}
	m, msgs := send(t, m, press("enter"))
	if len(msgs) != 1 || msgs[0] != (SelectedMsg{ID: "mistral-small-latest"}) || m.Selected() != "mistral-small-latest" {
		t.Fatalf("enter on the chosen row: %v, selected %q", msgs, m.Selected())
	}

	// A filter that finds a model only by its alias picks that alias, and
	// the row shows it.
	m = loaded(t, WithSelected("zai-glm-5-2"))
	m = typeText(t, m, "/small-lat")
	if v := plain(m); !strings.Contains(v, "mistral-small-latest") || strings.Contains(v, "▸  mistral-small-2603") {
		t.Fatalf("the filtered row does not show the alias it was found by:\n%s", v)
	}
	m, msgs = send(t, m, press("enter"))
	if len(msgs) != 1 || msgs[0] != (SelectedMsg{ID: "mistral-small-latest"}) {
		t.Fatalf("enter on a row found by its alias: %v", msgs)
	}

	// A row found by its own id, or not chosen before, is its own id.
	m = loaded(t, WithSelected("zai-glm-5-2"))
	m = typeText(t, m, "/small-26")
	if _, msgs = send(t, m, press("enter")); len(msgs) != 1 || msgs[0] != (SelectedMsg{ID: "mistral-small-2603"}) {
		t.Fatalf("enter on a row found by its dated id: %v", msgs)
	}
}

package params

import (
	"encoding/json"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"mstudio/api"
	"mstudio/themes"
)

func press(s string) tea.KeyPressMsg {
	codes := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "up": tea.KeyUp, "down": tea.KeyDown,
		"left": tea.KeyLeft, "right": tea.KeyRight, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown,
		"home": tea.KeyHome, "end": tea.KeyEnd, "backspace": tea.KeyBackspace, "delete": tea.KeyDelete,
		"tab": tea.KeyTab,
	}
	if c, ok := codes[s]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	if s == "ctrl+u" {
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	if s == "space" {
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	return tea.KeyPressMsg{Code: []rune(s)[0], Text: s}
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

func newPane(t *testing.T, opts ...Option) Model {
	t.Helper()
	m := New(themes.New(themes.Dark()), opts...)
	m.SetSize(40, 20)
	m.Focus()
	return m
}

// to moves the cursor to the named parameter.
func to(t *testing.T, m Model, name string) Model {
	t.Helper()
	m, _ = send(t, m, press("home"))
	for m.Current().Name != name {
		before := m.cursor
		m, _ = send(t, m, press("down"))
		if m.cursor == before {
			t.Fatalf("no parameter %q", name)
		}
	}
	return m
}

func value(m Model, name string) string {
	p, _ := api.LookupParam(name)
	r := m.Params()
	v, _ := p.Get(&r)
	return v
}

func TestKeyNames(t *testing.T) {
	for _, s := range []string{"enter", "esc", "left", "right", "backspace", "delete", "tab", "space", "d", "ctrl+u"} {
		if got := press(s).String(); got != s {
			t.Errorf("press(%q).String() = %q", s, got)
		}
	}
}

func TestEditCommits(t *testing.T) {
	m := newPane(t)
	m, _ = send(t, m, press("enter"))
	if !m.Capturing() || m.edit.String() != "" {
		t.Fatalf("enter on a default row: editing=%v text %q", m.Capturing(), m.edit.String())
	}
	m = typeText(t, m, "0.3")
	if m.editErr != "" {
		t.Fatalf("0.3 flagged: %s", m.editErr)
	}
	m, msgs := send(t, m, press("enter"))
	if m.Capturing() || len(msgs) != 1 || msgs[0] != (ChangedMsg{Name: "temperature", Value: "0.3"}) {
		t.Fatalf("commit: editing=%v msgs=%v", m.Capturing(), msgs)
	}
	if r := m.Params(); r.Temperature == nil || *r.Temperature != 0.3 {
		t.Fatalf("temperature %v", r.Temperature)
	}
	// Enter again opens the editor on the current value.
	m, _ = send(t, m, press("enter"))
	if m.edit.String() != "0.3" {
		t.Fatalf("prefill %q", m.edit.String())
	}
	// Committing it unchanged reports nothing.
	m, msgs = send(t, m, press("enter"))
	if m.Capturing() || len(msgs) != 0 {
		t.Fatalf("unchanged commit: %v", msgs)
	}
}

func TestInvalidValueShowsErrorAndDoesNotCommit(t *testing.T) {
	m := newPane(t)
	m = typeText(t, m, "2") // typing opens the editor with what was typed
	if !m.Capturing() || m.edit.String() != "2" {
		t.Fatalf("typing: editing=%v text %q", m.Capturing(), m.edit.String())
	}
	if !strings.Contains(m.editErr, "out of range (0 … 1.5)") {
		t.Fatalf("error while typing: %q", m.editErr)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "✗ 2 is out of range (0 … 1.5)") {
		t.Fatalf("error not shown:\n%s", v)
	}
	m, msgs := send(t, m, press("enter"))
	if !m.Capturing() || len(msgs) != 0 || value(m, "temperature") != api.DefaultWord {
		t.Fatalf("invalid value committed: editing=%v msgs=%v value=%s", m.Capturing(), msgs, value(m, "temperature"))
	}
	// Fixing it clears the error as it is typed.
	m, _ = send(t, m, press("backspace"))
	m = typeText(t, m, "1")
	if m.editErr != "" {
		t.Fatalf("still an error: %q", m.editErr)
	}
	m, msgs = send(t, m, press("enter"))
	if len(msgs) != 1 || value(m, "temperature") != "1" {
		t.Fatalf("commit 1: %v %s", msgs, value(m, "temperature"))
	}
}

func TestEscCancels(t *testing.T) {
	m := newPane(t, WithParams(api.ChatRequest{Temperature: ptr(0.7)}))
	m, _ = send(t, m, press("enter"), press("backspace"), press("backspace"), press("backspace"))
	m = typeText(t, m, "0.5")
	m, msgs := send(t, m, press("esc"))
	if m.Capturing() || len(msgs) != 0 || value(m, "temperature") != "0.7" {
		t.Fatalf("esc: editing=%v msgs=%v value %s", m.Capturing(), msgs, value(m, "temperature"))
	}
	// Without an editor open, esc is the root's.
	if m.Capturing() {
		t.Fatal("capturing after esc")
	}
}

func TestTypingDefaultOrNothingResets(t *testing.T) {
	for _, typed := range []string{"default", ""} {
		m := newPane(t, WithParams(api.ChatRequest{Temperature: ptr(0.7)}))
		m, _ = send(t, m, press("enter"), press("ctrl+u"))
		m = typeText(t, m, typed)
		m, msgs := send(t, m, press("enter"))
		if len(msgs) != 1 || msgs[0] != (ChangedMsg{Name: "temperature", Value: api.DefaultWord}) || m.Params().Temperature != nil {
			t.Fatalf("typing %q: %v", typed, msgs)
		}
	}
}

func TestBoolToggles(t *testing.T) {
	m := to(t, newPane(t), "parallel_tool_calls")
	for _, step := range []struct{ key, want string }{
		{"space", "true"}, {"space", "false"}, {"space", "default"},
		{"enter", "true"}, {"left", "default"}, {"left", "false"}, {"right", "default"},
	} {
		var msgs []tea.Msg
		m, msgs = send(t, m, press(step.key))
		if m.Capturing() {
			t.Fatalf("%s opened an editor on a bool", step.key)
		}
		if got := value(m, "parallel_tool_calls"); got != step.want {
			t.Fatalf("%s: %s, want %s", step.key, got, step.want)
		}
		if len(msgs) != 1 || msgs[0] != (ChangedMsg{Name: "parallel_tool_calls", Value: step.want}) {
			t.Fatalf("%s: %v", step.key, msgs)
		}
	}
}

func TestEnumCycles(t *testing.T) {
	m := to(t, newPane(t), "reasoning_effort")
	for _, step := range []struct{ key, want string }{
		{"right", "none"}, {"right", "minimal"}, {"left", "none"}, {"left", "default"},
		{"left", "xhigh"}, {"right", "default"}, {"space", "none"},
	} {
		m, _ = send(t, m, press(step.key))
		if got := value(m, "reasoning_effort"); got != step.want {
			t.Fatalf("%s: %s, want %s", step.key, got, step.want)
		}
	}
	// Typing works on an enum too, with tab completing known values.
	m, _ = send(t, m, press("enter"), press("backspace"), press("backspace"), press("backspace"), press("backspace"))
	m = typeText(t, m, "h")
	m, _ = send(t, m, press("tab"))
	if m.edit.String() != "high" || m.editErr != "" {
		t.Fatalf("tab: %q (%s)", m.edit.String(), m.editErr)
	}
	m, msgs := send(t, m, press("enter"))
	if len(msgs) != 1 || value(m, "reasoning_effort") != "high" {
		t.Fatalf("typed enum: %v %s", msgs, value(m, "reasoning_effort"))
	}
	// From nothing, tab goes through every value.
	m, _ = send(t, m, press("enter"))
	m.edit = newLineEdit("")
	var seen []string
	for range 3 {
		m, _ = send(t, m, press("tab"))
		seen = append(seen, m.edit.String())
	}
	if strings.Join(seen, ",") != "none,minimal,low" {
		t.Fatalf("tab cycle: %v", seen)
	}
}

func TestResetKeys(t *testing.T) {
	for _, k := range []string{"d", "backspace", "delete"} {
		m := newPane(t, WithParams(api.ChatRequest{Temperature: ptr(0.3)}))
		m, msgs := send(t, m, press(k))
		if len(msgs) != 1 || msgs[0] != (ChangedMsg{Name: "temperature", Value: "default"}) || m.Params().Temperature != nil {
			t.Fatalf("%s: %v", k, msgs)
		}
		// Resetting a default row reports nothing.
		_, msgs = send(t, m, press(k))
		if len(msgs) != 0 {
			t.Fatalf("%s on default: %v", k, msgs)
		}
	}
}

func TestPasteOpensEditor(t *testing.T) {
	m := to(t, newPane(t), "stop")
	m, _ = send(t, m, tea.PasteMsg{Content: `["END","\n\n"]`})
	m, msgs := send(t, m, press("enter"))
	if len(msgs) != 1 || value(m, "stop") != `["END","\n\n"]` {
		t.Fatalf("paste: %v %s", msgs, value(m, "stop"))
	}
}

func TestBlurKeepsEdit(t *testing.T) {
	m := newPane(t)
	m = typeText(t, m, "0.9")
	m.Blur()
	if value(m, "temperature") != "default" || m.edit.String() != "0.9" {
		t.Fatal("blur committed or lost a half-typed value")
	}
	m, msgs := send(t, m, press("enter"), press("d"))
	if len(msgs) != 0 || m.edit.String() != "0.9" {
		t.Fatal("a blurred pane took keys")
	}
	m.Focus()
	m, msgs = send(t, m, press("enter"))
	if len(msgs) != 1 || value(m, "temperature") != "0.9" {
		t.Fatalf("commit after focus: %v", msgs)
	}
}

func TestParamsJSONKeptWhole(t *testing.T) {
	schema := &api.ResponseFormat{Type: "json_schema", JSONSchema: &api.JSONSchema{
		Name: "city", Schema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}}}`), Strict: true,
	}}
	m := newPane(t, WithParams(api.ChatRequest{
		Model: "ignored", ResponseFormat: schema, MaxTokens: ptr(256), Stop: api.Stop{"END", "STOP"},
	}))
	m = typeText(t, m, "0.3")
	m, _ = send(t, m, press("enter"))
	m = to(t, m, "safe_prompt")
	m, _ = send(t, m, press("space"))
	// The schema row cannot be spelled back as text; opening and closing
	// its editor must keep it whole.
	m = to(t, m, "response_format")
	m, _ = send(t, m, press("enter"), press("enter"))

	got, err := json.Marshal(m.Params())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"model":"","messages":null,"temperature":0.3,"max_tokens":256,"stop":["END","STOP"],` +
		`"response_format":{"type":"json_schema","json_schema":{"name":"city","schema":{"type":"object","properties":{"name":{"type":"string"}}},"strict":true}},"safe_prompt":true}`
	if string(got) != want {
		t.Fatalf("Params:\n got %s\nwant %s", got, want)
	}
	// Params is a copy: the pane shares nothing with it.
	p := m.Params()
	*p.Temperature = 1
	p.Stop[0] = "changed"
	if value(m, "temperature") != "0.3" || m.Params().Stop[0] != "END" {
		t.Fatal("Params aliased the pane's values")
	}
	// SetParams replaces everything shown.
	m.SetParams(api.ChatRequest{TopP: ptr(0.5), Model: "x"})
	p = m.Params()
	if p.TopP == nil || *p.TopP != 0.5 || p.Temperature != nil || p.Model != "" || p.ResponseFormat != nil {
		t.Fatalf("SetParams: %+v", p)
	}
}

func ptr[T any](v T) *T { return &v }

func checkSize(t *testing.T, what, v string, w, h int) {
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
	long := strings.Repeat("a long predicted answer ", 10)
	sizes := [][2]int{{40, 20}, {30, 10}, {0, 0}, {1, 1}, {5, 3}, {2, 1}, {0, 3}, {3, 0}, {12, 5}, {80, 8}}
	for _, sz := range sizes {
		for _, focused := range []bool{true, false} {
			m := New(themes.New(themes.Light()), WithParams(api.ChatRequest{Prediction: &api.Prediction{Type: "content", Content: long}}))
			m.SetSize(sz[0], sz[1])
			if focused {
				m.Focus()
			}
			checkSize(t, "start", m.View(), sz[0], sz[1])
			for range len(m.params) + 1 {
				m, _ = send(t, m, press("down"))
				checkSize(t, "moved", m.View(), sz[0], sz[1])
			}
			if focused {
				m = to(t, m, "presence_penalty")
				m = typeText(t, m, "-"+strings.Repeat("9", 40)) // long and invalid: editor and error lines
				checkSize(t, "editing", m.View(), sz[0], sz[1])
				m, _ = send(t, m, press("home"), press("end"))
				checkSize(t, "editing moved", m.View(), sz[0], sz[1])
			}
		}
	}
}

func TestEditingRowStaysVisible(t *testing.T) {
	m := New(themes.New(themes.Dark()))
	m.SetSize(30, 6)
	m.Focus()
	m = to(t, m, "n")
	m = typeText(t, m, "0")
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "▸ n") || !strings.Contains(v, "✗ 0 is out of range") {
		t.Fatalf("editor row or its error scrolled away:\n%s", v)
	}
}

func TestGolden(t *testing.T) {
	set := api.ChatRequest{
		Temperature: ptr(0.3), MaxTokens: ptr(512), ParallelToolCalls: ptr(false),
		ReasoningEffort: ptr("high"), ToolChoice: &api.ToolChoice{Mode: "auto"},
	}
	for name, p := range map[string]themes.Palette{"dark": themes.Dark(), "light": themes.Light()} {
		t.Run(name, func(t *testing.T) {
			m := New(themes.New(p), WithParams(set))
			m.SetSize(40, 20)
			m.Focus()
			m, _ = send(t, m, press("down"))
			golden.RequireEqual(t, []byte(m.View()))
		})
	}
	t.Run("editing", func(t *testing.T) {
		m := New(themes.New(themes.Dark()), WithParams(set))
		m.SetSize(40, 20)
		m.Focus()
		m = typeText(t, m, "2")
		golden.RequireEqual(t, []byte(m.View()))
	})
}

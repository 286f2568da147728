package editor

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/themes"
)

// keyMsgs are the key presses the tests send, as a terminal would.
var keyMsgs = map[string]tea.KeyPressMsg{
	"enter":     {Code: tea.KeyEnter},
	"ctrl+j":    {Code: 'j', Mod: tea.ModCtrl},
	"alt+enter": {Code: tea.KeyEnter, Mod: tea.ModAlt},
	"up":        {Code: tea.KeyUp},
	"down":      {Code: tea.KeyDown},
	"ctrl+up":   {Code: tea.KeyUp, Mod: tea.ModCtrl},
	"ctrl+down": {Code: tea.KeyDown, Mod: tea.ModCtrl},
	"alt+up":    {Code: tea.KeyUp, Mod: tea.ModAlt},
	"alt+down":  {Code: tea.KeyDown, Mod: tea.ModAlt},
	"ctrl+n":    {Code: 'n', Mod: tea.ModCtrl},
	"ctrl+t":    {Code: 't', Mod: tea.ModCtrl},
	"ctrl+d":    {Code: 'd', Mod: tea.ModCtrl},
	"ctrl+o":    {Code: 'o', Mod: tea.ModCtrl},
	"backspace": {Code: tea.KeyBackspace},
	"home":      {Code: tea.KeyHome},
}

func press(t *testing.T, m Model, keys ...string) (Model, tea.Cmd) {
	t.Helper()
	var cmd tea.Cmd
	for _, k := range keys {
		msg, ok := keyMsgs[k]
		if !ok {
			t.Fatalf("no key %q in keyMsgs", k)
		}
		m, cmd = m.Update(msg)
	}
	return m, cmd
}

func typeText(m Model, s string) Model {
	for _, r := range s {
		m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}

// newModel is a focused editor at 60x20 holding doc.
func newModel(t *testing.T, doc Document) Model {
	t.Helper()
	m := New(themes.New(themes.Dark()))
	m.SetSize(60, 20)
	m.Load(doc)
	m.Focus()
	return m
}

// sample is the prompt of the design's screen, with a short conversation.
func sample() Document {
	return Document{
		System: "You are a concise travel assistant.",
		Turns: []Turn{
			{Role: api.RoleUser, Text: "Name one thing to see in {{city}}."},
			{Role: api.RoleAssistant, Text: "The Basilica of Notre-Dame de Fourvière."},
			{Role: api.RoleUser, Text: "And to eat, {{#if budget}}on {{budget}}{{/if}}?"},
		},
		Vars: map[string]string{"city": "Lyon"},
	}
}

func errOf(t *testing.T, cmd tea.Cmd) error {
	t.Helper()
	if cmd == nil {
		return nil
	}
	if e, ok := cmd().(ErrorMsg); ok {
		return e.Err
	}
	return nil
}

func TestLoadFocusesLastUserTurn(t *testing.T) {
	doc := sample()
	doc.Turns = append(doc.Turns, Turn{Role: api.RoleAssistant, Text: "A bouchon."})
	m := newModel(t, doc)
	if m.sec != 3 {
		t.Fatalf("focused section %d, want 3 (the second user turn)", m.sec)
	}
	if m.Dirty() {
		t.Fatal("dirty right after Load")
	}
	m = typeText(m, " Now.")
	got := m.Document()
	if want := doc.Turns[2].Text + " Now."; got.Turns[2].Text != want {
		t.Fatalf("typed into %q, want the end of the last user turn: %q", got.Turns[2].Text, want)
	}
	if got.Turns[3].Text != "A bouchon." || got.System != doc.System {
		t.Fatalf("other sections changed: %+v", got)
	}

	m.Load(Document{System: "s", Turns: []Turn{{Role: api.RoleAssistant, Text: "a"}}})
	d := m.Document()
	if len(d.Turns) != 2 || d.Turns[1] != (Turn{Role: api.RoleUser}) || m.sec != 2 {
		t.Fatalf("a document without a user turn gets an empty one, focused: %+v, section %d", d.Turns, m.sec)
	}
}

func TestTypingNewlinesAndPaste(t *testing.T) {
	m := newModel(t, Document{})
	m = typeText(m, "Hi")
	m, _ = press(t, m, "enter")
	m = typeText(m, "a")
	m, _ = press(t, m, "ctrl+j")
	m = typeText(m, "b")
	m, _ = press(t, m, "alt+enter")
	m = typeText(m, "c")
	if got := m.Document().Turns[0].Text; got != "Hi\na\nb\nc" {
		t.Fatalf("text %q", got)
	}
	m, _ = m.Update(tea.PasteMsg{Content: "\r\nline one\r\nline two\rthree"})
	if got := m.Document().Turns[0].Text; got != "Hi\na\nb\nc\nline one\nline two\nthree" {
		t.Fatalf("after paste %q", got)
	}

	// Keys reach nothing while the pane has no focus.
	m.Blur()
	m = typeText(m, "zzz")
	m, _ = m.Update(tea.PasteMsg{Content: "zzz"})
	if strings.Contains(m.Document().Turns[0].Text, "z") {
		t.Fatal("typed into a blurred pane")
	}
}

func TestSectionNavigation(t *testing.T) {
	m := newModel(t, sample()) // on the last user turn (section 3)
	m, _ = press(t, m, "ctrl+up")
	if m.sec != 2 {
		t.Fatalf("ctrl+up: section %d, want 2", m.sec)
	}
	m, _ = press(t, m, "alt+up", "alt+up", "alt+up") // stops at system
	if m.sec != 0 {
		t.Fatalf("alt+up: section %d, want 0", m.sec)
	}
	m, _ = press(t, m, "ctrl+down", "alt+down")
	if m.sec != 2 {
		t.Fatalf("ctrl+down alt+down: section %d, want 2", m.sec)
	}
	m, _ = press(t, m, "ctrl+down", "ctrl+down")
	if !m.inVars() || m.varIdx != 0 {
		t.Fatalf("ctrl+down to vars: section %d var %d", m.sec, m.varIdx)
	}

	// up on the first line goes to the previous section, its cursor at the end.
	m.Load(Document{System: "one\ntwo", Turns: []Turn{{Role: api.RoleUser, Text: "first\nsecond"}}})
	m, _ = press(t, m, "up")
	if m.sec != 1 || m.ta.Line() != 0 {
		t.Fatalf("up from the last line: section %d line %d, want 1 0", m.sec, m.ta.Line())
	}
	m, _ = press(t, m, "up")
	if m.sec != 0 || m.ta.Line() != 1 {
		t.Fatalf("up from the first line: section %d line %d, want 0 1", m.sec, m.ta.Line())
	}
	m = typeText(m, "!")
	if got := m.Document().System; got != "one\ntwo!" {
		t.Fatalf("cursor not at the end of the previous section: %q", got)
	}
	// down on the last line goes to the next section, its cursor at the start.
	m, _ = press(t, m, "down")
	if m.sec != 1 || m.ta.Line() != 0 || m.ta.Column() != 0 {
		t.Fatalf("down from the last line: section %d at %d:%d", m.sec, m.ta.Line(), m.ta.Column())
	}
	// The text typed before moving stays.
	if d := m.Document(); d.System != "one\ntwo!" || d.Turns[0].Text != "first\nsecond" {
		t.Fatalf("document after moving: %+v", d)
	}
}

func TestAddTurnAlternatesRoles(t *testing.T) {
	m := newModel(t, Document{Turns: []Turn{{Role: api.RoleUser, Text: "q"}}})
	m, _ = press(t, m, "ctrl+n")
	m = typeText(m, "a")
	m, _ = press(t, m, "ctrl+n")
	m = typeText(m, "q2")
	want := []Turn{{api.RoleUser, "q"}, {api.RoleAssistant, "a"}, {api.RoleUser, "q2"}}
	if got := m.Document().Turns; !slices.Equal(got, want) {
		t.Fatalf("turns %+v, want %+v", got, want)
	}
	if m.sec != 3 {
		t.Fatalf("the new turn is not focused: section %d", m.sec)
	}
	// After the system prompt comes a user turn, first.
	m, _ = press(t, m, "ctrl+up", "ctrl+up", "ctrl+up", "ctrl+n")
	if got := m.Document().Turns[0]; got != (Turn{Role: api.RoleUser}) || m.sec != 1 {
		t.Fatalf("turn added after system: %+v, section %d", got, m.sec)
	}
}

func TestToggleRole(t *testing.T) {
	m := newModel(t, sample())
	m, _ = press(t, m, "ctrl+up", "ctrl+t")
	if got := m.Document().Turns[1].Role; got != api.RoleUser {
		t.Fatalf("toggled assistant is %s", got)
	}
	m, _ = press(t, m, "ctrl+t")
	if got := m.Document().Turns[1].Role; got != api.RoleAssistant {
		t.Fatalf("toggled back is %s", got)
	}
	// The only user turn keeps its role.
	m.Load(Document{Turns: []Turn{{Role: api.RoleUser, Text: "q"}}})
	m, cmd := press(t, m, "ctrl+t")
	if err := errOf(t, cmd); !errors.Is(err, errLastUser) {
		t.Fatalf("toggling the last user turn: %v", err)
	}
	if got := m.Document().Turns[0].Role; got != api.RoleUser {
		t.Fatalf("last user turn became %s", got)
	}
	// ctrl+t outside a turn does nothing.
	m, _ = press(t, m, "ctrl+up", "ctrl+t")
	if m.Document().Turns[0].Role != api.RoleUser {
		t.Fatal("ctrl+t in system changed a turn")
	}
}

func TestDeleteTurnRules(t *testing.T) {
	m := newModel(t, sample())
	// A turn with text is not deleted: ctrl+d deletes the next character.
	m, _ = press(t, m, "ctrl+up", "home", "ctrl+d")
	d := m.Document()
	if len(d.Turns) != 3 || d.Turns[1].Text != "he Basilica of Notre-Dame de Fourvière." {
		t.Fatalf("ctrl+d on a turn with text: %+v", d.Turns)
	}
	// An empty assistant turn goes; focus moves to the section before.
	m, _ = press(t, m, "ctrl+n") // a user turn after the assistant
	m, _ = press(t, m, "ctrl+t") // make it assistant
	if len(m.Document().Turns) != 4 {
		t.Fatal("no turn added")
	}
	m, cmd := press(t, m, "ctrl+d")
	if err := errOf(t, cmd); err != nil {
		t.Fatal(err)
	}
	if d := m.Document(); len(d.Turns) != 3 || m.sec != 2 {
		t.Fatalf("after deleting the empty turn: %d turns, section %d", len(d.Turns), m.sec)
	}
	// An empty user turn goes while another user turn is left...
	m, _ = press(t, m, "ctrl+n", "ctrl+d")
	if d := m.Document(); len(d.Turns) != 3 {
		t.Fatalf("empty user turn not deleted: %+v", d.Turns)
	}
	// ...but never the last one.
	m.Load(Document{Turns: []Turn{{Role: api.RoleAssistant, Text: "a"}, {Role: api.RoleUser}}})
	m, cmd = press(t, m, "ctrl+d")
	if err := errOf(t, cmd); !errors.Is(err, errLastUser) {
		t.Fatalf("deleting the last user turn: %v", err)
	}
	if len(m.Document().Turns) != 2 {
		t.Fatal("the last user turn was deleted")
	}
}

func TestVariables(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"Hello {{name}} and {{ other }}", []string{"name", "other"}},
		{`{{role "system"}}Be brief.{{role "user"}}Hi {{name}}`, []string{"name"}},
		{"{{#if x}}yes{{else}}no{{/if}}", []string{"x"}},
		{"{{#unless flag}}{{/unless}}{{else if y}}", []string{"flag", "y"}},
		{"{{json x}} {{media url=photo}} {{history}} {{section \"output\"}}", []string{"photo", "x"}},
		{"{{#each items}}{{name}} {{this.id}} {{../city}} {{@index}}{{/each}} {{after}}", []string{"after", "city", "items"}},
		{"{{{raw}}} {{~trim~}} {{user.name}} {{! a {{comment}} }} {{!-- {{gone}} --}}", []string{"raw", "trim", "user"}},
		{`\{{literal}} {{> partial}} {{ifEquals a "b"}} {{lookup (json deep) key}}`, []string{"a", "deep", "key"}},
		{"{{ 42 }} {{true}} {{@root.top}} {{unclosed", []string{"top"}},
		{"{{name}} {{name}}", []string{"name"}},
	}
	for _, c := range cases {
		got := docVariables(Document{Turns: []Turn{{Role: api.RoleUser, Text: c.text}}})
		if !slices.Equal(got, c.want) {
			t.Errorf("%s\n got %q\nwant %q", c.text, got, c.want)
		}
	}

	m := newModel(t, Document{System: "In {{lang}}.", Turns: []Turn{{Role: api.RoleUser, Text: "{{#if city}}{{city}}{{/if}}"}}})
	if got := m.Variables(); !slices.Equal(got, []string{"city", "lang"}) {
		t.Fatalf("Variables() %q", got)
	}
	// Typing a new variable adds it.
	m = typeText(m, " {{ zone }}")
	if got := m.Variables(); !slices.Equal(got, []string{"city", "lang", "zone"}) {
		t.Fatalf("after typing, Variables() %q", got)
	}
}

func TestEditVariables(t *testing.T) {
	m := newModel(t, sample()) // vars: budget (unset), city = Lyon
	if v := m.View(); !strings.Contains(v, "‹unset›") || !strings.Contains(v, "Lyon") {
		t.Fatalf("vars section not shown:\n%s", v)
	}
	m, _ = press(t, m, "ctrl+down")
	if !m.inVars() || m.focusedVar() != "budget" {
		t.Fatalf("not on the first variable: section %d", m.sec)
	}
	m = typeText(m, "20 €")
	if got := m.Document().Vars; !maps.Equal(got, map[string]string{"budget": "20 €", "city": "Lyon"}) {
		t.Fatalf("vars %v", got)
	}
	if !m.Dirty() {
		t.Fatal("a new value does not make the prompt dirty")
	}
	m, _ = press(t, m, "down")
	if m.focusedVar() != "city" {
		t.Fatal("down did not move to the next variable")
	}
	m, _ = press(t, m, "backspace", "backspace", "backspace", "backspace")
	if _, ok := m.Document().Vars["city"]; ok {
		t.Fatal("an emptied value is still set")
	}
	m, _ = press(t, m, "ctrl+up") // back to the turns
	if !strings.Contains(m.View(), "city = ‹unset›") && !strings.Contains(stripANSI(m.View()), "city = ‹unset›") {
		t.Fatalf("unset marker missing:\n%s", stripANSI(m.View()))
	}
	// A value survives its variable disappearing and coming back.
	m, _ = press(t, m, "ctrl+down", "enter") // enter moves on to the next variable
	if m.focusedVar() != "city" {
		t.Fatal("enter did not move to the next variable")
	}
	m, _ = press(t, m, "up", "up") // up from the first variable: the last turn
	if m.sec != 3 {
		t.Fatalf("up from the first variable: section %d", m.sec)
	}
	m.Load(Document{Turns: []Turn{{Role: api.RoleUser, Text: "x"}}, Vars: map[string]string{"gone": "v", "empty": ""}})
	if v := m.Document().Vars; len(v) != 0 {
		t.Fatalf("vars not used by the text: %v", v)
	}
	m = typeText(m, "{{gone}}")
	if v := m.Document().Vars; v["gone"] != "v" {
		t.Fatalf("value lost: %v", v)
	}
}

func TestDirtyAndMarkSaved(t *testing.T) {
	m := newModel(t, sample())
	m = typeText(m, "!")
	if !m.Dirty() {
		t.Fatal("not dirty after typing")
	}
	m, _ = press(t, m, "backspace")
	if m.Dirty() {
		t.Fatal("still dirty with the text back as loaded")
	}
	m = typeText(m, "?")
	m.MarkSaved()
	if m.Dirty() {
		t.Fatal("dirty after MarkSaved")
	}
	m, _ = press(t, m, "ctrl+n")
	if !m.Dirty() {
		t.Fatal("adding a turn does not make the prompt dirty")
	}
}

func TestVisitingKeepsTextVerbatim(t *testing.T) {
	// The textarea turns tabs into spaces and \r\n into \n; a section only
	// looked at must keep its text exactly.
	doc := Document{System: "col\tcol\r\nrow", Turns: []Turn{{Role: api.RoleUser, Text: "go:\n\tfmt.Println()"}}}
	m := newModel(t, doc)
	m, _ = press(t, m, "ctrl+up", "up", "down", "ctrl+down")
	if got := m.Document(); !equalDocs(got, Document{System: doc.System, Turns: doc.Turns}) || m.Dirty() {
		t.Fatalf("visiting changed the text: %q", got)
	}
	if v := m.View(); strings.ContainsAny(v, "\t\r") {
		t.Fatal("tab or CR drawn raw")
	}
}

func TestEscapeSequencesNotDrawn(t *testing.T) {
	m := newModel(t, Document{System: "evil \x1b]0;title\x07 \x1b[2J text", Turns: []Turn{{Role: api.RoleUser, Text: "q"}}})
	if v := m.View(); strings.Contains(v, "\x1b]0") || strings.Contains(v, "\x1b[2J") {
		t.Fatalf("escape sequence from the text reached the view: %q", v)
	}
}

func TestHelpAndCapturing(t *testing.T) {
	m := newModel(t, Document{})
	if !m.Capturing() || !m.Focused() {
		t.Fatal("a focused editor captures keys")
	}
	m.Blur()
	if m.Capturing() || m.Focused() {
		t.Fatal("a blurred editor captures keys")
	}
	if len(m.ShortHelp()) == 0 || len(m.FullHelp()) == 0 {
		t.Fatal("no help")
	}
	for _, g := range m.FullHelp() {
		for _, b := range g {
			if b.Help().Key == "" || b.Help().Desc == "" {
				t.Fatalf("binding %v has no help", b.Keys())
			}
		}
	}
}

func TestKeysConfigurable(t *testing.T) {
	m := newModel(t, Document{Turns: []Turn{{Role: api.RoleUser, Text: "q"}}})
	m.KeyMap.AddTurn = key.NewBinding(key.WithKeys("alt+n"), key.WithHelp("alt+n", "add turn"))
	m.KeyMap.Newline = key.NewBinding(key.WithKeys("ctrl+j"), key.WithHelp("ctrl+j", "newline"))
	m, _ = press(t, m, "ctrl+n", "enter") // no longer bound: nothing happens
	if d := m.Document(); len(d.Turns) != 1 || d.Turns[0].Text != "q" {
		t.Fatalf("old keys still act: %+v", d.Turns)
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: 'n', Mod: tea.ModAlt})
	if len(m.Document().Turns) != 2 {
		t.Fatal("the new key does not add a turn")
	}
}

func TestLongVariableValue(t *testing.T) {
	long := strings.Repeat("abcdefghij", 10)
	m := newModel(t, Document{Turns: []Turn{{Role: api.RoleUser, Text: "{{v}}"}}, Vars: map[string]string{"v": long}})
	m.SetSize(40, 10)
	m, _ = press(t, m, "ctrl+down")
	requireSize(t, m.View(), 40, 10)
	if !strings.Contains(stripANSI(m.View()), "hij") {
		t.Fatalf("the end of a long value is not shown while editing it:\n%s", stripANSI(m.View()))
	}
	m = typeText(m, "Z")
	if got := m.Document().Vars["v"]; got != long+"Z" {
		t.Fatalf("value %q", got)
	}
	if c := m.Cursor(); c == nil || c.X >= 40 {
		t.Fatalf("cursor %+v", c)
	}
}

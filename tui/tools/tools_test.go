package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"mstudio/themes"
)

func press(k string) tea.KeyPressMsg {
	switch k {
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	return tea.KeyPressMsg{Code: rune(k[0]), Text: k}
}

// sampleCalls is the weather example after three turns: two parallel calls
// answered, one call that broke its schema, one still waiting.
func sampleCalls() []Call {
	return []Call{
		{Turn: 1, ID: "a1B2c3D4e", Name: "weather", Arguments: `{"city": "Lyon"}`, State: StateAnswered, Result: `{"temp_c": 21, "sky": "clear"}`},
		{Turn: 1, ID: "f5G6h7I8j", Name: "weather", Arguments: `{"city":"Paris","unit":"c"}`, State: StateAnswered, Result: `{"temp_c":18,"sky":"rain"}`},
		{Turn: 2, ID: "k9L0m1N2o", Name: "book_hotel", Arguments: `{"nights":"two"}`, State: StateFailed,
			Error:        "arguments do not match the schema",
			SchemaErrors: []string{"/city: missing property", "/nights: expected integer, but got string"}},
		{Turn: 3, ID: "p3Q4r5S6t", Name: "search", Arguments: `{"query":"museums in Lyon open on Monday"}`, State: StatePending},
	}
}

func newPane(t testing.TB, st *themes.Styles, w, h int, calls []Call) *Model {
	t.Helper()
	m := New(st)
	m.SetSize(w, h)
	m.Focus()
	m.SetCalls(calls)
	return &m
}

func send(m *Model, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		*m, cmd = m.Update(press(k))
	}
	return cmd
}

func checkSize(t *testing.T, view string, w, h int) {
	t.Helper()
	if w <= 0 || h <= 0 {
		if view != "" {
			t.Fatalf("view %q at %dx%d, want empty", view, w, h)
		}
		return
	}
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("line %d is %d wide, want %d: %q", i, got, w, ansi.Strip(l))
		}
	}
}

func TestCursorMovesAndFollowsNewCalls(t *testing.T) {
	m := newPane(t, themes.New(themes.Dark()), 80, 20, sampleCalls()[:2])
	if m.Cursor() != 1 {
		t.Fatalf("cursor %d: a new list puts the cursor on its last call", m.Cursor())
	}
	send(m, "up", "up")
	if m.Cursor() != 0 {
		t.Fatalf("cursor %d after up, up", m.Cursor())
	}
	// Calls arriving while the cursor is elsewhere leave it there.
	m.SetCalls(sampleCalls())
	if m.Cursor() != 0 {
		t.Fatalf("cursor %d moved when calls arrived", m.Cursor())
	}
	send(m, "end")
	if m.Cursor() != 3 {
		t.Fatalf("end: cursor %d", m.Cursor())
	}
	send(m, "down")
	if m.Cursor() != 3 {
		t.Fatal("down stops at the last call")
	}
	send(m, "home")
	if m.Cursor() != 0 || m.offset != 0 {
		t.Fatalf("home: cursor %d offset %d", m.Cursor(), m.offset)
	}
	// Blurred, the pane ignores keys.
	m.Blur()
	send(m, "down")
	if m.Cursor() != 0 {
		t.Fatal("a blurred pane moved its cursor")
	}
}

func TestExpandCollapse(t *testing.T) {
	m := newPane(t, themes.New(themes.Dark()), 80, 30, sampleCalls())
	send(m, "home")
	if m.Expanded(0) {
		t.Fatal("answered calls start collapsed")
	}
	if strings.Contains(ansi.Strip(m.View()), `"temp_c": 21`) {
		t.Fatal("a collapsed call shows its pretty-printed result")
	}
	send(m, "enter")
	if !m.Expanded(0) {
		t.Fatal("enter expands")
	}
	v := ansi.Strip(m.View())
	for _, want := range []string{"id a1B2c3D4e · turn 1", `"city": "Lyon"`, `"temp_c": 21,`, "result"} {
		if !strings.Contains(v, want) {
			t.Fatalf("expanded view lacks %q:\n%s", want, v)
		}
	}
	send(m, "space")
	if m.Expanded(0) {
		t.Fatal("space collapses")
	}
	// The user's choice survives the list being replaced.
	send(m, "enter")
	m.SetCalls(sampleCalls())
	if !m.Expanded(0) {
		t.Fatal("an expanded call closed when the list was replaced")
	}
}

func TestFailedStartsExpanded(t *testing.T) {
	calls := sampleCalls()
	failed := calls[2]
	calls[2].State, calls[2].Error, calls[2].SchemaErrors = StatePending, "", nil
	m := newPane(t, themes.New(themes.Dark()), 80, 30, calls)
	if m.Expanded(2) {
		t.Fatal("a pending call starts collapsed")
	}
	// The call fails after it was listed: it opens by itself.
	calls[2] = failed
	m.SetCalls(calls)
	if !m.Expanded(2) {
		t.Fatal("a failed call starts expanded")
	}
	v := ansi.Strip(m.View())
	for _, want := range []string{"✗ /city: missing property", "✗ /nights: expected integer", "error: arguments do not match"} {
		if !strings.Contains(v, want) {
			t.Fatalf("failed call lacks %q:\n%s", want, v)
		}
	}
	// Closed by hand, it stays closed.
	send(m, "home", "down", "down", "enter")
	if m.Cursor() != 2 || m.Expanded(2) {
		t.Fatalf("cursor %d expanded %v", m.Cursor(), m.Expanded(2))
	}
	m.SetCalls(calls)
	if m.Expanded(2) {
		t.Fatal("a failed call closed by the user opened again")
	}
}

func TestExpandAll(t *testing.T) {
	m := newPane(t, themes.New(themes.Dark()), 80, 20, sampleCalls())
	send(m, "a")
	for i := range m.Calls() {
		if !m.Expanded(i) {
			t.Fatalf("a: call %d closed", i)
		}
	}
	send(m, "a")
	for i := range m.Calls() {
		if m.Expanded(i) {
			t.Fatalf("a again: call %d open", i)
		}
	}
	if got := len(m.rows); got != 5 {
		t.Fatalf("%d rows collapsed, want 4 calls and one turn header", got)
	}
}

func TestCopy(t *testing.T) {
	m := newPane(t, themes.New(themes.Dark()), 80, 20, sampleCalls())
	send(m, "home")
	cmd := send(m, "y")
	if cmd == nil {
		t.Fatal("y returns no command")
	}
	batch, ok := cmd().(tea.BatchMsg)
	if !ok || len(batch) != 2 {
		t.Fatalf("y: %T, want a batch of clipboard and CopiedMsg", cmd())
	}
	var copied CopiedMsg
	clip := false
	for _, c := range batch {
		switch msg := c().(type) {
		case CopiedMsg:
			copied = msg
		default:
			clip = strings.Contains(strings.ToLower(fmt.Sprintf("%T", msg)), "clipboard")
		}
	}
	want := `{"temp_c": 21, "sky": "clear"}`
	if !clip || copied.What != "weather result" || copied.Bytes != len(want) {
		t.Fatalf("clipboard %v, copied %+v", clip, copied)
	}
	// A pending call has nothing to copy.
	cmd = send(m, "end", "y")
	if msg, ok := cmd().(CopiedMsg); !ok || msg.What != "nothing to copy" {
		t.Fatalf("pending copy: %#v", cmd())
	}
}

func TestScrollAndWheel(t *testing.T) {
	calls := make([]Call, 30)
	for i := range calls {
		calls[i] = Call{Turn: i + 1, ID: fmt.Sprintf("id%07d", i), Name: "f", Arguments: "{}", State: StateAnswered, Result: "ok"}
	}
	m := newPane(t, themes.New(themes.Dark()), 40, 5, calls)
	if m.offset != len(calls)-5 {
		t.Fatalf("offset %d: the last call should be in view", m.offset)
	}
	send(m, "home")
	send(m, "pgdown")
	if m.offset != 4 || m.Cursor() != 4 {
		t.Fatalf("pgdown: offset %d cursor %d", m.offset, m.Cursor())
	}
	*m, _ = m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if m.offset != 7 || m.Cursor() != 7 {
		t.Fatalf("wheel: offset %d cursor %d", m.offset, m.Cursor())
	}
	send(m, "pgup", "pgup", "pgup")
	if m.offset != 0 {
		t.Fatalf("pgup: offset %d", m.offset)
	}
	checkSize(t, m.View(), 40, 5)
}

func TestEmptyAndReset(t *testing.T) {
	m := newPane(t, themes.New(themes.Dark()), 80, 4, nil)
	if !strings.Contains(ansi.Strip(m.View()), "No tool calls yet.") {
		t.Fatal("empty state missing")
	}
	send(m, "down", "enter", "a", "y") // nothing to act on: no panic
	m.SetCalls(sampleCalls())
	m.Reset()
	if len(m.Calls()) != 0 || !strings.Contains(ansi.Strip(m.View()), "No tool calls yet.") {
		t.Fatal("Reset leaves calls")
	}
	if m.Title() != "Tool calls" {
		t.Fatalf("title %q", m.Title())
	}
	m.SetCalls(sampleCalls())
	if m.Title() != "Tool calls · 4 · 1 pending · 1 failed" {
		t.Fatalf("title %q", m.Title())
	}
}

func TestViewSizes(t *testing.T) {
	for _, sz := range [][2]int{{60, 12}, {100, 30}, {0, 0}, {1, 1}, {5, 3}, {3, 40}, {200, 2}} {
		for _, calls := range [][]Call{nil, sampleCalls()} {
			m := newPane(t, themes.New(themes.Dark()), sz[0], sz[1], calls)
			checkSize(t, m.View(), sz[0], sz[1])
			send(m, "a")
			checkSize(t, m.View(), sz[0], sz[1])
			send(m, "home", "pgdown", "end", "enter")
			checkSize(t, m.View(), sz[0], sz[1])
			m.Blur()
			checkSize(t, m.View(), sz[0], sz[1])
		}
	}
}

func TestResizeRerendersExpansion(t *testing.T) {
	m := newPane(t, themes.New(themes.Dark()), 100, 30, sampleCalls())
	send(m, "a")
	checkSize(t, m.View(), 100, 30)
	m.SetSize(60, 12)
	checkSize(t, m.View(), 60, 12)
	e := m.cache[callKey(m.calls, 2)]
	if e.exp == nil || e.exp.width != 60 {
		t.Fatal("the expansion was not rendered again for the new width")
	}
	m.SetStyles(themes.New(themes.Light()))
	checkSize(t, m.View(), 60, 12)
}

func TestEscapesNeverReachTheView(t *testing.T) {
	evil := "\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\u009b31m\x7f\x9b"
	calls := []Call{
		{Turn: 1, ID: "x" + evil, Name: "we" + evil + "ather", Arguments: `{"city":"Ly` + evil + `on"}`, State: StateAnswered,
			Result: "plain " + evil + " text\nline two " + evil},
		{Turn: 1, ID: "y1", Name: "json", Arguments: `{"a":"\u001b]52;c;x\u0007"}`, State: StateAnswered,
			Result: "{\"s\": \"\u009b2J\x7f\", \"t\": \"" + evil + "\"}"},
		{Turn: 2, ID: "z1", Name: "bad", Arguments: evil, State: StateFailed, Error: "boom " + evil,
			SchemaErrors: []string{"/x: " + evil}},
	}
	for _, w := range []int{30, 100} {
		m := newPane(t, themes.New(themes.Dark()), w, 40, calls)
		send(m, "a")
		for _, v := range []string{m.View(), func() string { send(m, "home"); return m.View() }()} {
			plain := ansi.Strip(v)
			for _, bad := range []string{"\x1b", "\x07", "\u009b", "\x7f", "\uFFFD[2J"} {
				if strings.Contains(plain, bad) {
					t.Fatalf("width %d: %q reached the view:\n%q", w, bad, plain)
				}
			}
			// ansi.Strip would hide a whole sequence: the raw view is
			// checked for the sequences themselves and their payload.
			for _, bad := range []string{"\x1b]", "\x1b[2J", "\x07", "cm0gLXJmIH4"} {
				if strings.Contains(v, bad) {
					t.Fatalf("width %d: %q reached the view", w, bad)
				}
			}
		}
	}
}

// hugeResult is about 1 MB of pretty-printed JSON, as a search tool might
// return.
func hugeResult() string {
	var b strings.Builder
	b.WriteString("{\n  \"results\": [\n")
	for i := 0; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, "    {\"id\": %d, \"title\": \"result number %d\", \"url\": \"https://example.com/%d\"},\n", i, i, i)
	}
	b.WriteString("    {}\n  ]\n}\n")
	return b.String()
}

func TestHugeResultExpandsCapped(t *testing.T) {
	huge := hugeResult()
	m := newPane(t, themes.New(themes.Dark()), 100, 30, []Call{{Turn: 1, ID: "h1", Name: "search", Arguments: `{"q":"x"}`, State: StateAnswered, Result: huge}})
	send(m, "enter")
	if !m.Expanded(0) {
		t.Fatal("not expanded")
	}
	if n := len(m.rows); n > MaxResultLines+20 {
		t.Fatalf("%d rows: the expansion is not capped", n)
	}
	all := make([]string, 0, len(m.rows))
	for _, r := range m.rows {
		all = append(all, ansi.Strip(r.line))
	}
	joined := strings.Join(all, "\n")
	if !strings.Contains(joined, "more lines") || !strings.Contains(joined, "result · 1.0 MB") {
		t.Fatalf("no marker in the expansion:\n%s", joined)
	}
	send(m, "end", "pgdown", "pgdown")
	checkSize(t, m.View(), 100, 30)
	if !strings.Contains(ansi.Strip(m.View()), "more lines") {
		t.Fatalf("the marker is not at the end:\n%s", ansi.Strip(m.View()))
	}
	// The summary line is cut from the start, not from a parse.
	if got := m.cache[callKey(m.calls, 0)].sum.result; len(got) > previewBytes+8 {
		t.Fatalf("summary of %d bytes", len(got))
	}
}

func TestHugeTextLine(t *testing.T) {
	line := strings.Repeat("abc ", 1<<18) // 1 MB on one line
	m := newPane(t, themes.New(themes.Dark()), 60, 12, []Call{{Turn: 1, ID: "t1", Name: "dump", State: StateAnswered, Result: line + "\nsecond\nthird"}})
	send(m, "enter")
	if len(m.rows) > MaxResultLines+10 {
		t.Fatalf("%d rows", len(m.rows))
	}
	checkSize(t, m.View(), 60, 12)
}

func TestIndentJSON(t *testing.T) {
	got, n := indentJSON(`{"a":[1, 2],"b":{},"c":[ ],"d":"x,{y}:\"z"}`, 100, 100)
	want := "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": [],\n  \"d\": \"x,{y}:\\\"z\"\n}"
	if got != want || n != 9 {
		t.Fatalf("got %d lines:\n%s\nwant:\n%s", n, got, want)
	}
	got, n = indentJSON(`[1,2,3,4,5]`, 3, 100)
	if got != "[\n  1,\n  2," || n != 7 {
		t.Fatalf("capped: %q, %d", got, n)
	}
	// Past the cap the lines are only counted; the count must match what
	// json.Indent would have written, whatever the cap.
	doc := `{"a": [ ], "b": {"c": "x\\\"],{", "d": [1, {"e": {}}]}, "f": ["g", [ [ ] ]]}`
	var want2 bytes.Buffer
	if err := json.Indent(&want2, []byte(doc), "", "  "); err != nil {
		t.Fatal(err)
	}
	full := strings.Count(want2.String(), "\n") + 1
	for maxLines := 1; maxLines <= full+1; maxLines++ {
		got, n := indentJSON(doc, maxLines, 100)
		if n != full {
			t.Fatalf("cap %d: %d lines, want %d", maxLines, n, full)
		}
		if maxLines >= full && got != want2.String() {
			t.Fatalf("got\n%s\nwant\n%s", got, want2.String())
		}
	}
	// Lines are cut at about lineBytes, between characters.
	got, _ = indentJSON(`["ééééé"]`, 10, 5)
	if !utf8.ValidString(got) || !strings.Contains(got, "…") {
		t.Fatalf("cut line %q", got)
	}
}

func TestGolden(t *testing.T) {
	for name, pal := range map[string]themes.Palette{"dark": themes.Dark(), "light": themes.Light()} {
		t.Run(name, func(t *testing.T) {
			m := newPane(t, themes.New(pal), 80, 20, sampleCalls())
			send(m, "home")
			v := m.View()
			checkSize(t, v, 80, 20)
			golden.RequireEqual(t, []byte(v))
		})
	}
}

func BenchmarkExpandHugeResult(b *testing.B) {
	huge := hugeResult()
	st := themes.New(themes.Dark())
	calls := []Call{{Turn: 1, ID: "h1", Name: "search", Arguments: `{"q":"x"}`, State: StateAnswered, Result: huge}}
	b.SetBytes(int64(len(huge)))
	b.ReportAllocs()
	for b.Loop() {
		m := newPane(b, st, 100, 30, calls)
		*m, _ = m.Update(press("enter"))
		_ = m.View()
	}
}

// BenchmarkViewExpanded is a frame with a huge result open: it must not
// depend on the result's size.
func BenchmarkViewExpanded(b *testing.B) {
	m := newPane(b, themes.New(themes.Dark()), 100, 30, []Call{{Turn: 1, ID: "h1", Name: "search", State: StateAnswered, Result: hugeResult()}})
	*m, _ = m.Update(press("enter"))
	for b.Loop() {
		_ = m.View()
	}
}

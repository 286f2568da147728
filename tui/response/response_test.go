package response

import (
	"strings"
	"testing"
	"time"

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
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	}
	return tea.KeyPressMsg{Code: rune(k[0]), Text: k}
}

// fakeClock makes the 30-per-second tail rate deterministic.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func newPane(t *testing.T, st *themes.Styles, w, h int) (*Model, *fakeClock) {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	m := New(st)
	m.now = clock.now
	m.SetSize(w, h)
	m.Focus()
	return &m, clock
}

func checkSize(t *testing.T, view string, w, h int) {
	t.Helper()
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

const answer = "# Lyon\n\nThe **Basilica** of Notre-Dame de Fourvière overlooks the city.\n\n" +
	"- Vieux Lyon\n- Presqu'île\n\n```go\nfunc route(city string) string { return city }\n```\n\nEnjoy.\n"

func stream(m *Model, text string, size int) {
	for i := 0; i < len(text); i += size {
		*m, _ = m.Update(DeltaMsg{Content: text[i:min(i+size, len(text))]})
	}
}

func TestStreamThenFinishShowsRenderedMarkdown(t *testing.T) {
	m, _ := newPane(t, themes.New(themes.Dark()), 60, 20)
	m.Start("mistral-small-latest")
	if !strings.Contains(ansi.Strip(m.View()), "Waiting for mistral-small-latest") {
		t.Fatal("no waiting line")
	}
	stream(m, answer, 4)
	if m.State() != Streaming {
		t.Fatalf("state %v", m.State())
	}
	m.Finish(Done, "")
	view := ansi.Strip(m.View())
	for _, want := range []string{"Lyon", "Basilica", "• Vieux Lyon", "func route"} {
		if !strings.Contains(view, want) {
			t.Fatalf("view lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, "**") || strings.Contains(view, "```") {
		t.Fatalf("markdown not rendered:\n%s", view)
	}
	if m.Answer() != answer {
		t.Fatal("the source changed")
	}
	checkSize(t, m.View(), 60, 20)
}

func TestTailWaitsForItsFrameSlot(t *testing.T) {
	m, clock := newPane(t, themes.New(themes.Dark()), 60, 20)
	m.Start("m")
	var cmd tea.Cmd
	*m, cmd = m.Update(DeltaMsg{Content: "Hello"})
	if cmd != nil || !strings.Contains(ansi.Strip(m.View()), "Hello") {
		t.Fatal("the first piece should render at once")
	}
	*m, cmd = m.Update(DeltaMsg{Content: " world"})
	if cmd == nil || strings.Contains(ansi.Strip(m.View()), "world") {
		t.Fatal("a piece within the same frame slot waits for a tick")
	}
	*m, cmd = m.Update(DeltaMsg{Content: "!"})
	if cmd != nil {
		t.Fatal("one pending tick is enough")
	}
	clock.t = clock.t.Add(TailInterval)
	*m, _ = m.Update(flushMsg{gen: m.gen})
	if !strings.Contains(ansi.Strip(m.View()), "Hello world!") {
		t.Fatalf("after the tick: %q", ansi.Strip(m.View()))
	}
	// a tick from an earlier run is ignored
	m.Start("m")
	*m, _ = m.Update(flushMsg{gen: m.gen - 1})
}

func TestFollowOnlyAtTheBottom(t *testing.T) {
	m, clock := newPane(t, themes.New(themes.Dark()), 40, 5)
	m.Start("m")
	long := strings.Repeat("Line of text that goes on.\n\n", 30)
	stream(m, long[:len(long)/2], 10)
	clock.t = clock.t.Add(time.Second)
	*m, _ = m.Update(flushMsg{gen: m.gen})
	if !m.AtBottom() {
		t.Fatal("should follow while at the bottom")
	}
	*m, _ = m.Update(press("up"))
	*m, _ = m.Update(press("up"))
	off := m.offset
	stream(m, long[len(long)/2:], 10)
	clock.t = clock.t.Add(time.Second)
	m.Finish(Done, "")
	if m.offset != off {
		t.Fatalf("scrolled away from the bottom, yet the view moved: %d -> %d", off, m.offset)
	}
	*m, _ = m.Update(press("end"))
	if !m.AtBottom() || !m.follow {
		t.Fatal("end should return to following")
	}
	*m, _ = m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if m.AtBottom() {
		t.Fatal("the wheel should scroll up")
	}
}

func TestThinkingShownThenFolded(t *testing.T) {
	m, _ := newPane(t, themes.New(themes.Dark()), 50, 12)
	m.Start("magistral")
	*m, _ = m.Update(DeltaMsg{Thinking: "Let me think about Lyon."})
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "thinking") || !strings.Contains(view, "Let me think") {
		t.Fatalf("thinking not shown while thinking:\n%s", view)
	}
	*m, _ = m.Update(DeltaMsg{Content: "Lyon is lovely."})
	m.Finish(Done, "")
	view = ansi.Strip(m.View())
	if strings.Contains(view, "Let me think") || !strings.Contains(view, "thought for 5 words") {
		t.Fatalf("thinking should fold once the answer starts:\n%s", view)
	}
	*m, _ = m.Update(press("t"))
	if !strings.Contains(ansi.Strip(m.View()), "Let me think") {
		t.Fatal("t shows the thinking again")
	}
}

func TestEscapesInModelOutputNeverReachTheScreen(t *testing.T) {
	m, _ := newPane(t, themes.New(themes.Dark()), 60, 10)
	m.Start("m")
	// an OSC 52 clipboard write and a title change, split across chunks
	evil := "Hi \x1b]52;c;ZXZpbA==\x07 there \x1b]0;pwned\x07 and \x1b[2J cleared"
	stream(m, evil, 3)
	*m, _ = m.Update(DeltaMsg{Thinking: "\x1b[31mred\x1b[0m"})
	m.Finish(Failed, "boom \x1b]0;title\x07")
	for _, s := range []string{m.Answer(), m.Thinking(), m.Error()} {
		if strings.ContainsRune(s, '\x1b') || strings.ContainsRune(s, '\x07') {
			t.Fatalf("escape kept: %q", s)
		}
	}
	if strings.Contains(m.View(), "]52;") || strings.Contains(m.View(), "]0;") {
		t.Fatal("an OSC sequence reached the view")
	}
}

func TestCancelAndFailureKeepThePartialAnswer(t *testing.T) {
	m, _ := newPane(t, themes.New(themes.Dark()), 60, 10)
	m.Start("m")
	stream(m, "Partial answer", 5)
	m.Finish(Cancelled, "")
	if v := ansi.Strip(m.View()); !strings.Contains(v, "Partial answer") || !strings.Contains(v, "cancelled") {
		t.Fatalf("view:\n%s", v)
	}
	m.Start("m")
	stream(m, "Half", 5)
	m.Finish(Failed, "the stream was cut off before the answer finished; the partial answer is kept")
	if v := ansi.Strip(m.View()); !strings.Contains(v, "Half") || !strings.Contains(v, "cut off") {
		t.Fatalf("view:\n%s", v)
	}
}

func TestCopy(t *testing.T) {
	m, _ := newPane(t, themes.New(themes.Dark()), 60, 10)
	m.Start("m")
	stream(m, answer, 50)
	m.Finish(Done, "")
	_, cmd := m.Update(press("y"))
	if cmd == nil {
		t.Fatal("y should copy")
	}
	if got := LastCodeBlock(answer); got != "func route(city string) string { return city }" {
		t.Fatalf("last code block %q", got)
	}
	if LastCodeBlock("no code") != "" || LastCodeBlock("```\nopen") != "open" {
		t.Fatal("edge cases")
	}
}

func TestTinySizesNeverPanic(t *testing.T) {
	for _, sz := range [][2]int{{0, 0}, {1, 1}, {2, 1}, {5, 3}} {
		m, _ := newPane(t, themes.New(themes.Dark()), sz[0], sz[1])
		m.Start("m")
		stream(m, answer, 7)
		m.Finish(Done, "")
		v := m.View()
		if sz[0] > 0 && sz[1] > 0 {
			checkSize(t, v, sz[0], sz[1])
		}
	}
}

func TestGoldenViews(t *testing.T) {
	for _, c := range []struct {
		name string
		pal  themes.Palette
		w, h int
	}{
		{"dark_80x24", themes.Dark(), 78, 20},
		{"light_80x24", themes.Light(), 78, 20},
		{"dark_120x40", themes.Dark(), 90, 34},
		{"light_120x40", themes.Light(), 90, 34},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, _ := newPane(t, themes.New(c.pal), c.w, c.h)
			m.Start("mistral-small-latest")
			*m, _ = m.Update(DeltaMsg{Thinking: "The user wants a short guide."})
			stream(m, answer, 9)
			m.Finish(Done, "")
			checkSize(t, m.View(), c.w, c.h)
			golden.RequireEqual(t, []byte(m.View()))
		})
	}
}

// The pane is a value: Update returns a copy, and the root keeps copies.
// Thinking written before a copy must still be appendable on the copy
// (a strings.Builder held by value panicked here with "illegal use of
// non-zero Builder copied by value", crashing on every Magistral run).
func TestThinkingSurvivesCopiesOfThePane(t *testing.T) {
	m, _ := newPane(t, themes.New(themes.Dark()), 60, 10)
	m.Append("", "first thought. ")
	copied := *m
	next, _ := copied.Update(tea.KeyPressMsg{Code: 't', Text: "t"})
	next.Append("", "second thought.")
	next.Append("The answer.", "")
	if got := next.Thinking(); got != "first thought. second thought." {
		t.Fatalf("thinking = %q", got)
	}
}
